"""The reserved share (预留份额): filing rules, target and spent arithmetic, pace, the ops overview."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from buyers.models import BuyerUnit, Canteen, ReservedShareFiling, ReservedShareFilingRecord
from buyers.services import buyer_unit_set_parent, reserved_share_file
from orders.reserved_share import elapsed_fraction, overview, progress
from tests.factories import BuyerFactory, BuyerUnitFactory, OpsFactory, SupplierUserFactory
from tests.orders.conftest import Shop, advance, completed

YEAR = 2026
TZ = datetime.timezone(datetime.timedelta(hours=8))


@pytest.fixture
def shop(db):
    return Shop()


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def at(month: int, day: int = 15, year: int = YEAR):
    return time_machine.travel(datetime.datetime(year, month, day, 10, 0, tzinfo=TZ), tick=False)


def file_own(unit, by, budget="1000000.00", ratio="0.150", year=YEAR):
    return reserved_share_file(
        unit=unit,
        year=year,
        by=by,
        canteen=Canteen.OWN,
        canteen_food_budget=Decimal(budget),
        ratio=Decimal(ratio),
    )


def buy(shop, buyer, total: str, month: int, *, status="completed", year=YEAR):
    """An order of ``total`` yuan placed by ``buyer`` on the 15th of ``month``, taken to ``status``."""
    with at(month, year=year):
        order = shop.order(buyer, quantity=1, price=total)
        if status == "completed":
            return completed(shop, order)
        if status == "placed":
            return order
        return advance(shop, order, status)


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


def test_spent_counts_completed_orders_of_the_year_by_the_unit_its_union_and_canteen_guests(shop):
    main = shop.buyer()
    union = shop.buyer(buyer_unit=BuyerUnitFactory(kind=BuyerUnit.Kind.TRADE_UNION))
    buyer_unit_set_parent(unit=union.buyer_unit, parent=main.buyer_unit)
    union.buyer_unit.refresh_from_db()
    guest, stranger = shop.buyer(), shop.buyer()
    with at(1, 5):
        file_own(main.buyer_unit, main, budget="100000", ratio="0.15")  # target 15,000
        reserved_share_file(
            unit=guest.buyer_unit, year=YEAR, by=guest, canteen=Canteen.SHARED, host_unit=main.buyer_unit
        )
    buy(shop, main, "1000.00", 1)
    buy(shop, main, "250.50", 3)
    buy(shop, union, "300.25", 3)
    buy(shop, guest, "99.99", 5)
    # not counted: unfinished or cancelled orders, last year's, another unit's
    buy(shop, main, "7000.00", 5, status="received")
    buy(shop, main, "8000.00", 5, status="placed")
    buy(shop, main, "5000.00", 12, year=YEAR - 1)
    buy(shop, stranger, "4000.00", 4)

    for viewer in (main, union, guest):
        result = progress(viewer.buyer_unit, YEAR, today=datetime.date(YEAR, 6, 30))
        assert result.unit == main.buyer_unit
        assert result.target == Decimal("15000.00")
        assert result.spent == Decimal("1650.74")
        assert (
            result.monthly
            == [Decimal(x) for x in ("1000.00", "0", "550.75", "0", "99.99")] + [Decimal(0)] * 7
        )
        assert {u.pk for u in result.members} == {union.buyer_unit_id, guest.buyer_unit_id}
    assert result.percentage == Decimal("11.0")
    stranger_view = progress(stranger.buyer_unit, YEAR, today=datetime.date(YEAR, 6, 30))
    assert (stranger_view.spent, stranger_view.target) == (Decimal("4000.00"), None)


def test_projection_and_pace_on_given_dates(shop):
    buyer = shop.buyer()
    with at(1, 2):
        file_own(buyer.buyer_unit, buyer, budget="100000", ratio="0.10")  # target 10,000
    buy(
        shop,
        buyer,
        "1000.00",
        1,
    )
    buy(shop, buyer, "1000.00", 2)
    # 31 March 2026: 90 of 365 days gone
    march = progress(buyer.buyer_unit, YEAR, today=datetime.date(YEAR, 3, 31))
    assert march.elapsed == Decimal(90) / Decimal(365)
    assert march.spent == Decimal("2000.00")
    assert march.expected == Decimal("2465.75")
    assert march.on_pace is False
    assert march.projection == Decimal("8111.11")  # 2000 × 365 / 90
    assert march.projected_percentage == Decimal("81.1")
    # 31 January: 31 days gone, 2000 spent already > 849.32 expected
    assert progress(buyer.buyer_unit, YEAR, today=datetime.date(YEAR, 1, 31)).on_pace is True
    # the year is over: the projection is what was spent
    over = progress(buyer.buyer_unit, YEAR, today=datetime.date(YEAR + 1, 2, 1))
    assert (over.elapsed, over.projection, over.on_pace) == (1, Decimal("2000.00"), False)
    # before the year: nothing to project
    assert progress(buyer.buyer_unit, YEAR, today=datetime.date(YEAR - 1, 12, 31)).projection is None


def test_elapsed_fraction_counts_today_and_leap_years():
    assert elapsed_fraction(2028, datetime.date(2028, 12, 31)) == 1
    assert elapsed_fraction(2028, datetime.date(2028, 1, 1)) == Decimal(1) / Decimal(366)
    assert elapsed_fraction(2026, datetime.date(2026, 7, 2)) == Decimal(183) / Decimal(365)


# --- Ops overview --------------------------------------------------------------------------------------


def _overview_world(shop):
    hubei = shop.buyer()  # Hubei, agency, on pace
    behind = shop.buyer(buyer_unit=BuyerUnitFactory(kind=BuyerUnit.Kind.PUBLIC_INSTITUTION))
    not_filed = shop.buyer()
    no_canteen = shop.buyer()
    with at(1, 5):
        file_own(hubei.buyer_unit, hubei, budget="20000", ratio="0.10")  # 2,000
        file_own(behind.buyer_unit, behind, budget="100000", ratio="0.15")  # 15,000
        reserved_share_file(unit=no_canteen.buyer_unit, year=YEAR, by=no_canteen, canteen=Canteen.NONE)
    buy(shop, hubei, "1500.00", 2)
    buy(shop, behind, "500.00", 2)
    buy(shop, not_filed, "300.00", 2)
    return hubei, behind, not_filed, no_canteen


def test_ops_overview_numbers(shop):
    _hubei, behind, not_filed, no_canteen = _overview_world(shop)
    data = overview(YEAR, today=datetime.date(YEAR, 6, 30))
    assert [(g.label, g.units, g.target, g.spent, g.percentage) for g in data.by_province] == [
        ("湖北省", 2, Decimal("17000.00"), Decimal("2000.00"), Decimal("11.8"))
    ]
    assert sorted((g.label, g.target, g.spent, g.percentage) for g in data.by_kind) == [
        ("Government agency (机关)", Decimal("2000.00"), Decimal("1500.00"), Decimal("75.0")),
        ("Public institution (事业单位)", Decimal("15000.00"), Decimal("500.00"), Decimal("3.3")),
    ]
    assert [(r.unit, r.spent) for r in data.not_filed] == [(not_filed.buyer_unit, Decimal("300.00"))]
    assert [r.unit for r in data.behind_pace] == [behind.buyer_unit]
    assert data.deadline == datetime.date(YEAR, 3, 31)
    assert data.deadline_passed is True
    assert overview(YEAR, today=datetime.date(YEAR, 3, 31)).deadline_passed is False
    row = next(r for r in data.rows if r.unit == no_canteen.buyer_unit)
    assert (row.target, row.on_pace) == (None, None)


def test_ops_overview_runs_a_constant_number_of_queries(shop, django_assert_num_queries):
    _overview_world(shop)
    with django_assert_num_queries(3):
        overview(YEAR, today=datetime.date(YEAR, 6, 30))
    _overview_world(shop)
    with django_assert_num_queries(3):
        data = overview(YEAR, today=datetime.date(YEAR, 6, 30))
    assert len(data.not_filed) == 2


def test_filing_deadline_is_a_setting(db, settings):
    settings.RESERVED_SHARE_FILING_DEADLINE = "06-30"
    assert overview(YEAR, today=datetime.date(YEAR, 6, 30)).deadline_passed is False
    assert overview(YEAR, today=datetime.date(YEAR, 7, 1)).deadline_passed is True


def test_minimum_ratio_is_a_setting(db, settings):
    settings.RESERVED_SHARE_MIN_RATIO = 0.15
    buyer = BuyerFactory()
    with at(3), pytest.raises(ValidationError) as caught:
        file_own(buyer.buyer_unit, buyer, ratio="0.12")
    assert "at least 15 %" in caught.value.message_dict["ratio"][0]
