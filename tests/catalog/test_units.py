from decimal import Decimal

import pytest

from catalog.units import (
    PriceBasis,
    Unit,
    UnitMismatch,
    base_amount,
    parse_spec_quantity,
    unit_price,
    units_for_basis,
)

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


@pytest.mark.parametrize(
    "spec,expected",
    [
        ("5kg/箱", (D("5"), Unit.KILOGRAM, 1)),
        ("5 kg/bag", (D("5"), Unit.KILOGRAM, 1)),
        ("2.5公斤", (D("2.5"), Unit.KILOGRAM, 1)),
        ("2.5千克装", (D("2.5"), Unit.KILOGRAM, 1)),
        ("500g×2袋", (D("500"), Unit.GRAM, 2)),
        ("500克/袋×2袋", (D("500"), Unit.GRAM, 2)),
        ("500ml*12瓶", (D("500"), Unit.MILLILITRE, 12)),
        ("礼盒 4×250g", (D("250"), Unit.GRAM, 4)),
        ("10斤", (D("5000"), Unit.GRAM, 1)),
        ("2两", (D("100"), Unit.GRAM, 1)),
        ("1L", (D("1"), Unit.LITRE, 1)),
        ("1.8升", (D("1.8"), Unit.LITRE, 1)),
        ("750毫升", (D("750"), Unit.MILLILITRE, 1)),
        ("12枚", (D("12"), Unit.PIECE, 1)),
        ("30个/箱", (D("30"), Unit.PIECE, 1)),
        ("2只装", (D("2"), Unit.PIECE, 1)),
    ],
)
def test_parse_spec_quantity_reads_the_stated_quantity(spec, expected):
    assert parse_spec_quantity(spec) == expected


@pytest.mark.parametrize("spec", ["", "大果", "礼盒装", "5 large", "0kg", "特级 一级"])
def test_parse_spec_quantity_without_a_readable_quantity_is_none(spec):
    assert parse_spec_quantity(spec) is None


def test_base_amount_totals_in_the_base_unit():
    assert base_amount(quantity=D("2.5"), unit=Unit.KILOGRAM, pack_count=2) == ("mass", D("5000.0"))
    assert base_amount(quantity=D("500"), unit=Unit.MILLILITRE, pack_count=12) == ("volume", D("6000"))
