from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from regions.models import County, CountyOffice


@transaction.atomic
def county_office_create(*, county: County, name: str, contact_phone: str = "") -> CountyOffice:
    """Open the county office (地方管理员) of an eligible county; a county has at most one."""
    if not county.is_eligible:
        raise ValidationError(
            {"county": _("%(county)s is not an eligible county.") % {"county": county.name}}
        )
    if CountyOffice.objects.filter(county=county).exists():
        raise ValidationError(
            {"county": _("%(county)s already has a county office.") % {"county": county.name}}
        )
    office = CountyOffice(county=county, name=name, contact_phone=contact_phone)
    office.full_clean()
    office.save()
    return office
