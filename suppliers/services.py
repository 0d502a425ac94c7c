from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from marketplace.uscc import normalize_uscc
from regions.models import County
from suppliers.models import Supplier, SupplierStatus


@transaction.atomic
def supplier_create(
    *,
    legal_name: str,
    county: County,
    uscc: str | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    status: str = SupplierStatus.DRAFT,
) -> Supplier:
    """Register a supplier of an eligible county (the onboarding issue adds the review workflow)."""
    if not county.is_eligible:
        raise ValidationError(
            {"county": _("%(county)s is not an eligible county.") % {"county": county.name}}
        )
    supplier = Supplier(
        legal_name=legal_name.strip(),
        county=county,
        uscc=normalize_uscc(uscc) if uscc else None,
        contact_name=contact_name,
        contact_phone=contact_phone,
        status=status,
    )
    supplier.full_clean()
    supplier.save()
    return supplier
