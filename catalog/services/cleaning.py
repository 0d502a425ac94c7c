"""Checks of what a supplier enters for a product and its SKUs: clean data and errors by field, no writes."""

from decimal import Decimal

from django.utils.translation import gettext as _

from catalog.models import Category, Certification, Storage
from catalog.units import PriceBasis, Unit, UnitMismatch, unit_price, units_for_basis
from core.money import CENT
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


def clean_sku(row: dict, basis: str) -> tuple[dict, dict]:
    errors: dict[str, list[str]] = {}
    clean = dict(row)
    clean["spec"] = (row.get("spec") or "").strip()
    if not clean["spec"]:
        errors["spec"] = [_("Describe the specification, e.g. 5 kg/bag.")]
    price = row.get("price")
    if price is None or price <= 0:
        errors["price"] = [_("The price must be more than ¥0.00.")]
    elif price != Decimal(price).quantize(CENT):
        errors["price"] = [_("Prices have at most two decimal places.")]
    quantity = row.get("net_quantity")
    if quantity is None or quantity <= 0:
        errors["net_quantity"] = [_("The net quantity must be more than zero.")]
    pack_count = row.get("pack_count") or 1
    if pack_count < 1:
        errors["pack_count"] = [_("A pack holds at least one piece.")]
    clean["pack_count"] = pack_count
    stock = row.get("stock") or 0
    if stock < 0:
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
        try:
            clean["unit_price"] = unit_price(
                price=price, net_quantity=quantity, unit=unit, pack_count=pack_count, basis=basis
            )
        except (UnitMismatch, ValueError):
            errors["unit"] = [_("The unit price cannot be computed from this quantity and unit.")]
    return clean, errors
