"""Ordering end to end in a real browser.

A buyer adds SKUs of two suppliers to the cart from their product pages, checks out (the unit's
address, a special VAT invoice, official card) and sees two orders. Each supplier logs in, confirms
and ships its order on its own pages. The buyer confirms receipt, pays each order on the sandbox
card page, sees it completed and reviews it; the unit's reserved-share page shows the money spent.

The market is made through the services. Elements are found by id, name, data-testid and CSS
class; visible text is only checked for numbers and data the test typed, so the test holds in
either language."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from orders.models import Order, OrderStatus, Review
from tests.browser.journeys import log_in, log_out
from tests.orders.conftest import Shop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots")


def _add_to_cart(page, base, sku, quantity: int):
    page.goto(f"{base}/catalog/p/{sku.product_id}/")
    form = page.get_by_test_id(f"add-to-cart-{sku.pk}")
    form.locator('input[name="quantity"]').fill(str(quantity))
    form.locator("button[type=submit]").click()
    expect(page.locator(".message.success")).to_be_visible()


def _supplier_confirms_and_ships(page, base, user, order: Order, tracking: str):
    log_in(page, base, user.username)
    page.goto(f"{base}/suppliers/orders/{order.number}/")
    page.get_by_test_id("confirm").click()
    ship = page.get_by_test_id("ship-form")
    ship.locator('[name="carrier"]').fill("顺丰速运")
    ship.locator('[name="tracking_number"]').fill(tracking)
    ship.locator("button[type=submit]").click()
    expect(page.get_by_test_id("order-status")).to_be_visible()
    order.refresh_from_db()
    assert (order.status, order.tracking_number) == (OrderStatus.SHIPPED, tracking)
    log_out(page)


def test_a_buyer_orders_from_two_suppliers_and_reviews_after_completion(page, live_server):
    base = live_server.url
    SHOTS.mkdir(exist_ok=True)
    shop = Shop()
    oranges = shop.sku(supplier=1, price="49.90", stock=10)
    honey = shop.sku(supplier=2, price="12.35", stock=5, spec="500g/袋")
    buyer = shop.buyer()

    log_in(page, base, buyer.username)
    page.goto(f"{base}/buyers/reserved-share/")
    expect(page.get_by_test_id("rs-spent")).to_have_text(re.compile(r"¥0\.00"))

    # The cart, from the product pages.
    _add_to_cart(page, base, oranges, 3)
    _add_to_cart(page, base, honey, 2)
    expect(page.get_by_test_id("cart-count")).to_have_text("2")
    page.get_by_test_id("cart-link").click()
    expect(page.get_by_test_id(f"group-total-{shop.supplier.pk}")).to_have_text("¥149.70")
    expect(page.get_by_test_id(f"group-total-{shop.supplier2.pk}")).to_have_text("¥24.70")
    expect(page.get_by_test_id("cart-total")).to_have_text("¥174.40")
    page.screenshot(path=str(SHOTS / "order_cart.png"), full_page=True)

    # Checkout: the unit's default address is chosen; a special invoice; the totals from the server.
    page.get_by_test_id("checkout").click()
    expect(page.get_by_test_id("checkout-total")).to_have_text("¥174.40")
    expect(page.get_by_test_id("invoice-details")).to_contain_text(buyer.buyer_unit.uscc)
    address = buyer.buyer_unit.addresses.get()
    expect(page.locator(f'input[name="address"][value="{address.pk}"]')).to_be_checked()
    page.locator('input[name="invoice_type"][value="special"]').check()
    page.locator('input[name="payment_method"][value="official_card"]').check()
    page.locator("#id_note").fill("请工作日送货")
    page.screenshot(path=str(SHOTS / "order_checkout.png"), full_page=True)
    page.get_by_test_id("place-orders").click()

    expect(page.get_by_test_id("orders").locator("tbody tr")).to_have_count(2)
    orders = {o.supplier_id: o for o in Order.objects.filter(buyer_unit=buyer.buyer_unit)}
    assert sorted(str(o.total) for o in orders.values()) == ["149.70", "24.70"]
    assert {o.invoice_type for o in orders.values()} == {"special"}
    log_out(page)

    # Each supplier confirms and ships on its own order pages.
    _supplier_confirms_and_ships(page, base, shop.user, orders[shop.supplier.pk], "SF1000000001")
    _supplier_confirms_and_ships(page, base, shop.user2, orders[shop.supplier2.pk], "SF1000000002")

    # The buyer receives, pays by card on the sandbox page, sees "completed" and reviews.
    log_in(page, base, buyer.username)
    for n, order in enumerate(orders.values()):
        page.goto(f"{base}/orders/{order.number}/")
        expect(page.get_by_test_id("tracking-number")).to_have_text(order.tracking_number)
        page.get_by_test_id("receive").click()
        expect(page.get_by_test_id("order-status")).to_have_attribute("data-status", "received")
        page.get_by_test_id("pay").click()
        expect(page.get_by_test_id("pay-amount")).to_have_text(f"¥{order.total}")
        page.locator("#id_holder").fill("李静")
        page.locator("#id_card_number").fill("6222 0200 0000 0000")
        page.get_by_test_id("pay-now").click()
        expect(page.get_by_test_id("order-status")).to_have_attribute("data-status", "completed")
        expect(page.get_by_test_id("payment-status")).to_have_attribute("data-status", "paid")
        if n == 0:
            page.screenshot(path=str(SHOTS / "order_detail.png"), full_page=True)
        for name, stars in (("quality", 5), ("price", 4), ("service", 5)):
            page.get_by_test_id(f"stars-{name}").locator(f'input[value="{stars}"]').check()
        page.locator("#id_comment").fill("新鲜，包装好")
        page.get_by_test_id("review-submit").click()
        expect(page.get_by_test_id("review-scores")).to_be_visible()
    assert sorted(Review.objects.values_list("quality", "price", "service", "comment")) == [
        (5, 4, 5, "新鲜，包装好"),
        (5, 4, 5, "新鲜，包装好"),
    ]
    assert set(Order.objects.values_list("status", flat=True)) == {OrderStatus.COMPLETED}

    # The unit's reserved-share progress moved by what was spent on the completed orders.
    page.goto(f"{base}/buyers/reserved-share/")
    expect(page.get_by_test_id("rs-spent")).to_have_text(re.compile(r"¥174\.40"))
    page.screenshot(path=str(SHOTS / "order_reserved_share.png"), full_page=True)
