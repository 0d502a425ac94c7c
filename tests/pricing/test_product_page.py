"""The price part of the buyer's product page: a verdict badge with its explanation per SKU, the
supplier's comparison links (never the private screenshots, never rejected links), the category's
price index, and a query count that does not grow with SKUs or links."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pricing import services
from pricing.models import Match, PriceEvidence, Verdict
from pricing.verdicts import refresh_verdicts
from tests.catalog.conftest import Listings
from tests.factories import BuyerFactory, OpsFactory
from tests.pricing.test_evidence import screenshot

pytestmark = pytest.mark.django_db

D = Decimal
PEER_PRICES = ["42.00", "44.00", "45.00", "46.00", "48.00", "50.00"]  # 5 kg: ¥4.20 … ¥5.00/500 g


@pytest.fixture(autouse=True)
def _english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


class Shelf(Listings):
    """Oranges on sale: six peers of another supplier and the product under test (¥4.99/500 g)."""

    def __init__(self):
        super().__init__()
        peer_supplier, peer_user = self.active_supplier()
        for n, price in enumerate(PEER_PRICES):
            self.on_sale(
                supplier=peer_supplier, user=peer_user, name=f"脐橙 同行{n}", skus=[self.sku(price=price)]
            )
        self.oranges = self.on_sale(skus=[self.sku(), self.sku("10kg/箱", "10", price="89.00", stock=50)])
        self.box5, self.box10 = self.oranges.skus.order_by("position")
        self._colour = 0

    def link(self, sku, *, url="https://item.jd.com/100012345678.html", price="22.00", days=3, **extra):
        self._colour += 1
        kwargs = {
            "url": url,
            "match": Match.SAME,
            "observed_price": D(price),
            "spec": "5斤装",
            "net_quantity": D("2.5"),
            "unit": "kg",
            "pack_count": 1,
            "seen_on": timezone.localdate() - datetime.timedelta(days=days),
            "screenshot": screenshot(colour=(self._colour, 100, 100)),
        }
        kwargs.update(extra)
        return services.evidence_add(sku=sku, by=self.user, **kwargs)


@pytest.fixture
def shelf(db):
    return Shelf()


def _page(client, product) -> str:
    response = client.get(f"/catalog/p/{product.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def _row(html: str, testid: str) -> str:
    start = html.index(f'data-testid="{testid}"')
    return html[start : html.index("</tr>", start)]


def test_a_buyer_sees_the_verdict_badge_and_its_explanation(client, shelf):
    shelf.link(shelf.box5)  # JD: ¥4.40/500 g → ours, ¥4.99, is 1.13× → high
    refresh_verdicts([shelf.box5.pk, shelf.box10.pk])
    client.force_login(BuyerFactory())
    html = _page(client, shelf.oranges)
    assert shelf.box5.verdict.verdict == Verdict.HIGH
    assert f'class="badge verdict verdict-high" data-testid="verdict-{shelf.box5.pk}"' in html
    start = html.index(f'data-testid="verdict-explanation-{shelf.box5.pk}"')
    explanation = html[start : html.index("</p>", start)]
    # Eight comparable listings (the six peers and both SKUs): median √(4.50 × 4.60) = ¥4.55/500 g.
    assert "¥4.99/500 g is 1.1× the median of 8 comparable listings in 柑橘橙柚 (¥4.55/500 g)" in explanation
    assert "1.13× the supplier&#x27;s 京东 reference (¥4.40/500 g, 3 days old)" in explanation
    assert "your own" not in explanation  # the buyer's wording
    # The 10 kg box (¥4.45/500 g) has no link: judged against the peers alone.
    assert shelf.box10.verdict.verdict == Verdict.REASONABLE
    assert f'class="badge verdict verdict-reasonable" data-testid="verdict-{shelf.box10.pk}"' in html


def test_a_sku_without_a_verdict_has_no_badge(client, shelf):
    html = _page(client, shelf.oranges)
    assert f'data-testid="verdict-{shelf.box5.pk}"' not in html
    assert 'data-testid="no-comparison"' in html


def test_comparison_links_are_shown_without_screenshots_and_without_rejected_ones(client, shelf):
    jd = shelf.link(shelf.box5)
    similar = shelf.link(
        shelf.box10, url="https://detail.tmall.com/item.htm?id=7", match=Match.SIMILAR, price="30.00"
    )
    old = shelf.link(shelf.box5, url="https://item.taobao.com/item.htm?id=9", price="21.00", days=45)
    rejected = shelf.link(shelf.box5, url="https://mobile.yangkeduo.com/goods.html?goods_id=3", price="9.90")
    control = OpsFactory(teams=["internal_control"])
    services.evidence_review(evidence=rejected, by=control, verified=False, reason="不是同一商品")
    services.evidence_review(evidence=jd, by=control, verified=True)

    html = _page(client, shelf.oranges)  # anonymous: the catalogue is public
    row = _row(html, f"comparison-{jd.pk}")
    assert "京东" in row and "¥22.00" in row and "¥4.40/500 g" in row
    assert jd.seen_on.isoformat() in row and "evidence-verified" in row
    assert (
        '<a href="https://item.jd.com/100012345678.html" target="_blank" rel="noopener noreferrer nofollow">'
        in row
    )
    assert 'class="badge stale"' not in row
    similar_row = _row(html, f"comparison-{similar.pk}")
    assert "天猫" in similar_row and "A similar product" in similar_row and "10kg/箱" in similar_row
    assert 'class="badge stale"' in _row(html, f"comparison-{old.pk}")
    assert f'data-testid="comparison-{rejected.pk}"' not in html and "yangkeduo" not in html
    assert "不是同一商品" not in html
    # Screenshots are private proof: no link to them, not even for a signed-in buyer.
    assert "/pricing/evidence/" not in html and "screenshot" not in html.lower()
    client.force_login(BuyerFactory())
    assert client.get(f"/pricing/evidence/{jd.pk}/screenshot/").status_code == 404


def test_the_category_price_index_is_on_the_page(client, shelf):
    from pricing.published_index import build_index

    build_index()
    html = _page(client, shelf.oranges)
    start = html.index('data-testid="price-index"')
    block = html[start : html.index("</section>", start)]
    assert shelf.oranges.category.name in block


def test_the_product_page_costs_the_same_with_more_skus_verdicts_and_links(client, shelf):
    lone = shelf.on_sale(name="秭归脐橙 单规格", skus=[shelf.sku(price="47.00")])
    url = f"/catalog/p/{lone.pk}/"
    client.get(url)

    def count(url) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = count(url)
    for n in range(3):
        shelf.link(shelf.box5, price=f"2{n}.00")
        shelf.link(shelf.box10, url=f"https://detail.tmall.com/item.htm?id={n}", price=f"4{n}.00")
    refresh_verdicts([shelf.box5.pk, shelf.box10.pk, lone.skus.get().pk])
    assert PriceEvidence.objects.filter(sku__product=shelf.oranges).count() == 6
    assert count(f"/catalog/p/{shelf.oranges.pk}/") == few
