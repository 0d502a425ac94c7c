"""What the order services share: who acts, who is told, where they read about it, and the order's
lock, its current payment and its history."""

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.actors import actor_of
from accounts.models import Role, User
from accounts.roles import OpsTeam
from core.workflow import Actor, record
from orders.models import Order
from orders.workflow import ORDER_WORKFLOW

# --- Who acts --------------------------------------------------------------------------------------


def _require_buyer(user: User) -> None:
    if not (user.is_active and user.role == Role.BUYER and user.buyer_unit_id):
        raise PermissionDenied(_("Only buyers of a buyer unit can order."))


def order_actor(user: User | None, order: Order) -> str | None:
    """In which capacity ``user`` acts on ``order`` (None: no say; a ``None`` user is the platform)."""
    return actor_of(
        user,
        supplier_id=order.supplier_id,
        buyer_unit_id=order.buyer_unit_id,
        ops_permission="orders.change_order",
    )


def _supplier_members(supplier_id: int):
    return User.objects.filter(supplier_id=supplier_id, is_active=True)


def _buyer_contacts(order: Order):
    return User.objects.filter(pk=order.placed_by_id, is_active=True)


def _customer_service():
    return User.objects.filter(groups__name=OpsTeam.CUSTOMER_SERVICE, is_active=True, is_staff=True)


def _link(order: Order, side: str) -> str:
    """Where ``side`` (the buyer or the supplier) reads ``order``."""
    return reverse("orders:detail" if side == Actor.BUYER else "supplier_orders:detail", args=[order.number])


def _record(order: Order, action: str, *, by: User | None, role: str, reason: str = "", **details) -> None:
    """An entry of the order's history that leaves its status as it is (a payment, a refund)."""
    record(
        ORDER_WORKFLOW,
        order,
        action=action,
        previous=order.status,
        by=by,
        actor=role,
        reason=reason,
        details=details,
    )
