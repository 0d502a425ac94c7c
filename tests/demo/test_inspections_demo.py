"""seed_demo's spot checks: last night's sweep freezes exactly the demo listings meant to fail with a
blocking finding, and a phase, its outcomes and two reports are made through the services, once."""

import datetime
from collections import Counter

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.models import User
from catalog.models import Product, ProductStatus
from demo.catalog import MEANT_TO_FAIL
from inspections.items import item_for
from inspections.models import (
    Appeal,
    CheckEvent,
    CheckOutcome,
    CheckPhase,
    CheckState,
    ListingStanding,
    Report,
    ReportState,
    Severity,
    SpotCheck,
    SweepRun,
)

pytestmark = pytest.mark.django_db


def _snapshot():
    return (
        SweepRun.objects.count(),
        sorted(CheckPhase.objects.values_list("name", "seed")),
        sorted(SpotCheck.objects.values_list("product__name", "state")),
        CheckEvent.objects.count(),
        sorted(Report.objects.values_list("product__name", "state")),
        sorted(Product.objects.filter(frozen_at__isnull=False).values_list("name", flat=True)),
    )


def _assert_the_sweep_froze_exactly_the_blocking_failures(run: SweepRun):
    on_sale = Product.objects.filter(status=ProductStatus.ON_SALE)
    assert run.state == SweepRun.State.FINISHED
    assert run.total == on_sale.count() >= 120
    # every listing buyers could see last night was checked by this run (the home page's promise)
    assert set(ListingStanding.objects.filter(result__run=run).values_list("product_id", flat=True)) == set(
        on_sale.values_list("pk", flat=True)
    )
    frozen = set(Product.objects.filter(frozen_at__isnull=False).values_list("name", flat=True))
    assert frozen == {m.name for m in MEANT_TO_FAIL if m.frozen} == {"巴东玉露 明前一级", "罗田土蜂蜜 成熟蜜"}
    # the items' severities decide, and agree with what the demo says of each listing
    for meant in MEANT_TO_FAIL:
        standing = ListingStanding.objects.get(product__name=meant.name)
        severities = {item_for(code).severity for code in standing.codes}
        assert (Severity.BLOCKING in severities) is meant.frozen, meant.name
        assert standing.frozen_by_sweep is meant.frozen
    assert not Product.objects.filter(is_visible=True, frozen_at__isnull=False).exists()


def _assert_the_phase_and_its_outcomes():
    phase = CheckPhase.objects.get()
    today = timezone.localdate()
    assert (phase.state, phase.budget, phase.starts_on) == ("open", 12, today - datetime.timedelta(days=1))
    assert phase.seed is not None and phase.checks.exists()
    checks = SpotCheck.objects.select_related("product")
    states = Counter((c.state, c.outcome) for c in checks if c.state != CheckState.ASSIGNED)
    assert states == {
        (CheckState.CLOSED, CheckOutcome.PASS): 2,
        (CheckState.RECTIFYING, CheckOutcome.RECTIFY): 1,
        (CheckState.RESPONDED, CheckOutcome.RECTIFY): 1,
        (CheckState.APPEALED, CheckOutcome.FREEZE): 1,
    }
    rectifying = checks.get(state=CheckState.RECTIFYING)
    assert rectifying.product.name == "巴东玉露 明前一级"
    assert rectifying.deadline == today + datetime.timedelta(days=7)
    assert rectifying.rectifications.get().responded_at is None
    assert checks.get(state=CheckState.RESPONDED).product.name == "秭归脐橙 家庭装"
    appeal = Appeal.objects.select_related("check_ref__product").get()
    assert (appeal.check_ref.product.name, appeal.decision, appeal.decided_by) == (
        "罗田土蜂蜜 成熟蜜",
        "",
        None,
    )
    passed = [c for c in checks if c.outcome == CheckOutcome.PASS]
    assert all(ListingStanding.objects.get(product=c.product).codes == [] for c in passed)
    # every decision was the assigned reviewer's, with evidence
    for check in checks.exclude(state=CheckState.ASSIGNED):
        assert (
            check.events.filter(action__in=["pass", "rectify", "sanction"]).get().actor_id
            == check.reviewer_id
        )
        assert check.evidence.filter(by_supplier=False).exists()
    assert User.objects.filter(pk__in=checks.values("reviewer")).count() == 2


def _assert_the_reports():
    confirmed = Report.objects.get(reporter__username="buyer")
    assert (confirmed.state, confirmed.product.name) == (ReportState.CONFIRMED, "秭归血橙 精品礼盒")
    targeted = SpotCheck.objects.get(report=confirmed)
    assert (targeted.kind, targeted.state) == (SpotCheck.Kind.TARGETED, CheckState.ASSIGNED)
    anonymous = Report.objects.get(reporter__isnull=True)
    assert (anonymous.state, anonymous.product.name) == (ReportState.NEW, "秭归脐橙 家庭装")


def test_seed_demo_sweeps_opens_a_phase_records_outcomes_and_reports_once(client):
    call_command("seed_demo", "--orders-months", "0")

    _assert_the_sweep_froze_exactly_the_blocking_failures(SweepRun.objects.get())
    _assert_the_phase_and_its_outcomes()
    _assert_the_reports()
    # the `supplier` account reads why its listing is frozen on its portal page
    tin = Product.objects.get(name="巴东玉露 明前一级")
    client.force_login(User.objects.get(username="supplier"))
    page = client.get(reverse("catalog:my_product", args=[tin.pk])).content.decode()
    assert 'data-testid="standing-frozen-reason"' in page
    assert escape(tin.frozen_reason) in page and "250" in tin.frozen_reason

    first = _snapshot()
    call_command("seed_demo", "--orders-months", "0")
    assert _snapshot() == first
