"""Ops review in the admin: actions ask for a reason, call the service, and refuse what is not allowed."""

import datetime

import pytest
from django.utils import timezone

from suppliers.models import CreditEntry, Supplier, SupplierEvent, SupplierStatus
from tests.factories import OpsFactory

pytestmark = pytest.mark.django_db
URL = "/admin/suppliers/supplier/"


def _act(client, action, suppliers, reason=None):
    data = {"action": action, "_selected_action": [s.pk for s in suppliers]}
    if reason is not None:
        data |= {"confirm": "1", "reason": reason}
    return client.post(URL, data, follow=True)


def test_approve_asks_for_a_reason_then_approves(client, onboarding):
    supplier, user = onboarding.draft()
    supplier = onboarding.to(supplier, user, "endorsed")
    client.force_login(onboarding.ops)
    page = _act(client, "do_approve", [supplier])
    assert page.templates[0].name == "admin/action_reason.html"
    supplier.refresh_from_db()
    assert supplier.status == SupplierStatus.ENDORSED
    page = _act(client, "do_approve", [supplier], reason="")
    assert page.context["form"].errors["reason"]
    _act(client, "do_approve", [supplier], reason="资质齐全，同意入驻")
    supplier.refresh_from_db()
    assert supplier.status == SupplierStatus.ACTIVE
    event = SupplierEvent.objects.filter(supplier=supplier).latest("id")
    assert (event.actor, event.reason) == (onboarding.ops, "资质齐全，同意入驻")


def test_bulk_approve_is_all_or_nothing(client, onboarding):
    ready, u1 = onboarding.draft()
    ready = onboarding.to(ready, u1, "endorsed")
    still_submitted, u2 = onboarding.draft()
    still_submitted = onboarding.to(still_submitted, u2, "submitted")
    client.force_login(onboarding.ops)
    page = _act(client, "do_approve", [ready, still_submitted], reason="ok")
    [message] = [str(m) for m in page.context["messages"]]
    assert still_submitted.legal_name in message and ready.legal_name not in message
    assert set(Supplier.objects.values_list("status", flat=True)) == {
        SupplierStatus.ENDORSED,
        SupplierStatus.SUBMITTED,
    }


def test_reject_is_one_at_a_time(client, onboarding):
    a, ua = onboarding.draft()
    b, ub = onboarding.draft()
    a, b = onboarding.to(a, ua, "endorsed"), onboarding.to(b, ub, "endorsed")
    client.force_login(onboarding.ops)
    _act(client, "do_reject", [a, b], reason="x")
    assert not Supplier.objects.filter(status=SupplierStatus.REJECTED).exists()
    _act(client, "do_reject", [a], reason="经营范围不符")
    a.refresh_from_db()
    assert a.status == SupplierStatus.REJECTED


def test_ops_without_permission_cannot_act(client, onboarding):
    supplier, user = onboarding.draft()
    supplier = onboarding.to(supplier, user, "endorsed")
    client.force_login(OpsFactory(teams=["data_ops"]))  # may view suppliers, not change them
    assert client.get(URL).status_code == 200
    _act(client, "do_approve", [supplier], reason="x")
    supplier.refresh_from_db()
    assert supplier.status == SupplierStatus.ENDORSED


def test_filters_by_state_province_county_and_waiting_time(client, onboarding):
    old, u1 = onboarding.draft()
    old = onboarding.to(old, u1, "endorsed")
    Supplier.objects.filter(pk=old.pk).update(status_changed_at=timezone.now() - datetime.timedelta(days=9))
    new, u2 = onboarding.draft()
    onboarding.to(new, u2, "endorsed")
    client.force_login(onboarding.ops)
    listed = lambda query: list(client.get(URL + query).context["cl"].result_list)  # noqa: E731
    assert set(listed("?status__exact=endorsed")) == {old, new}
    assert listed("?status__exact=endorsed&waiting=7") == [old]
    assert len(listed(f"?county__province__id__exact={old.county.province_id}")) == 2
    assert len(listed(f"?county={old.county_id}")) == 2


def test_credit_entries_are_added_through_the_service(client, onboarding):
    supplier, _ = onboarding.draft()
    client.force_login(OpsFactory(is_superuser=True))
    response = client.post(
        "/admin/suppliers/creditentry/add/",
        {"supplier": supplier.pk, "delta": "-10", "reason": "抽检不合格：净含量不足", "source": "spot_check"},
    )
    assert response.status_code == 302
    supplier.refresh_from_db()
    assert supplier.credit_score == 90
    assert CreditEntry.objects.get().balance_after == 90
