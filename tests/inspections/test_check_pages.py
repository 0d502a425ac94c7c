"""The check pages: internal control's queues and the check page with its decisions, the supplier's
portal (its checks only), query counts."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from inspections.models import Appeal, CheckState, ListingStanding, SpotCheck
from inspections.services import check_appeals
from tests.catalog.conftest import jpeg_upload
from tests.inspections.check_world import ITEMS, CheckWorld, in_days

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(listings) -> CheckWorld:
    return CheckWorld(listings)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _client(user) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the site is Chinese unless one chooses
    client.force_login(user)
    return client


# --- Internal control's queues -----------------------------------------------------------------------


def test_my_checks_lists_my_open_checks_with_the_tab_counts(world):
    mine = world.check(stratum="高风险·茶叶")
    world.check(world.listings.on_sale(name="别人的"), reviewer=world.second)

    response = _client(world.reviewer).get(reverse("inspections:my_checks"))

    assert response.status_code == 200
    assert [c.pk for c in response.context["checks"]] == [mine.pk]
    assert {t["key"]: t["count"] for t in response.context["tabs"]} == {
        "mine": 1,
        "rectifications": 0,
        "appeals": 0,
    }
    assert reverse("inspections:check", args=[mine.pk]) in response.content.decode()


def test_the_queues_have_a_constant_number_of_queries(world, django_assert_num_queries):
    client = _client(world.reviewer)
    world.check()
    client.get(reverse("inspections:my_checks"))  # warm the session and permission caches
    with django_assert_num_queries(7) as one:
        client.get(reverse("inspections:my_checks"))
    for name in ("二", "三"):
        world.check(world.listings.on_sale(name=name))
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(reverse("inspections:my_checks"))
    assert len(response.context["checks"]) == 3


def test_rectifications_show_the_overdue_ones(world):
    check = world.check()
    world.rectify(check)
    from inspections.models import Rectification

    Rectification.objects.update(deadline=in_days(-2))

    response = _client(world.second).get(reverse("inspections:rectifications"))

    assert [c.pk for c in response.context["checks"]] == [check.pk]
    assert response.context["checks"][0].overdue is True
    assert 'data-testid="overdue"' in response.content.decode()


def test_appeals_waiting_hide_the_ones_on_my_own_checks(world):
    check = world.check()
    world.sanction(check)
    check.refresh_from_db()
    check_appeals.check_appeal(check=check, by=world.user, reason="有误")

    own = _client(world.reviewer).get(reverse("inspections:appeals"))
    other = _client(world.second).get(reverse("inspections:appeals"))

    assert list(own.context["checks"]) == []
    assert [c.pk for c in other.context["checks"]] == [check.pk]
    assert {t["key"]: t["count"] for t in other.context["tabs"]}["appeals"] == 1


def test_a_team_without_the_right_is_refused(world):
    response = _client(world.listings.ops).get(reverse("inspections:my_checks"))
    assert response.status_code == 403


# --- The check page --------------------------------------------------------------------------------


def test_the_check_page_shows_the_facts_and_the_decision_form_to_its_reviewer(world):
    check = world.check(stratum="高风险·茶叶", inclusion_probability=0.125)
    ListingStanding.objects.create(
        product=world.product, outcome="major", codes=["spec_quantity"], checked_at=timezone.now()
    )

    page = _client(world.reviewer).get(reverse("inspections:check", args=[check.pk]))
    other = _client(world.second).get(reverse("inspections:check", args=[check.pk]))

    html = page.content.decode()
    assert page.context["decision_form"] is not None
    assert "高风险·茶叶" in html and "0.1250" in html and "spec_quantity" in html
    assert reverse("catalog:product", args=[world.product.pk]) in html
    assert reverse("admin:catalog_product_change", args=[world.product.pk]) in html
    assert other.context["decision_form"] is None
    assert 'data-testid="assigned-elsewhere"' in other.content.decode()


def test_rectify_from_the_page(world):
    check = world.check()

    response = _client(world.reviewer).post(
        reverse("inspections:check_decide", args=[check.pk]),
        {
            "action": "rectify",
            "items": ITEMS,
            "finding": "规格不符",
            "deadline": in_days(5).isoformat(),
            "photos": [jpeg_upload("a.jpg"), jpeg_upload("b.jpg")],
        },
    )

    assert response.status_code == 302
    check.refresh_from_db()
    assert (check.state, check.deadline, check.finding) == (CheckState.RECTIFYING, in_days(5), "规格不符")
    assert check.evidence.filter(kind="photo").count() == 2


def test_an_outcome_without_items_shows_the_message_on_the_page(world):
    check = world.check()

    response = _client(world.reviewer).post(
        reverse("inspections:check_decide", args=[check.pk]), {"action": "pass"}
    )

    assert response.status_code == 400
    assert response.context["decision_form"].errors["items"] == [
        "Tick the items you examined: an outcome needs them."
    ]
    check.refresh_from_db()
    assert check.state == CheckState.ASSIGNED


def test_another_reviewers_post_is_refused_with_the_message(world):
    check = world.check()

    response = _client(world.second).post(
        reverse("inspections:check_decide", args=[check.pk]), {"action": "pass", "items": ITEMS}, follow=True
    )

    assert "This check is assigned to someone else." in response.content.decode()
    check.refresh_from_db()
    assert check.state == CheckState.ASSIGNED


def test_another_reviewer_decides_the_appeal_from_the_page(world):
    check = world.check()
    world.sanction(check)
    check.refresh_from_db()
    check_appeals.check_appeal(check=check, by=world.user, reason="有误")

    page = _client(world.second).get(reverse("inspections:check", args=[check.pk]))
    assert page.context["appeal_form"] is not None
    response = _client(world.second).post(
        reverse("inspections:appeal_decide", args=[check.pk]), {"action": "overturn", "note": "复核无误"}
    )

    assert response.status_code == 302
    assert Appeal.objects.get().decision == "overturned"


# --- The supplier's portal ---------------------------------------------------------------------------


def test_the_supplier_sees_its_checks_rounds_to_answer_first(world, django_assert_num_queries):
    closed = world.check()
    world.sanction(closed)
    rectifying = world.check(world.listings.on_sale(name="整改中"))
    world.rectify(rectifying)
    client = _client(world.user)
    client.get(reverse("inspections:supplier_checks"))

    with django_assert_num_queries(5) as first:  # the header's badge of checks to answer is one
        response = client.get(reverse("inspections:supplier_checks"))
    assert [c.pk for c in response.context["checks"]] == [rectifying.pk, closed.pk]
    assert in_days(7).isoformat() in response.content.decode()
    world.check(world.listings.on_sale(name="待查"))
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(reverse("inspections:supplier_checks"))


def test_a_supplier_never_sees_another_suppliers_check(world):
    check = world.check()
    _other, other_user = world.listings.active_supplier()
    client = _client(other_user)

    assert client.get(reverse("inspections:supplier_check", args=[check.pk])).status_code == 404
    assert (
        client.post(reverse("inspections:supplier_appeal", args=[check.pk]), {"reason": "x"}).status_code
        == 404
    )
    assert list(client.get(reverse("inspections:supplier_checks")).context["checks"]) == []


def test_the_supplier_answers_and_appeals_from_its_portal(world):
    check = world.check()
    world.rectify(check)
    client = _client(world.user)
    page = client.get(reverse("inspections:supplier_check", args=[check.pk]))
    assert page.context["respond_form"] is not None and page.context["appeal_form"] is None

    response = client.post(
        reverse("inspections:supplier_respond", args=[check.pk]),
        {"response": "已更正", "files": [jpeg_upload("fix.jpg")]},
    )

    assert response.status_code == 302
    check.refresh_from_db()
    assert check.state == CheckState.RESPONDED
    evidence = check.evidence.get(by_supplier=True)
    assert (
        client.get(reverse("inspections:supplier_evidence", args=[check.pk, evidence.pk])).status_code == 200
    )

    sanctioned = world.check(world.listings.on_sale(name="违规"))
    world.sanction(sanctioned)
    assert client.get(reverse("inspections:supplier_check", args=[sanctioned.pk])).context["appeal_form"]
    client.post(reverse("inspections:supplier_appeal", args=[sanctioned.pk]), {"reason": "有误"})
    assert SpotCheck.objects.get(pk=sanctioned.pk).state == CheckState.APPEALED
    second = client.post(
        reverse("inspections:supplier_appeal", args=[sanctioned.pk]), {"reason": "再来"}, follow=True
    )
    assert "This check has already been appealed" in second.content.decode()
