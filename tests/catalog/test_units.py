from decimal import Decimal

import pytest

from catalog.units import PriceBasis, Unit, UnitMismatch, unit_price, units_for_basis

D = Decimal


@pytest.mark.parametrize(
    "price,qty,unit,packs,basis,expected",
    [
        ("49.90", "5", Unit.KILOGRAM, 1, PriceBasis.PER_500G, "4.99"),  # 5 kg oranges: ¥4.99 per 500 g
        ("98.00", "250", Unit.GRAM, 1, PriceBasis.PER_500G, "196.00"),
        ("96.00", "100", Unit.GRAM, 3, PriceBasis.PER_500G, "160.00"),  # three 100 g bags
        ("69.00", "5", Unit.LITRE, 1, PriceBasis.PER_LITRE, "13.80"),
        ("35.00", "500", Unit.MILLILITRE, 2, PriceBasis.PER_LITRE, "35.00"),
        ("36.00", "30", Unit.PIECE, 1, PriceBasis.PER_PIECE, "1.20"),  # 30 eggs
        ("10.00", "3", Unit.KILOGRAM, 1, PriceBasis.PER_KG, "3.33"),  # rounds half up to the cent
        ("10.00", "1.5", Unit.KILOGRAM, 1, PriceBasis.PER_500G, "3.33"),
        ("0.05", "1", Unit.KILOGRAM, 1, PriceBasis.PER_500G, "0.03"),  # 0.025 rounds up
    ],
)
def test_unit_price(price, qty, unit, packs, basis, expected):
    assert unit_price(price=D(price), net_quantity=D(qty), unit=unit, pack_count=packs, basis=basis) == D(
        expected
    )


def test_units_that_do_not_fit_the_basis_are_refused():
    with pytest.raises(UnitMismatch):
        unit_price(
            price=D("10"), net_quantity=D("1"), unit=Unit.LITRE, pack_count=1, basis=PriceBasis.PER_500G
        )
    with pytest.raises(UnitMismatch):
        unit_price(price=D("10"), net_quantity=D("1"), unit=Unit.PIECE, pack_count=1, basis=PriceBasis.PER_KG)


@pytest.mark.parametrize("price,qty,packs", [("0", "1", 1), ("-1", "1", 1), ("1", "0", 1), ("1", "1", 0)])
def test_non_positive_inputs_are_refused(price, qty, packs):
    with pytest.raises(ValueError):
        unit_price(
            price=D(price), net_quantity=D(qty), unit=Unit.GRAM, pack_count=packs, basis=PriceBasis.PER_500G
        )


def test_units_for_basis():
    assert units_for_basis(PriceBasis.PER_500G) == [Unit.GRAM, Unit.KILOGRAM]
    assert units_for_basis(PriceBasis.PER_LITRE) == [Unit.MILLILITRE, Unit.LITRE]
    assert units_for_basis(PriceBasis.PER_PIECE) == [Unit.PIECE]
