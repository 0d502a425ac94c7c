"""Units and the one function that turns a SKU's price into a comparable unit price.

Every part of Fengshou that shows, filters, sorts or judges a unit price calls ``unit_price``.
"""

import re
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


# --- Reading the quantity a specification text states ("5kg/箱", "500g×2袋", "10斤") -------------------

# word -> (unit, how many of that unit one of the word is)
SPEC_UNITS: dict[str, tuple[str, Decimal]] = {
    "公斤": (Unit.KILOGRAM, Decimal(1)),
    "千克": (Unit.KILOGRAM, Decimal(1)),
    "kg": (Unit.KILOGRAM, Decimal(1)),
    "克": (Unit.GRAM, Decimal(1)),
    "g": (Unit.GRAM, Decimal(1)),
    "斤": (Unit.GRAM, Decimal(500)),  # 市斤
    "两": (Unit.GRAM, Decimal(50)),
    "毫升": (Unit.MILLILITRE, Decimal(1)),
    "ml": (Unit.MILLILITRE, Decimal(1)),
    "升": (Unit.LITRE, Decimal(1)),
    "l": (Unit.LITRE, Decimal(1)),
    "个": (Unit.PIECE, Decimal(1)),
    "枚": (Unit.PIECE, Decimal(1)),
    "只": (Unit.PIECE, Decimal(1)),
    "pcs": (Unit.PIECE, Decimal(1)),
    "pieces": (Unit.PIECE, Decimal(1)),
    "piece": (Unit.PIECE, Decimal(1)),
}
_WORDS = "|".join(sorted((re.escape(w) for w in SPEC_UNITS), key=len, reverse=True))
# A number, then a unit word; Latin unit words must not run on into another word ("5 large").
_QUANTITY = re.compile(rf"(\d+(?:\.\d+)?)\s*({_WORDS})(?![a-z])", re.IGNORECASE)
# After the quantity: "×2", "x 2袋", "*12瓶", "/袋×2袋" (a short package word may come between).
_PACKS = re.compile(r"\s*(?:/\s*[^\d×xX*/\s]{1,3}\s*)?[×xX*]\s*(\d{1,4})(?!\d|\.\d)")
# Before it: "2×500g", "2袋 × 500g".
_PACKS_BEFORE = re.compile(r"(?<![\d.])(\d{1,4})\s*[^\d×xX*\s]{0,2}\s*[×xX*]\s*$")


def _stated(text: str, match: re.Match) -> tuple[Decimal, str, int] | None:
    number, word = Decimal(match.group(1)), match.group(2).lower()
    unit, factor = SPEC_UNITS[word]
    if number <= 0:
        return None
    packs = 1
    pack_match = _PACKS.match(text, match.end()) or _PACKS_BEFORE.search(text, 0, match.start())
    if pack_match is not None:
        packs = int(pack_match.group(1))
        if packs <= 0:
            return None
    return number * factor, unit, packs


def parse_spec_quantities(spec: str) -> list[tuple[Decimal, str, int]]:
    """Every quantity a specification text states, in order: "带箱10斤（净重4.5kg）" states the gross
    10 斤 and the net 4.5 kg, "12枚装（约1.5kg）" a count and a weight."""
    text = (spec or "").strip()
    return [q for q in (_stated(text, m) for m in _QUANTITY.finditer(text)) if q is not None]


def parse_spec_quantity(spec: str) -> tuple[Decimal, str, int] | None:
    """The quantity a SKU's specification text states: (quantity, Unit, pack count), e.g.
    "500g×2袋" -> (500, "g", 2), "10斤" -> (5000, "g", 1), "12枚/盒" -> (12, "piece", 1).

    The first quantity in the text counts. None when the text states no quantity this can read."""
    text = (spec or "").strip()
    match = _QUANTITY.search(text)
    return None if match is None else _stated(text, match)


def base_amount(*, quantity: Decimal, unit: str, pack_count: int) -> tuple[str, Decimal]:
    """(dimension, total in grams, millilitres or pieces) of ``pack_count`` × ``quantity`` ``unit``."""
    dimension, size = UNIT_SIZE[unit]
    return dimension, Decimal(quantity) * size * pack_count
