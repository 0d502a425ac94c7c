"""Checkout: totals computed on the server from current prices, one order per supplier, stock taken
with a ledger, and every refusal leaving nothing behind."""

import inspect
import re
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from accounts.models import Notification
from buyers.models import DeliveryAddress
from catalog import services as catalog_services
from catalog.models import Product, Sku, StockMovement
from catalog.workflow import ProductAction
from orders import services
from orders.models import (
    CartItem,
    Checkout,
    InvoiceType,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    Payment,
    PaymentMethod,
    PaymentStatus,
)
from regions.models import County
from tests.factories import BuyerFactory
from tests.orders.conftest import JIANGAN, D


def _nothing_made():
    return (
        Order.objects.count(),
        OrderLine.objects.count(),
        Payment.objects.count(),
        StockMovement.objects.count(),
        Checkout.objects.count(),
        OrderEvent.objects.count(),
    ) == (0, 0, 0, 0, 0, 0)


@pytest.fixture
def cart(shop):
    """A buyer with 3 × ¥49.90 from supplier 1 and 2 × ¥12.35 + 1 × ¥8.00 from supplier 2."""
    buyer = shop.buyer()
    skus = {
        "a": shop.sku(supplier=1, price="49.90", stock=10),
        "b": shop.sku(supplier=2, price="12.35", stock=5, spec="500g/袋"),
        "c": shop.sku(supplier=2, price="8.00", stock=7, spec="250g/袋"),
    }
    services.cart_add(user=buyer, sku=skus["a"], quantity=3)
    services.cart_add(user=buyer, sku=skus["b"], quantity=2)
    services.cart_add(user=buyer, sku=skus["c"], quantity=1)
    return buyer, skus


def test_the_preview_groups_by_supplier_with_server_side_totals(shop, cart):
    buyer, skus = cart
    preview = services.checkout_preview(user=buyer)
    assert [(g.supplier_id, g.goods_total, g.shipping_fee, g.total) for g in preview.groups] == [
        (shop.supplier.pk, D("149.70"), D("0.00"), D("149.70")),
        (shop.supplier2.pk, D("32.70"), D("0.00"), D("32.70")),
    ]
    assert [(line.sku_id, line.quantity, line.price, line.line_total) for line in preview.lines] == [
        (skus["a"].pk, 3, D("49.90"), D("149.70")),
        (skus["b"].pk, 2, D("12.35"), D("24.70")),
        (skus["c"].pk, 1, D("8.00"), D("8.00")),
    ]
    assert preview.total == D("182.40")
    amounts = [preview.total] + [a for g in preview.groups for a in (g.goods_total, g.total)]
    assert all(a.as_tuple().exponent == -2 for a in amounts)
    assert preview.problems == [] and preview.price_changes == [] and preview.can_place
    assert re.fullmatch(r"[0-9a-f]{64}", preview.fingerprint)
    assert services.checkout_preview(user=buyer).fingerprint == preview.fingerprint


def test_the_preview_lists_each_lines_problem_and_price_change(shop, cart):
    buyer, skus = cart
    catalog_services.sku_update(sku=skus["a"], by=shop.user, price=D("52.00"))
    Sku.objects.filter(pk=skus["b"].pk).update(stock=1)
    catalog_services.product_transition(
        product=skus["c"].product, action=ProductAction.TAKE_OFF_SALE, by=shop.user2
    )
    preview = services.checkout_preview(user=buyer)
    assert [line.problem for line in preview.lines] == [
        "",
        "Only 1 left of “秭归脐橙 当季现摘 500g/袋”.",
        "“秭归脐橙 当季现摘 250g/袋” is no longer on sale.",
    ]
    assert [line.price_change for line in preview.price_changes] == [
        "The price of “秭归脐橙 当季现摘 5kg/箱” changed from ¥49.90 to ¥52.00."
    ]
    assert preview.lines[0].line_total == D("156.00")  # the new price is what counts
    assert not preview.can_place


def test_placing_makes_one_order_per_supplier_and_takes_the_stock(shop, cart):
    buyer, skus = cart
    orders = shop.checkout(buyer, invoice_type=InvoiceType.SPECIAL, note="请工作日送达")
    assert [(o.supplier_id, o.goods_total, o.shipping_fee, o.total) for o in orders] == [
        (shop.supplier.pk, D("149.70"), D("0.00"), D("149.70")),
        (shop.supplier2.pk, D("32.70"), D("0.00"), D("32.70")),
    ]
    first, second = orders
    assert re.fullmatch(r"FS\d{8}-\d{6}-1", first.number) and second.number == first.number[:-1] + "2"
    assert first.checkout_id == second.checkout_id
    unit = buyer.buyer_unit
    assert (first.invoice_title, first.invoice_uscc, first.invoice_type) == (unit.name, unit.uscc, "special")
    assert (first.recipient, first.phone, first.address, first.postcode) == (
        "李静",
        "13912345678",
        "湖北省 武汉市 江岸区 沿江大道188号3楼301室",
        "430014",
    )
    assert first.note == "请工作日送达" and first.status == OrderStatus.PLACED
    for order in orders:
        lines = list(order.lines.all())
        assert order.goods_total == sum(line.line_total for line in lines)
    assert list(
        second.lines.values_list("sku_id", "product_name", "spec", "price", "quantity", "line_total")
    ) == [
        (skus["b"].pk, "秭归脐橙 当季现摘", "500g/袋", D("12.35"), 2, D("24.70")),
        (skus["c"].pk, "秭归脐橙 当季现摘", "250g/袋", D("8.00"), 1, D("8.00")),
    ]
    # Stock, ledger, product summary.
    assert {s.pk: s.stock for s in Sku.objects.filter(pk__in=[s.pk for s in skus.values()])} == {
        skus["a"].pk: 7,
        skus["b"].pk: 3,
        skus["c"].pk: 6,
    }
    assert list(
        StockMovement.objects.order_by("sku_id").values_list(
            "sku_id", "change", "stock_after", "reason", "reference", "actor_id"
        )
    ) == [
        (skus["a"].pk, -3, 7, "order_placed", first.number, buyer.pk),
        (skus["b"].pk, -2, 3, "order_placed", second.number, buyer.pk),
        (skus["c"].pk, -1, 6, "order_placed", second.number, buyer.pk),
    ]
    product = Product.objects.get(pk=skus["a"].product_id)
    assert (product.total_stock, product.sales_count) == (7, 3)
    # A pending payment per order, the placing recorded, the cart emptied, each supplier told.
    assert list(
        Payment.objects.order_by("order_id").values_list("order_id", "method", "amount", "status", "provider")
    ) == [
        (first.pk, "official_card", D("149.70"), "pending", "sandbox"),
        (second.pk, "official_card", D("32.70"), "pending", "sandbox"),
    ]
    assert list(
        OrderEvent.objects.values_list(
            "order_id", "action", "from_status", "to_status", "actor_id", "actor_role"
        )
    ) == [
        (first.pk, "place", "", "placed", buyer.pk, "buyer"),
        (second.pk, "place", "", "placed", buyer.pk, "buyer"),
    ]
    assert not CartItem.objects.exists()
    new_orders = Notification.objects.filter(subject__startswith="New order")
    assert list(new_orders.filter(user=shop.user).values_list("subject", "body", "link")) == [
        (
            f"New order {first.number}",
            f"{buyer.buyer_unit.name} ordered goods for ¥149.70. Please confirm the order.",
            f"/suppliers/orders/{first.number}/",
        )
    ]
    assert list(new_orders.filter(user=shop.user2).values_list("subject", flat=True)) == [
        f"New order {second.number}"
    ]
    assert not Notification.objects.filter(user=buyer).exists()


def test_a_price_changed_since_the_preview_asks_again_and_makes_nothing(shop, cart):
    buyer, skus = cart
    confirmed = services.checkout_preview(user=buyer).fingerprint
    catalog_services.sku_update(sku=skus["a"], by=shop.user, price=D("52.00"))
    with pytest.raises(services.PricesChanged) as info:
        shop.checkout(buyer, fingerprint=confirmed)
    assert info.value.messages == [
        "The price of “秭归脐橙 当季现摘 5kg/箱” changed from ¥49.90 to ¥52.00.",
        "Check the new totals and confirm again.",
    ]
    assert info.value.error_list[0].code == "prices_changed"
    assert _nothing_made()
    assert Sku.objects.get(pk=skus["a"].pk).stock == 10
    assert CartItem.objects.filter(cart__user=buyer).count() == 3
    # The cart now knows the new price: the next preview is current, and confirming it places at ¥52.
    preview = services.checkout_preview(user=buyer)
    assert preview.price_changes == [] and preview.fingerprint != confirmed
    first, _second = shop.checkout(buyer, fingerprint=preview.fingerprint)
    assert first.lines.get().price == D("52.00") and first.total == D("156.00")


def test_a_cart_changed_in_another_tab_asks_again(shop, cart):
    buyer, skus = cart
    confirmed = services.checkout_preview(user=buyer).fingerprint
    item = CartItem.objects.get(sku=skus["a"])
    services.cart_update(user=buyer, item=item, quantity=1)
    with pytest.raises(services.PricesChanged) as info:
        shop.checkout(buyer, fingerprint=confirmed)
    assert info.value.messages == [
        "Your cart changed since you reviewed it. Check the totals and confirm again."
    ]
    assert _nothing_made()


def test_a_tampered_price_cannot_even_be_sent(shop, cart):
    buyer, skus = cart
    assert not {"price", "prices", "total", "amount"} & set(
        inspect.signature(services.place_orders).parameters
    )
    with pytest.raises(TypeError):
        shop.checkout(buyer, price=D("0.01"))
    # A client that "edits" the price it shows changes nothing: the SKU's price is charged.
    CartItem.objects.filter(sku=skus["a"]).update(price_seen=D("0.01"))
    first, _second = shop.checkout(buyer)
    assert first.lines.get().price == D("49.90") and first.total == D("149.70")


def test_a_line_that_cannot_be_served_refuses_the_whole_checkout(shop, cart):
    buyer, skus = cart
    preview = services.checkout_preview(user=buyer)
    Sku.objects.filter(pk=skus["b"].pk).update(stock=0)
    with pytest.raises(ValidationError) as info:
        shop.checkout(buyer, fingerprint=preview.fingerprint)
    assert info.value.messages == ["“秭归脐橙 当季现摘 500g/袋” is sold out."]
    assert _nothing_made()
    # Supplier 1's line could have been served: it was not, on its own, either.
    assert Sku.objects.get(pk=skus["a"].pk).stock == 10
    assert Product.objects.get(pk=skus["a"].product_id).sales_count == 0
    assert CartItem.objects.filter(cart__user=buyer).count() == 3


def test_an_sku_gone_off_sale_refuses_the_checkout(shop, cart):
    buyer, skus = cart
    preview = services.checkout_preview(user=buyer)
    catalog_services.product_transition(
        product=skus["a"].product, action=ProductAction.TAKE_OFF_SALE, by=shop.user
    )
    with pytest.raises(ValidationError) as info:
        shop.checkout(buyer, fingerprint=preview.fingerprint)
    assert info.value.messages == ["“秭归脐橙 当季现摘 5kg/箱” is no longer on sale."]
    assert _nothing_made()


def test_an_empty_cart_places_nothing(shop):
    buyer = shop.buyer()
    with pytest.raises(ValidationError) as info:
        shop.checkout(buyer)
    assert info.value.messages == ["Your cart is empty."]
    assert _nothing_made()


def test_a_second_click_returns_the_same_orders(shop, cart):
    buyer, skus = cart
    key = uuid.uuid4().hex
    preview = services.checkout_preview(user=buyer)
    first = shop.checkout(buyer, key=key, fingerprint=preview.fingerprint)
    again = shop.checkout(buyer, key=key, fingerprint=preview.fingerprint)
    assert [o.pk for o in again] == [o.pk for o in first]
    assert Order.objects.count() == 2 and Checkout.objects.count() == 1
    assert Sku.objects.get(pk=skus["a"].pk).stock == 7  # taken once
    assert StockMovement.objects.count() == 3
    # The database itself refuses a second checkout under the same key.
    with pytest.raises(IntegrityError), transaction.atomic():
        Checkout.objects.create(
            placed_by=buyer, buyer_unit=buyer.buyer_unit, idempotency_key=key, fingerprint="x", total=0
        )


def test_the_same_key_from_another_user_is_another_checkout(shop):
    one, two = shop.buyer(), shop.buyer()
    sku = shop.sku(stock=10)
    for buyer in (one, two):
        services.cart_add(user=buyer, sku=sku, quantity=1)
    shop.checkout(one, key="same-key")
    shop.checkout(two, key="same-key")
    assert Order.objects.count() == 2


def test_an_address_with_missing_parts_is_refused(shop, cart):
    buyer, _skus = cart
    county = County.objects.select_related("city").get(code=JIANGAN)
    # Saved before the rules existed, or edited outside the services.
    broken = DeliveryAddress.objects.create(
        buyer_unit=buyer.buyer_unit,
        recipient="李静",
        phone="",
        province=county.province,
        city=county.city,
        county=county,
        detail=" ",
    )
    with pytest.raises(ValidationError) as info:
        shop.checkout(buyer, address=broken)
    assert info.value.message_dict == {
        "address": [
            "This delivery address is incomplete:",
            "Enter the recipient's phone number.",
            "Enter the street address (street, building and room).",
        ]
    }
    assert _nothing_made()


def test_another_units_address_is_refused(shop, cart):
    buyer, _skus = cart
    stranger = shop.buyer()
    with pytest.raises(ValidationError) as info:
        shop.checkout(buyer, address=stranger.buyer_unit.addresses.get())
    assert info.value.message_dict == {"address": ["Choose one of your unit's delivery addresses."]}
    assert _nothing_made()


def test_unknown_invoice_type_payment_method_and_a_long_note_are_refused(shop, cart):
    buyer, _skus = cart
    with pytest.raises(ValidationError) as info:
        shop.checkout(buyer, invoice_type="receipt", method="cash", note="x" * 501)
    assert info.value.message_dict == {
        "invoice_type": ["Choose the invoice type."],
        "payment_method": ["Choose how your unit pays."],
        "note": ["Keep the note under 500 characters."],
    }
    assert _nothing_made()


def test_only_buyers_check_out(shop, cart):
    _buyer, _skus = cart
    with pytest.raises(PermissionDenied):
        services.checkout_preview(user=shop.user)
    with pytest.raises(PermissionDenied):
        services.place_orders(
            user=shop.user,
            address=None,
            invoice_type=InvoiceType.ORDINARY,
            note="",
            fingerprint="",
            idempotency_key="k",
            payment_method=PaymentMethod.BANK_TRANSFER,
        )
    assert _nothing_made()


def test_a_bank_transfer_order_waits_for_payment(shop):
    buyer = BuyerFactory()
    shop.address(buyer)
    order = shop.order(buyer, method=PaymentMethod.BANK_TRANSFER)
    payment = Payment.objects.get(order=order)
    assert (payment.method, payment.status, payment.amount, payment.amount_due) == (
        "bank_transfer",
        PaymentStatus.PENDING,
        D("99.80"),
        D("99.80"),
    )
