"""Units and the one function that turns a SKU's price into a comparable unit price.

Every part of Fengshou that shows, filters, sorts or judges a unit price calls ``unit_price``.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.money import CENT


class Unit(models.TextChoices):
    GRAM = "g", _("g")
    KILOGRAM = "kg", _("kg")
    MILLILITRE = "ml", _("ml")
    LITRE = "L", _("L")
    PIECE = "piece", _("piece(s)")


class PriceBasis(models.TextChoices):
    PER_500G = "500g", _("¥/500 g")
    PER_KG = "kg", _("¥/kg")
    PER_LITRE = "L", _("¥/L")
    PER_PIECE = "piece", _("¥/piece")


# What follows a unit price on a page: "¥4.99" + "/500 g".
UNIT_SUFFIX = {
    PriceBasis.PER_500G: _("/500 g"),
    PriceBasis.PER_KG: _("/kg"),
    PriceBasis.PER_LITRE: _("/L"),
    PriceBasis.PER_PIECE: _("/piece"),
}

MASS, VOLUME, COUNT = "mass", "volume", "count"
# unit -> (dimension, amount of the base unit: grams, millilitres or pieces)
UNIT_SIZE: dict[str, tuple[str, Decimal]] = {
    Unit.GRAM: (MASS, Decimal(1)),
    Unit.KILOGRAM: (MASS, Decimal(1000)),
    Unit.MILLILITRE: (VOLUME, Decimal(1)),
    Unit.LITRE: (VOLUME, Decimal(1000)),
    Unit.PIECE: (COUNT, Decimal(1)),
}
BASIS_SIZE: dict[str, tuple[str, Decimal]] = {
    PriceBasis.PER_500G: (MASS, Decimal(500)),
    PriceBasis.PER_KG: (MASS, Decimal(1000)),
    PriceBasis.PER_LITRE: (VOLUME, Decimal(1000)),
    PriceBasis.PER_PIECE: (COUNT, Decimal(1)),
}


class UnitMismatch(ValueError):
    """The SKU's unit cannot be expressed in the category's price basis (e.g. litres as ¥/500 g)."""


def units_for_basis(basis: str) -> list[str]:
    dimension = BASIS_SIZE[basis][0]
    return [unit for unit, (dim, _size) in UNIT_SIZE.items() if dim == dimension]


def unit_price(*, price: Decimal, net_quantity: Decimal, unit: str, pack_count: int, basis: str) -> Decimal:
    """The price per ``basis`` (e.g. ¥ per 500 g) of a SKU holding ``pack_count`` × ``net_quantity`` ``unit``.

    Rounded half-up to the cent. Raises UnitMismatch when the unit does not fit the basis and
    ValueError for a non-positive price, quantity or pack count.
    """
    if price <= 0 or net_quantity <= 0 or pack_count <= 0:
        raise ValueError("price, net quantity and pack count must be positive")
    try:
        dimension, size = UNIT_SIZE[unit]
        basis_dimension, basis_size = BASIS_SIZE[basis]
    except KeyError as exc:
        raise UnitMismatch(f"unknown unit or basis: {exc}") from exc
    if dimension != basis_dimension:
        raise UnitMismatch(f"{unit} cannot be priced {basis}")
    total = Decimal(net_quantity) * size * pack_count
    return (Decimal(price) * basis_size / total).quantize(CENT, rounding=ROUND_HALF_UP)
