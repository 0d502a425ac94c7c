"""A specification text that states several figures (gross and net, a count and a weight) agrees with
its SKU when one of them does: the demo's "带箱10斤（净重4.5kg）" is not a contradiction."""

from decimal import Decimal

import pytest

from catalog.units import parse_spec_quantities, parse_spec_quantity
from inspections import items
from tests.inspections.sweep_helpers import facts_for


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("带箱10斤（净重4.5kg）", [(Decimal(5000), "g", 1), (Decimal("4.5"), "kg", 1)]),
        ("12枚装（约1.5kg）", [(Decimal(12), "piece", 1), (Decimal("1.5"), "kg", 1)]),
        ("500g×2袋", [(Decimal(500), "g", 2)]),
        ("大果", []),
    ],
)
def test_every_figure_of_a_spec_text_is_read(spec, expected):
    assert parse_spec_quantities(spec) == expected
    assert parse_spec_quantity(spec) == (expected[0] if expected else None)


def test_a_spec_agrees_when_one_of_its_figures_does(listings):
    product = listings.on_sale(
        skus=[
            listings.sku("带箱10斤（净重4.5kg）", "4.5", "kg"),
            listings.sku("12枚装（约3kg）", "3", "kg", price="39.90"),
            listings.sku("带箱10斤（净重4.5kg）", "4", "kg", price="35.90"),
        ]
    )

    [finding] = items.check_spec_quantity(facts_for(product))

    assert finding.code == "listing.spec_quantity_mismatch"
    assert finding.evidence["sku"] == product.skus.get(net_quantity=Decimal(4)).pk
    assert (finding.evidence["stated_quantity"], finding.evidence["stated_unit"]) == ("5000", "g")
