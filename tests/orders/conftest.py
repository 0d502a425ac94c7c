"""Order fixtures: suppliers with on-sale products, buyers with an address, and checkouts made
through the real services."""

import uuid
from decimal import Decimal

import pytest
from django.utils import translation

from accounts.models import User
from buyers.services import delivery_address_add
from catalog.models import Sku
from orders import services
from orders.models import InvoiceType, Payment, PaymentMethod
from orders.workflow import PIPELINE, OrderAction
from regions.models import County
from tests.catalog.conftest import Listings
from tests.factories import BuyerFactory, OpsFactory

JIANGAN = "420102"  # 武汉市江岸区


class Shop(Listings):
    """Two active suppliers (the first from Listings, a second one here) and helpers to buy from them."""

    def __init__(self):
        super().__init__()
        self.supplier2, self.user2 = self.active_supplier()
        self.service = OpsFactory(teams=["customer_service"])

    def sku(self, *, price="49.90", stock=100, supplier=2, spec="5kg/箱", **kwargs) -> Sku:
        """One on-sale product with a single SKU; ``supplier`` 1 or 2."""
        owner = {1: (self.supplier, self.user), 2: (self.supplier2, self.user2)}[supplier]
        product = self.on_sale(
            supplier=owner[0],
            user=owner[1],
            skus=[Listings.sku(spec=spec, price=price, stock=stock)],
            **kwargs,
        )
        return product.skus.get()

    def buyer(self, **kwargs):
        buyer = BuyerFactory(**kwargs)
        self.address(buyer)
        return buyer

    @staticmethod
    def address(buyer, **overrides):
        county = County.objects.select_related("city", "province").get(code=JIANGAN)
        data = {
            "recipient": "李静",
            "phone": "13912345678",
            "province": county.province,
            "city": county.city,
            "county": county,
            "detail": "沿江大道188号3楼301室",
            "postcode": "430014",
        }
        data.update(overrides)
        return delivery_address_add(by=buyer, **data)

    @staticmethod
    def checkout(
        buyer, *, key=None, fingerprint=None, method=PaymentMethod.OFFICIAL_CARD, address=None, **kw
    ):
        """Preview the cart and place it as the buyer would, confirming the totals shown."""
        preview = services.checkout_preview(user=buyer)
        return services.place_orders(
            user=buyer,
            address=address or buyer.buyer_unit.addresses.get(is_default=True),
            invoice_type=kw.pop("invoice_type", InvoiceType.ORDINARY),
            note=kw.pop("note", ""),
            fingerprint=fingerprint or preview.fingerprint,
            idempotency_key=key or uuid.uuid4().hex,
            payment_method=method,
            **kw,
        )

    def order(self, buyer=None, *, quantity=2, price="49.90", stock=100, method=PaymentMethod.OFFICIAL_CARD):
        """A placed order of one SKU of the second supplier."""
        buyer = buyer or self.buyer()
        sku = self.sku(price=price, stock=stock)
        services.cart_add(user=buyer, sku=sku, quantity=quantity)
        (order,) = self.checkout(buyer, method=method)
        return order


def D(value: str) -> Decimal:
    return Decimal(value)


@pytest.fixture
def shop(db):
    return Shop()


@pytest.fixture(autouse=True)
def _english(monkeypatch):
    """These tests read English: the pages, and the notifications of the people they make (who read
    in their own language, ``User.language``, whatever the language of whoever caused the message)."""
    field = User._meta.get_field("language")
    field.__dict__.pop("_get_default", None)  # Field caches its default
    monkeypatch.setattr(field, "default", "en")
    with translation.override("en"):
        yield
    field.__dict__.pop("_get_default", None)


def advance(shop: Shop, order, to: str, *, buyer=None, pay: bool = False):
    """Take an order along the normal path up to ``to`` (confirmed, shipped, received), paying by
    sandbox card first if ``pay``."""
    buyer = buyer or order.placed_by
    if pay:
        services.sandbox_card_pay(payment=Payment.objects.get(order=order), by=buyer)
    steps = [
        ("confirmed", OrderAction.CONFIRM, shop.user2, {}),
        ("shipped", OrderAction.SHIP, shop.user2, {"carrier": "顺丰速运", "tracking_number": "SF1234567890"}),
        ("received", OrderAction.RECEIVE, buyer, {}),
    ]
    order.refresh_from_db()
    reached = PIPELINE.index(order.status)
    for state, action, actor, details in steps:
        if PIPELINE.index(state) > reached:
            order = services.order_transition(order=order, action=action, by=actor, **details)
        if state == to:
            break
    return order


def completed(shop: Shop, order=None):
    """A paid, received (so completed) order of the second supplier."""
    order = order or shop.order()
    return advance(shop, order, "received", pay=True)
