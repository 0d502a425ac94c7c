from decimal import Decimal, InvalidOperation

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from buyers.models import (
    PHONE_PATTERN,
    BuyerUnit,
    Canteen,
    DeliveryAddress,
    ReservedShareFiling,
    ReservedShareFilingRecord,
)
from buyers.reserved_share import min_ratio
from core.money import CENT
from core.uscc import normalize_uscc
from regions.models import City, County, Province

ADDRESS_FIELDS = ("recipient", "phone", "province", "city", "county", "detail", "postcode", "is_default")


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


# --- Delivery addresses -------------------------------------------------------------------------------


def _buyer_unit_of(user: User) -> BuyerUnit:
    if not (user.is_active and user.role == Role.BUYER and user.buyer_unit_id):
        raise PermissionDenied(_("Only buyers manage their unit's delivery addresses."))
    return user.buyer_unit


def _clean_phone(value: str) -> str:
    # People type spaces and full-width hyphens; the stored form has neither.
    return "".join(value.split()).replace("－", "-").replace("—", "-")


def address_problems(address: DeliveryAddress) -> dict[str, list[str]]:
    """What an address lacks before goods can be sent there, by field. Empty means complete.

    Used when an address is saved and again at checkout, where an address saved before a rule
    existed (or edited outside the services) must not slip through."""
    errors: dict[str, list[str]] = {}
    if not address.recipient.strip():
        errors["recipient"] = [_("Enter the recipient's name.")]
    phone = _clean_phone(address.phone)
    if not phone:
        errors["phone"] = [_("Enter the recipient's phone number.")]
    elif not PHONE_PATTERN.fullmatch(phone):
        errors["phone"] = [
            _(
                "Enter a mainland mobile number (11 digits starting with 1) or a landline with its area code, "
                "e.g. 027-85551234."
            )
        ]
    province = address.province if address.province_id else None
    city = address.city if address.city_id else None
    county = address.county if address.county_id else None
    if province is None:
        errors["province"] = [_("Choose the province.")]
    if city is None:
        errors["city"] = [_("Choose the city.")]
    elif province is not None and city.province_id != province.pk:
        errors["city"] = [_("This city is not in the chosen province.")]
    if county is None:
        errors["county"] = [_("Choose the county or district.")]
    elif city is not None and county.city_id != city.pk:
        errors["county"] = [_("This county or district is not in the chosen city.")]
    if not address.detail.strip():
        errors["detail"] = [_("Enter the street address (street, building and room).")]
    postcode = address.postcode.strip()
    if postcode and not (len(postcode) == 6 and postcode.isdigit()):
        errors["postcode"] = [_("A postcode has six digits.")]
    return errors


def _lock_unit(unit: BuyerUnit) -> None:
    # The unit's row is the lock for "which address is the default", so two edits cannot both win.
    BuyerUnit.objects.select_for_update().filter(pk=unit.pk).first()


def _save_address(address: DeliveryAddress, data: dict) -> DeliveryAddress:
    """Call holding the unit's lock (``_lock_unit``)."""
    unknown = set(data) - set(ADDRESS_FIELDS)
    if unknown:
        raise TypeError(f"unknown address fields: {', '.join(sorted(unknown))}")
    for field in ("recipient", "detail", "postcode"):
        if field in data:
            setattr(address, field, (data[field] or "").strip())
    if "phone" in data:
        address.phone = _clean_phone(data["phone"] or "")
    for field, model in (("province", Province), ("city", City), ("county", County)):
        if field in data:
            value = data[field]
            if value is not None and not isinstance(value, model):
                raise TypeError(f"{field} must be a {model.__name__}")
            setattr(address, field, value)
    errors = address_problems(address)
    if errors:
        raise ValidationError(errors)
    siblings = DeliveryAddress.objects.filter(buyer_unit_id=address.buyer_unit_id).exclude(pk=address.pk)
    make_default = data.get("is_default", address.is_default) or not siblings.exists()
    if make_default:
        siblings.filter(is_default=True).update(is_default=False)
    address.is_default = bool(make_default)
    address.save()
    return address


@transaction.atomic
def delivery_address_add(
    *,
    by: User,
    recipient: str,
    phone: str,
    province: Province | None,
    city: City | None,
    county: County | None,
    detail: str,
    postcode: str = "",
    is_default: bool = False,
) -> DeliveryAddress:
    """Save a delivery address for the unit of ``by`` (a buyer). The unit's first address is its
    default; making another one the default takes the mark from the previous one. Missing or wrong
    parts raise one ValidationError with a message per field, and nothing is saved."""
    unit = _buyer_unit_of(by)
    _lock_unit(unit)
    address = DeliveryAddress(buyer_unit=unit)
    return _save_address(
        address,
        {
            "recipient": recipient,
            "phone": phone,
            "province": province,
            "city": city,
            "county": county,
            "detail": detail,
            "postcode": postcode,
            "is_default": is_default,
        },
    )


@transaction.atomic
def delivery_address_update(*, address: DeliveryAddress, by: User, **changes) -> DeliveryAddress:
    """Change some fields (``ADDRESS_FIELDS``) of one of the unit's addresses. Orders placed with
    it keep their copy. Another unit's address is not found."""
    unit = _buyer_unit_of(by)
    _lock_unit(unit)
    address = DeliveryAddress.objects.filter(buyer_unit=unit, pk=address.pk).first()
    if address is None:
        raise PermissionDenied(_("This address is not one of your unit's."))
    if changes.get("is_default") is False and address.is_default:
        # Unmarking the default would leave the unit without one: choose another as default instead.
        changes.pop("is_default")
    return _save_address(address, changes)


@transaction.atomic
def delivery_address_delete(*, address: DeliveryAddress, by: User) -> None:
    """Delete one of the unit's addresses; if it was the default, the most recent other one
    becomes the default."""
    unit = _buyer_unit_of(by)
    _lock_unit(unit)
    address = DeliveryAddress.objects.filter(buyer_unit=unit, pk=address.pk).first()
    if address is None:
        raise PermissionDenied(_("This address is not one of your unit's."))
    was_default = address.is_default
    address.delete()
    if was_default:
        successor = DeliveryAddress.objects.filter(buyer_unit=unit).order_by("-updated_at", "-id").first()
        if successor is not None:
            DeliveryAddress.objects.filter(pk=successor.pk).update(is_default=True)


# --- Trade unions and the reserved share (预留份额) ---------------------------------------------------


@transaction.atomic
def buyer_unit_set_parent(*, unit: BuyerUnit, parent: BuyerUnit | None) -> BuyerUnit:
    """Attach a trade union to the unit it belongs to (or detach it with None): its purchases then
    count toward that unit's reserved share."""
    unit = BuyerUnit.objects.select_for_update().get(pk=unit.pk)
    unit.parent_unit = parent
    unit.full_clean()
    unit.save(update_fields=["parent_unit"])
    return unit


def _may_file(by: User, unit: BuyerUnit) -> bool:
    if by.is_buyer:
        return by.buyer_unit_id == unit.pk
    return by.is_ops and by.has_perm("buyers.change_reservedsharefiling")


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return Decimal("NaN")


def _own_canteen_errors(budget: Decimal | None, ratio: Decimal | None) -> dict[str, list[str]]:
    """What is wrong with an own canteen's budget and ratio, by field."""
    errors: dict[str, list[str]] = {}
    if budget is None:
        errors["canteen_food_budget"] = [_("Enter the canteen food budget for the year.")]
    elif not budget.is_finite() or budget <= 0:
        errors["canteen_food_budget"] = [_("The canteen food budget must be more than zero.")]
    elif budget != budget.quantize(CENT) or budget >= Decimal("1e12"):
        errors["canteen_food_budget"] = [_("Enter an amount in yuan with at most two decimal places.")]
    minimum = min_ratio()
    if ratio is None:
        errors["ratio"] = [_("Enter the reserved ratio.")]
    elif not ratio.is_finite() or ratio < minimum:
        errors["ratio"] = [
            _("The reserved ratio must be at least %(min)s %% of the canteen food budget (财库〔2021〕19号).")
            % {"min": f"{(minimum * 100).normalize():f}"}
        ]
    elif ratio > 1:
        errors["ratio"] = [_("The reserved ratio cannot be more than 100 %.")]
    elif ratio != ratio.quantize(Decimal("0.001")):
        errors["ratio"] = [_("Enter the ratio to at most one decimal place of a percent.")]
    return errors


def _shared_canteen_errors(unit: BuyerUnit, year: int, host_unit: BuyerUnit | None) -> dict[str, list[str]]:
    """What is wrong with ``unit`` saying it shares ``host_unit``'s canteen in ``year``, by field."""
    if host_unit is None:
        return {"host_unit": [_("Choose the unit whose canteen you share.")]}
    if host_unit.pk == unit.pk:
        return {"host_unit": [_("A unit cannot share its own canteen; choose “own canteen”.")]}
    if host_unit.parent_unit_id:
        return {"host_unit": [_("A trade union does not run a canteen; choose the unit it belongs to.")]}
    if ReservedShareFiling.objects.filter(buyer_unit=host_unit, year=year, canteen=Canteen.SHARED).exists():
        return {
            "host_unit": [
                _("That unit itself shares another unit's canteen; choose the unit that runs the canteen.")
            ]
        }
    if ReservedShareFiling.objects.filter(host_unit=unit, year=year, canteen=Canteen.SHARED).exists():
        return {
            "canteen": [_("Other units share your canteen this year, so your unit files for the canteen.")]
        }
    return {}


def _filing_errors(
    *, unit: BuyerUnit, year: int, canteen: str, budget: Decimal | None, ratio: Decimal | None, host_unit
) -> dict[str, list[str]]:
    """Every reason the filing cannot be saved, by field (empty when it can)."""
    errors: dict[str, list[str]] = {}
    this_year = timezone.localdate().year
    if not isinstance(year, int) or not 2021 <= year <= this_year + 1:
        errors["year"] = [_("File for this year or the next.")]
    if unit.parent_unit_id:
        errors[NON_FIELD_ERRORS] = [
            _("A trade union's purchases count toward %(unit)s, which files for both.")
            % {"unit": unit.parent_unit.name}
        ]
    if canteen not in Canteen.values:
        errors["canteen"] = [_("Choose whether the unit has its own canteen, none, or shares one.")]
    elif canteen == Canteen.OWN:
        errors.update(_own_canteen_errors(budget, ratio))
    elif canteen == Canteen.SHARED:
        errors.update(_shared_canteen_errors(unit, year, host_unit))
    return errors


@transaction.atomic
def reserved_share_file(
    *,
    unit: BuyerUnit,
    year: int,
    by: User,
    canteen: str,
    canteen_food_budget: Decimal | str | None = None,
    ratio: Decimal | str | None = None,
    host_unit: BuyerUnit | None = None,
) -> ReservedShareFiling:
    """File (or change) ``unit``'s reserved share for ``year`` under 财库〔2021〕19号.

    ``canteen`` "own" needs the canteen food budget (> 0) and the reserved ratio (a fraction, at least
    RESERVED_SHARE_MIN_RATIO, at most 1); "none" files that the unit has no canteen; "shared" names
    the host unit whose canteen it shares, whose filing then covers both. Filing again for the same
    year changes the filing; each filing and change is recorded in the history. Only the unit's
    buyers, or ops allowed to change filings, may file. Bad input raises one ValidationError with a
    message per field, and nothing is saved.
    """
    if not _may_file(by, unit):
        raise PermissionDenied(_("Only the unit's own buyers file its reserved share."))
    BuyerUnit.objects.select_for_update().filter(pk=unit.pk).first()
    budget = _decimal(canteen_food_budget)
    ratio_value = _decimal(ratio)
    if canteen != Canteen.OWN:
        budget = ratio_value = None
    if canteen != Canteen.SHARED:
        host_unit = None
    errors = _filing_errors(
        unit=unit, year=year, canteen=canteen, budget=budget, ratio=ratio_value, host_unit=host_unit
    )
    if errors:
        raise ValidationError(errors)

    now = timezone.now()
    filing = ReservedShareFiling.objects.select_for_update().filter(buyer_unit=unit, year=year).first()
    action = "updated" if filing is not None else "filed"
    if filing is None:
        filing = ReservedShareFiling(buyer_unit=unit, year=year, filed_at=now)
    filing.canteen = canteen
    filing.host_unit = host_unit
    filing.canteen_food_budget = budget
    filing.ratio = ratio_value
    filing.filed_by = by
    filing.updated_at = now
    filing.save()
    ReservedShareFilingRecord.objects.create(
        filing=filing,
        action=action,
        canteen=canteen,
        host_unit=host_unit,
        canteen_food_budget=budget,
        ratio=ratio_value,
        by=by,
        at=now,
    )
    return filing
