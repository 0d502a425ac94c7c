"""The cart: only buyers, only what is on sale and in stock, only their own items."""

import inspect

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from catalog import services as catalog_services
from catalog.models import Sku
from catalog.workflow import ProductAction
from orders import services
from orders.models import CartItem
from suppliers.services import supplier_transition
from suppliers.workflow import Action
from tests.factories import OpsFactory
from tests.orders.conftest import D


def test_adding_records_the_price_seen_and_adding_again_sums(shop):
    buyer, sku = shop.buyer(), shop.sku(price="49.90", stock=10)
    item = services.cart_add(user=buyer, sku=sku, quantity=2)
    assert (item.quantity, item.price_seen, item.unit_price_seen) == (2, D("49.90"), sku.unit_price)
    item = services.cart_add(user=buyer, sku=sku, quantity=3)
    assert item.quantity == 5
    assert CartItem.objects.filter(cart__user=buyer).count() == 1


@pytest.mark.parametrize("quantity", [0, -1, "2", 2.0, True, None])
def test_a_quantity_must_be_a_whole_number_of_at_least_one(shop, quantity):
    buyer, sku = shop.buyer(), shop.sku()
    with pytest.raises(ValidationError) as info:
        services.cart_add(user=buyer, sku=sku, quantity=quantity)
    assert info.value.message_dict == {"quantity": ["Enter a quantity of at least 1."]}
    assert not CartItem.objects.exists()


def test_more_than_the_stock_is_refused_with_what_is_left(shop):
    buyer, sku = shop.buyer(), shop.sku(stock=5)
    with pytest.raises(ValidationError) as info:
        services.cart_add(user=buyer, sku=sku, quantity=6)
    assert info.value.message_dict == {"quantity": ["Only 5 left of “秭归脐橙 当季现摘 5kg/箱”."]}
    services.cart_add(user=buyer, sku=sku, quantity=4)
    with pytest.raises(ValidationError):  # 4 in the cart + 2 more is above the stock
        services.cart_add(user=buyer, sku=sku, quantity=2)
    assert CartItem.objects.get().quantity == 4


def test_a_sold_out_sku_is_refused(shop):
    buyer, sku = shop.buyer(), shop.sku(stock=1)
    Sku.objects.filter(pk=sku.pk).update(stock=0)
    with pytest.raises(ValidationError) as info:
        services.cart_add(user=buyer, sku=sku, quantity=1)
    assert info.value.message_dict == {"quantity": ["“秭归脐橙 当季现摘 5kg/箱” is sold out."]}


def test_off_sale_products_inactive_skus_and_suspended_suppliers_are_refused(shop):
    buyer = shop.buyer()
    off = shop.sku()
    catalog_services.product_transition(
        product=off.product, action=ProductAction.TAKE_OFF_SALE, by=shop.user2
    )
    inactive = shop.sku(spec="2kg/袋")
    Sku.objects.filter(pk=inactive.pk).update(is_active=False)
    suspended = shop.sku(supplier=1, spec="10kg/箱")
    supplier_transition(
        supplier=shop.supplier, action=Action.SUSPEND, by=OpsFactory(teams=["internal_control"]), reason="x"
    )
    for sku in (off, inactive, suspended):
        with pytest.raises(ValidationError) as info:
            services.cart_add(user=buyer, sku=sku, quantity=1)
        assert info.value.message_dict == {"sku": [f"“秭归脐橙 当季现摘 {sku.spec}” is no longer on sale."]}
    assert not CartItem.objects.exists()


def test_only_buyers_have_a_cart(shop):
    sku = shop.sku()
    for user in (shop.user, shop.ops, shop.service):
        with pytest.raises(PermissionDenied):
            services.cart_add(user=user, sku=sku, quantity=1)
    assert not CartItem.objects.exists()


def test_another_users_item_cannot_be_changed_or_removed(shop):
    owner, other = shop.buyer(), shop.buyer()
    item = services.cart_add(user=owner, sku=shop.sku(), quantity=2)
    with pytest.raises(PermissionDenied):
        services.cart_update(user=other, item=item, quantity=1)
    with pytest.raises(PermissionDenied):
        services.cart_remove(user=other, item=item)
    item.refresh_from_db()
    assert item.quantity == 2


def test_update_checks_the_stock_and_remove_takes_the_item_out(shop):
    buyer, sku = shop.buyer(), shop.sku(stock=3)
    item = services.cart_add(user=buyer, sku=sku, quantity=1)
    assert services.cart_update(user=buyer, item=item, quantity=3).quantity == 3
    with pytest.raises(ValidationError) as info:
        services.cart_update(user=buyer, item=item, quantity=4)
    assert info.value.message_dict == {"quantity": ["Only 3 left of “秭归脐橙 当季现摘 5kg/箱”."]}
    with pytest.raises(ValidationError):
        services.cart_update(user=buyer, item=item, quantity=0)
    services.cart_remove(user=buyer, item=item)
    assert not CartItem.objects.exists()


def test_the_cart_takes_no_price_from_the_caller():
    assert "price" not in inspect.signature(services.cart_add).parameters
    assert "price" not in inspect.signature(services.cart_update).parameters
