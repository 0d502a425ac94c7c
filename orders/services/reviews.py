"""Reviews: the buyer rates a completed order once, the supplier replies once."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.notifications import notify
from orders import locks
from orders.models import (
    Order,
    OrderStatus,
    Review,
)
from orders.services._common import _buyer_contacts, _link, _lock_order, _supplier_members, actor_kind
from orders.workflow import (
    Actor,
)

# --- Reviews ------------------------------------------------------------------------------------------


@locks.atomic()
def review_add(
    *, order: Order, by: User, quality: int, price: int, service: int, comment: str = ""
) -> Review:
    """The buyer rates a completed order once: quality, price and service from 1 to 5."""
    order = _lock_order(order)
    if actor_kind(by, order) != Actor.BUYER:
        raise PermissionDenied(_("Only the buyer reviews an order."))
    if order.status != OrderStatus.COMPLETED:
        raise ValidationError(_("An order can be reviewed once it is completed."), code="not_completed")
    if Review.objects.filter(order=order).exists():
        raise ValidationError(_("This order has already been reviewed."), code="duplicate")
    errors = {}
    for name, value in (("quality", quality), ("price", price), ("service", service)):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            errors[name] = _("Give 1 to 5 stars.")
    comment = (comment or "").strip()
    if len(comment) > 1000:
        errors["comment"] = _("Keep the comment under %(n)d characters.") % {"n": 1000}
    if errors:
        raise ValidationError(errors)
    review = Review.objects.create(
        order=order,
        supplier_id=order.supplier_id,
        author=by,
        quality=quality,
        price=price,
        service=service,
        comment=comment,
    )
    notify(
        users=_supplier_members(order.supplier_id),
        subject=_("New review of order %(number)s") % {"number": order.number},
        body=_("Quality %(q)d, price %(p)d, service %(s)d. %(comment)s")
        % {"q": quality, "p": price, "s": service, "comment": comment},
        link=_link(order, Actor.SUPPLIER),
    )
    return review


@locks.atomic()
def review_reply(*, review: Review, by: User, text: str) -> Review:
    """The supplier answers a review, once."""
    review = locks.lock_review(review)
    if not (by.is_active and by.role == Role.SUPPLIER and by.supplier_id == review.supplier_id):
        raise PermissionDenied(_("Only the supplier replies to its reviews."))
    if review.replied_at is not None:
        raise ValidationError(_("You have already replied to this review."), code="duplicate")
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write your reply.")}, code="required")
    if len(text) > 1000:
        raise ValidationError({"text": _("Keep the reply under %(n)d characters.") % {"n": 1000}})
    review.reply, review.replied_by, review.replied_at = text, by, timezone.now()
    review.save(update_fields=["reply", "replied_by", "replied_at"])
    notify(
        users=_buyer_contacts(review.order),
        subject=_("The supplier replied to your review of order %(number)s")
        % {"number": review.order.number},
        body=text,
        link=_link(review.order, Actor.BUYER),
    )
    return review
