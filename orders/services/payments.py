"""Payments: starting one with the provider, the sandbox card, confirmed bank transfers and the provider's
signed notifications."""

from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.notifications import notify
from core.money import money, yuan
from orders import locks
from orders.models import (
    Order,
    OrderStatus,
    Payment,
    PaymentMethod,
    PaymentNotification,
    PaymentStatus,
)
from orders.payments import PaymentStart, SandboxProvider, get_provider
from orders.services._common import _link, _lock_order, _record, _supplier_members, actor_kind
from orders.services.lifecycle import _complete_if_due
from orders.workflow import (
    Actor,
    OrderAction,
)

# --- Payments -----------------------------------------------------------------------------------------


def _mark_paid(order: Order, payment: Payment, *, by: User | None, role: str, **details) -> None:
    """Call holding the order's and the payment's locks."""
    payment.status = PaymentStatus.PAID
    payment.paid_at = timezone.now()
    payment.save(update_fields=["status", "paid_at", "provider_reference", "bank_reference", "confirmed_by"])
    _record(order, OrderAction.PAYMENT_RECEIVED, by=by, role=role, amount=payment.amount_due, **details)
    notify(
        users=_supplier_members(order.supplier_id),
        subject=_("Payment received for order %(number)s") % {"number": order.number},
        body=_("%(amount)s was paid for order %(number)s.")
        % {"amount": yuan(payment.amount_due), "number": order.number},
        link=_link(order, Actor.SUPPLIER),
    )
    _complete_if_due(order)


def _pending_payment_for(order: Order, payment: Payment) -> Payment:
    payment = locks.lock_payment(order, payment)
    if order.status == OrderStatus.CANCELLED:
        raise ValidationError(_("This order was cancelled; it cannot be paid."), code="cancelled")
    if payment.status != PaymentStatus.PENDING:
        raise ValidationError(
            _("This payment is not awaiting payment (it is “%(status)s”).")
            % {"status": payment.get_status_display()},
            code="not_pending",
        )
    return payment


def payment_start(*, order: Order, by: User) -> PaymentStart:
    """How the buyer pays this order: registers the payment with the provider the first time (a new
    one if the last attempt failed) and returns the card page or the transfer instructions.

    The provider is called outside any transaction (a real one is a network call); two concurrent
    calls keep whichever reference was stored first."""
    with locks.atomic():
        order = _lock_order(order)
        if actor_kind(by, order) != Actor.BUYER:
            raise PermissionDenied(_("Only the buyer pays an order."))
        if order.status == OrderStatus.CANCELLED:
            raise ValidationError(_("This order was cancelled; it cannot be paid."), code="cancelled")
        payment = locks.lock_payment(order)
        if payment is None:  # the last attempt failed: try again with a new payment
            payment = Payment.objects.create(
                order=order,
                method=order.payment_method,
                amount=order.total,
                provider=get_provider().code,
            )
        if payment.status != PaymentStatus.PENDING:
            raise ValidationError(_("This order is already paid."), code="paid")
    if payment.provider_reference:
        return PaymentStart(reference=payment.provider_reference, **payment.provider_data)
    start = get_provider(payment.provider).create_payment(payment)
    with locks.atomic():
        payment = locks.lock_payment_alone(payment)
        if not payment.provider_reference:
            payment.provider_reference = start.reference
            payment.provider_data = {"redirect_url": start.redirect_url, "instructions": start.instructions}
            payment.save(update_fields=["provider_reference", "provider_data"])
    return PaymentStart(reference=payment.provider_reference, **payment.provider_data)


@locks.atomic()
def sandbox_card_pay(*, payment: Payment, by: User) -> Payment:
    """The buyer confirms an official-card payment on the sandbox's simulated card page."""
    order = _lock_order(payment.order)
    if actor_kind(by, order) != Actor.BUYER:
        raise PermissionDenied(_("Only the buyer pays an order."))
    payment = _pending_payment_for(order, payment)
    if payment.provider != SandboxProvider.code or payment.method != PaymentMethod.OFFICIAL_CARD:
        raise ValidationError(_("This payment is not a sandbox card payment."), code="wrong_method")
    if not payment.provider_reference:
        payment.provider_reference = SandboxProvider().create_payment(payment).reference
    _mark_paid(order, payment, by=by, role=Actor.BUYER, method=payment.method)
    return payment


@locks.atomic()
def payment_confirm_transfer(*, payment: Payment, by: User, reference: str) -> Payment:
    """Ops confirm that a bank transfer for this payment arrived, with the bank's transaction
    reference (needs the ``orders.confirm_payment`` permission)."""
    if not (by.is_ops and by.has_perm("orders.confirm_payment")):
        raise PermissionDenied(_("You may not confirm payments."))
    reference = (reference or "").strip()
    if not reference:
        raise ValidationError({"reference": _("Enter the bank's transaction reference.")}, code="required")
    if len(reference) > 100:
        raise ValidationError({"reference": _("At most 100 characters.")}, code="invalid")
    order = _lock_order(payment.order)
    payment = _pending_payment_for(order, payment)
    if payment.method != PaymentMethod.BANK_TRANSFER:
        raise ValidationError(_("This payment is not a bank transfer."), code="wrong_method")
    payment.bank_reference = reference
    payment.confirmed_by = by
    _mark_paid(order, payment, by=by, role=Actor.OPS, bank_reference=reference)
    return payment


def payment_notification_handle(
    *, provider: str, headers: Mapping[str, str], body: bytes
) -> PaymentNotification:
    """Act on a provider's notification once. The signature is checked first (a bad one raises
    ValidationError with code "bad_signature" and nothing is stored); the same (provider, event id)
    again returns the stored notification and changes nothing."""
    gateway = get_provider(provider)
    event = gateway.verify_notification(headers, body)
    with locks.atomic():
        try:
            with transaction.atomic():
                note = PaymentNotification.objects.create(
                    provider=gateway.code, event_id=event.event_id, payload=event.payload
                )
        except IntegrityError:
            return PaymentNotification.objects.get(provider=gateway.code, event_id=event.event_id)
        found = Payment.objects.filter(provider=gateway.code, provider_reference=event.reference).first()
        if found is None:
            result = "unknown payment"
        else:
            order = _lock_order(found.order)
            payment = locks.lock_payment(order, found)
            note.payment = payment
            result = _apply_provider_event(order, payment, event)
        note.result = result
        note.processed_at = timezone.now()
        note.save(update_fields=["payment", "result", "processed_at"])
    return note


def _apply_provider_event(order: Order, payment: Payment, event) -> str:
    if event.status == "failed":
        if payment.status != PaymentStatus.PENDING:
            return f"ignored: payment is {payment.status}"
        payment.status = PaymentStatus.FAILED
        payment.save(update_fields=["status"])
        return "failed"
    if payment.status == PaymentStatus.PAID:
        return "already paid"
    if payment.status != PaymentStatus.PENDING:
        return f"ignored: payment is {payment.status}"
    if order.status == OrderStatus.CANCELLED:
        return "ignored: order cancelled (refund by hand)"
    if money(event.amount) != payment.amount_due:
        return f"ignored: amount {money(event.amount)} is not {payment.amount_due}"
    _mark_paid(order, payment, by=None, role=Actor.SYSTEM, notification=event.event_id)
    return "paid"
