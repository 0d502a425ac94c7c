"""In which capacity a user acts on an object: the one rule every workflow asks (core.workflow.Actor)."""

from accounts.models import Role, User
from core.workflow import Actor


def actor_of(
    user: User | None,
    *,
    supplier_id: int | None = None,
    buyer_unit_id: int | None = None,
    county_id: int | None = None,
    ops_permission: str = "",
) -> str | None:
    """The capacity ``user`` has on an object that belongs to the given supplier, buyer unit and county.

    ``None`` as the user is the platform acting by itself (``Actor.SYSTEM``); a return of None means the
    user has no say. Ops act only with ``ops_permission`` (a superuser has every permission).
    """
    if user is None:
        return Actor.SYSTEM
    if not user.is_active:
        return None
    if supplier_id is not None and user.role == Role.SUPPLIER and user.supplier_id == supplier_id:
        return Actor.SUPPLIER
    if buyer_unit_id is not None and user.role == Role.BUYER and user.buyer_unit_id == buyer_unit_id:
        return Actor.BUYER
    if (
        county_id is not None
        and user.role == Role.COUNTY_OFFICER
        and user.county_office is not None
        and user.county_office.county_id == county_id
    ):
        return Actor.COUNTY
    if ops_permission and user.is_ops and user.has_perm(ops_permission):
        return Actor.OPS
    return None
