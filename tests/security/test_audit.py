"""The audit log (issue 17, "An audit log"): one entry — a row ops search in the admin and one JSON line
on the ``fengshou.audit`` logger, UTC — for every login, failed login, logout, permission denial, export
and state change, naming the actor (user id, username, role, client address) and the object."""

import json
import logging

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.test import RequestFactory
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import AuditEntry
from core.audit import JsonFormatter, Kind, audit, bind_request
from demo import DEMO_PASSWORD
from suppliers.models import SupplierStatus
from suppliers.services import supplier_transition
from tests.factories import BuyerFactory, OpsFactory, SupplierFactory, SupplierUserFactory

pytestmark = pytest.mark.django_db

CLIENT = "203.0.113.9"


class Lines(logging.Handler):
    def __init__(self):
        super().__init__()
        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(self.format(record))

    def entries(self) -> list[dict]:
        return [json.loads(line) for line in self.lines]


@pytest.fixture
def log_lines():
    handler = Lines()
    logger = logging.getLogger("fengshou.audit")
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


def _only(kind: str) -> AuditEntry:
    entries = list(AuditEntry.objects.filter(kind=kind))
    assert len(entries) == 1, entries
    return entries[0]


def _only_line(log_lines, kind: str) -> dict:
    lines = [line for line in log_lines.entries() if line["kind"] == kind]
    assert len(lines) == 1, lines
    assert lines[0]["at"].endswith("Z")  # UTC
    return lines[0]


def test_a_login_is_one_entry_and_one_json_line(client, log_lines, django_capture_on_commit_callbacks):
    buyer = BuyerFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/login/", {"username": buyer.username, "password": DEMO_PASSWORD}, REMOTE_ADDR=CLIENT
        )
    assert response.status_code == 302

    entry = _only(Kind.LOGIN)
    assert (entry.user_id, entry.username, entry.role, entry.client_ip) == (
        buyer.pk,
        buyer.username,
        "buyer",
        CLIENT,
    )
    assert (entry.object_type, entry.action) == ("session", "login")
    line = _only_line(log_lines, Kind.LOGIN)
    assert line["user_id"] == buyer.pk and line["username"] == buyer.username
    assert line["client_ip"] == CLIENT and line["role"] == "buyer"
    assert len(log_lines.lines[0].splitlines()) == 1


def test_a_failed_login_names_the_username_tried_and_never_the_password(
    client, log_lines, django_capture_on_commit_callbacks
):
    buyer = BuyerFactory()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/accounts/login/", {"username": buyer.username, "password": "s3cret-guess"}, REMOTE_ADDR=CLIENT
        )

    entry = _only(Kind.LOGIN_FAILED)
    assert (entry.user_id, entry.username, entry.role, entry.client_ip) == (None, buyer.username, "", CLIENT)
    line = _only_line(log_lines, Kind.LOGIN_FAILED)
    assert line["username"] == buyer.username
    assert "s3cret-guess" not in "".join(log_lines.lines)
    assert "s3cret-guess" not in json.dumps(entry.details)
    assert not AuditEntry.objects.filter(kind=Kind.LOGIN).exists()


def test_a_logout_is_one_entry(client, log_lines, django_capture_on_commit_callbacks):
    supplier = SupplierUserFactory()
    client.force_login(supplier)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/logout/", REMOTE_ADDR=CLIENT)

    entry = _only(Kind.LOGOUT)
    assert (entry.user_id, entry.role, entry.client_ip) == (supplier.pk, "supplier", CLIENT)
    assert _only_line(log_lines, Kind.LOGOUT)["username"] == supplier.username


def test_a_page_refused_by_the_access_policy_is_one_denial(
    client, log_lines, django_capture_on_commit_callbacks
):
    buyer = BuyerFactory()
    client.force_login(buyer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get("/suppliers/orders/export.csv", REMOTE_ADDR=CLIENT)
    assert response.status_code == 403

    entry = _only(Kind.PERMISSION_DENIED)
    assert (entry.user_id, entry.username, entry.role, entry.client_ip) == (
        buyer.pk,
        buyer.username,
        "buyer",
        CLIENT,
    )
    assert (entry.object_type, entry.action, entry.path) == ("url", "GET", "/suppliers/orders/export.csv")
    assert entry.object_id  # the view's name
    assert _only_line(log_lines, Kind.PERMISSION_DENIED)["path"] == "/suppliers/orders/export.csv"
    assert not AuditEntry.objects.filter(kind=Kind.EXPORT).exists()  # refused: nothing was exported


def test_an_api_403_is_one_denial_naming_the_api_user(log_lines, django_capture_on_commit_callbacks):
    buyer = BuyerFactory()
    api = APIClient()
    api.force_authenticate(buyer)
    with django_capture_on_commit_callbacks(execute=True):
        assert api.get("/api/v1/suppliers/", REMOTE_ADDR=CLIENT).status_code == 403

    entry = _only(Kind.PERMISSION_DENIED)
    assert (entry.user_id, entry.role, entry.client_ip, entry.path) == (
        buyer.pk,
        "buyer",
        CLIENT,
        "/api/v1/suppliers/",
    )
    assert _only_line(log_lines, Kind.PERMISSION_DENIED)["user_id"] == buyer.pk


def test_an_export_is_one_entry_naming_the_file(client, log_lines, django_capture_on_commit_callbacks):
    supplier = SupplierUserFactory()
    client.force_login(supplier)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get("/suppliers/orders/export.csv", REMOTE_ADDR=CLIENT)
    assert response.status_code == 200

    entry = _only(Kind.EXPORT)
    assert (entry.user_id, entry.role, entry.client_ip) == (supplier.pk, "supplier", CLIENT)
    assert (entry.object_type, entry.action) == ("csv", "export")
    assert entry.object_id.endswith(".csv")
    assert _only_line(log_lines, Kind.EXPORT)["object_id"] == entry.object_id


def test_a_state_change_is_one_entry_with_the_request_address(log_lines, django_capture_on_commit_callbacks):
    ops = OpsFactory(teams=["internal_control"])
    supplier = SupplierFactory(status=SupplierStatus.ACTIVE)
    request = RequestFactory().post("/admin/suppliers/supplier/", REMOTE_ADDR=CLIENT)
    request.user = ops
    with django_capture_on_commit_callbacks(execute=True), bind_request(request):
        supplier_transition(supplier=supplier, action="suspend", by=ops, reason="Test reports forged.")

    entry = _only(Kind.STATE_CHANGE)
    assert (entry.user_id, entry.username, entry.role, entry.client_ip) == (
        ops.pk,
        ops.username,
        "ops",
        CLIENT,
    )
    assert (entry.object_type, entry.object_id, entry.action) == (
        "suppliers.Supplier",
        str(supplier.pk),
        "suspend",
    )
    assert entry.details == {
        "workflow": entry.details["workflow"],
        "from": "active",
        "to": "suspended",
        "as": "ops",
    }
    line = _only_line(log_lines, Kind.STATE_CHANGE)
    assert (line["object_type"], line["object_id"], line["action"]) == (
        "suppliers.Supplier",
        str(supplier.pk),
        "suspend",
    )


def test_a_state_change_by_the_platform_has_no_user(django_capture_on_commit_callbacks, log_lines):
    supplier = SupplierFactory(status=SupplierStatus.ACTIVE)
    with django_capture_on_commit_callbacks(execute=True):
        supplier_transition(supplier=supplier, action="suspend", by=None, reason="Qualification lapsed.")

    entry = _only(Kind.STATE_CHANGE)
    assert (entry.user_id, entry.username, entry.client_ip) == (None, "", None)
    assert entry.details["as"] == "system"
    assert _only_line(log_lines, Kind.STATE_CHANGE)["user_id"] is None


def test_a_state_change_that_rolls_back_leaves_no_entry_and_no_line(
    log_lines, django_capture_on_commit_callbacks
):
    supplier = SupplierFactory(status=SupplierStatus.ACTIVE)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        supplier_transition(supplier=supplier, action="suspend", by=None, reason="Lapsed.")
        raise RuntimeError("the rest of the use case failed")

    assert not AuditEntry.objects.exists()
    assert log_lines.lines == []


def _entry(**fields) -> AuditEntry:
    return AuditEntry.objects.create(kind=Kind.LOGIN, created_at=timezone.now(), **fields)


def test_internal_control_searches_the_audit_log_in_the_admin_and_cannot_change_it(client):
    _entry(username="li.jing", client_ip="198.51.100.4", object_type="session", action="login")
    _entry(username="wang.fang", client_ip="198.51.100.5", object_type="session", action="login")
    client.force_login(OpsFactory(teams=["internal_control"]))

    page = client.get("/admin/accounts/auditentry/", {"q": "li.jing"}).content.decode()
    assert "li.jing" in page and "wang.fang" not in page
    page = client.get("/admin/accounts/auditentry/", {"kind__exact": "login"})
    assert page.status_code == 200

    entry = AuditEntry.objects.get(username="li.jing")
    assert client.get("/admin/accounts/auditentry/add/").status_code == 403
    change = client.post(f"/admin/accounts/auditentry/{entry.pk}/change/", {"username": "someone.else"})
    assert change.status_code == 403
    assert client.post(f"/admin/accounts/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    entry.refresh_from_db()
    assert entry.username == "li.jing"


def test_other_ops_teams_do_not_see_the_audit_log_but_superusers_do(client):
    _entry(username="li.jing")
    client.force_login(OpsFactory(teams=["customer_service", "content_ops", "data_ops", "demand_management"]))
    assert client.get("/admin/accounts/auditentry/").status_code == 403
    client.force_login(OpsFactory(is_superuser=True))
    assert "li.jing" in client.get("/admin/accounts/auditentry/").content.decode()


def test_an_entry_is_one_insert_and_stores_a_scoped_ipv6_address(settings, django_assert_num_queries):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="fe80::1%eth0")
    request.user = AnonymousUser()
    with django_assert_num_queries(1):
        audit(kind=Kind.LOGIN_FAILED, username="nobody", request=request)
    assert AuditEntry.objects.get().client_ip == "fe80::1"
