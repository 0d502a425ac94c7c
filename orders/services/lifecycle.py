"""The order lifecycle (orders.workflow): the one function that changes an order's status, the stock a
cancellation returns, and automatic receipt."""

import datetime
from collections import defaultdict

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.notifications import notify
from catalog import stock
from catalog.models import StockReason
from orders import locks
from orders.models import (
    Order,
    OrderEvent,
    OrderStatus,
)
from orders.services._common import _buyer_contacts, _link, _supplier_members, actor_kind
from orders.services.settlement import _cancel_payment, _is_settled
from orders.workflow import (
    DETAIL_LABELS,
    TRANSITIONS,
    Actor,
    OrderAction,
    refusal,
)

STAGE_FIELDS = {
    OrderStatus.CONFIRMED: "confirmed_at",
    OrderStatus.SHIPPED: "shipped_at",
    OrderStatus.RECEIVED: "received_at",
    OrderStatus.COMPLETED: "completed_at",
    OrderStatus.CANCELLED: "cancelled_at",
}


def _subject(action: str, order: Order) -> str:
    subjects = {
        OrderAction.CONFIRM: _("Order %(number)s confirmed by the supplier"),
        OrderAction.SHIP: _("Order %(number)s shipped"),
        OrderAction.RECEIVE: _("Order %(number)s received"),
        OrderAction.COMPLETE: _("Order %(number)s completed"),
        OrderAction.CANCEL: _("Order %(number)s cancelled"),
    }
    return subjects[action] % {"number": order.number}


def _notify_transition(order: Order, action: str, *, actor: str, reason: str) -> None:
    body = _("Order %(number)s is now “%(status)s”.") % {
        "number": order.number,
        "status": order.get_status_display(),
    }
    if action == OrderAction.SHIP:
        body += "\n" + _("Carrier: %(carrier)s, tracking number: %(tracking)s") % {
            "carrier": order.carrier,
            "tracking": order.tracking_number,
        }
    if reason:
        body += "\n" + _("Reason: %(reason)s") % {"reason": reason}
    # The other party hears of it; when the platform acts, both do.
    if actor in (Actor.SUPPLIER, Actor.SYSTEM, Actor.OPS):
        notify(
            users=_buyer_contacts(order),
            subject=_subject(action, order),
            body=body,
            link=_link(order, Actor.BUYER),
        )
    if actor in (Actor.BUYER, Actor.SYSTEM, Actor.OPS):
        notify(
            users=_supplier_members(order.supplier_id),
            subject=_subject(action, order),
            body=body,
            link=_link(order, Actor.SUPPLIER),
        )


@locks.atomic()
def order_transition(*, order: Order, action: str, by: User | None, reason: str = "", **details) -> Order:
    """Move an order along its lifecycle (orders.workflow), the only way its status changes.

    Checks who may (the buyer unit's buyers, the supplier's people, ``None`` for the platform),
    from which states, the reason and details required (``ship`` needs ``carrier`` and
    ``tracking_number``); records an OrderEvent with who, in which capacity, when and why; tells
    the other party. Cancelling returns the stock and voids or refunds the payment; receiving
    an order that is paid completes it.
    """
    # A cancellation gives stock back: its products and SKUs are locked before the order.
    order = locks.lock_stock_and_order(order) if action == OrderAction.CANCEL else locks.lock_order(order)
    actor = actor_kind(by, order)
    if actor is None:
        raise PermissionDenied(_("You may not act on this order."))
    transition = TRANSITIONS.get((action, actor))
    if transition is None:
        if any(a == action for a, _who in TRANSITIONS):
            raise PermissionDenied(
                _("“%(action)s” is not for you to do on this order.") % {"action": OrderAction(action).label}
            )
        raise ValidationError(_("Unknown action “%(action)s”.") % {"action": action}, code="unknown_action")
    if order.status not in transition.sources:
        message = refusal(transition, order.status) or _(
            "“%(action)s” is not possible while the order is “%(status)s”."
        ) % {"action": OrderAction(action).label, "status": order.get_status_display()}
        raise ValidationError(str(message), code="invalid_transition")
    unexpected = set(details) - set(transition.details_required)
    if unexpected:
        raise TypeError(f"unexpected details for {action}: {', '.join(sorted(unexpected))}")
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    if transition.reason_required and not reason:
        errors["reason"] = _("Give a reason: the buyer will read it.")
    clean = {name: str(details.get(name) or "").strip() for name in transition.details_required}
    for name, value in clean.items():
        if not value:
            errors[name] = _("Enter the %(what)s.") % {"what": DETAIL_LABELS[name]}
        elif len(value) > 50:
            errors[name] = _("At most 50 characters.")
    if errors:
        raise ValidationError(errors, code="required")
    if action == OrderAction.COMPLETE and not _is_settled(order):
        raise ValidationError(_("An order is completed only once it is paid."), code="not_paid")

    previous = order.status
    now = timezone.now()
    order.status = transition.target
    order.status_changed_at = now
    setattr(order, STAGE_FIELDS[transition.target], now)
    fields = ["status", "status_changed_at", STAGE_FIELDS[transition.target]]
    if action == OrderAction.SHIP:
        order.carrier, order.tracking_number = clean["carrier"], clean["tracking_number"]
        fields += ["carrier", "tracking_number"]
    if action == OrderAction.CANCEL:
        order.cancel_reason = reason
        fields.append("cancel_reason")
    order.save(update_fields=fields)
    OrderEvent.objects.create(
        order=order,
        action=action,
        from_status=previous,
        to_status=order.status,
        actor=by,
        actor_role=actor,
        reason=reason,
        details=clean,
        created_at=now,
    )
    if action == OrderAction.CANCEL:
        _return_stock(order, by=by)
        _cancel_payment(order, by=by, role=actor, reason=reason)
    _notify_transition(order, action, actor=actor, reason=reason)
    if action == OrderAction.RECEIVE:
        _complete_if_due(order)
    return order


def _complete_if_due(order: Order) -> None:
    """Received and paid (in either order): complete. Call holding the order's lock."""
    if order.status == OrderStatus.RECEIVED and _is_settled(order):
        order_transition(order=order, action=OrderAction.COMPLETE, by=None)
        order.refresh_from_db()


def _return_stock(order: Order, *, by: User | None) -> None:
    """Put a cancelled order's quantities back on its SKUs, in the ledger too."""
    lines = list(order.lines.all())
    skus = locks.lock_for_checkout(line.sku_id for line in lines)
    returned: dict[int, int] = defaultdict(int)
    for line in lines:
        returned[line.sku_id] += line.quantity
    movements = []
    sold: dict[int, int] = defaultdict(int)
    for sku_id in sorted(returned):
        sku, quantity = skus[sku_id], returned[sku_id]
        stock.put_back(sku=sku, quantity=quantity)
        sold[sku.product_id] -= quantity
        movements.append(
            stock.movement(
                sku, change=quantity, reason=StockReason.ORDER_CANCELLED, reference=order.number, by=by
            )
        )
    stock.record(movements)
    stock.refresh_product_totals(sold, sold)


# --- Automatic receipt --------------------------------------------------------------------------------


def order_auto_receive(now: datetime.datetime | None = None, *, batch: int = 500) -> int:
    """Mark as received the orders shipped more than ORDER_AUTO_RECEIPT_DAYS ago that the buyer has
    not confirmed (and complete those already paid). Idempotent: only shipped orders are touched,
    each in its own transaction. Returns how many were received; at most ``batch`` per call."""
    now = now or timezone.now()
    days = settings.ORDER_AUTO_RECEIPT_DAYS
    cutoff = now - datetime.timedelta(days=days)
    due = Order.objects.filter(status=OrderStatus.SHIPPED, shipped_at__lte=cutoff)
    done = 0
    for pk in due.order_by("shipped_at", "id").values_list("pk", flat=True)[:batch]:
        with locks.atomic():
            # Re-read under the lock: the buyer may have confirmed in the meantime.
            order = locks.lock_order(pk, among=due)
            if order is None:
                continue
            order_transition(
                order=order,
                action=OrderAction.RECEIVE,
                by=None,
                reason=_("Received automatically %(days)d days after shipping.") % {"days": days},
            )
            done += 1
    return done
