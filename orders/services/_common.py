"""What the order services share: who acts, who is told, where they read about it, and the order's
lock, its current payment and its history."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.roles import OpsTeam
from orders import locks
from orders.models import (
    Order,
    OrderEvent,
)
from orders.workflow import (
    Actor,
)

BUYER_ORDER_LINK = "/orders/{number}/"
SUPPLIER_ORDER_LINK = "/suppliers/orders/{number}/"


# --- Who acts --------------------------------------------------------------------------------------


def _require_buyer(user: User) -> None:
    if not (user.is_active and user.role == Role.BUYER and user.buyer_unit_id):
        raise PermissionDenied(_("Only buyers of a buyer unit can order."))


def actor_kind(user: User | None, order: Order) -> str | None:
    """In which capacity ``user`` acts on ``order`` (None: it has no say). ``None`` is the platform."""
    if user is None:
        return Actor.SYSTEM
    if not user.is_active:
        return None
    if user.role == Role.BUYER and user.buyer_unit_id == order.buyer_unit_id:
        return Actor.BUYER
    if user.role == Role.SUPPLIER and user.supplier_id == order.supplier_id:
        return Actor.SUPPLIER
    if user.is_ops and user.has_perm("orders.change_order"):
        return Actor.OPS
    return None


def _supplier_members(supplier_id: int):
    return User.objects.filter(supplier_id=supplier_id, is_active=True)


def _buyer_contacts(order: Order):
    return User.objects.filter(pk=order.placed_by_id, is_active=True)


def _customer_service():
    return User.objects.filter(groups__name=OpsTeam.CUSTOMER_SERVICE, is_active=True, is_staff=True)


def _link(order: Order, side: str) -> str:
    return (BUYER_ORDER_LINK if side == Actor.BUYER else SUPPLIER_ORDER_LINK).format(number=order.number)


def _lock_order(order: Order) -> Order:
    return locks.lock_order(order)


def _record(order: Order, action: str, *, by: User | None, role: str, reason: str = "", **details) -> None:
    OrderEvent.objects.create(
        order=order,
        action=action,
        from_status=order.status,
        to_status=order.status,
        actor=by,
        actor_role=role,
        reason=reason,
        details={k: str(v) for k, v in details.items()},
    )
