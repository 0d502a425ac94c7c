from django.db import transaction

from buyers.models import BuyerUnit
from marketplace.uscc import normalize_uscc
from regions.models import County, Province


@transaction.atomic
def buyer_unit_create(
    *, name: str, uscc: str, kind: str, province: Province, county: County | None = None, address: str = ""
) -> BuyerUnit:
    """Register a buyer unit; the code is validated (GB 32100-2015) and must be unique."""
    unit = BuyerUnit(
        name=name.strip(),
        uscc=normalize_uscc(uscc),
        kind=kind,
        province=province,
        county=county,
        address=address,
    )
    unit.full_clean()
    unit.save()
    return unit
