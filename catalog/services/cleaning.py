"""Checks of what a supplier enters for a product and its SKUs: clean data and errors by field, no writes."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from catalog.models import Category, Certification, Storage
from catalog.units import PriceBasis, Unit, UnitMismatch, unit_price, units_for_basis
from core.money import CENT
from core.numbers import INT32_MAX, decimal_limit, fits_decimal, parse_int
from regions.models import County
from suppliers.models import Supplier

CONTENT_FIELDS = (
    "category",
    "name",
    "brand",
    "origin_county",
    "description",
    "shelf_life_days",
    "storage",
    "certifications",
)
SKU_FIELDS = ("spec", "net_quantity", "unit", "pack_count", "price", "stock", "weight_grams")
# (max_digits, decimal_places) of the Sku columns a supplier types numbers into, and its integer columns
SKU_DECIMAL_COLUMNS = {"price": (10, 2), "net_quantity": (10, 3)}
SKU_INTEGER_COLUMNS = ("pack_count", "stock", "weight_grams")


def clean_content(data: dict, supplier: Supplier) -> tuple[dict, dict]:
    """Check the product's own fields; returns (clean data, errors by field)."""
    errors: dict[str, list[str]] = {}
    clean = dict(data)
    category = data.get("category")
    if not isinstance(category, Category) or not category.is_active:
        errors["category"] = [_("Choose a category.")]
    elif category.children.exists():
        errors["category"] = [_("Choose the most specific category (a leaf of the tree).")]
    name = (data.get("name") or "").strip()
    if not name:
        errors["name"] = [_("Enter the product name.")]
    clean["name"] = name
    county = data.get("origin_county") or supplier.county
    if not isinstance(county, County) or not county.is_eligible:
        errors["origin_county"] = [_("The origin must be an eligible county.")]
    clean["origin_county"] = county
    certifications = sorted(set(data.get("certifications") or []))
    if set(certifications) - set(Certification.values):
        errors["certifications"] = [_("Unknown certification.")]
    clean["certifications"] = certifications
    if data.get("storage") and data["storage"] not in Storage.values:
        errors["storage"] = [_("Choose a storage condition.")]
    shelf = data.get("shelf_life_days")
    if shelf is not None and shelf <= 0:
        errors["shelf_life_days"] = [_("The shelf life must be at least one day.")]
    return clean, errors


def _column_errors(row: dict) -> dict[str, list[str]]:
    """The SKU's numbers its columns cannot hold (core.numbers), found before any arithmetic on them:
    whatever sent them (form, API, service call), the database is never handed one."""
    errors: dict[str, list[str]] = {}
    for field, (digits, places) in SKU_DECIMAL_COLUMNS.items():
        value = row.get(field)
        if value is not None and not fits_decimal(value, max_digits=digits, decimal_places=places):
            limit = decimal_limit(max_digits=digits, decimal_places=places)
            errors[field] = [_("Enter a number no more than %(limit)s.") % {"limit": limit}]
    for field in SKU_INTEGER_COLUMNS:
        value = row.get(field)
        if value is not None:
            try:
                parse_int(value, min_value=None, max_value=INT32_MAX)
            except ValidationError as exc:
                errors[field] = exc.messages
    return errors


def clean_sku(row: dict, basis: str) -> tuple[dict, dict]:
    errors = _column_errors(row)
    clean = dict(row)
    clean["spec"] = (row.get("spec") or "").strip()
    if not clean["spec"]:
        errors["spec"] = [_("Describe the specification, e.g. 5 kg/bag.")]
    price = row.get("price")
    if "price" in errors:
        pass
    elif price is None or price <= 0:
        errors["price"] = [_("The price must be more than ¥0.00.")]
    elif price != Decimal(price).quantize(CENT):
        errors["price"] = [_("Prices have at most two decimal places.")]
    quantity = row.get("net_quantity")
    if "net_quantity" not in errors and (quantity is None or quantity <= 0):
        errors["net_quantity"] = [_("The net quantity must be more than zero.")]
    pack_count = row.get("pack_count") or 1
    if "pack_count" not in errors and pack_count < 1:
        errors["pack_count"] = [_("A pack holds at least one piece.")]
    clean["pack_count"] = pack_count
    stock = row.get("stock") or 0
    if "stock" not in errors and stock < 0:
        errors["stock"] = [_("Stock cannot be below zero.")]
    clean["stock"] = stock
    unit = row.get("unit")
    if unit not in Unit.values:
        errors["unit"] = [_("Choose a unit.")]
    elif unit not in units_for_basis(basis):
        allowed = "、".join(str(Unit(u).label) for u in units_for_basis(basis))
        errors["unit"] = [
            _("This category compares prices %(basis)s: use %(units)s.")
            % {"basis": PriceBasis(basis).label, "units": allowed}
        ]
    if not errors:
        _price_per_unit(clean, errors, basis)
    return clean, errors


def _price_per_unit(clean: dict, errors: dict[str, list[str]], basis: str) -> None:
    """Set the checked SKU's unit price, or say why it has none (one its column cannot hold included)."""
    try:
        clean["unit_price"] = unit_price(
            price=clean["price"],
            net_quantity=clean["net_quantity"],
            unit=clean["unit"],
            pack_count=clean["pack_count"],
            basis=basis,
        )
    except (UnitMismatch, ValueError):
        errors["unit"] = [_("The unit price cannot be computed from this quantity and unit.")]
        return
    if not unit_price_fits(clean["unit_price"]):
        errors["price"] = [unit_price_too_large()]


def unit_price_fits(value: Decimal) -> bool:
    """Whether a computed unit price fits its column (Sku.unit_price: 12 digits, 2 places)."""
    return fits_decimal(value, max_digits=12, decimal_places=2)


def unit_price_too_large() -> str:
    limit = decimal_limit(max_digits=12, decimal_places=2)
    return _(
        "For this quantity the unit price would be above ¥%(limit)s: check the price and the net quantity."
    ) % {"limit": f"{limit:,}"}
