"""The reserved share's test world: the year, the clock, a filing with an own canteen, an order taken
to a status. Shared by the filing tests (tests/buyers) and the progress tests (tests/orders)."""

import datetime
from decimal import Decimal

import time_machine

from buyers.models import Canteen
from buyers.services import reserved_share_file
from tests.orders.conftest import advance, completed

YEAR = 2026
TZ = datetime.timezone(datetime.timedelta(hours=8))


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
