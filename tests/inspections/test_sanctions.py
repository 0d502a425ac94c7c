"""The sanction ladder: the pure rule per rung, and what each rung does through the services."""

import datetime

import pytest
from django.utils import timezone, translation

from catalog.models import Product, ProductStatus
from inspections import sanctions
from inspections.models import CheckOutcome, Sanction, SanctionStep, SpotCheck
from inspections.services import check_appeals
from inspections.services.checks import checks_watch_deadlines
from inspections.workflow import CheckAction
from suppliers.models import CreditEntry, Supplier, SupplierStatus
from tests.inspections.check_world import FINDING, CheckWorld


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("previous", "step", "number", "points"),
    [
        (0, SanctionStep.FREEZE, 1, 0),
        (1, SanctionStep.DELIST, 2, 0),
        (2, SanctionStep.POINTS, 3, 12),
        (3, SanctionStep.SUSPEND, 4, 0),
        (4, SanctionStep.EXIT, 5, 0),
        (5, SanctionStep.EXIT, 5, 0),
        (40, SanctionStep.EXIT, 5, 0),
    ],
)
def test_each_rung_of_the_ladder(settings, previous, step, number, points):
    settings.INSPECTIONS = {**settings.INSPECTIONS, "PENALTY_POINTS": 12}

    rung = sanctions.next_sanction(previous)

    assert (rung.step, rung.number, rung.points) == (step, number, points)


def test_the_ladder_refuses_a_negative_count():
    with pytest.raises(ValueError):
        sanctions.next_sanction(-1)


def test_each_rung_has_its_outcome():
    assert [sanctions.next_sanction(n).outcome for n in range(5)] == [
        CheckOutcome.FREEZE,
        CheckOutcome.DELIST,
        CheckOutcome.POINTS,
        CheckOutcome.SUSPEND,
        CheckOutcome.EXIT,
    ]


# --- Through the services ------------------------------------------------------------------------


@pytest.fixture
def world(listings) -> CheckWorld:
    return CheckWorld(listings)


def _violation(world, name_or_product):
    product = name_or_product
    if isinstance(name_or_product, str):
        product = world.listings.on_sale(name=name_or_product)
    check = world.check(product)
    world.sanction(check)
    check.refresh_from_db()
    return check


def _supplier(world) -> Supplier:
    return Supplier.objects.get(pk=world.supplier.pk)


@pytest.mark.django_db
def test_repeat_violations_climb_the_ladder(world, settings):
    settings.INSPECTIONS = {**settings.INSPECTIONS, "PENALTY_POINTS": 10, "APPEAL_DAYS": 7}
    score = _supplier(world).credit_score
    # Made before the suspension: a suspended supplier lists nothing new.
    products = [world.listings.on_sale(name=name) for name in ("一", "二", "三", "四", "五")]

    first = _violation(world, products[0])
    product = Product.objects.get(pk=first.product_id)
    assert (first.outcome, product.frozen_reason, product.is_visible) == (CheckOutcome.FREEZE, FINDING, False)
    note = world.notes(world.user)[-1]
    assert note.subject == f"Violation confirmed: {product.name}"
    assert "Sanction: Listing frozen." in note.body and note.link == f"/supplier/checks/{first.pk}/"

    second = _violation(world, products[1])
    product = Product.objects.get(pk=second.product_id)
    # Delisting waits for the sanction to be final; meanwhile the listing is frozen.
    assert (second.outcome, product.status, product.is_visible) == (
        CheckOutcome.DELIST,
        ProductStatus.ON_SALE,
        False,
    )

    third = _violation(world, products[2])
    assert (third.outcome, third.penalty_points) == (CheckOutcome.POINTS, 10)
    entry = CreditEntry.objects.get(supplier=world.supplier)
    assert (entry.delta, entry.source, entry.actor) == (-10, "spot_check", world.reviewer)
    assert _supplier(world).credit_score == score - 10

    fourth = _violation(world, products[3])
    assert fourth.outcome == CheckOutcome.SUSPEND
    assert _supplier(world).status == SupplierStatus.SUSPENDED

    fifth = _violation(world, products[4])
    assert fifth.outcome == CheckOutcome.EXIT
    assert _supplier(world).status == SupplierStatus.SUSPENDED  # exit waits for the sanction to be final

    assert list(Sanction.objects.order_by("id").values_list("step", "points", "by")) == [
        ("freeze", 0, world.reviewer.pk),
        ("delist", 0, world.reviewer.pk),
        ("points", 10, world.reviewer.pk),
        ("suspend", 0, world.reviewer.pk),
        ("exit", 0, world.reviewer.pk),
    ]

    SpotCheck.objects.update(decided_at=timezone.now() - datetime.timedelta(days=8))
    assert checks_watch_deadlines().finalized == 5
    assert Product.objects.get(pk=second.product_id).status == ProductStatus.DELISTED
    assert _supplier(world).status == SupplierStatus.TERMINATED


@pytest.mark.django_db
def test_violations_outside_the_window_or_revoked_do_not_count(world, settings):
    settings.INSPECTIONS = {**settings.INSPECTIONS, "SANCTION_WINDOW_DAYS": 365}
    old = _violation(world, "旧")
    Sanction.objects.filter(check_ref=old).update(created_at=timezone.now() - datetime.timedelta(days=366))
    revoked = _violation(world, "撤销")
    assert revoked.outcome == CheckOutcome.FREEZE
    check_appeals.check_appeal(check=revoked, by=world.user, reason="有误")
    check_appeals.appeal_decide(check=revoked, by=world.second, action=CheckAction.OVERTURN, note="撤销")

    latest = _violation(world, "新")

    assert latest.outcome == CheckOutcome.FREEZE
    assert sanctions.confirmed_violations(supplier_id=world.supplier.pk) == 1


@pytest.mark.django_db
def test_overturning_a_suspension_reinstates_the_supplier(world):
    for name in ("一", "二", "三"):
        _violation(world, name)
    fourth = _violation(world, "四")
    assert _supplier(world).status == SupplierStatus.SUSPENDED
    check_appeals.check_appeal(check=fourth, by=world.user, reason="有误")

    check_appeals.appeal_decide(check=fourth, by=world.second, action=CheckAction.OVERTURN, note="撤销")

    assert _supplier(world).status == SupplierStatus.ACTIVE
