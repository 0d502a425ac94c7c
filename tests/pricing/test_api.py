"""Pricing API per SKU: the verdict with its explanation and evidence; suppliers record evidence."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from pricing.models import PriceEvidence
from pricing.verdicts import refresh_verdicts
from tests.factories import OpsFactory
from tests.pricing.test_evidence import screenshot
from tests.pricing.test_verdicts import Market, add_reference

pytestmark = pytest.mark.django_db


@pytest.fixture
def market(db):
    market = Market()
    market.peer_products([4.8, 5.0, 5.1, 5.2, 5.4])
    market.listed, market.listed_sku = market.subject(price="90.00", on_sale=True)
    market.draft, market.draft_sku = market.subject(price="50.00", name="草稿")
    add_reference(market, market.listed_sku, price="40.00", qty="5")
    rejected = add_reference(
        market, market.listed_sku, price="38.00", qty="5", url="https://detail.tmall.com/item.htm?id=1"
    )
    from pricing import services

    services.evidence_review(
        evidence=rejected, by=OpsFactory(teams=["internal_control"]), verified=False, reason="链接失效"
    )
    refresh_verdicts([market.listed_sku.pk, market.draft_sku.pk])
    return market


def test_anyone_reads_the_verdict_of_a_listing_on_sale(market):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    data = client.get(f"/api/v1/pricing/skus/{market.listed_sku.pk}/?lang=en").json()
    assert data["verdict"]["verdict"] == "very_high" and data["verdict"]["unit_price"] == "9.00"
    assert "comparable listings" in data["verdict"]["explanation"] or "可比" in data["verdict"]["explanation"]
    assert [e["shop"] for e in data["evidence"]] == ["京东"]  # the rejected Tmall reference is hidden
    assert data["verdict"]["model_version"]


def test_a_draft_is_seen_only_by_its_supplier_and_ops(market):
    url = f"/api/v1/pricing/skus/{market.draft_sku.pk}/"
    assert APIClient().get(url).status_code == 404
    _other_supplier, other_user = market.active_supplier()
    client = APIClient()
    client.force_authenticate(other_user)
    assert client.get(url).status_code == 404
    client.force_authenticate(market.user)
    assert client.get(url).json()["verdict"]["verdict"] == "reasonable"
    client.force_authenticate(OpsFactory(teams=["internal_control"]))
    assert client.get(url).status_code == 200


def test_the_supplier_sees_its_rejected_reference_with_the_reason(market):
    client = APIClient()
    client.force_authenticate(market.user)
    data = client.get(f"/api/v1/pricing/skus/{market.listed_sku.pk}/").json()
    rejected = [e for e in data["evidence"] if e["status"] == "rejected"]
    assert rejected and rejected[0]["review_reason"] == "链接失效"


def test_a_supplier_records_evidence_and_bad_fields_come_back_on_their_field(market):
    client = APIClient()
    client.force_authenticate(market.user)
    url = f"/api/v1/supplier/skus/{market.draft_sku.pk}/evidence/"
    good = {
        "url": "https://item.jd.com/1.html",
        "match": "same",
        "observed_price": "48.00",
        "spec": "5kg",
        "net_quantity": "5",
        "unit": "kg",
        "pack_count": 1,
        "seen_on": "2026-11-20",
    }
    before = PriceEvidence.objects.count()
    bad = client.post(
        url, {**good, "url": "https://www.example.com/x", "screenshot": screenshot()}, format="multipart"
    )
    assert bad.status_code == 400 and "url" in bad.json()
    bad = client.post(url, {**good, "unit": "L", "screenshot": screenshot()}, format="multipart")
    assert bad.status_code == 400 and "unit" in bad.json()
    assert PriceEvidence.objects.count() == before
    made = client.post(url, {**good, "screenshot": screenshot(colour=(1, 2, 3))}, format="multipart")
    assert made.status_code == 201 and made.json()["observed_unit_price"] == "4.80"
    assert PriceEvidence.objects.get(pk=made.json()["id"]).observed_price == Decimal("48.00")


def test_another_suppliers_sku_is_not_found(market):
    _supplier, other_user = market.active_supplier()
    client = APIClient()
    client.force_authenticate(other_user)
    response = client.post(
        f"/api/v1/supplier/skus/{market.listed_sku.pk}/evidence/",
        {"url": "https://item.jd.com/1.html"},
        format="multipart",
    )
    assert response.status_code == 404
    client.force_authenticate(OpsFactory(teams=["internal_control"]))
    assert client.post(f"/api/v1/supplier/skus/{market.listed_sku.pk}/evidence/", {}).status_code == 403
