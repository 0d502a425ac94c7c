"""The order lifecycle (orders.workflow): the one function that changes an order's status, the stock a
cancellation returns, and automatic receipt."""

import datetime
from collections import defaultdict
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.notifications import notify
from catalog import stock
from catalog.models import StockReason
from core.workflow import Actor, Change, Transition, transition
from orders import locks
from orders.models import (
    Order,
    OrderStatus,
)
from orders.services._common import _buyer_contacts, _link, _supplier_members, order_actor
from orders.services.settlement import _cancel_payment, _is_settled
from orders.workflow import DETAIL_LABELS, ORDER_WORKFLOW, SHIP_DETAILS, OrderAction

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
    def subject() -> str:
        return _subject(action, order)

    def body() -> str:
        text = _("Order %(number)s is now “%(status)s”.") % {
            "number": order.number,
            "status": order.get_status_display(),
        }
        if action == OrderAction.SHIP:
            text += "\n" + _("Carrier: %(carrier)s, tracking number: %(tracking)s") % {
                "carrier": order.carrier,
                "tracking": order.tracking_number,
            }
        if reason:
            text += "\n" + _("Reason: %(reason)s") % {"reason": reason}
        return text

    # The other party hears of it (each in their own language); when the platform acts, both do.
    if actor in (Actor.SUPPLIER, Actor.SYSTEM, Actor.OPS):
        notify(users=_buyer_contacts(order), subject=subject, body=body, link=_link(order, Actor.BUYER))
    if actor in (Actor.BUYER, Actor.SYSTEM, Actor.OPS):
        notify(
            users=_supplier_members(order.supplier_id),
            subject=subject,
            body=body,
            link=_link(order, Actor.SUPPLIER),
        )


@locks.atomic()
def order_transition(*, order: Order, action: str, by: User | None, reason: str = "", **details) -> Order:
    """Move an order along its lifecycle (orders.workflow.ORDER_WORKFLOW), the only way its status changes.

    Checks who may (the buyer unit's buyers, the supplier's people, ``None`` for the platform),
    from which states, the reason and details required (``ship`` needs ``carrier`` and
    ``tracking_number``); records an OrderEvent with who, in which capacity, when and why; tells
    the other party. Cancelling returns the stock and voids or refunds the payment; receiving
    an order that is paid completes it.
    """
    # A cancellation gives stock back: its products and SKUs are locked before the order.
    order = locks.lock_stock_and_order(order) if action == OrderAction.CANCEL else locks.lock_order(order)
    actor = order_actor(by, order)
    if actor is None:
        raise PermissionDenied(_("You may not act on this order."))
    expected = SHIP_DETAILS if action == OrderAction.SHIP else ()
    unexpected = set(details) - set(expected)
    if unexpected:
        raise TypeError(f"unexpected details for {action}: {', '.join(sorted(unexpected))}")
    clean = {name: str(details.get(name) or "").strip() for name in expected}
    reason = (reason or "").strip()
    change = transition(
        ORDER_WORKFLOW,
        order,
        action=action,
        by=by,
        actor=actor,
        reason=reason,
        details=clean,
        locked=True,
        before=partial(_check_step, details=clean),
        apply=partial(_apply_step, details=clean, reason=reason),
        after=_after_step,
    )
    return change.obj


def _check_step(order: Order, step: Transition, *, details: dict[str, str]) -> None:
    """What the table cannot say: the shipping details, and that an order is completed once paid."""
    errors: dict[str, str] = {}
    for name, value in details.items():
        if not value:
            errors[name] = _("Enter the %(what)s.") % {"what": DETAIL_LABELS[name]}
        elif len(value) > 50:
            errors[name] = _("At most 50 characters.")
    if errors:
        raise ValidationError(errors, code="required")
    if step.action == OrderAction.COMPLETE and not _is_settled(order):
        raise ValidationError(_("An order is completed only once it is paid."), code="not_paid")


def _apply_step(order: Order, step: Transition, *, details: dict[str, str], reason: str) -> list[str]:
    setattr(order, STAGE_FIELDS[step.target], order.status_changed_at)
    fields = [STAGE_FIELDS[step.target]]
    if step.action == OrderAction.SHIP:
        order.carrier, order.tracking_number = details["carrier"], details["tracking_number"]
        fields += ["carrier", "tracking_number"]
    if step.action == OrderAction.CANCEL:
        order.cancel_reason = reason
        fields.append("cancel_reason")
    return fields


def _after_step(change: Change) -> None:
    order = change.obj
    if change.action == OrderAction.CANCEL:
        _return_stock(order, by=change.by)
        _cancel_payment(order, by=change.by, role=change.actor, reason=change.reason)
    _notify_transition(order, change.action, actor=change.actor, reason=change.reason)
    if change.action == OrderAction.RECEIVE:
        _complete_if_due(order)


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
