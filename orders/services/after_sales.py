"""After-sales requests: the buyer asks, the supplier answers, customer service decides a dispute."""

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.notifications import notify
from core.money import money, yuan
from core.numbers import parse_money
from core.uploads import clean_image
from core.workflow import Actor, record, transition
from orders import locks
from orders.models import (
    MONEY,
    AfterSaleKind,
    AfterSalePhoto,
    AfterSaleRequest,
    AfterSaleStatus,
    ArbitrationDecision,
    Order,
    OrderStatus,
)
from orders.services._common import (
    _buyer_contacts,
    _customer_service,
    _link,
    _supplier_members,
    order_actor,
)
from orders.services.lifecycle import _complete_if_due
from orders.services.settlement import _refund
from orders.workflow import AFTER_SALE_WORKFLOW, AfterSaleAction

MAX_AFTER_SALE_PHOTOS = 5
PHOTO_MAX_SIDE = 1600

# --- After-sales --------------------------------------------------------------------------------------


def _parse_amount(value) -> Decimal | None:
    """The amount asked for (core.numbers: plain notation, an amount the money column holds), or None."""
    try:
        return parse_money(value, max_digits=MONEY["max_digits"])
    except ValidationError:
        return None


@locks.atomic()
def after_sale_open(
    *, order: Order, by: User, kind: str, reason: str, amount, photos: Iterable = ()
) -> AfterSaleRequest:
    """The buyer asks for a refund (or a return and refund) of up to what is left of the order
    total, within ORDER_AFTER_SALES_DAYS of receipt, with up to five photos (re-encoded, no EXIF)."""
    order = locks.lock_order(order)
    if order_actor(by, order) != Actor.BUYER:
        raise PermissionDenied(_("Only the buyer can ask for a refund or return."))
    if order.status not in (OrderStatus.RECEIVED, OrderStatus.COMPLETED):
        raise ValidationError(
            _("A refund or return can be requested once the order is received."), code="invalid_transition"
        )
    days = settings.ORDER_AFTER_SALES_DAYS
    if timezone.now() > order.received_at + datetime.timedelta(days=days):
        raise ValidationError(
            _(
                "Refunds and returns can be requested within %(days)d days of receipt; "
                "this order was received on %(date)s."
            )
            % {"days": days, "date": formats.date_format(timezone.localtime(order.received_at), "Y-m-d")},
            code="window_closed",
        )
    if order.after_sales.filter(status__in=[AfterSaleStatus.OPEN, AfterSaleStatus.DISPUTED]).exists():
        raise ValidationError(
            _("A request for this order is already being handled; wait for its answer."), code="pending"
        )
    reason = (reason or "").strip()
    parsed, cleaned = _checked_request(order, kind=kind, reason=reason, amount=amount, photos=photos)
    request = AfterSaleRequest.objects.create(
        order=order, kind=kind, reason=reason, amount=money(parsed), opened_by=by
    )
    for clean in cleaned:
        photo = AfterSalePhoto(request=request, sha256=clean.sha256)
        photo.image.save(clean.content.name, clean.content, save=False)
        photo.save()
    record(
        AFTER_SALE_WORKFLOW,
        request,
        action=AfterSaleAction.OPEN,
        previous="",
        by=by,
        actor=Actor.BUYER,
        reason=reason,
    )
    notify(
        users=_supplier_members(order.supplier_id),
        subject=lambda: _("Refund or return requested for order %(number)s") % {"number": order.number},
        body=lambda: (
            _("%(kind)s of %(amount)s: %(reason)s")
            % {"kind": request.get_kind_display(), "amount": yuan(request.amount), "reason": reason}
        ),
        link=_link(order, Actor.SUPPLIER),
    )
    return request


def _checked_request(
    order: Order, *, kind: str, reason: str, amount, photos: Iterable
) -> tuple[Decimal, list]:
    """The amount asked for and the cleaned photos, or every problem of the request at once."""
    errors: dict[str, list[str]] = {}
    if kind not in AfterSaleKind.values:
        errors["kind"] = [_("Choose refund only, or return and refund.")]
    if not reason:
        errors["reason"] = [_("Say what is wrong: the supplier will read it.")]
    parsed = _parse_amount(amount)
    refunded = order.after_sales.aggregate(total=Sum("refunded_amount"))["total"] or Decimal(0)
    left = order.total - refunded
    if parsed is None or parsed <= 0:
        errors["amount"] = [_("Enter an amount in yuan with at most two decimal places, above ¥0.00.")]
    elif parsed > left:
        errors["amount"] = [_("At most %(left)s can be requested for this order.") % {"left": yuan(left)}]
    photos = list(photos or [])
    cleaned = []
    if len(photos) > MAX_AFTER_SALE_PHOTOS:
        errors["photos"] = [_("At most %(n)d photos.") % {"n": MAX_AFTER_SALE_PHOTOS}]
    else:
        for upload in photos:
            try:
                cleaned.append(clean_image(upload, max_side=PHOTO_MAX_SIDE))
            except ValidationError as exc:
                errors.setdefault("photos", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)

    return parsed, cleaned


def _grant(order: Order, request: AfterSaleRequest, *, by: User, role: str, reason: str) -> None:
    payment = locks.lock_payment(order)
    if payment is not None:
        label = _("After-sales request %(id)d") % {"id": request.pk}
        _refund(
            order,
            payment,
            amount=request.amount,
            by=by,
            role=role,
            reason=f"{label}: {reason}" if reason else label,
            after_sale=request,
        )
        # A refund waived in full before payment leaves nothing to pay: a received order is done.
        _complete_if_due(order)
    request.refunded_amount = request.amount


def _step(
    request: AfterSaleRequest, action: str, *, by: User, actor: str, reason: str, fields: dict, before=None
) -> AfterSaleRequest:
    """Take one step of AFTER_SALE_WORKFLOW on the locked request, setting ``fields`` with it (``fields``
    may be a function of the request, for what ``before`` decides)."""

    def apply(obj: AfterSaleRequest, _step) -> list[str]:
        values = fields(obj) if callable(fields) else fields
        for name, value in values.items():
            setattr(obj, name, value)
        return list(values)

    change = transition(
        AFTER_SALE_WORKFLOW,
        request,
        action=action,
        by=by,
        actor=actor,
        reason=reason,
        locked=True,
        before=before,
        apply=apply,
    )
    return change.obj


@locks.atomic()
def after_sale_respond(
    *, request: AfterSaleRequest, by: User, accept: bool, reason: str = ""
) -> AfterSaleRequest:
    """The supplier accepts (the refund is recorded on the payment at once) or refuses with a reason."""
    order, request = locks.lock_after_sale(request)
    if order_actor(by, order) != Actor.SUPPLIER:
        raise PermissionDenied(_("Only the supplier answers this request."))
    action = AfterSaleAction.ACCEPT if accept else AfterSaleAction.REFUSE
    reason = (reason or "").strip()

    def grant(obj: AfterSaleRequest, _step) -> None:
        if accept:
            _grant(order, obj, by=by, role=Actor.SUPPLIER, reason=reason)

    request = _step(
        request,
        action,
        by=by,
        actor=Actor.SUPPLIER,
        reason=reason,
        before=grant,
        fields=lambda obj: {"supplier_reason": reason, "refunded_amount": obj.refunded_amount},
    )
    notify(
        users=_buyer_contacts(order),
        subject=lambda: (
            _("Your request for order %(number)s: %(status)s")
            % {"number": order.number, "status": request.get_status_display()}
        ),
        body=lambda: _("Reason: %(reason)s") % {"reason": reason} if reason else request.get_status_display(),
        link=_link(order, Actor.BUYER),
    )
    return request


@locks.atomic()
def after_sale_dispute(*, request: AfterSaleRequest, by: User, reason: str) -> AfterSaleRequest:
    """The buyer objects to a refusal: customer service will decide."""
    order, request = locks.lock_after_sale(request)
    if order_actor(by, order) != Actor.BUYER:
        raise PermissionDenied(_("Only the buyer can dispute this answer."))
    reason = (reason or "").strip()
    request = _step(
        request,
        AfterSaleAction.DISPUTE,
        by=by,
        actor=Actor.BUYER,
        reason=reason,
        fields={"dispute_reason": reason},
    )

    def subject():
        return _("Disputed refund or return for order %(number)s") % {"number": order.number}

    notify(
        users=_supplier_members(order.supplier_id),
        subject=subject,
        body=reason,
        link=_link(order, Actor.SUPPLIER),
    )
    notify(
        users=_customer_service(),
        subject=subject,
        body=reason,
        link=reverse("admin:orders_aftersalerequest_changelist"),
    )
    return request


@locks.atomic()
def after_sale_arbitrate(
    *, request: AfterSaleRequest, by: User, decision: str, reason: str
) -> AfterSaleRequest:
    """Customer service decides a disputed request (needs ``orders.arbitrate_aftersalerequest``):
    refund the buyer, or uphold the supplier's refusal. Both sides are told why."""
    if not (by.is_ops and by.has_perm("orders.arbitrate_aftersalerequest")):
        raise PermissionDenied(_("Only customer service decides disputes."))
    order, request = locks.lock_after_sale(request)
    reason = (reason or "").strip()

    def decide(obj: AfterSaleRequest, _step) -> None:
        if decision not in ArbitrationDecision.values:
            raise ValidationError({"decision": _("Choose the decision.")}, code="required")
        if decision == ArbitrationDecision.REFUND:
            _grant(order, obj, by=by, role=Actor.OPS, reason=reason)

    request = _step(
        request,
        AfterSaleAction.ARBITRATE,
        by=by,
        actor=Actor.OPS,
        reason=reason,
        before=decide,
        fields=lambda obj: {
            "decision": decision,
            "decision_reason": reason,
            "refunded_amount": obj.refunded_amount,
        },
    )

    def subject():
        return _("Decision on the request for order %(number)s: %(decision)s") % {
            "number": order.number,
            "decision": ArbitrationDecision(decision).label,
        }

    def body():
        return _("Reason: %(reason)s") % {"reason": reason}

    notify(users=_buyer_contacts(order), subject=subject, body=body, link=_link(order, Actor.BUYER))
    notify(
        users=_supplier_members(order.supplier_id),
        subject=subject,
        body=body,
        link=_link(order, Actor.SUPPLIER),
    )
    return request
