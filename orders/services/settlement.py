"""Whether an order is settled, and refunds (given back when paid, waived when not)."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.models import User
from core.money import yuan
from orders import locks
from orders.models import (
    AfterSaleRequest,
    Order,
    Payment,
    PaymentRefund,
    PaymentStatus,
)
from orders.payments import get_provider
from orders.services._common import _record
from orders.workflow import (
    OrderAction,
)


def _is_settled(order: Order) -> bool:
    payment = order.current_payment
    return payment is not None and payment.is_settled


def _cancel_payment(order: Order, *, by: User | None, role: str, reason: str) -> None:
    payment = locks.lock_payment(order)
    if payment is None:
        return
    if payment.status == PaymentStatus.PENDING:
        payment.status = PaymentStatus.CANCELLED
        payment.save(update_fields=["status"])
    elif payment.status == PaymentStatus.PAID and payment.amount_due > 0:
        _refund(
            order,
            payment,
            amount=payment.amount_due,
            by=by,
            role=role,
            reason=reason or _("Order cancelled"),
        )


def _refund(
    order: Order,
    payment: Payment,
    *,
    amount: Decimal,
    by: User | None,
    role: str,
    reason: str,
    after_sale: AfterSaleRequest | None = None,
) -> PaymentRefund:
    """Give back (paid) or waive (not yet paid) ``amount`` of a payment. Call holding the order's and
    the payment's locks. The sandbox answers at once; a real provider's refund is a network call."""
    if amount > payment.amount_due:
        raise ValidationError(
            _("Only %(left)s of this order can still be refunded.") % {"left": yuan(payment.amount_due)},
            code="too_much",
        )
    reference = ""
    if payment.status == PaymentStatus.PAID:
        reference = get_provider(payment.provider).refund(payment, amount)
    refund = PaymentRefund.objects.create(
        payment=payment,
        amount=amount,
        reason=reason[:200],
        provider_reference=reference,
        after_sale=after_sale,
        actor=by,
    )
    payment.refunded_amount += amount
    if payment.refunded_amount == payment.amount:
        payment.status = PaymentStatus.REFUNDED
    payment.save(update_fields=["refunded_amount", "status"])
    _record(order, OrderAction.REFUNDED, by=by, role=role, reason=reason, amount=amount)
    return refund
