"""Order notifications are written in each reader's language (User.language), not in the language of
whoever caused them, and link to the reader's own order page."""

from django.utils import translation

from accounts.models import Notification
from orders import services
from orders.workflow import OrderAction


def _set_language(user, language):
    user.language = language
    user.save(update_fields=["language"])


def test_an_english_supplier_hears_of_an_order_placed_in_chinese(shop):
    buyer = shop.buyer()
    _set_language(buyer, "zh-hans")
    _set_language(shop.user2, "en")
    services.cart_add(user=buyer, sku=shop.sku(), quantity=2)
    with translation.override("zh-hans"):  # the buyer browses in Chinese
        (order,) = shop.checkout(buyer)
    note = Notification.objects.filter(user=shop.user2).order_by("id").last()
    assert note.subject == f"New order {order.number}"
    assert note.body.endswith("ordered goods for ¥99.80. Please confirm the order.")
    assert note.link == f"/suppliers/orders/{order.number}/"


def test_a_chinese_buyer_hears_of_a_confirmation_made_in_english(shop):
    buyer = shop.buyer()
    _set_language(buyer, "zh-hans")
    order = shop.order(buyer)
    with translation.override("en"):  # the supplier browses in English
        services.order_transition(order=order, action=OrderAction.CONFIRM, by=shop.user2)
    note = Notification.objects.filter(user=buyer).order_by("id").last()
    with translation.override("zh-hans"):
        expected = translation.gettext("Order %(number)s confirmed by the supplier") % {
            "number": order.number
        }
    assert expected != f"Order {order.number} confirmed by the supplier"  # there is a translation
    assert note.subject == expected
    assert note.link == f"/orders/{order.number}/"
