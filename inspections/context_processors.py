from django.utils.functional import SimpleLazyObject

from accounts.models import Role
from inspections.models import CheckState, SpotCheck


def checks_waiting(request):
    """How many of the supplier's checks wait for its answer, for the header's badge (one query, only when
    a page shows it; none for anyone else)."""
    user = getattr(request, "user", None)

    def count() -> int:
        if user is None or not user.is_authenticated or user.role != Role.SUPPLIER:
            return 0
        return SpotCheck.objects.filter(supplier_id=user.supplier_id, state=CheckState.RECTIFYING).count()

    return {"checks_waiting": SimpleLazyObject(count)}
