"""The portal's web forms: each bad input gets its message on its field and nothing is saved."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from regions.models import County
from suppliers.models import Supplier, SupplierStatus
from tests.factories import valid_uscc
from tests.suppliers.conftest import BADONG, png_upload

pytestmark = pytest.mark.django_db


def _field_errors(response, field):
    return response.context["form"].errors.get(field, [])


def test_registration_creates_a_draft_and_logs_in(client):
    response = client.post(
        "/suppliers/register/",
        {
            "legal_name": "巴东县新苗茶叶专业合作社",
            "contact_name": "向丽",
            "phone": "13972008888",
            "email": "xl@example.com",
            "username": "xiangli",
            "password1": "harvest-2026-tea",
            "password2": "harvest-2026-tea",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/suppliers/apply/company/"
    user = User.objects.get(username="xiangli")
    assert user.is_supplier and user.supplier.status == SupplierStatus.DRAFT
    assert client.get("/suppliers/portal/").status_code == 200


def test_registration_errors_are_on_their_fields(client):
    response = client.post(
        "/suppliers/register/",
        {
            "legal_name": "x",
            "contact_name": "y",
            "phone": "12345",
            "email": "bad",
            "username": "u",
            "password1": "a",
            "password2": "b",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert {"phone", "email", "password2"} <= set(form.errors)
    assert not User.objects.filter(username="u").exists() and not Supplier.objects.exists()


def test_company_step_explains_a_wrong_code(client, onboarding):
    supplier, user = onboarding.draft(complete=False)
    client.force_login(user)
    good = valid_uscc("93", BADONG)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    data = {
        "legal_name": "巴东县测试合作社",
        "uscc": bad,
        "legal_representative": "谭",
        "contact_name": "谭",
        "contact_phone": "13972001234",
        "address": "巴东县",
        "next": "",
    }
    response = client.post("/suppliers/apply/company/", data)
    assert response.status_code == 200
    assert "校验码" in _field_errors(response, "uscc")[0]
    supplier.refresh_from_db()
    assert supplier.uscc is None and supplier.legal_name != "巴东县测试合作社"
    response = client.post("/suppliers/apply/company/", {**data, "uscc": good.lower()})
    assert response["Location"] == "/suppliers/apply/location/"
    supplier.refresh_from_db()
    assert supplier.uscc == good


def test_location_step_offers_and_accepts_only_eligible_counties(client, onboarding):
    supplier, user = onboarding.draft(complete=False)
    client.force_login(user)
    beijing = County.objects.get(code="110101")
    response = client.post(
        "/suppliers/apply/location/",
        {"province": beijing.province_id, "city": beijing.city_id, "county": beijing.pk},
    )
    assert response.status_code == 200
    assert _field_errors(response, "province") or _field_errors(response, "county")
    supplier.refresh_from_db()
    assert supplier.county_id is None
    yichang = County.objects.get(code="420527").city_id  # 宜昌市: 秭归县 is eligible, 西陵区 is not
    names = client.get("/suppliers/regions/counties/", {"city": yichang}).content.decode()
    assert "秭归县" in names and "西陵区" not in names
    badong = County.objects.get(code=BADONG)
    response = client.post(
        "/suppliers/apply/location/",
        {"province": badong.province_id, "city": badong.city_id, "county": badong.pk},
    )
    assert response.status_code == 302
    supplier.refresh_from_db()
    assert supplier.county == badong


def test_business_step_checks_the_bank_account(client, onboarding):
    supplier, user = onboarding.draft(complete=False)
    client.force_login(user)
    response = client.post(
        "/suppliers/apply/business/",
        {
            "business_scope": "茶叶",
            "product_lines": ["tea"],
            "bank_name": "农行",
            "bank_account_name": "x",
            "bank_account_number": "12ab",
        },
    )
    assert "bank_account_number" in response.context["form"].errors
    supplier.refresh_from_db()
    assert supplier.product_lines == []


def test_save_and_finish_later_returns_to_the_portal_and_resume_finds_the_next_step(client, onboarding):
    _supplier, user = onboarding.draft(complete=False)
    client.force_login(user)
    response = client.post(
        "/suppliers/apply/company/",
        {
            "legal_name": "巴东县测试合作社",
            "uscc": valid_uscc("93", BADONG),
            "legal_representative": "谭",
            "contact_name": "谭",
            "contact_phone": "0718-4321000",
            "address": "巴东县",
            "save_exit": "",
        },
    )
    assert response["Location"] == "/suppliers/portal/"
    assert client.get("/suppliers/apply/")["Location"] == "/suppliers/apply/location/"


def test_document_upload_errors_show_on_the_form(client, onboarding):
    supplier, user = onboarding.draft()
    client.force_login(user)
    response = client.post(
        "/suppliers/documents/",
        {
            "type": "food_production",
            "number": "SC12",
            "issuer": "巴东县市场监督管理局",
            "valid_from": "2025-01-01",
            "valid_until": "2024-01-01",
            "file": png_upload(),
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"number", "valid_until"}
    assert supplier.qualifications.count() == 1


def test_review_submits_a_complete_application(client, onboarding):
    supplier, user = onboarding.draft()
    client.force_login(user)
    page = client.get("/suppliers/apply/review/")
    assert page.context["problems"] == []
    response = client.post("/suppliers/apply/review/")
    assert response["Location"] == "/suppliers/portal/"
    supplier.refresh_from_db()
    assert supplier.status == SupplierStatus.SUBMITTED
    # Under review the wizard shows the application read-only and refuses changes.
    response = client.post("/suppliers/apply/company/", {"legal_name": "改名"})
    assert response.status_code == 200
    supplier.refresh_from_db()
    assert supplier.legal_name != "改名"


def test_county_officer_endorses_from_its_page(client, onboarding):
    supplier, user = onboarding.draft()
    supplier = onboarding.to(supplier, user, "submitted")
    client.force_login(onboarding.officer)
    response = client.post(f"/county/applications/{supplier.pk}/", {"action": "endorse", "reason": ""})
    assert "reason" in response.context["form"].errors
    supplier.refresh_from_db()
    assert supplier.status == SupplierStatus.SUBMITTED
    response = client.post(
        f"/county/applications/{supplier.pk}/", {"action": "endorse", "reason": "本县企业"}
    )
    assert response.status_code == 302
    supplier.refresh_from_db()
    assert supplier.status == SupplierStatus.ENDORSED


def test_supplier_a_cannot_see_supplier_b_anywhere(client, onboarding):
    _a, a_user = onboarding.draft()
    b, _b_user = onboarding.draft()
    b_doc = b.qualifications.get()
    client.force_login(a_user)
    portal = client.get("/suppliers/portal/").content.decode()
    assert b.legal_name not in portal and b.uscc not in portal
    assert client.get(f"/suppliers/documents/{b_doc.pk}/file/").status_code == 404
    assert client.post(f"/suppliers/documents/{b_doc.pk}/delete/").status_code == 404
    assert client.get(f"/county/applications/{b.pk}/").status_code == 403
    assert b.qualifications.count() == 1


def test_another_countys_officer_cannot_open_the_application(client, onboarding):
    from tests.factories import CountyOfficerFactory, eligible_county

    supplier, user = onboarding.draft()
    supplier = onboarding.to(supplier, user, "submitted")
    client.force_login(CountyOfficerFactory(county_office__county=eligible_county(4)))
    assert client.get(f"/county/applications/{supplier.pk}/").status_code == 404
    response = client.post(f"/county/applications/{supplier.pk}/", {"action": "endorse", "reason": "x"})
    assert response.status_code == 404
    supplier.refresh_from_db()
    assert supplier.status == SupplierStatus.SUBMITTED


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_portal_and_county_pages_make_a_constant_number_of_queries(client, onboarding):
    supplier, user = onboarding.draft()
    supplier = onboarding.to(supplier, user, "active")
    client.force_login(user)
    few = _count(client, "/suppliers/portal/")
    for i in range(5):
        onboarding.add_licence(
            supplier,
            user,
            type="green_food",
            number=f"LB-{i}",
            long_term=False,
            valid_until=timezone.localdate() + datetime.timedelta(days=300),
        )
    assert _count(client, "/suppliers/portal/") == few
    client.force_login(onboarding.officer)
    few = _count(client, "/county/applications/")
    for _ in range(4):
        s, u = onboarding.draft()
        onboarding.to(s, u, "submitted")
    assert _count(client, "/county/applications/") == few
