"""Reserved share (预留份额) progress: spent from completed orders, pace, projection, the ops overview.
The filing itself is tested in tests/buyers/test_reserved_share.py."""

import datetime
from decimal import Decimal

from buyers.models import BuyerUnit, Canteen
from buyers.services import buyer_unit_set_parent, reserved_share_file
from orders.reserved_share import elapsed_fraction, overview, progress
from tests.buyers.reserved_share_world import YEAR, at, buy, file_own
from tests.factories import BuyerUnitFactory


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
