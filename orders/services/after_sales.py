"""After-sales requests: the buyer asks, the supplier answers, customer service decides a dispute."""

import datetime
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.notifications import notify
from core.money import CENT, money, yuan
from core.uploads import clean_image
from orders import locks
from orders.models import (
    AfterSaleEvent,
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
    _lock_order,
    _supplier_members,
    actor_kind,
)
from orders.services.lifecycle import _complete_if_due
from orders.services.settlement import _refund
from orders.workflow import (
    AFTER_SALE_STEPS,
    Actor,
    AfterSaleAction,
)

MAX_AFTER_SALE_PHOTOS = 5
PHOTO_MAX_SIDE = 1600

# --- After-sales --------------------------------------------------------------------------------------


def _parse_amount(value) -> Decimal | None:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    if not amount.is_finite() or amount != amount.quantize(CENT):
        return None
    return amount


def _after_sale_event(
    request: AfterSaleRequest, action: str, previous: str, *, by: User, role: str, reason: str
):
    AfterSaleEvent.objects.create(
        request=request,
        action=action,
        from_status=previous,
        to_status=request.status,
        actor=by,
        actor_role=role,
        reason=reason,
    )


@locks.atomic()
def after_sale_open(
    *, order: Order, by: User, kind: str, reason: str, amount, photos: Iterable = ()
) -> AfterSaleRequest:
    """The buyer asks for a refund (or a return and refund) of up to what is left of the order
    total, within ORDER_AFTER_SALES_DAYS of receipt, with up to five photos (re-encoded, no EXIF)."""
    order = _lock_order(order)
    if actor_kind(by, order) != Actor.BUYER:
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
    errors: dict[str, list[str]] = {}
    if kind not in AfterSaleKind.values:
        errors["kind"] = [_("Choose refund only, or return and refund.")]
    reason = (reason or "").strip()
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

    request = AfterSaleRequest.objects.create(
        order=order, kind=kind, reason=reason, amount=money(parsed), opened_by=by
    )
    for clean in cleaned:
        photo = AfterSalePhoto(request=request, sha256=clean.sha256)
        photo.image.save(clean.content.name, clean.content, save=False)
        photo.save()
    _after_sale_event(request, AfterSaleAction.OPEN, "", by=by, role=Actor.BUYER, reason=reason)
    notify(
        users=_supplier_members(order.supplier_id),
        subject=_("Refund or return requested for order %(number)s") % {"number": order.number},
        body=_("%(kind)s of %(amount)s: %(reason)s")
        % {"kind": request.get_kind_display(), "amount": yuan(request.amount), "reason": reason},
        link=_link(order, Actor.SUPPLIER),
    )
    return request


def _lock_request(request: AfterSaleRequest) -> tuple[Order, AfterSaleRequest]:
    return locks.lock_after_sale(request)


def _step(request: AfterSaleRequest, action: str, reason: str) -> str:
    step = AFTER_SALE_STEPS[action]
    if request.status not in step.sources:
        raise ValidationError(
            _("“%(action)s” is not possible while the request is “%(status)s”.")
            % {"action": AfterSaleAction(action).label, "status": request.get_status_display()},
            code="invalid_transition",
        )
    reason = (reason or "").strip()
    if step.reason_required and not reason:
        raise ValidationError({"reason": _("Give a reason: the other side will read it.")}, code="required")
    return reason


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


def _apply_step(
    request: AfterSaleRequest, action: str, *, by: User, role: str, reason: str, **fields
) -> None:
    previous = request.status
    request.status = AFTER_SALE_STEPS[action].target
    request.status_changed_at = timezone.now()
    for name, value in fields.items():
        setattr(request, name, value)
    request.save()
    _after_sale_event(request, action, previous, by=by, role=role, reason=reason)


@locks.atomic()
def after_sale_respond(
    *, request: AfterSaleRequest, by: User, accept: bool, reason: str = ""
) -> AfterSaleRequest:
    """The supplier accepts (the refund is recorded on the payment at once) or refuses with a reason."""
    order, request = _lock_request(request)
    if actor_kind(by, order) != Actor.SUPPLIER:
        raise PermissionDenied(_("Only the supplier answers this request."))
    action = AfterSaleAction.ACCEPT if accept else AfterSaleAction.REFUSE
    reason = _step(request, action, reason)
    if accept:
        _grant(order, request, by=by, role=Actor.SUPPLIER, reason=reason)
    _apply_step(request, action, by=by, role=Actor.SUPPLIER, reason=reason, supplier_reason=reason)
    notify(
        users=_buyer_contacts(order),
        subject=_("Your request for order %(number)s: %(status)s")
        % {"number": order.number, "status": request.get_status_display()},
        body=_("Reason: %(reason)s") % {"reason": reason} if reason else request.get_status_display(),
        link=_link(order, Actor.BUYER),
    )
    return request


@locks.atomic()
def after_sale_dispute(*, request: AfterSaleRequest, by: User, reason: str) -> AfterSaleRequest:
    """The buyer objects to a refusal: customer service will decide."""
    order, request = _lock_request(request)
    if actor_kind(by, order) != Actor.BUYER:
        raise PermissionDenied(_("Only the buyer can dispute this answer."))
    reason = _step(request, AfterSaleAction.DISPUTE, reason)
    _apply_step(
        request, AfterSaleAction.DISPUTE, by=by, role=Actor.BUYER, reason=reason, dispute_reason=reason
    )
    subject = _("Disputed refund or return for order %(number)s") % {"number": order.number}
    notify(
        users=_supplier_members(order.supplier_id),
        subject=subject,
        body=reason,
        link=_link(order, Actor.SUPPLIER),
    )
    notify(users=_customer_service(), subject=subject, body=reason, link="/admin/orders/aftersalerequest/")
    return request


@locks.atomic()
def after_sale_arbitrate(
    *, request: AfterSaleRequest, by: User, decision: str, reason: str
) -> AfterSaleRequest:
    """Customer service decides a disputed request (needs ``orders.arbitrate_aftersalerequest``):
    refund the buyer, or uphold the supplier's refusal. Both sides are told why."""
    if not (by.is_ops and by.has_perm("orders.arbitrate_aftersalerequest")):
        raise PermissionDenied(_("Only customer service decides disputes."))
    order, request = _lock_request(request)
    reason = _step(request, AfterSaleAction.ARBITRATE, reason)
    if decision not in ArbitrationDecision.values:
        raise ValidationError({"decision": _("Choose the decision.")}, code="required")
    if decision == ArbitrationDecision.REFUND:
        _grant(order, request, by=by, role=Actor.OPS, reason=reason)
    _apply_step(
        request,
        AfterSaleAction.ARBITRATE,
        by=by,
        role=Actor.OPS,
        reason=reason,
        decision=decision,
        decision_reason=reason,
    )
    subject = _("Decision on the request for order %(number)s: %(decision)s") % {
        "number": order.number,
        "decision": ArbitrationDecision(decision).label,
    }
    body = _("Reason: %(reason)s") % {"reason": reason}
    notify(users=_buyer_contacts(order), subject=subject, body=body, link=_link(order, Actor.BUYER))
    notify(
        users=_supplier_members(order.supplier_id),
        subject=subject,
        body=body,
        link=_link(order, Actor.SUPPLIER),
    )
    return request
