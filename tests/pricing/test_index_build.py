"""The published price index: hand-computed links and levels, editing, provinces, roots, storage,
and the price-history generator it is benchmarked and demonstrated on."""

import datetime
import itertools
import math
import random
import zoneinfo
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from catalog import services
from catalog.models import Category, Product, Sku, SkuPriceChange
from demo import DemoContext
from demo import pricing as demo
from demo.catalog_bulk import generate_catalog
from demo.price_history import generate_price_history
from pricing.index_formulas import category_index_cell, category_index_cell_from_log_counts
from pricing.models import PriceIndexPoint
from pricing.published_index import build_index, period_starts
from pricing.selectors import category_series
from pricing.tasks import build_price_index
from regions.models import County
from tests.catalog.conftest import Listings

pytestmark = pytest.mark.django_db

REL = 1e-9
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    """A local (Asia/Shanghai) moment on ``day``."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


class Market:
    """Listings made and re-priced through the catalogue services, at chosen dates."""

    def __init__(self, start: datetime.date = datetime.date(2025, 11, 1)):
        with time_machine.travel(at(start), tick=False):
            self.listings = Listings()
        self._n = 0

    def listed(
        self, slug: str, prices: list[str], *, on: datetime.date, county: County | None = None
    ) -> list:
        """A product on sale since ``on`` with one 500 g SKU per price (unit price = price)."""
        self._n += 1
        skus = [Listings.sku(f"500g/袋 {i}", "500", "g", price=p) for i, p in enumerate(prices)]
        with time_machine.travel(at(on), tick=False):
            product = self.listings.on_sale(
                slug=slug, skus=skus, image=True, name=f"测试{slug}{self._n}", origin_county=county
            )
        return list(product.skus.order_by("position"))

    def reprice(self, sku: Sku, price: str, *, on: datetime.date) -> None:
        with time_machine.travel(at(on), tick=False):
            services.sku_update(sku=sku, by=self.listings.user, price=Decimal(price))


@pytest.fixture
def market(db):
    return Market()


def series(slug: str, frequency: str = "month", province=None) -> dict[datetime.date, PriceIndexPoint]:
    return {
        p.period_start: p
        for p in category_series(Category.objects.get(slug=slug), frequency=frequency, province=province)
    }


def month(year: int, m: int) -> datetime.date:
    return datetime.date(year, m, 1)


# --- Hand-computed cases -----------------------------------------------------------------------------


def test_links_and_levels_by_hand(market):
    a, b, c, _d, _e = market.listed("citrus", ["10", "20", "30", "40", "50"], on=datetime.date(2025, 12, 10))
    market.reprice(a, "11", on=datetime.date(2026, 1, 12))  # ×1.1
    market.reprice(b, "22", on=datetime.date(2026, 1, 20))  # ×1.1
    market.reprice(c, "27", on=datetime.date(2026, 2, 3))  # ×0.9

    result = build_index(today=datetime.date(2026, 3, 15))

    points = series("citrus")
    assert list(points) == period_starts("month", datetime.date(2026, 3, 15))
    assert min(points) == month(2025, 3) and max(points) == month(2026, 3)
    base = points[month(2025, 3)]
    assert (base.level, base.link, base.published) == (100.0, None, True)
    # Priced from December only: no link before January has a matched item.
    for start in [month(2025, m) for m in range(4, 13)]:
        assert (points[start].level, points[start].matched, points[start].published) == (100.0, 0, False)
    jan, feb, mar = points[month(2026, 1)], points[month(2026, 2)], points[month(2026, 3)]
    assert jan.link == pytest.approx(1.1 ** (2 / 5), rel=REL)  # (1.1 · 1.1 · 1 · 1 · 1)^(1/5)
    assert jan.level == pytest.approx(100 * 1.1**0.4, rel=REL)
    assert (jan.matched, jan.dropped, jan.published) == (5, 0, True)
    assert feb.link == pytest.approx(0.9**0.2, rel=REL)
    assert feb.level == pytest.approx(100 * 1.1**0.4 * 0.9**0.2, rel=REL)
    assert mar.link == pytest.approx(1.0) and mar.level == pytest.approx(feb.level, rel=REL)
    assert (
        result.frequency == "month" and result.skus == 5 and result.points == PriceIndexPoint.objects.count()
    )


def test_four_matched_items_are_not_published_and_the_level_carries_forward(market):
    a1, a2, *_ = market.listed("apple-pear", ["10", "20", "30", "40"], on=datetime.date(2025, 11, 10))
    market.listed("apple-pear", ["50"], on=datetime.date(2025, 12, 10))
    market.reprice(a1, "12", on=datetime.date(2025, 12, 11))  # lost: only 4 items matched in December
    market.reprice(a2, "24", on=datetime.date(2026, 1, 12))

    build_index(today=datetime.date(2026, 1, 20))

    points = series("apple-pear")
    dec, jan = points[month(2025, 12)], points[month(2026, 1)]
    assert (dec.matched, dec.published, dec.link, dec.level) == (4, False, None, 100.0)
    assert (jan.matched, jan.published) == (5, True)
    assert jan.link == pytest.approx(1.2**0.2, rel=REL)
    assert jan.level == pytest.approx(100 * 1.2**0.2, rel=REL)  # December's +20 % never enters


def test_outlier_editing_drops_a_twentyfold_relative(market):
    skus = market.listed("kiwi", ["10", "11", "12", "13", "14", "15"], on=datetime.date(2025, 12, 10))
    market.reprice(skus[0], "200", on=datetime.date(2026, 1, 12))  # ×20: a typing error
    market.reprice(skus[1], "11.55", on=datetime.date(2026, 1, 12))  # ×1.05

    build_index(today=datetime.date(2026, 1, 20))

    jan = series("kiwi")[month(2026, 1)]
    assert (jan.matched, jan.dropped, jan.published) == (5, 1, True)
    assert jan.link == pytest.approx(1.05**0.2, rel=REL)


def test_province_series(market):
    hunan = County.objects.filter(is_eligible=True).exclude(province__code="42").order_by("code").first()
    hubei_skus = market.listed("citrus", ["10", "20", "30", "40", "50"], on=datetime.date(2025, 12, 10))
    other = market.listed("citrus", ["60", "70"], on=datetime.date(2025, 12, 10), county=hunan)
    market.reprice(hubei_skus[0], "12", on=datetime.date(2026, 1, 12))  # ×1.2
    market.reprice(other[0], "78", on=datetime.date(2026, 1, 12))  # ×1.3

    build_index(today=datetime.date(2026, 1, 20))

    national = series("citrus")[month(2026, 1)]
    assert national.matched == 7
    assert national.link == pytest.approx((1.2 * 1.3) ** (1 / 7), rel=REL)
    hubei = hubei_skus[0].product.origin_province
    provincial = series("citrus", province=hubei)[month(2026, 1)]
    assert (provincial.matched, provincial.published) == (5, True)
    assert provincial.link == pytest.approx(1.2**0.2, rel=REL)
    # Two items in the other province: no link ever published, so no series is stored for it.
    assert series("citrus", province=hunan.province) == {}
    # The root has a Hubei series too, resting on its only published leaf.
    assert series("fruit", province=hubei)[month(2026, 1)].link == pytest.approx(1.2**0.2, rel=REL)


def test_root_links_are_sales_weighted_geometric_means_of_published_leaves(market):
    citrus = market.listed("citrus", ["10", "20", "30", "40", "50"], on=datetime.date(2025, 12, 10))
    kiwi = market.listed("kiwi", ["10", "20", "30", "40", "50"], on=datetime.date(2025, 12, 10))
    apples = market.listed("apple-pear", ["10", "20", "30", "40"], on=datetime.date(2025, 12, 10))
    # Units sold (orders come later; the counter is what the weights read).
    Product.objects.filter(pk=citrus[0].product_id).update(sales_count=300)
    Product.objects.filter(pk=kiwi[0].product_id).update(sales_count=100)
    Product.objects.filter(pk=apples[0].product_id).update(sales_count=1000)  # never published: no weight
    market.reprice(citrus[0], "12", on=datetime.date(2026, 1, 12))  # citrus Jan link 1.2^(1/5)
    market.reprice(kiwi[0], "13", on=datetime.date(2026, 1, 12))  # kiwi Jan link 1.3^(1/5)
    market.reprice(apples[0], "20", on=datetime.date(2026, 1, 12))
    market.reprice(kiwi[1], "16", on=datetime.date(2026, 2, 12))  # kiwi Feb link 0.8^(1/5)

    build_index(today=datetime.date(2026, 2, 20))

    fruit = series("fruit")
    jan, feb = fruit[month(2026, 1)], fruit[month(2026, 2)]
    # weights 300/400 and 100/400 between the two published leaves
    expected_jan = math.exp(0.75 * math.log(1.2**0.2) + 0.25 * math.log(1.3**0.2))
    assert jan.link == pytest.approx(expected_jan, rel=REL)
    assert (jan.matched, jan.dropped, jan.published) == (10, 0, True)
    assert feb.link == pytest.approx(math.exp(0.25 * math.log(0.8**0.2)), rel=REL)
    assert feb.level == pytest.approx(100 * expected_jan * feb.link, rel=REL)
    assert fruit[month(2025, 12)].published is False  # nothing matched yet: level carried at 100
    assert fruit[month(2025, 12)].level == 100.0


def test_root_links_use_equal_weights_without_sales(market):
    citrus = market.listed("citrus", ["10", "20", "30", "40", "50"], on=datetime.date(2025, 12, 10))
    kiwi = market.listed("kiwi", ["10", "20", "30", "40", "50"], on=datetime.date(2025, 12, 10))
    market.reprice(citrus[0], "12", on=datetime.date(2026, 1, 12))
    market.reprice(kiwi[0], "13", on=datetime.date(2026, 1, 12))

    build_index(today=datetime.date(2026, 1, 20))

    jan = series("fruit")[month(2026, 1)]
    assert jan.link == pytest.approx(math.sqrt(1.2**0.2 * 1.3**0.2), rel=REL)


def test_a_sku_without_history_counts_at_its_current_price(market):
    with_history = market.listed("citrus", ["10", "20", "30", "40", "50"], on=datetime.date(2025, 12, 10))
    without = market.listed("citrus", ["60", "70", "80", "90", "95"], on=datetime.date(2025, 12, 10))
    # As demo.catalog_bulk leaves them: SKUs with no SkuPriceChange row at all.
    SkuPriceChange.objects.filter(sku__in=without).delete()
    market.reprice(with_history[0], "11", on=datetime.date(2026, 1, 12))

    build_index(today=datetime.date(2026, 1, 20))

    points = series("citrus")
    assert points[month(2025, 12)].matched == 0  # all priced from December (product creation) on
    jan = points[month(2026, 1)]
    assert jan.matched == 10
    assert jan.link == pytest.approx(1.1 ** (1 / 10), rel=REL)


def test_draft_products_and_inactive_skus_do_not_count(market):
    skus = market.listed("citrus", ["10", "20", "30", "40", "50"], on=datetime.date(2025, 12, 10))
    market.reprice(skus[0], "12", on=datetime.date(2026, 1, 12))
    with time_machine.travel(at(datetime.date(2025, 12, 10)), tick=False):
        market.listings.product(slug="citrus", name="草稿脐橙", image=False)  # never listed
    Sku.objects.filter(pk=skus[4].pk).update(is_active=False)

    build_index(today=datetime.date(2026, 1, 20))

    jan = series("citrus")[month(2026, 1)]
    assert (jan.matched, jan.published) == (4, False)


def test_building_twice_replaces_the_points(market):
    skus = market.listed("citrus", ["10", "20", "30", "40", "50"], on=datetime.date(2025, 12, 10))
    market.reprice(skus[0], "12", on=datetime.date(2026, 1, 12))

    def snapshot():
        return sorted(
            PriceIndexPoint.objects.values_list(
                "category_id",
                "province_id",
                "frequency",
                "period_start",
                "level",
                "link",
                "matched",
                "published",
            ),
            key=repr,
        )

    build_index(today=datetime.date(2026, 1, 20))
    build_index(frequency="week", today=datetime.date(2026, 1, 20))
    first = snapshot()
    build_index(today=datetime.date(2026, 1, 20))
    assert snapshot() == first
    leaves = Category.objects.filter(children__isnull=True).count()
    roots = Category.objects.filter(parent__isnull=True).count()
    # every leaf and root nationally, plus citrus and fruit in the supplier's province
    assert PriceIndexPoint.objects.filter(frequency="month").count() == 13 * (leaves + roots + 2)
    assert PriceIndexPoint.objects.filter(frequency="week").count() == 27 * (leaves + roots + 2)


def test_weekly_periods_are_iso_weeks_in_local_time(market):
    skus = market.listed("citrus", ["10", "20", "30", "40", "50"], on=datetime.date(2026, 1, 5))
    # 00:30 on Monday 19 January in Shanghai is still Sunday in UTC: it belongs to the new week.
    with time_machine.travel(datetime.datetime(2026, 1, 19, 0, 30, tzinfo=SHANGHAI), tick=False):
        services.sku_update(sku=skus[0], by=market.listings.user, price=Decimal("12"))

    build_index(frequency="week", today=datetime.date(2026, 1, 21))

    weeks = series("citrus", frequency="week")
    assert list(weeks)[-1] == datetime.date(2026, 1, 19) and len(weeks) == 27
    assert weeks[datetime.date(2026, 1, 12)].link == pytest.approx(1.0)
    assert weeks[datetime.date(2026, 1, 19)].link == pytest.approx(1.2**0.2, rel=REL)


def test_the_task_builds_both_frequencies(market):
    market.listed("citrus", ["10", "20", "30", "40", "50"], on=datetime.date(2025, 12, 10))
    result = build_price_index.delay().get()
    assert set(result) == {"month", "week"}
    assert set(PriceIndexPoint.objects.values_list("frequency", flat=True)) == {"month", "week"}


# --- The counting cell equals the listing one ----------------------------------------------------------


@given(
    relatives=st.lists(
        st.sampled_from([1.0, 1.0, 1.0, 1.05, 0.95, 1.1, 1.5, 20.0, 0.05, 0.9]), min_size=0, max_size=40
    ),
    min_matched=st.integers(1, 6),
)
def test_counting_cell_equals_category_index_cell(relatives, min_matched):
    base = dict.fromkeys(range(len(relatives)), 10.0)
    current = {i: 10.0 * r for i, r in enumerate(relatives)}
    counts: dict[float, int] = {}
    for i in base:
        x = math.log(current[i] / base[i])
        counts[x] = counts.get(x, 0) + 1
    expected = category_index_cell(base, current, min_matched=min_matched)
    got = category_index_cell_from_log_counts(counts, min_matched=min_matched)
    assert (got.matched, got.dropped, got.published) == (
        expected.matched,
        expected.dropped,
        expected.published,
    )
    if expected.value is None:
        assert got.value is None
    else:
        assert got.value == pytest.approx(expected.value, rel=1e-12)


def test_counting_cell_on_random_samples():
    rng = random.Random(5)
    for _ in range(200):
        n = rng.randint(0, 60)
        base = {i: rng.uniform(1, 100) for i in range(n)}
        current = {i: p * (1 if rng.random() < 0.6 else math.exp(rng.gauss(0, 0.3))) for i, p in base.items()}
        counts: dict[float, int] = {}
        for i in base:
            x = math.log(current[i] / base[i])
            counts[x] = counts.get(x, 0) + 1
        expected = category_index_cell(base, current)
        got = category_index_cell_from_log_counts(counts)
        assert (got.matched, got.dropped) == (expected.matched, expected.dropped)
        assert got.value == pytest.approx(expected.value, rel=1e-12) if expected.value else got.value is None


# --- Price history generator ---------------------------------------------------------------------------

NOW = datetime.datetime(2026, 3, 15, 12, 0, tzinfo=SHANGHAI)


@pytest.fixture
def bulk_catalogue(db):
    with time_machine.travel(NOW - datetime.timedelta(days=60), tick=False):
        listings = Listings()
        made = listings.product(slug="citrus", image=False)  # through services: has its own history
    generate_catalog(products=60, seed=3, suppliers=[listings.supplier], now=NOW)
    return made


def _generated():
    return list(
        SkuPriceChange.objects.filter(source="demo")
        .order_by("sku_id", "created_at", "id")
        .values_list("sku_id", "old_price", "new_price", "old_unit_price", "new_unit_price", "created_at")
    )


def test_generated_history_ends_at_the_current_price(bulk_catalogue):
    before = SkuPriceChange.objects.filter(sku__product=bulk_catalogue).count()
    written = generate_price_history(months=12, seed=9, now=NOW)

    rows = _generated()
    assert written == len(rows) > Sku.objects.count()  # an initial row each, and changes
    by_sku: dict[int, list] = {}
    for row in rows:
        by_sku.setdefault(row[0], []).append(row)
    skus = {s.pk: s for s in Sku.objects.exclude(product=bulk_catalogue)}
    assert set(by_sku) == set(skus)
    changed = 0
    for pk, history in by_sku.items():
        first, last = history[0], history[-1]
        assert first[1] is None and first[3] is None  # the initial price
        assert (last[2], last[4]) == (skus[pk].price, skus[pk].unit_price)
        for previous, row in itertools.pairwise(history):
            assert row[1] == previous[2] and row[3] == previous[4] and row[2] != row[1]
            assert previous[5] < row[5] < NOW
        assert first[5] >= NOW - datetime.timedelta(days=31 * 13)
        changed += len(history) > 1
    assert changed > len(by_sku) // 3  # most SKUs moved at least once in a year
    # The SKUs made through the services kept their own history, and a second run writes nothing.
    assert SkuPriceChange.objects.filter(sku__product=bulk_catalogue).count() == before
    assert generate_price_history(months=12, seed=9, now=NOW) == 0


def test_generated_history_is_deterministic(bulk_catalogue):
    generate_price_history(seed=11, now=NOW)
    first = _generated()
    SkuPriceChange.objects.filter(source="demo").delete()
    generate_price_history(seed=11, now=NOW)
    assert _generated() == first
    SkuPriceChange.objects.filter(source="demo").delete()
    generate_price_history(seed=12, now=NOW)
    assert _generated() != first


def test_generated_history_for_chosen_skus_only(bulk_catalogue):
    chosen = list(Sku.objects.exclude(product=bulk_catalogue).order_by("pk").values_list("pk", flat=True)[:5])
    generate_price_history(seed=1, now=NOW, skus=chosen)
    assert {row[0] for row in _generated()} == set(chosen)


def test_an_index_built_on_generated_history_is_plausible(bulk_catalogue):
    generate_price_history(seed=4, now=NOW)
    with time_machine.travel(NOW, tick=False):
        result = build_index()
    assert result.published_points > 0
    levels = [p.level for p in PriceIndexPoint.objects.filter(published=True)]
    assert all(70 < level < 140 for level in levels)


def test_the_demo_seeder_generates_missing_history_once_and_builds_both_indexes(bulk_catalogue):
    first = DemoContext(rng=random.Random(1))
    demo.seed(first)
    # The generated history, plus the suppliers' corrections of prices the model judged far off.
    made = first.created["price changes"] + first.created.get("price corrections", 0)
    assert made == SkuPriceChange.objects.filter(source="demo").count() > 0
    assert set(PriceIndexPoint.objects.values_list("frequency", flat=True)) == {"month", "week"}
    points = PriceIndexPoint.objects.count()
    again = DemoContext(rng=random.Random(1))
    demo.seed(again)
    assert "price changes" not in again.created
    assert PriceIndexPoint.objects.count() == points
