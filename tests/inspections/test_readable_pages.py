"""The check and phase pages read as words: findings by their message, the phase history's actions,
people and details labelled, the decision card after a passed re-check, and escalation while the
supplier has the round."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from catalog.models import Category, TestReport
from inspections.services import checks as services
from inspections.services import phases as phase_services
from inspections.workflow import CheckAction
from tests.inspections.check_world import ITEMS, CheckWorld, in_days
from tests.inspections.sweep_helpers import judge
from tests.inspections.test_phases import _phase
from tests.inspections.test_sweep import nightly


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def world(listings):
    return CheckWorld(listings)


def _page(user, url) -> str:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the site is Chinese unless one chooses
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_check_page_shows_the_sweep_s_findings_in_words(world):
    listings = world.listings
    tea = listings.on_sale(
        slug="green-tea", name="茶", report=True, skus=[listings.sku("250g/罐", "250", "g", "98.00")]
    )
    judge(tea)
    TestReport.objects.filter(product=tea).delete()
    nightly()
    check = world.check(tea)
    page = _page(world.reviewer, reverse("inspections:check", args=[check.pk]))
    assert 'data-code="listing.test_report_missing"' in page
    assert "requires a passed test report; none is on file." in page
    assert "<code>listing.test_report_missing</code>" not in page


def test_while_rectifying_escalation_is_a_separate_form_and_the_page_says_it_waits(world):
    check = world.rectify(world.check())
    page = _page(world.reviewer, reverse("inspections:check", args=[check.pk]))
    assert 'data-testid="waiting-for-supplier"' in page and in_days(7).isoformat() in page
    assert 'data-testid="escalate"' in page and 'data-testid="decision"' not in page
    assert page.count('name="action"') == 1 and 'type="hidden" name="action" value="sanction"' in page


def test_after_a_passed_re_check_the_decision_card_shows_the_outcome_and_last_decision(world):
    check = world.rectify(world.check())
    world.respond(check)
    services.check_decide(
        check=check, by=world.reviewer, action=CheckAction.RECHECK_PASS, items=ITEMS, note="已核实"
    )
    page = _page(world.reviewer, reverse("inspections:check", args=[check.pk]))
    summary = page[
        page.index('data-testid="decision-summary"') : page.index(
            "</section>", page.index("decision-summary")
        )
    ]
    assert 'data-testid="decision-outcome">Passed<' in summary
    assert "Re-check passed" in summary and world.reviewer.display_name in summary
    assert 'data-testid="finding"' not in summary


def test_the_phase_history_shows_labels_full_names_and_labelled_details(listings, world):
    world.reviewer.first_name, world.reviewer.last_name = "老李", ""
    world.reviewer.save()
    phase = _phase(world.reviewer, categories=[Category.objects.get(slug="citrus")])
    phase_services.phase_open(phase=phase, by=world.reviewer, seed=1234567890123456789)
    page = _page(world.reviewer, reverse("inspections:phase", args=[phase.pk]))
    history = page[page.index('data-testid="phase-history"') :]
    assert "Open and draw the sample" in history
    assert ">open<" not in history and world.reviewer.username not in history
    assert world.reviewer.display_name in history
    assert "<dt>Random seed</dt><dd>1234567890123456789</dd>" in history
    assert "seed=" not in history
