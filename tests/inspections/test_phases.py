"""Check phases: creating one (bad input refused on its field, nothing saved), opening it (the sample and
the reviewers drawn from a logged seed, reproducibly, never the approver), closing it, and its pages."""

import datetime
import io

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from accounts.models import AuditEntry, User
from accounts.roles import OpsTeam
from catalog import services as catalog_services
from catalog.models import Category
from catalog.workflow import ProductAction
from inspections.models import CheckOutcome, CheckPhase, CheckState, PhaseEvent, PhaseState, SpotCheck
from inspections.services import phases as services
from tests.factories import OpsFactory

TODAY = datetime.date(2026, 7, 22)


@pytest.fixture
def internal(db):
    return OpsFactory(teams=[OpsTeam.INTERNAL_CONTROL])


def _phase(by, **overrides):
    data = {
        "name": "2026 第二期",
        "starts_on": TODAY,
        "ends_on": TODAY + datetime.timedelta(days=55),
        "budget": 3,
        "categories": [],
        "floor_probability": 0.2,
    }
    data.update(overrides)
    return services.phase_create(by=by, **data)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"budget": 0}, "budget"),
        ({"budget": -5}, "budget"),
        ({"budget": "2.5"}, "budget"),
        ({"budget": "abc"}, "budget"),
        ({"ends_on": TODAY - datetime.timedelta(days=1)}, "ends_on"),
        ({"floor_probability": 0}, "floor_probability"),
        ({"floor_probability": 1}, "floor_probability"),
        ({"name": "  "}, "name"),
    ],
)
def test_bad_input_is_refused_on_its_field_and_nothing_is_saved(internal, overrides, field):
    with pytest.raises(ValidationError) as caught:
        _phase(internal, **overrides)
    assert field in caught.value.message_dict
    assert not CheckPhase.objects.exists()


def test_the_budget_message_says_it_is_not_a_positive_number(internal):
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        _phase(internal, budget=0)
    assert "not a positive number" in caught.value.message_dict["budget"][0]


def test_a_name_taken_is_refused(internal):
    _phase(internal)
    with pytest.raises(ValidationError) as caught:
        _phase(internal)
    assert "name" in caught.value.message_dict
    assert CheckPhase.objects.count() == 1


def test_only_internal_control_creates_phases(db):
    content = OpsFactory(teams=[OpsTeam.CONTENT])
    with pytest.raises(PermissionDenied):
        _phase(content)
    assert not CheckPhase.objects.exists()


def _catalogue(listings, n=6):
    return [listings.on_sale(name=f"脐橙 {i}") for i in range(n)]


def test_open_draws_the_sample_and_logs_the_seed(listings, internal):
    products = _catalogue(listings)
    phase = _phase(internal, categories=[Category.objects.get(slug="citrus")])
    opened = services.phase_open(phase=phase, by=internal, seed=12345)
    phase.refresh_from_db()
    assert (phase.state, phase.seed, phase.population) == (PhaseState.OPEN, 12345, 6)
    assert phase.drawn_at is not None and opened.seed == 12345
    event = PhaseEvent.objects.get(phase=phase, action="open")
    reviewers = set(
        User.objects.filter(groups__name=OpsTeam.INTERNAL_CONTROL, is_active=True).values_list(
            "pk", flat=True
        )
    )
    checks = list(SpotCheck.objects.filter(phase=phase).order_by("product_id"))
    assert event.details["seed"] == "12345"
    assert event.details["population"] == "6"
    assert event.details["sample"] == str(len(checks))
    assert event.actor == internal
    for check in checks:
        assert check.kind == SpotCheck.Kind.SAMPLE
        assert check.stratum == "citrus"
        assert check.category.slug == "citrus"
        assert check.supplier_id == listings.supplier.pk
        assert check.inclusion_probability == pytest.approx(0.5)  # 3 of 6, nobody at risk
        assert check.state == CheckState.ASSIGNED
        assert check.reviewer_id in reviewers
        assert set(check.risk_factors) >= {"credit_score", "violations", "reports"}
        opened_by = check.events.get()
        assert (opened_by.action, opened_by.from_status, opened_by.to_status, opened_by.actor) == (
            "open",
            "",
            CheckState.ASSIGNED,
            internal,
        )
        assert opened_by.details == {"phase": str(phase.pk), "reviewer": str(check.reviewer_id)}
    assert {c.product_id for c in checks} <= {p.pk for p in products}
    # The audit log has the draw once (the phase's opening), not one entry per check.
    assert (
        list(
            AuditEntry.objects.filter(object_type="inspections.SpotCheck").values_list("object_id", flat=True)
        )
        == []
    )
    assert AuditEntry.objects.filter(object_type="inspections.CheckPhase", action="open").count() == 1


def test_the_draw_is_reproducible_from_its_seed(listings, internal):
    _catalogue(listings, 12)
    drawn = {}
    for name, seed in (("a", 99), ("b", 99), ("c", 100), ("d", 101)):
        phase = _phase(internal, name=name, budget=4, floor_probability=0.1)
        services.phase_open(phase=phase, by=internal, seed=seed)
        drawn[name] = sorted(SpotCheck.objects.filter(phase=phase).values_list("product_id", flat=True))
    assert drawn["a"] == drawn["b"]
    assert drawn["a"] != drawn["c"] or drawn["a"] != drawn["d"]


def test_a_chosen_seed_is_random_and_stored(listings, internal):
    _catalogue(listings, 2)
    phase = services.phase_open(phase=_phase(internal), by=internal)
    assert phase.seed is not None and 0 <= phase.seed < 2**63
    assert PhaseEvent.objects.get(phase=phase, action="open").details["seed"] == str(phase.seed)


def test_every_frame_listing_has_at_least_the_floor(listings, internal):
    _catalogue(listings, 10)
    phase = _phase(internal, budget=10, floor_probability=0.3)
    services.phase_open(phase=phase, by=internal, seed=1)
    # A budget of the whole frame draws it all, each with probability 1 (>= the floor).
    assert SpotCheck.objects.filter(phase=phase).count() == 10
    assert set(SpotCheck.objects.filter(phase=phase).values_list("inclusion_probability", flat=True)) == {1.0}


def test_the_approver_never_reviews_the_listing(listings, internal):
    other = OpsFactory(teams=[OpsTeam.INTERNAL_CONTROL])
    approved_by_internal = []
    for i in range(4):
        product = listings.product(name=f"茶 {i}", slug="citrus")
        catalog_services.product_transition(product=product, action=ProductAction.SUBMIT, by=listings.user)
        catalog_services.product_transition(product=product, action=ProductAction.APPROVE, by=internal)
        catalog_services.product_transition(
            product=product, action=ProductAction.PUT_ON_SALE, by=listings.user
        )
        approved_by_internal.append(product.pk)
    phase = _phase(internal, budget=4, floor_probability=0.5)
    services.phase_open(phase=phase, by=internal, seed=3)
    checks = SpotCheck.objects.filter(phase=phase)
    assert checks.count() == 4
    reviewers = set(checks.values_list("reviewer_id", flat=True))
    assert internal.pk not in reviewers and None not in reviewers
    assert other.pk in reviewers


def test_no_eligible_reviewer_leaves_the_check_unassigned(listings, internal):
    User.objects.filter(groups__name=OpsTeam.INTERNAL_CONTROL).exclude(pk=internal.pk).update(is_active=False)
    product = listings.product(name="独苗", slug="citrus")
    catalog_services.product_transition(product=product, action=ProductAction.SUBMIT, by=listings.user)
    catalog_services.product_transition(product=product, action=ProductAction.APPROVE, by=internal)
    catalog_services.product_transition(product=product, action=ProductAction.PUT_ON_SALE, by=listings.user)
    phase = _phase(internal, budget=1, floor_probability=0.5)
    services.phase_open(phase=phase, by=internal, seed=3)
    check = SpotCheck.objects.get(phase=phase)
    assert check.reviewer is None
    assert PhaseEvent.objects.get(phase=phase, action="open").details["unassigned"] == "1"


def test_open_twice_is_refused_and_draws_nothing_more(listings, internal):
    _catalogue(listings, 3)
    phase = services.phase_open(phase=_phase(internal), by=internal, seed=5)
    count = SpotCheck.objects.count()
    with pytest.raises(ValidationError):
        services.phase_open(phase=phase, by=internal, seed=6)
    assert SpotCheck.objects.count() == count
    assert CheckPhase.objects.get().seed == 5


def test_ops_without_the_permission_cannot_open(listings, internal):
    _catalogue(listings, 3)
    phase = _phase(internal)
    with pytest.raises(PermissionDenied):
        services.phase_open(phase=phase, by=OpsFactory(teams=[OpsTeam.CUSTOMER_SERVICE]), seed=1)
    phase.refresh_from_db()
    assert phase.state == PhaseState.DRAFT and not SpotCheck.objects.exists()


def test_the_frame_holds_only_live_listings_of_the_target_categories(listings, internal):
    live = listings.on_sale(name="在售")
    frozen = listings.on_sale(name="冻结")
    catalog_services.listings_freeze(product_ids=[frozen.pk], reason="检测报告过期")
    listings.product(name="草稿")  # a draft is not live
    phase = _phase(
        internal, budget=5, floor_probability=0.5, categories=[Category.objects.get(slug="citrus").parent]
    )
    services.phase_open(phase=phase, by=internal, seed=1)
    assert set(SpotCheck.objects.filter(phase=phase).values_list("product_id", flat=True)) == {
        live.pk,
        frozen.pk,
    }
    assert CheckPhase.objects.get().population == 2


def _close_checks(phase, outcomes):
    for check, outcome in zip(SpotCheck.objects.filter(phase=phase).order_by("id"), outcomes, strict=False):
        SpotCheck.objects.filter(pk=check.pk).update(
            state=CheckState.CLOSED,
            outcome=outcome,
            finding_codes=["test_report"] if outcome != "pass" else [],
        )


def test_close_publishes_the_phase(client, listings, internal):
    _catalogue(listings, 4)
    phase = services.phase_open(phase=_phase(internal, budget=4), by=internal, seed=1)
    assert client.get(reverse("inspections:public_phase", args=[phase.pk])).status_code == 404
    _close_checks(phase, [CheckOutcome.PASS, CheckOutcome.FREEZE, CheckOutcome.PASS, CheckOutcome.PASS])
    services.phase_close(phase=phase, by=internal)
    phase.refresh_from_db()
    assert phase.state == PhaseState.CLOSED and phase.closed_at is not None
    page = client.get(reverse("inspections:public_phase", args=[phase.pk]))
    assert page.status_code == 200
    assert page.context["figures"].overall.rate == pytest.approx(0.25)
    assert page.context["figures"].findings == [("test_report", 1)]
    assert phase.name in client.get(reverse("inspections:public_phases")).content.decode()


# --- Pages --------------------------------------------------------------------------------------------


def test_ops_create_a_phase_on_the_page(client, internal, listings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the site is Chinese unless one chooses
    client.force_login(internal)
    response = client.post(
        reverse("inspections:phases"),
        {
            "name": "第三期",
            "starts_on": "2026-09-20",
            "ends_on": "2026-11-15",
            "budget": "0",
            "floor_probability": "0.001",
        },
    )
    assert response.status_code == 200
    assert "not a positive number" in response.content.decode()
    assert not CheckPhase.objects.exists()
    response = client.post(
        reverse("inspections:phases"),
        {
            "name": "第三期",
            "starts_on": "2026-09-20",
            "ends_on": "2026-11-15",
            "budget": "30",
            "floor_probability": "0.001",
        },
    )
    phase = CheckPhase.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "inspections:phase", args=[phase.pk]
    )


def test_open_and_close_from_the_phase_page(client, internal, listings):
    _catalogue(listings, 3)
    phase = _phase(internal)
    client.force_login(internal)
    page = client.get(reverse("inspections:phase", args=[phase.pk]))
    assert 'data-testid="phase-open"' in page.content.decode()
    client.post(reverse("inspections:phase_action", args=[phase.pk]), {"action": "open"})
    phase.refresh_from_db()
    assert phase.state == PhaseState.OPEN and phase.seed is not None
    page = client.get(reverse("inspections:phase", args=[phase.pk]))
    assert str(phase.seed) in page.content.decode()
    client.post(reverse("inspections:phase_action", args=[phase.pk]), {"action": "close"})
    phase.refresh_from_db()
    assert phase.state == PhaseState.CLOSED


def test_ops_pages_refuse_others(client, listings, internal):
    phase = _phase(internal)
    urls = [
        reverse("inspections:phases"),
        reverse("inspections:phase", args=[phase.pk]),
        reverse("inspections:phase_export", args=[phase.pk]),
    ]
    client.force_login(OpsFactory(teams=[OpsTeam.CONTENT]))
    assert [client.get(u).status_code for u in urls] == [403, 403, 403]
    client.force_login(listings.user)
    assert [client.get(u).status_code for u in urls] == [403, 403, 403]
    client.force_login(OpsFactory(teams=[OpsTeam.CONTENT]))
    assert (
        client.post(reverse("inspections:phase_action", args=[phase.pk]), {"action": "open"}).status_code
        == 403
    )
    assert CheckPhase.objects.get().state == PhaseState.DRAFT


def _closed_phase(internal, name, seed, outcomes):
    phase = services.phase_open(phase=_phase(internal, name=name, budget=4), by=internal, seed=seed)
    _close_checks(phase, outcomes)
    return services.phase_close(phase=phase, by=internal)


def _queries(client, phase) -> int:
    with CaptureQueriesContext(connection) as ctx:
        for url in (
            reverse("inspections:phases"),
            reverse("inspections:phase", args=[phase.pk]),
            reverse("inspections:public_phases"),
            reverse("inspections:public_phase", args=[phase.pk]),
        ):
            assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_pages_have_a_constant_number_of_queries(client, listings, internal):
    _catalogue(listings, 4)
    client.force_login(internal)
    first = _closed_phase(internal, "期 1", 1, [CheckOutcome.PASS, CheckOutcome.DELIST])
    one = _queries(client, first)
    _catalogue(listings, 4)
    for i in range(2, 5):
        last = _closed_phase(
            internal, f"期 {i}", i, [CheckOutcome.FREEZE, CheckOutcome.PASS, CheckOutcome.PASS]
        )
    assert SpotCheck.objects.filter(phase=last).count() > SpotCheck.objects.filter(phase=first).count() - 4
    assert _queries(client, last) == one


def test_the_excel_export_has_chinese_headers_and_one_row_per_check(client, listings, internal):
    _catalogue(listings, 3)
    phase = services.phase_open(phase=_phase(internal), by=internal, seed=8)
    internal.language = "zh-hans"
    internal.save(update_fields=["language"])
    client.force_login(internal)
    response = client.get(
        reverse("inspections:phase_export", args=[phase.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][1:3] == ("供应商", "类目")  # msgids translated centrally; these two already are
    assert len(rows) == 1 + SpotCheck.objects.filter(phase=phase).count()
    assert all(isinstance(row[5], int | float) for row in rows[1:])  # π stays a number


def test_the_admin_opens_a_phase_after_a_confirmation(client, listings, internal):
    _catalogue(listings, 2)
    phase = _phase(internal)
    client.force_login(internal)
    url = reverse("admin:inspections_checkphase_changelist")
    asked = client.post(url, {"action": "open_phases", "_selected_action": [phase.pk]})
    assert asked.status_code == 200 and CheckPhase.objects.get().state == PhaseState.DRAFT
    client.post(url, {"action": "open_phases", "_selected_action": [phase.pk], "confirm": "1"})
    phase.refresh_from_db()
    assert phase.state == PhaseState.OPEN and phase.seed is not None
