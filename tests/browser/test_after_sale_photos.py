"""An after-sales photo, now private (attachment, no-store, sandbox CSP), still shows as a thumbnail
on the supplier's order page in a real browser, and its address shows nothing to another supplier."""

import pytest

from orders import services
from tests.browser.journeys import log_in
from tests.catalog.conftest import jpeg_upload
from tests.orders.conftest import D, Shop, completed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_supplier_sees_the_photo_on_its_order_page(page, live_server):
    base = live_server.url
    shop = Shop()
    order = completed(shop)
    request = services.after_sale_open(
        order=order,
        by=order.placed_by,
        kind="refund",
        reason="霉变",
        amount=D("10.00"),
        photos=[jpeg_upload()],
    )
    photo = request.photos.get()

    log_in(page, base, shop.user2.username)
    page.goto(f"{base}/suppliers/orders/{order.number}/")
    thumb = page.locator(f'img[src$="/after-sales/photos/{photo.pk}/"]')
    thumb.wait_for()
    page.wait_for_function("img => img.complete", arg=thumb.element_handle())
    assert thumb.evaluate("img => img.naturalWidth") == photo.width

    log_in_other = page.context.browser.new_context()
    try:
        other = log_in_other.new_page()
        log_in(other, base, shop.user.username)
        response = other.request.get(f"{base}/suppliers/orders/{order.number}/after-sales/photos/{photo.pk}/")
        assert response.status in (403, 404)
    finally:
        log_in_other.close()
