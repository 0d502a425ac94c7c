"""A spot check (滚动核查) from the phase to the closed re-check, in a real browser.

Internal control creates a phase through its form and opens it from the phase page; the sample is drawn
with a seed the page does not let a person type, so the test reads the logged seed from the page and
draws again through ``inspections.sampling`` over the same frame: the checks made, the page's counts by
stratum and the reviewer's queue are exactly that draw. The drawn reviewer ticks the items examined,
writes the finding, attaches a photo and asks for a rectification within a week; the supplier answers in
its portal with what it changed and a file; the reviewer records "re-check passed" and the check closes
with the outcome pass, on both sides.

The world is made through the services: one supplier with four oranges (one stratum) and one kiwi (a
stratum of its own, so the budget of 2 gives it π = 1 and the sample is never empty), all approved by
reviewer A; A and B are the only internal-control staff, so every drawn check must go to B. Elements are
found by id, name, data-testid and data attributes; visible text is only checked for data the test typed
and for numbers, so the test holds in either language."""

import datetime
import random
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from accounts.models import User
from catalog.models import Product
from inspections import sampling
from inspections.models import CheckOutcome, CheckPhase, CheckState, PhaseState, SpotCheck
from inspections.selectors import phases as phase_selectors
from tests.browser.journeys import log_in, log_out
from tests.catalog.conftest import Listings
from tests.factories import OpsFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots")
WIDTHS = (1366, 390)
PHASE_NAME = "2026 第二期 浏览器核查"
FINDING = "规格标注5kg/箱，实测净含量4.6kg，详情页与实物不符。"
ANSWER = "已按实测重新标注规格为4.5kg/箱，并补充了称重照片。"
RECHECK_NOTE = "复核称重4.52kg，规格已更正。"
ITEMS = ("listing", "price")  # in the form's order (ReviewItem)


def _png(path: Path, colour) -> str:
    Image.new("RGB", (800, 600), colour).save(path, "PNG")
    return str(path)


def _shots(page, name: str) -> None:
    """The page at a laptop's width and a phone's, full length (for a person to look at)."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"{name}_{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


@dataclass
class World:
    listings: Listings
    approver: User  # reviewer A: approved every listing, creates and opens the phase
    reviewer: User  # reviewer B: the only one who may be drawn
    oranges: list[Product]
    kiwi: Product


def _world() -> World:
    """The listings, both reviewers (A approved every listing) and the supplier's user."""
    approver = OpsFactory(teams=["internal_control", "content_ops"], first_name="内控甲")
    listings = Listings()
    listings.ops = approver  # Listings.on_sale approves with its ops user
    oranges = [listings.on_sale(name=f"秭归脐橙 {n}号园", skus=[listings.sku()]) for n in range(1, 5)]
    kiwi = listings.on_sale(
        slug="kiwi", name="苍溪红心猕猴桃", skus=[listings.sku(spec="3kg/箱", qty="3", price="59.00")]
    )
    # The onboarding's internal-control reviewer leaves: A and B are the only eligible staff.
    User.objects.filter(groups__name="internal_control").exclude(pk=approver.pk).update(is_active=False)
    reviewer = OpsFactory(teams=["internal_control"], first_name="内控乙")
    return World(listings, approver, reviewer, oranges, kiwi)


def _units(phase: CheckPhase) -> list[sampling.Unit]:
    return [
        sampling.Unit(f.product_id, f.stratum, sampling.risk_score(f.factors))
        for f in phase_selectors.frame(phase)
    ]


def _redraw(units, phase: CheckPhase, seed: int) -> tuple[list[sampling.Drawn], dict[int, int | None]]:
    """The sample and its reviewers, drawn again from the seed the page shows (as phase_open does)."""
    rng = random.Random(seed)
    drawn = sampling.draw(units, phase.budget, phase.floor_probability, rng)
    keys = [d.key for d in drawn]
    products = phase_selectors.frame_products(phase).filter(id__in=keys)
    reviewers = phase_selectors.eligible_reviewers()
    assigned = sampling.assign_reviewers(
        keys,
        reviewers,
        excluded=phase_selectors.approvers(products),
        load=phase_selectors.open_load(reviewers),
        rng=rng,
    )
    return drawn, assigned


def _open_phase(page, base, world: World) -> tuple[CheckPhase, list[sampling.Drawn]]:
    """Internal control creates the phase through the form, opens it and sees the sample drawn."""
    approver, reviewer, kiwi = world.approver, world.reviewer, world.kiwi
    today = timezone.localdate()
    log_in(page, base, approver.username)
    page.goto(f"{base}/ops/checks/phases/")
    form = page.get_by_test_id("phase-form")
    form.locator("#id_name").fill(PHASE_NAME)
    form.locator("#id_starts_on").fill(today.isoformat())
    form.locator("#id_ends_on").fill((today + datetime.timedelta(days=55)).isoformat())
    form.locator("#id_budget").fill("2")
    form.locator("#id_floor_probability").fill("0.01")
    form.locator("button[type=submit]").click()

    phase = CheckPhase.objects.get(name=PHASE_NAME)
    expect(page).to_have_url(f"{base}/ops/checks/phases/{phase.pk}/")
    expect(page.get_by_test_id("phase-title")).to_have_text(PHASE_NAME)
    expect(page.get_by_test_id("phase-state")).to_have_attribute("data-state", PhaseState.DRAFT)
    assert (phase.budget, phase.floor_probability, phase.starts_on) == (2, 0.01, today)
    assert phase.seed is None and not phase.checks.exists()
    units = _units(phase)  # the frame as it stood before the draw
    assert sorted(u.key for u in units) == sorted(p.pk for p in [*world.oranges, kiwi])

    page.get_by_test_id("phase-open").click()
    expect(page.get_by_test_id("phase-state")).to_have_attribute("data-state", PhaseState.OPEN)
    expect(page.locator("ul.messages li.success")).to_be_visible()
    seed_text = page.get_by_test_id("phase-seed").inner_text().strip()
    assert seed_text.isdigit()
    phase.refresh_from_db()
    assert phase.seed == int(seed_text) and phase.population == 5

    drawn, assigned = _redraw(units, phase, int(seed_text))
    made = list(SpotCheck.objects.filter(phase=phase).order_by("product_id"))
    assert [(c.product_id, c.stratum, c.inclusion_probability, c.reviewer_id) for c in made] == [
        (d.key, d.stratum, d.probability, assigned[d.key]) for d in sorted(drawn, key=lambda d: d.key)
    ]
    assert kiwi.pk in {d.key for d in drawn}  # alone in its stratum, with a budget of one per stratum
    assert {d.key: d.probability for d in drawn}[kiwi.pk] == 1.0
    assert set(assigned.values()) == {reviewer.pk}  # never A, who approved them all

    by_stratum: dict[str, int] = {}
    for d in drawn:
        by_stratum[d.stratum] = by_stratum.get(d.stratum, 0) + 1
    expect(page.get_by_test_id("phase-strata").locator("tbody tr[data-stratum]")).to_have_count(
        len(by_stratum)
    )
    for stratum, count in by_stratum.items():
        cells = page.locator(f'[data-testid=phase-strata] tr[data-stratum="{stratum}"] td')
        expect(cells.nth(1)).to_have_text(str(count))  # drawn
        expect(cells.nth(2)).to_have_text("0")  # done
    expect(page.get_by_test_id("phase-progress")).to_contain_text(str(len(drawn)))
    _shots(page, "phase_after_draw")
    log_out(page)
    return phase, drawn


def test_a_phase_draws_a_check_the_supplier_rectifies_and_the_recheck_passes(page, live_server, tmp_path):
    base = live_server.url
    SHOTS.mkdir(parents=True, exist_ok=True)
    world = _world()
    listings, reviewer, kiwi = world.listings, world.reviewer, world.kiwi
    phase, drawn = _open_phase(page, base, world)
    check = SpotCheck.objects.get(phase=phase, product=kiwi)
    deadline = timezone.localdate() + datetime.timedelta(days=7)

    # 1. The drawn reviewer finds the check in "my checks" and asks for a rectification ------------------
    log_in(page, base, reviewer.username)
    page.goto(f"{base}/ops/checks/")
    queue = page.get_by_test_id("check-queue").locator("tbody tr[data-check]")
    expect(queue).to_have_count(len(drawn))  # the whole sample is B's, and nothing else
    shown = {int(pk) for pk in (queue.nth(i).get_attribute("data-check") for i in range(len(drawn)))}
    assert shown == set(SpotCheck.objects.filter(phase=phase).values_list("pk", flat=True))
    page.locator(f'tr[data-check="{check.pk}"] a[href="/ops/checks/{check.pk}/"]').first.click()
    expect(page).to_have_url(f"{base}/ops/checks/{check.pk}/")
    expect(page.get_by_test_id("check-state")).to_have_attribute("data-state", CheckState.ASSIGNED)

    form = page.get_by_test_id("decision-form")
    for item in ITEMS:
        form.locator(f"input[name=items][value={item}]").check()
    form.locator("input[name=action][value=rectify]").check()
    form.locator("#id_finding").fill(FINDING)
    form.locator("#id_photos").set_input_files(_png(tmp_path / "scale.png", (40, 120, 200)))
    form.locator("#id_deadline").fill(deadline.isoformat())
    form.locator("button[type=submit]").click()

    expect(page).to_have_url(f"{base}/ops/checks/{check.pk}/")
    expect(page.locator("ul.messages li.success")).to_be_visible()
    expect(page.get_by_test_id("check-state")).to_have_attribute("data-state", CheckState.RECTIFYING)
    expect(page.get_by_test_id("check-outcome")).to_have_attribute("data-outcome", CheckOutcome.RECTIFY)
    expect(page.get_by_test_id("finding")).to_have_text(FINDING)
    expect(page.get_by_test_id("evidence").locator("li")).to_have_count(1)
    expect(page.get_by_test_id("rounds")).to_contain_text(deadline.isoformat())
    # Until the supplier answers, the only decision left is to confirm the violation.
    expect(page.get_by_test_id("decision-form").locator("input[name=action]")).to_have_count(1)
    expect(page.locator("input[name=action][value=sanction]")).to_have_count(1)
    check.refresh_from_db()
    assert (check.state, check.outcome, check.deadline, check.items_examined) == (
        CheckState.RECTIFYING,
        CheckOutcome.RECTIFY,
        deadline,
        list(ITEMS),
    )
    assert list(check.evidence.values_list("kind", "by_supplier")) == [("photo", False)]
    _shots(page, "reviewer_check_rectifying")
    log_out(page)

    # 2. The supplier reads the finding in its portal and answers ----------------------------------------
    log_in(page, base, listings.user.username)
    page.goto(f"{base}/supplier/checks/")
    row = page.get_by_test_id("supplier-checks").locator(f'tr[data-check="{check.pk}"]')
    expect(row).to_have_attribute("data-state", CheckState.RECTIFYING)
    expect(row).to_contain_text(deadline.isoformat())
    expect(row).to_contain_text(FINDING[:20])
    row.locator(f'a[href="/supplier/checks/{check.pk}/"]').click()
    expect(page).to_have_url(f"{base}/supplier/checks/{check.pk}/")
    expect(page.get_by_test_id("finding")).to_have_text(FINDING)
    expect(page.get_by_test_id("deadline")).to_have_text(deadline.isoformat())
    _shots(page, "supplier_check_rectifying")

    answer = page.get_by_test_id("respond-form")
    answer.locator("#id_response").fill(ANSWER)
    answer.locator("#id_files").set_input_files(_png(tmp_path / "weighed.png", (90, 160, 60)))
    answer.locator("button[type=submit]").click()

    expect(page).to_have_url(f"{base}/supplier/checks/{check.pk}/")
    expect(page.locator("ul.messages li.success")).to_be_visible()
    expect(page.get_by_test_id("check-state")).to_have_attribute("data-state", CheckState.RESPONDED)
    expect(page.get_by_test_id("respond-form")).to_have_count(0)
    expect(page.get_by_test_id("rounds")).to_contain_text(ANSWER)
    expect(page.get_by_test_id("evidence").locator("li")).to_have_count(2)
    _shots(page, "supplier_check_answered")
    log_out(page)

    # 3. The reviewer re-checks: passed, the check is closed --------------------------------------------
    log_in(page, base, reviewer.username)
    page.goto(f"{base}/ops/checks/{check.pk}/")
    expect(page.get_by_test_id("check-state")).to_have_attribute("data-state", CheckState.RESPONDED)
    expect(page.get_by_test_id("rounds")).to_contain_text(ANSWER)
    form = page.get_by_test_id("decision-form")
    for item in ITEMS:  # what was examined the first time is ticked already
        expect(form.locator(f"input[name=items][value={item}]")).to_be_checked()
    form.locator("input[name=action][value=recheck_pass]").check()
    form.locator("#id_note").fill(RECHECK_NOTE)
    form.locator("button[type=submit]").click()

    expect(page).to_have_url(f"{base}/ops/checks/{check.pk}/")
    expect(page.get_by_test_id("check-state")).to_have_attribute("data-state", CheckState.CLOSED)
    expect(page.get_by_test_id("check-outcome")).to_have_attribute("data-outcome", CheckOutcome.PASS)
    expect(page.get_by_test_id("decision-form")).to_have_count(0)
    expect(page.get_by_test_id("rounds")).to_contain_text(RECHECK_NOTE)
    check.refresh_from_db()
    assert (check.state, check.outcome, check.closed_at is not None) == (
        CheckState.CLOSED,
        CheckOutcome.PASS,
        True,
    )
    round_ = check.rectifications.get()
    assert (round_.response, round_.recheck_passed, round_.recheck_note) == (ANSWER, True, RECHECK_NOTE)
    assert not check.sanctions.exists()
    _shots(page, "reviewer_check_closed")
    page.goto(f"{base}/ops/checks/phases/{phase.pk}/")
    kiwi_row = page.locator(f'[data-testid=phase-strata] tr[data-stratum="{check.stratum}"] td')
    expect(kiwi_row.nth(1)).to_have_text("1")  # drawn
    expect(kiwi_row.nth(2)).to_have_text("1")  # done
    log_out(page)

    # 4. The supplier sees it closed ------------------------------------------------------------------------
    log_in(page, base, listings.user.username)
    page.goto(f"{base}/supplier/checks/")
    row = page.get_by_test_id("supplier-checks").locator(f'tr[data-check="{check.pk}"]')
    expect(row).to_have_attribute("data-state", CheckState.CLOSED)
    row.locator(f'a[href="/supplier/checks/{check.pk}/"]').click()
    expect(page.get_by_test_id("check-state")).to_have_attribute("data-state", CheckState.CLOSED)
    expect(page.get_by_test_id("check-outcome")).to_have_attribute("data-outcome", CheckOutcome.PASS)
    expect(page.get_by_test_id("respond-form")).to_have_count(0)
    expect(page.get_by_test_id("appeal-form")).to_have_count(0)  # nothing to appeal against a pass
    _shots(page, "supplier_check_closed")
