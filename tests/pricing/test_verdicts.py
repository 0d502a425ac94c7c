"""The price comparison model: every branch of the verdict, its explanation, and the bulk run."""

import datetime
import math
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import timezone, translation

from catalog import services as catalog_services
from catalog.models import ProductStatus, SkuPriceChange
from pricing import services
from pricing.explain import explain
from pricing.models import PeerScope, PriceReview, PriceVerdict, ReviewState, Verdict
from pricing.verdicts import (
    Facts,
    Params,
    Reference,
    judge,
    peer_group,
    refresh_all_verdicts,
    refresh_verdicts,
)
from tests.catalog.conftest import Listings
from tests.factories import OpsFactory
from tests.pricing.test_evidence import screenshot
from tests.services import require_postgres

D = Decimal
TODAY = datetime.date(2026, 11, 27)
PARAMS = Params(
    evidence_high_ratio=1.10,
    evidence_very_high_ratio=1.30,
    evidence_low_ratio=0.50,
    peer_min_count=5,
    peer_high_z=2.0,
    peer_outlier_z=3.5,
    peer_mad_floor=0.05,
    history_days=90,
    history_jump_ratio=1.30,
    evidence_max_age_days=30,
)


def ref(price, pk=1, shop="京东", days=3):
    return Reference(pk, shop, D(price), TODAY - datetime.timedelta(days=days))


def peers(*prices):
    return peer_group(PeerScope.LEAF, 7, [math.log(p) for p in prices])


TEN_PEERS = peers(9, 9.5, 10, 10, 10.4, 10.4, 10.8, 11, 11.5, 12)


# --- judge(): each verdict from constructed facts -------------------------------------------------


class TestJudge:
    def test_nothing_to_compare_with_is_not_enough_data(self):
        result = judge(Facts(unit_price=D("10.00"), basis="500g"), PARAMS)
        assert result.verdict == Verdict.INSUFFICIENT and result.signals == [] and result.severity == 0

    def test_too_few_peers_and_no_reference_is_not_enough_data(self):
        result = judge(Facts(unit_price=D("30.00"), basis="500g", peers=peers(10, 10, 11, 12)), PARAMS)
        assert result.verdict == Verdict.INSUFFICIENT
        assert result.peer_z is None  # four listings are not a distribution to judge against

    def test_only_stale_references_are_not_enough_data(self):
        facts = Facts(unit_price=D("30.00"), basis="500g", stale=[ref("10.00", days=45)])
        assert judge(facts, PARAMS).verdict == Verdict.INSUFFICIENT

    def test_within_reference_and_peers_is_reasonable(self):
        facts = Facts(unit_price=D("10.50"), basis="500g", fresh=[ref("10.00")], peers=TEN_PEERS)
        result = judge(facts, PARAMS)
        assert result.verdict == Verdict.REASONABLE
        assert result.reference_ratio == pytest.approx(1.05)
        assert result.peer_ratio == pytest.approx(10.5 / math.exp(TEN_PEERS.median_log))

    def test_a_fresh_reference_alone_is_enough_to_judge(self):
        assert judge(Facts(unit_price=D("9.00"), basis="500g", fresh=[ref("10.00")]), PARAMS).verdict == (
            Verdict.REASONABLE
        )

    def test_the_lowest_fresh_reference_is_the_one_compared(self):
        facts = Facts(unit_price=D("12.00"), basis="500g", fresh=[ref("11.50", pk=1), ref("10.00", pk=2)])
        result = judge(facts, PARAMS)
        assert result.reference.evidence_id == 2 and result.reference_ratio == pytest.approx(1.2)
        assert result.verdict == Verdict.HIGH and result.signals == ["evidence_high"]
        assert result.severity == pytest.approx(math.log(1.2))

    def test_just_above_the_threshold_is_high_and_at_it_is_not(self):
        assert judge(Facts(unit_price=D("11.00"), basis="500g", fresh=[ref("10.00")]), PARAMS).verdict == (
            Verdict.REASONABLE
        )
        assert judge(Facts(unit_price=D("11.01"), basis="500g", fresh=[ref("10.00")]), PARAMS).verdict == (
            Verdict.HIGH
        )

    def test_far_above_the_reference_is_very_high(self):
        result = judge(Facts(unit_price=D("13.50"), basis="500g", fresh=[ref("10.00")]), PARAMS)
        assert result.verdict == Verdict.VERY_HIGH and result.signals == ["evidence_very_high"]

    def test_an_outlier_above_peers_is_very_high(self):
        # median 10.6, MAD of logs ≈ 0.0536 → z for ¥30 = 0.6745 · ln(30/10.6) / 0.0536 ≫ 3.5
        result = judge(Facts(unit_price=D("30.00"), basis="500g", peers=TEN_PEERS), PARAMS)
        assert result.verdict == Verdict.VERY_HIGH and result.signals == ["peer_outlier"]
        expected_z = 0.6745 * (math.log(30) - TEN_PEERS.median_log) / max(TEN_PEERS.mad, 0.05)
        assert result.peer_z == pytest.approx(expected_z)
        assert result.severity == pytest.approx(math.log(30) - TEN_PEERS.median_log)

    def test_moderately_above_peers_is_high(self):
        # z between 2 and 3.5: ln(x/m) between 2·MAD/0.6745 and 3.5·MAD/0.6745
        m, mad = math.exp(TEN_PEERS.median_log), max(TEN_PEERS.mad, 0.05)
        price = D(str(round(m * math.exp(2.7 * mad / 0.6745), 2)))
        result = judge(Facts(unit_price=price, basis="500g", peers=TEN_PEERS), PARAMS)
        assert result.verdict == Verdict.HIGH and result.signals == ["peer_high"]
        assert 2.0 < result.peer_z < 3.5

    def test_far_below_peers_is_suspiciously_low(self):
        result = judge(Facts(unit_price=D("3.00"), basis="500g", peers=TEN_PEERS), PARAMS)
        assert result.verdict == Verdict.LOW and result.signals == ["peer_low"]
        assert result.peer_z < -3.5 and result.severity == pytest.approx(TEN_PEERS.median_log - math.log(3))

    def test_half_the_reference_price_is_suspiciously_low(self):
        result = judge(Facts(unit_price=D("4.00"), basis="500g", fresh=[ref("10.00")]), PARAMS)
        assert result.verdict == Verdict.LOW and result.signals == ["evidence_low"]

    def test_the_mad_floor_keeps_a_tight_category_from_flagging_trifles(self):
        tight = peers(10, 10, 10, 10, 10, 10, 10.1)  # MAD = 0
        assert tight.mad == 0
        result = judge(Facts(unit_price=D("10.80"), basis="500g", peers=tight), PARAMS)
        # without the floor z would be infinite; with it z = 0.6745 · ln 1.08 / 0.05 ≈ 1.04
        assert result.verdict == Verdict.REASONABLE
        assert result.peer_z == pytest.approx(0.6745 * math.log(1.08) / 0.05)

    def test_a_sudden_jump_against_its_own_history_is_high(self):
        facts = Facts(unit_price=D("15.00"), basis="500g", peers=TEN_PEERS, history=[D("10.00"), D("10.40")])
        result = judge(facts, PARAMS)
        assert result.history_median == D("10.20") and result.history_ratio == pytest.approx(15 / 10.2)
        assert "history_jump" in result.signals and result.verdict in (Verdict.HIGH, Verdict.VERY_HIGH)

    def test_a_jump_alone_flags_the_price(self):
        facts = Facts(unit_price=D("15.00"), basis="500g", history=[D("10.00")])
        assert judge(facts, PARAMS).verdict == Verdict.HIGH

    def test_a_price_cut_is_not_a_jump(self):
        facts = Facts(unit_price=D("8.00"), basis="500g", fresh=[ref("9.00")], history=[D("10.00")])
        result = judge(facts, PARAMS)
        assert result.verdict == Verdict.REASONABLE and result.history_ratio == pytest.approx(0.8)

    def test_upward_signals_win_over_a_low_one_and_severity_is_the_largest(self):
        facts = Facts(unit_price=D("5.00"), basis="500g", fresh=[ref("4.00")], peers=TEN_PEERS)
        result = judge(facts, PARAMS)
        assert result.verdict == Verdict.HIGH  # 1.25× its own reference, although far below peers
        assert result.signals == ["evidence_high", "peer_low"]
        assert result.severity == pytest.approx(math.log(1.25))

    def test_very_high_from_any_signal_wins(self):
        facts = Facts(unit_price=D("12.00"), basis="500g", fresh=[ref("10.00")], history=[D("5.00")])
        result = judge(facts, PARAMS)
        assert result.verdict == Verdict.HIGH and set(result.signals) == {"evidence_high", "history_jump"}
        assert result.severity == pytest.approx(math.log(2.4))
        facts = Facts(unit_price=D("14.00"), basis="500g", fresh=[ref("10.00")], peers=TEN_PEERS)
        assert judge(facts, PARAMS).verdict == Verdict.VERY_HIGH


def test_peer_group_median_and_mad():
    group = peers(8, 10, 12.5)
    assert group.median == D("10.00") and group.count == 3
    assert group.mad == pytest.approx(math.log(1.25))


# --- Through the database: facts gathered from listings, evidence and history ---------------------


@pytest.fixture
def market(db):
    return Market()


class Market(Listings):
    """Oranges (¥/500 g): one product to judge and on-sale peers of other suppliers."""

    def peer_products(self, unit_prices, slug="citrus"):
        supplier, user = self.active_supplier()
        for n, up in enumerate(unit_prices):
            price = D(str(up)) * 10  # 5 kg = 10 × 500 g
            self.on_sale(
                slug=slug,
                supplier=supplier,
                user=user,
                image=True,
                name=f"脐橙 同行{n}",
                skus=[self.sku(price=str(price))],
            )

    def subject(self, price="49.90", *, on_sale=False, **kwargs):
        make = self.on_sale if on_sale else self.product
        product = make(skus=[self.sku(price=price)], **kwargs)
        return product, product.skus.get()


def verdict_of(sku) -> PriceVerdict:
    refresh_verdicts([sku.pk])
    return PriceVerdict.objects.select_related("peer_category").get(sku=sku)


def add_reference(market, sku, *, price="25.00", qty="2.5", unit="kg", days=3, match="same", url=None):
    return services.evidence_add(
        sku=sku,
        by=market.user,
        url=url or "https://item.jd.com/100012345678.html",
        match=match,
        observed_price=D(price),
        spec="5斤装",
        net_quantity=D(qty),
        unit=unit,
        pack_count=1,
        seen_on=timezone.localdate() - datetime.timedelta(days=days),
        screenshot=screenshot(colour=(days * 7 % 255, 200, 200)),
    )


class TestVerdictsFromTheCatalogue:
    def test_a_new_listing_without_references_or_peers_waits_for_data(self, market):
        _product, sku = market.subject()
        verdict = verdict_of(sku)
        assert verdict.verdict == Verdict.INSUFFICIENT and verdict.peer_count == 0
        assert verdict.unit_price == D("4.99") and verdict.basis == "500g"
        with translation.override("en"):
            text = explain(verdict)
        assert "cannot be judged yet" in text and "fewer than 5 comparable listings" in text

    def test_reference_in_another_unit_is_converted_before_comparing(self, market):
        _product, sku = market.subject(price="49.90")  # ¥4.99 per 500 g
        add_reference(market, sku, price="2.20", qty="250", unit="g")  # ¥4.40 per 500 g
        verdict = verdict_of(sku)
        assert verdict.reference_unit_price == D("4.40")
        assert verdict.reference_ratio == pytest.approx(4.99 / 4.40)
        assert verdict.verdict == Verdict.HIGH and verdict.signals == ["evidence_high"]

    def test_similar_products_and_rejected_references_do_not_judge(self, market):
        _product, sku = market.subject()
        add_reference(market, sku, price="20.00", match="similar")
        rejected = add_reference(market, sku, price="21.00")
        services.evidence_review(
            evidence=rejected,
            by=OpsFactory(teams=["internal_control"]),
            verified=False,
            reason="截图与链接不符",
        )
        assert verdict_of(sku).verdict == Verdict.INSUFFICIENT

    def test_stale_evidence_no_longer_counts_and_the_explanation_says_so(self, market):
        _product, sku = market.subject()
        add_reference(market, sku, price="30.00", days=45)
        verdict = verdict_of(sku)
        assert verdict.verdict == Verdict.INSUFFICIENT and verdict.reference_id is None
        assert verdict.stale_references == 1 and verdict.stale_shop == "京东"
        with translation.override("en"):
            assert "45 days old" in explain(verdict) and "older than 30 days" in explain(verdict)
        with translation.override("zh-hans"):
            assert "45" in explain(verdict)

    @override_settings(PRICE_EVIDENCE_MAX_AGE_DAYS=60)
    def test_the_age_limit_is_a_setting(self, market):
        _product, sku = market.subject()
        add_reference(market, sku, days=45)
        assert verdict_of(sku).verdict == Verdict.REASONABLE

    def test_judged_against_on_sale_peers_of_the_same_category(self, market):
        market.peer_products([4.80, 5.00, 5.10, 5.20, 5.40, 5.00])
        _product, sku = market.subject(price="180.00")  # ¥18.00 per 500 g
        add_reference(market, sku, price="75.00")  # ¥15.00 per 500 g, 3 days old
        verdict = verdict_of(sku)
        assert verdict.peer_scope == PeerScope.LEAF and verdict.peer_count == 6
        assert verdict.peer_median == D("5.05")
        assert verdict.verdict == Verdict.VERY_HIGH and "peer_outlier" in verdict.signals
        assert verdict.reference_ratio == pytest.approx(1.2)
        with translation.override("en"):
            text = explain(verdict)
        assert text.startswith(
            "¥18.00/500 g is 3.56× the median of 6 comparable listings in 柑橘橙柚 (¥5.05/500 g)"
        )
        assert "and 1.2× your own 京东 reference (¥15.00/500 g, 3 days old)" in text
        with translation.override("zh-hans"):
            assert "¥5.05/500克" in explain(verdict) and "6" in explain(verdict)
        with translation.override("en"):
            assert "the supplier's 京东 reference" in explain(verdict, for_supplier=False)

    def test_off_sale_listings_are_not_peers(self, market):
        market.peer_products([5.0, 5.0, 5.0, 5.0])
        market.product(name="草稿脐橙", skus=[market.sku(price="50.00")])  # a draft: not a peer
        _product, sku = market.subject()
        verdict = verdict_of(sku)
        assert verdict.peer_count == 4 and verdict.peer_median is None
        assert verdict.verdict == Verdict.INSUFFICIENT

    def test_too_few_in_the_leaf_falls_back_to_the_parent_with_the_same_basis(self, market):
        market.peer_products([5.0, 5.2], slug="citrus")
        market.peer_products([6.0, 6.2, 6.4], slug="apple-pear")
        _product, sku = market.subject(price="50.00")
        verdict = verdict_of(sku)
        assert verdict.peer_scope == PeerScope.PARENT and verdict.peer_count == 5
        assert verdict.peer_category.slug == "fruit" and verdict.verdict == Verdict.REASONABLE

    def test_a_sudden_jump_in_its_own_price(self, market):
        market.peer_products([4.0, 5.0, 6.0, 7.0, 8.0])
        _product, sku = market.subject(price="50.00")
        catalog_services.sku_update(sku=sku, by=market.user, price=D("80.00"), stock=sku.stock)
        verdict = verdict_of(sku)
        assert verdict.history_median == D("5.00") and verdict.history_ratio == pytest.approx(1.6)
        assert "history_jump" in verdict.signals and verdict.verdict == Verdict.HIGH
        with translation.override("en"):
            assert "1.6× its own median price of the last 90 days (¥5.00/500 g)" in explain(verdict)

    def test_history_outside_the_window_does_not_count(self, market):
        _product, sku = market.subject(price="50.00")
        catalog_services.sku_update(sku=sku, by=market.user, price=D("80.00"), stock=sku.stock)
        SkuPriceChange.objects.filter(sku=sku).update(
            created_at=timezone.now() - datetime.timedelta(days=120)
        )
        assert verdict_of(sku).history_points == 0


class TestRecomputation:
    def test_a_price_change_and_new_evidence_rejudge_the_sku_after_commit(
        self, market, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            _product, sku = market.subject(price="50.00")
        assert PriceVerdict.objects.get(sku=sku).verdict == Verdict.INSUFFICIENT
        with django_capture_on_commit_callbacks(execute=True):
            add_reference(market, sku, price="40.00", qty="5")  # ¥4.00 per 500 g
        assert PriceVerdict.objects.get(sku=sku).verdict == Verdict.HIGH
        with django_capture_on_commit_callbacks(execute=True):
            catalog_services.sku_update(sku=sku, by=market.user, price=D("42.00"), stock=1)
        verdict = PriceVerdict.objects.get(sku=sku)
        assert verdict.verdict == Verdict.REASONABLE and verdict.unit_price == D("4.20")

    def test_the_nightly_run_matches_the_single_sku_path_and_drops_delisted(self, market):
        market.peer_products([4.8, 5.0, 5.1, 5.2, 5.4])
        product, sku = market.subject(price="90.00")
        add_reference(market, sku, price="40.00", qty="5")
        single = verdict_of(sku)
        PriceVerdict.objects.all().delete()
        result = refresh_all_verdicts()
        assert result.judged == 6 and result.by_verdict[Verdict.VERY_HIGH] == 1
        nightly = PriceVerdict.objects.get(sku=sku)
        fields = ["verdict", "severity", "peer_count", "peer_median", "peer_z", "reference_ratio", "signals"]
        assert {f: getattr(nightly, f) for f in fields} == {f: getattr(single, f) for f in fields}
        assert nightly.model_version and nightly.computed_at
        product.status = ProductStatus.DELISTED
        product.save(update_fields=["status"])
        assert refresh_all_verdicts().removed == 1
        assert not PriceVerdict.objects.filter(sku=sku).exists()


class TestOpsReview:
    @pytest.fixture
    def flagged(self, market):
        market.peer_products([4.8, 5.0, 5.1, 5.2, 5.4])
        product, sku = market.subject(price="90.00", on_sale=True)
        verdict_of(sku)
        return product, sku

    def test_accept_with_a_note_holds_for_that_price_only(self, market, flagged):
        _product, sku = flagged
        ops = OpsFactory(teams=["internal_control"])
        services.price_review(sku=sku, by=ops, action=PriceReview.Action.ACCEPT, note="有机认证，价格合理")
        verdict = PriceVerdict.objects.get(sku=sku)
        assert verdict.review_state == ReviewState.ACCEPTED and verdict.review_unit_price == D("9.00")
        review = PriceReview.objects.get(sku=sku)
        assert (
            review.by == ops and review.verdict == Verdict.VERY_HIGH and "¥9.00/500克" in review.explanation
        )
        refresh_verdicts([sku.pk])  # same price: the acceptance stands
        assert PriceVerdict.objects.get(sku=sku).review_state == ReviewState.ACCEPTED
        catalog_services.sku_update(sku=sku, by=market.user, price=D("95.00"), stock=1)
        refresh_verdicts([sku.pk])
        assert PriceVerdict.objects.get(sku=sku).review_state == ReviewState.NONE

    def test_asking_to_adjust_tells_the_supplier_why(self, market, flagged):
        _product, sku = flagged
        services.price_review(
            sku=sku, by=OpsFactory(teams=["internal_control"]), action="adjust", note="请参考同类商品价格调整"
        )
        inbox = market.user.notifications.order_by("-id").first()
        assert "请参考同类商品价格调整" in inbox.body and "¥9.00/500克" in inbox.body
        assert inbox.link.endswith(f"/skus/{sku.pk}/prices/")

    def test_delist_takes_the_product_off_the_catalogue(self, flagged):
        product, sku = flagged
        services.price_review(
            sku=sku, by=OpsFactory(teams=["internal_control"]), action="delist", note="价格虚高"
        )
        product.refresh_from_db()
        assert product.status == ProductStatus.DELISTED and not product.is_visible
        assert PriceVerdict.objects.get(sku=sku).review_state == ReviewState.DELISTED

    def test_a_note_is_required_and_only_price_ops_may_review(self, market, flagged):
        _product, sku = flagged
        with pytest.raises(ValidationError) as info:
            services.price_review(
                sku=sku, by=OpsFactory(teams=["internal_control"]), action="accept", note=" "
            )
        assert "note" in info.value.message_dict
        with pytest.raises(PermissionDenied):
            services.price_review(
                sku=sku, by=OpsFactory(teams=["demand_management"]), action="accept", note="x"
            )
        with pytest.raises(PermissionDenied):
            services.price_review(sku=sku, by=market.user, action="accept", note="x")
        assert not PriceReview.objects.exists()

    def test_a_reasonable_price_is_not_reviewed(self, market):
        _product, sku = market.subject()
        verdict_of(sku)
        with pytest.raises(ValidationError):
            services.price_review(
                sku=sku, by=OpsFactory(teams=["internal_control"]), action="accept", note="x"
            )


@pytest.mark.postgres
def test_the_bulk_copy_path_writes_what_the_orm_path_writes(market, monkeypatch):
    """On PostgreSQL big runs are written with COPY + one upsert; same rows, reviews kept or lifted."""
    require_postgres()
    from pricing import verdicts

    market.peer_products([4.8, 5.0, 5.1, 5.2, 5.4])
    _product, sku = market.subject(price="90.00", on_sale=True)
    add_reference(market, sku, price="40.00", qty="5")
    refresh_all_verdicts()
    fields = [f.attname for f in PriceVerdict._meta.concrete_fields if f.name != "computed_at"]
    by_orm = {v.sku_id: [getattr(v, f) for f in fields] for v in PriceVerdict.objects.all()}
    services.price_review(sku=sku, by=OpsFactory(teams=["internal_control"]), action="accept", note="ok")
    PriceVerdict.objects.exclude(sku=sku).delete()
    monkeypatch.setattr(verdicts, "WRITE_BATCH", 1)  # any run of 2+ rows goes through COPY
    monkeypatch.setattr(verdicts, "COPY_BATCH", 4)  # and in several batches
    refresh_all_verdicts()
    by_copy = {v.sku_id: [getattr(v, f) for f in fields] for v in PriceVerdict.objects.all()}
    assert by_copy.keys() == by_orm.keys()
    for sku_id, values in by_copy.items():
        expected = by_orm[sku_id]
        if sku_id == sku.pk:  # the acceptance survived the rewrite (same unit price)
            assert PriceVerdict.objects.get(sku=sku).review_state == ReviewState.ACCEPTED
            continue
        assert values == expected
    PriceVerdict.objects.filter(sku=sku).update(review_unit_price=D("1.00"))
    refresh_all_verdicts()
    assert PriceVerdict.objects.get(sku=sku).review_state == ReviewState.NONE


def test_ops_read_the_whole_explanation_about_the_suppliers_reference(market):
    _product, sku = market.subject()
    add_reference(market, sku, price="30.00", days=45)
    verdict = verdict_of(sku)
    with translation.override("en"):
        assert "The supplier's 京东 reference is 45 days old" in explain(
            verdict, for_supplier=False, brief=False
        )
        assert explain(verdict, for_supplier=False) == ""  # buyers: only the sentence with numbers
        assert "Your 京东 reference" in explain(verdict)
