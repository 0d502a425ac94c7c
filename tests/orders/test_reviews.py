"""Reviews: once per completed order, by its buyer; one reply by the supplier."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from accounts.models import Notification
from orders import services
from orders.models import Review
from orders.selectors import supplier_ratings
from tests.orders.conftest import D, advance, completed


def _review(order, **overrides):
    data = {"quality": 5, "price": 4, "service": 3, "comment": "果子新鲜，包装好"}
    data.update(overrides)
    return services.review_add(order=order, by=order.placed_by, **data)


def test_a_completed_order_is_reviewed_once(shop):
    order = completed(shop)
    review = _review(order)
    assert (review.supplier_id, review.author, review.quality, review.price, review.service) == (
        shop.supplier2.pk,
        order.placed_by,
        5,
        4,
        3,
    )
    assert Notification.objects.filter(
        user=shop.user2, subject=f"New review of order {order.number}"
    ).exists()
    with pytest.raises(ValidationError) as info:
        _review(order, quality=1)
    assert info.value.messages == ["This order has already been reviewed."]
    assert Review.objects.get().quality == 5


def test_an_order_not_yet_completed_cannot_be_reviewed(shop):
    order = advance(shop, shop.order(), "received")  # received, not paid
    with pytest.raises(ValidationError) as info:
        _review(order)
    assert info.value.messages == ["An order can be reviewed once it is completed."]
    assert not Review.objects.exists()


@pytest.mark.parametrize("bad", [0, 6, "5", 4.5, None, True])
def test_ratings_are_whole_stars_from_one_to_five(shop, bad):
    order = completed(shop)
    with pytest.raises(ValidationError) as info:
        _review(order, quality=bad, service=bad)
    assert info.value.message_dict == {"quality": ["Give 1 to 5 stars."], "service": ["Give 1 to 5 stars."]}
    assert not Review.objects.exists()


def test_the_database_refuses_a_rating_out_of_range(shop):
    review = _review(completed(shop))
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.filter(pk=review.pk).update(price=6)


def test_only_the_buyer_reviews(shop):
    order = completed(shop)
    for user in (shop.buyer(), shop.user2):
        with pytest.raises(PermissionDenied):
            services.review_add(order=order, by=user, quality=1, price=1, service=1)


def test_the_supplier_replies_once(shop):
    order = completed(shop)
    review = _review(order)
    for user in (shop.user, order.placed_by):
        with pytest.raises(PermissionDenied):
            services.review_reply(review=review, by=user, text="谢谢")
    with pytest.raises(ValidationError) as info:
        services.review_reply(review=review, by=shop.user2, text=" ")
    assert info.value.message_dict == {"text": ["Write your reply."]}
    review = services.review_reply(review=review, by=shop.user2, text="感谢支持！")
    assert (review.reply, review.replied_by, review.replied_at is not None) == (
        "感谢支持！",
        shop.user2,
        True,
    )
    with pytest.raises(ValidationError) as info:
        services.review_reply(review=review, by=shop.user2, text="再次感谢")
    assert info.value.messages == ["You have already replied to this review."]
    review.refresh_from_db()
    assert review.reply == "感谢支持！"
    assert (
        Notification.objects.filter(user=order.placed_by, subject__startswith="The supplier replied").count()
        == 1
    )


def test_a_suppliers_average_ratings(shop, django_assert_num_queries):
    assert supplier_ratings(supplier=shop.supplier2).count == 0
    assert supplier_ratings(supplier=shop.supplier2).overall is None
    _review(completed(shop), quality=5, price=4, service=5)
    _review(completed(shop), quality=4, price=4, service=2)
    _review(completed(shop), quality=4, price=3, service=5)
    with django_assert_num_queries(1):
        ratings = supplier_ratings(supplier=shop.supplier2)
    assert (ratings.count, ratings.quality, ratings.price, ratings.service, ratings.overall) == (
        3,
        D("4.3"),
        D("3.7"),
        D("4.0"),
        D("4.0"),
    )
