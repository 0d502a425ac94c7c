"""The reserved share pages: a buyer's own unit only; ops with the view permission; the CSV; and
the spent figure over random orders (hypothesis)."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from buyers.models import Canteen, ReservedShareFiling
from buyers.services import reserved_share_file
from orders.models import Order, OrderStatus
from orders.reserved_share import progress
from tests.factories import BuyerFactory, OpsFactory, SupplierUserFactory
from tests.orders.conftest import Shop, advance, completed

URL = "/buyers/reserved-share/"
OPS_URL = "/ops/reserved-share/"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def shop(db):
    return Shop()


@pytest.fixture
def client(client, settings):
    """Pages in English, so messages can be compared with the msgids."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_urls():
    assert reverse("buyers:reserved_share") == URL
    assert reverse("buyers:ops_reserved_share") == OPS_URL


def test_a_buyer_files_on_the_page_and_sees_the_progress(client, shop):
    buyer = shop.buyer()
    completed(shop, shop.order(buyer, quantity=1, price="1200.00"))
    client.force_login(buyer)
    year = timezone.localdate().year

    response = client.post(URL, {"canteen": "own", "canteen_food_budget": "80000", "ratio": "15"})

    assert response.status_code == 302
    filing = ReservedShareFiling.objects.get(buyer_unit=buyer.buyer_unit, year=year)
    assert (filing.canteen_food_budget, filing.ratio, filing.filed_by) == (
        Decimal("80000.00"),
        Decimal("0.150"),
        buyer,
    )
    page = client.get(URL).content.decode()
    assert "¥12,000.00" in page  # target
    assert "¥1,200.00" in page  # spent
    assert "10.0 % reached" in page
    assert 'data-testid="reserved-share-chart"' in page


def test_a_bad_filing_on_the_page_shows_the_message_on_its_field(client, shop):
    buyer = shop.buyer()
    client.force_login(buyer)
    response = client.post(URL, {"canteen": "own", "canteen_food_budget": "80000", "ratio": "5"})
    assert response.status_code == 200
    assert response.context["form"].errors["ratio"] == [
        "The reserved ratio must be at least 10 % of the canteen food budget (财库〔2021〕19号)."
    ]
    assert not ReservedShareFiling.objects.exists()


def test_the_page_shows_only_the_own_units_figures(client, shop):
    mine, other = shop.buyer(), shop.buyer()
    completed(shop, shop.order(other, quantity=1, price="777.00"))
    reserved_share_file(
        unit=other.buyer_unit,
        year=timezone.localdate().year,
        by=other,
        canteen=Canteen.OWN,
        canteen_food_budget=Decimal("123456"),
        ratio=Decimal("0.1"),
    )
    client.force_login(mine)
    page = client.get(URL, {"unit": other.buyer_unit_id}).content.decode()
    assert mine.buyer_unit.name in page
    # the other unit is only a choice of canteen host; none of its figures shows
    assert "777.00" not in page and "12,345.60" not in page and "123456" not in page
    assert 'data-testid="counted-for"' not in page


@pytest.mark.parametrize("who", ["supplier", "ops_without_permission", "anonymous_is_redirected"])
def test_others_may_not_see_the_buyer_page_or_the_ops_page(client, db, who):
    if who == "supplier":
        client.force_login(SupplierUserFactory())
        assert client.get(URL).status_code == 403
        assert client.get(OPS_URL).status_code == 403
    elif who == "ops_without_permission":
        client.force_login(OpsFactory(teams=["content_ops"]))
        assert client.get(OPS_URL).status_code == 403
        assert client.get(OPS_URL.rstrip("/") + ".csv").status_code == 403
    else:
        assert client.get(URL).status_code == 302
        assert client.get(OPS_URL).status_code == 302


def test_a_buyer_may_not_open_the_ops_page(client, db):
    client.force_login(BuyerFactory())
    assert client.get(OPS_URL).status_code == 403


def test_ops_page_and_csv(client, shop):
    buyer = shop.buyer()
    completed(shop, shop.order(buyer, quantity=1, price="300.00"))
    late = shop.buyer()
    reserved_share_file(
        unit=late.buyer_unit,
        year=timezone.localdate().year,
        by=late,
        canteen=Canteen.OWN,
        canteen_food_budget=Decimal("1000000"),
        ratio=Decimal("0.15"),
    )
    client.force_login(OpsFactory(teams=["data_ops"]))
    page = client.get(OPS_URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="ops-rs-not-filed"' in html and buyer.buyer_unit.name in html
    assert 'data-testid="ops-rs-province"' in html and "150,000.00" in html
    csv_response = client.get("/ops/reserved-share.csv")
    assert csv_response["Content-Type"] == "text/csv; charset=utf-8"
    rows = csv_response.content.decode("utf-8-sig").splitlines()
    assert rows[0].startswith("unit,uscc,province,kind,canteen")
    assert any(r.startswith(f"{late.buyer_unit.name},") and ",150000.00,0.00," in r for r in rows)
    assert any(r.startswith(f"{buyer.buyer_unit.name},") and ",300.00," in r for r in rows)


# --- Property ------------------------------------------------------------------------------------------

order_specs = st.lists(
    st.tuples(
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999.99"), places=2),
        st.sampled_from(["completed", "placed", "shipped", "cancelled"]),
        st.booleans(),  # this year or the last
    ),
    min_size=0,
    max_size=5,
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=order_specs)
def test_spent_is_the_sum_of_the_units_completed_orders_of_the_year(shop, specs):
    from orders import services
    from orders.workflow import OrderAction

    buyer = shop.buyer()
    year = timezone.localdate().year
    for price, status, this_year in specs:
        order = shop.order(buyer, quantity=1, price=str(price))
        if status == "completed":
            completed(shop, order)
        elif status == "shipped":
            advance(shop, order, "shipped")
        elif status == "cancelled":
            services.order_transition(order=order, action=OrderAction.CANCEL, by=buyer)
        if not this_year:
            Order.objects.filter(pk=order.pk).update(placed_at=order.placed_at.replace(year=year - 1))
    expected = sum(
        (
            o.total
            for o in Order.objects.filter(buyer_unit=buyer.buyer_unit, status=OrderStatus.COMPLETED)
            if o.placed_at.year == year
        ),
        Decimal("0.00"),
    )
    result = progress(buyer.buyer_unit, year)
    assert result.spent == expected
    assert result.spent.as_tuple().exponent == -2
    assert sum(result.monthly, Decimal("0.00")) == expected
