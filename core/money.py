"""Money: yuan amounts are Decimals with exactly two places, rounded half up as on a receipt."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def money(value: Decimal | int | str | None) -> Decimal:
    """``value`` as a yuan amount with two places (None counts as zero)."""
    return Decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_UP)


def yuan(value: Decimal | int | str | None) -> str:
    """How an amount reads on a page or in a message: ``¥23,442.50``."""
    return f"¥{money(value):,}"
