"""Suppliers read and update their own application and documents through the API — nobody else's."""

import pytest
from rest_framework.test import APIClient

from suppliers.models import SupplierStatus
from tests.suppliers.conftest import png_upload

pytestmark = pytest.mark.django_db


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_supplier_reads_and_updates_its_draft(onboarding):
    supplier, user = onboarding.draft(complete=False)
    client = _client(user)
    body = client.get("/api/v1/supplier/application/").json()
    assert body["status"] == "draft" and body["problems"]
    response = client.patch(
        "/api/v1/supplier/application/", {"address": "巴东县信陵镇", "county": "422823"}, format="json"
    )
    assert response.status_code == 200, response.json()
    supplier.refresh_from_db()
    assert supplier.address == "巴东县信陵镇" and supplier.county.code == "422823"


def test_bad_input_is_reported_per_field_and_nothing_changes(onboarding):
    supplier, user = onboarding.draft(complete=False)
    client = _client(user)
    response = client.patch("/api/v1/supplier/application/", {"county": "110101"}, format="json")
    assert response.status_code == 400 and "county" in response.json()
    response = client.patch("/api/v1/supplier/application/", {"uscc": "91350100M000100Y44"}, format="json")
    assert response.status_code == 400 and "uscc" in response.json()
    supplier.refresh_from_db()
    assert supplier.county_id is None and supplier.uscc is None


def test_the_application_is_read_only_under_review(onboarding):
    supplier, user = onboarding.draft()
    onboarding.to(supplier, user, "submitted")
    response = _client(user).patch("/api/v1/supplier/application/", {"address": "x"}, format="json")
    assert response.status_code == 400
    supplier.refresh_from_db()
    assert supplier.address != "x" and supplier.status == SupplierStatus.SUBMITTED


def test_documents_upload_and_listing_are_scoped(onboarding):
    a, a_user = onboarding.draft()
    b, _b_user = onboarding.draft()
    client = _client(a_user)
    listed = client.get("/api/v1/supplier/qualifications/").json()
    assert [q["id"] for q in listed] == list(a.qualifications.values_list("id", flat=True))
    b_doc = b.qualifications.get()
    assert client.get(f"/api/v1/supplier/qualifications/{b_doc.pk}/").status_code == 404
    assert client.delete(f"/api/v1/supplier/qualifications/{b_doc.pk}/").status_code == 404
    assert b.qualifications.count() == 1
    response = client.post(
        "/api/v1/supplier/qualifications/",
        {
            "type": "green_food",
            "number": "LB-18-2101",
            "issuer": "中国绿色食品发展中心",
            "valid_from": "2025-05-01",
            "valid_until": "2028-04-30",
            "file": png_upload(),
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["download_url"].endswith("/file/")
    assert a.qualifications.count() == 2 and b.qualifications.count() == 1


def test_an_upload_that_is_not_a_document_is_refused_on_the_file_field(onboarding):
    from django.core.files.uploadedfile import SimpleUploadedFile

    a, a_user = onboarding.draft()
    response = _client(a_user).post(
        "/api/v1/supplier/qualifications/",
        {
            "type": "green_food",
            "number": "LB-1",
            "issuer": "x",
            "valid_from": "2025-05-01",
            "long_term": "true",
            "file": SimpleUploadedFile("a.pdf", b"MZ\x00\x00fake", content_type="application/pdf"),
        },
        format="multipart",
    )
    assert response.status_code == 400 and list(response.json()) == ["file"]
    assert a.qualifications.count() == 1


def test_other_roles_cannot_use_the_supplier_endpoints(onboarding):
    from tests.factories import BuyerFactory

    for user in (BuyerFactory(), onboarding.officer):
        client = _client(user)
        assert client.get("/api/v1/supplier/application/").status_code == 403
        assert client.get("/api/v1/supplier/qualifications/").status_code == 403


def test_county_office_lists_its_suppliers_through_the_api(onboarding):
    supplier, _user = onboarding.draft()
    other, _ = onboarding.draft()
    from suppliers.models import Supplier

    Supplier.objects.filter(pk=other.pk).update(county=None)
    ids = [r["id"] for r in _client(onboarding.officer).get("/api/v1/suppliers/").json()["results"]]
    assert ids == [supplier.pk]
