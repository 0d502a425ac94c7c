"""The reserved share (预留份额): filing rules and the target (the progress: tests/orders/test_reserved_share_progress.py)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from buyers.models import BuyerUnit, Canteen, ReservedShareFiling, ReservedShareFilingRecord
from buyers.services import buyer_unit_set_parent, reserved_share_file
from tests.buyers.reserved_share_world import TZ, YEAR, at, file_own
from tests.factories import BuyerFactory, BuyerUnitFactory, OpsFactory, SupplierUserFactory


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


# --- Filing -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"canteen_food_budget": None}, "canteen_food_budget", "Enter the canteen food budget for the year."),
        (
            {"canteen_food_budget": Decimal("0")},
            "canteen_food_budget",
            "The canteen food budget must be more than zero.",
        ),
        (
            {"canteen_food_budget": Decimal("-5")},
            "canteen_food_budget",
            "The canteen food budget must be more than zero.",
        ),
        ({"ratio": None}, "ratio", "Enter the reserved ratio."),
        (
            {"ratio": Decimal("0.099")},
            "ratio",
            "The reserved ratio must be at least 10 % of the canteen food budget (财库〔2021〕19号).",
        ),
        ({"ratio": Decimal("1.5")}, "ratio", "The reserved ratio cannot be more than 100 %."),
        (
            {"canteen": "garden"},
            "canteen",
            "Choose whether the unit has its own canteen, none, or shares one.",
        ),
        ({"canteen": Canteen.SHARED}, "host_unit", "Choose the unit whose canteen you share."),
        ({"year": 2019}, "year", "File for this year or the next."),
    ],
)
def test_a_bad_filing_names_its_field_and_saves_nothing(db, changes, field, message):
    buyer = BuyerFactory()
    data = {
        "unit": buyer.buyer_unit,
        "year": YEAR,
        "by": buyer,
        "canteen": Canteen.OWN,
        "canteen_food_budget": Decimal("800000"),
        "ratio": Decimal("0.15"),
    } | changes
    with at(3), pytest.raises(ValidationError) as caught:
        reserved_share_file(**data)
    assert caught.value.message_dict[field] == [message]
    assert not ReservedShareFiling.objects.exists()
    assert not ReservedShareFilingRecord.objects.exists()


def test_sharing_with_itself_or_with_a_unit_that_shares_is_refused(db):
    buyer, host_buyer, guest_buyer = BuyerFactory(), BuyerFactory(), BuyerFactory()
    with at(3):
        reserved_share_file(
            unit=guest_buyer.buyer_unit,
            year=YEAR,
            by=guest_buyer,
            canteen=Canteen.SHARED,
            host_unit=host_buyer.buyer_unit,
        )
        with pytest.raises(ValidationError) as itself:
            reserved_share_file(
                unit=buyer.buyer_unit, year=YEAR, by=buyer, canteen=Canteen.SHARED, host_unit=buyer.buyer_unit
            )
        with pytest.raises(ValidationError) as chained:
            reserved_share_file(
                unit=buyer.buyer_unit,
                year=YEAR,
                by=buyer,
                canteen=Canteen.SHARED,
                host_unit=guest_buyer.buyer_unit,
            )
        with pytest.raises(ValidationError) as host_leaves:
            reserved_share_file(
                unit=host_buyer.buyer_unit,
                year=YEAR,
                by=host_buyer,
                canteen=Canteen.SHARED,
                host_unit=buyer.buyer_unit,
            )
    assert itself.value.message_dict["host_unit"] == [
        "A unit cannot share its own canteen; choose “own canteen”."
    ]
    assert chained.value.message_dict["host_unit"] == [
        "That unit itself shares another unit's canteen; choose the unit that runs the canteen."
    ]
    assert host_leaves.value.message_dict["canteen"] == [
        "Other units share your canteen this year, so your unit files for the canteen."
    ]
    assert list(ReservedShareFiling.objects.values_list("buyer_unit", flat=True)) == [
        guest_buyer.buyer_unit_id
    ]


def test_filing_twice_updates_the_filing_and_keeps_both_in_the_history(db):
    buyer = BuyerFactory()
    unit = buyer.buyer_unit
    with at(2):
        first = file_own(unit, buyer, budget="500000", ratio="0.10")
    with at(4):
        second = file_own(unit, buyer, budget="600000", ratio="0.15")
    assert second.pk == first.pk
    filing = ReservedShareFiling.objects.get()
    assert (filing.canteen_food_budget, filing.ratio, filing.target) == (
        Decimal("600000.00"),
        Decimal("0.150"),
        Decimal("90000.00"),
    )
    assert filing.filed_at.astimezone(TZ).date() == datetime.date(YEAR, 2, 15)
    assert list(filing.records.values_list("action", "canteen_food_budget", "ratio", "by")) == [
        ("filed", Decimal("500000.00"), Decimal("0.100"), buyer.pk),
        ("updated", Decimal("600000.00"), Decimal("0.150"), buyer.pk),
    ]


def test_only_the_units_buyers_or_ops_allowed_may_file(db):
    unit = BuyerUnitFactory()
    outsiders = [BuyerFactory(), SupplierUserFactory(), OpsFactory(teams=["content_ops"])]
    with at(3):
        for user in outsiders:
            with pytest.raises(PermissionDenied):
                file_own(unit, user)
        assert not ReservedShareFiling.objects.exists()
        filing = file_own(unit, OpsFactory(teams=["demand_management"]))
    assert filing.target == Decimal("150000.00")


def test_a_trade_union_of_a_unit_does_not_file(db):
    parent = BuyerFactory()
    union_buyer = BuyerFactory(buyer_unit=BuyerUnitFactory(kind=BuyerUnit.Kind.TRADE_UNION))
    buyer_unit_set_parent(unit=union_buyer.buyer_unit, parent=parent.buyer_unit)
    union_buyer.refresh_from_db()
    with at(3), pytest.raises(ValidationError) as caught:
        file_own(union_buyer.buyer_unit, union_buyer)
    assert caught.value.messages == [
        f"A trade union's purchases count toward {parent.buyer_unit.name}, which files for both."
    ]
    assert not ReservedShareFiling.objects.exists()


def test_only_a_trade_union_has_a_parent_unit(db):
    agency, other = BuyerUnitFactory(), BuyerUnitFactory()
    with pytest.raises(ValidationError) as caught:
        buyer_unit_set_parent(unit=agency, parent=other)
    assert caught.value.message_dict["parent_unit"] == ["Only a trade union belongs to another unit."]
    agency.refresh_from_db()
    assert agency.parent_unit is None


# --- Target, spent, pace ------------------------------------------------------------------------------


def test_target_is_budget_times_ratio_rounded_to_cents(db):
    buyer = BuyerFactory()
    with at(3):
        filing = file_own(buyer.buyer_unit, buyer, budget="1234567.89", ratio="0.155")
    assert filing.target == Decimal("191358.02")  # 191358.02295


def test_minimum_ratio_is_a_setting(db, settings):
    settings.RESERVED_SHARE_MIN_RATIO = 0.15
    buyer = BuyerFactory()
    with at(3), pytest.raises(ValidationError) as caught:
        file_own(buyer.buyer_unit, buyer, ratio="0.12")
    assert "at least 15 %" in caught.value.message_dict["ratio"][0]
