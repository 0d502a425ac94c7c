"""Price evidence: links to recognised shops, convertible units, a real screenshot, checked by ops."""

import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from pricing import services
from pricing.models import EvidenceStatus, PriceEvidence
from tests.catalog.conftest import Listings
from tests.factories import OpsFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def listings(db):
    return Listings()


def screenshot(colour=(240, 240, 240), size=(800, 600)):
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return SimpleUploadedFile("shot.png", buffer.getvalue(), content_type="image/png")


def _add(listings, sku=None, **overrides):
    sku = sku or listings.product(image=False).skus.order_by("position").first()  # 5 kg oranges, ¥49.90
    kwargs = {
        "url": "https://item.jd.com/100012345678.html",
        "match": "same",
        "observed_price": Decimal("59.90"),
        "spec": "5斤装",
        "net_quantity": Decimal("2.5"),
        "unit": "kg",
        "pack_count": 1,
        "seen_on": timezone.localdate() - datetime.timedelta(days=3),
        "screenshot": screenshot(),
    }
    kwargs.update(overrides)
    return services.evidence_add(sku=sku, by=kwargs.pop("by", listings.user), **kwargs)


def _errors(call) -> dict:
    with pytest.raises(ValidationError) as info:
        call()
    return info.value.message_dict


def test_a_jd_reference_is_recorded_with_its_unit_price(listings):
    evidence = _add(listings)
    assert evidence.shop.code == "jd"
    assert evidence.observed_unit_price == Decimal("11.98")  # ¥59.90 for 2.5 kg = ¥11.98 per 500 g
    assert len(evidence.screenshot_sha256) == 64 and evidence.status == EvidenceStatus.PENDING
    assert not evidence.is_stale


@pytest.mark.parametrize(
    "url,shop",
    [
        ("https://detail.tmall.com/item.htm?id=1", "tmall"),
        ("https://mobile.yangkeduo.com/goods.html?goods_id=1", "pinduoduo"),
        ("http://JD.com/x", "jd"),
    ],
)
def test_the_shop_comes_from_the_host(url, shop, listings):
    assert services.shop_for_url(url).code == shop


@pytest.mark.parametrize(
    "url",
    [
        "https://jd.com.fake-shop.cn/item",  # look-alike: the real host is fake-shop.cn
        "https://notjd.com/item",
        "https://www.example.com/item",
    ],
)
def test_unrecognised_shops_are_refused_on_the_link(url, listings):
    assert list(_errors(lambda: _add(listings, url=url))) == ["url"]
    assert not PriceEvidence.objects.exists()


def test_a_link_that_is_not_a_link(listings):
    assert list(_errors(lambda: _add(listings, url="jd 上 59.9 元"))) == ["url"]


def test_units_that_cannot_be_converted_are_refused_on_the_unit(listings):
    assert list(_errors(lambda: _add(listings, unit="L", net_quantity=Decimal("1")))) == ["unit"]


def test_every_wrong_field_at_once_and_nothing_saved(listings):
    bad_image = SimpleUploadedFile("shot.png", b"not a picture", content_type="image/png")
    errors = _errors(
        lambda: _add(
            listings,
            observed_price=Decimal("0"),
            seen_on=timezone.localdate() + datetime.timedelta(days=1),
            screenshot=bad_image,
        )
    )
    assert set(errors) == {"observed_price", "seen_on", "screenshot"}
    assert not PriceEvidence.objects.exists()


def test_the_same_screenshot_cannot_prove_another_product(listings):
    first = _add(listings, screenshot=screenshot((10, 120, 200)))
    other = listings.product(name="秭归夏橙", image=False).skus.first()
    errors = _errors(lambda: _add(listings, sku=other, screenshot=screenshot((10, 120, 200))))
    assert list(errors) == ["screenshot"] and first.sku.product.name in errors["screenshot"][0]
    # Another SKU of the same product may show the same page.
    sibling = first.sku.product.skus.exclude(pk=first.sku_id).first()
    assert _add(listings, sku=sibling, screenshot=screenshot((10, 120, 200))).pk


def test_a_screenshot_reused_from_another_supplier_is_refused_without_naming_anything_of_theirs(listings):
    # Given another supplier's evidence with a screenshot
    theirs_supplier, theirs_user = listings.active_supplier()
    theirs = listings.product(supplier=theirs_supplier, user=theirs_user, name="竞品秘制橙子", image=False)
    _add(listings, sku=theirs.skus.first(), by=theirs_user, screenshot=screenshot((200, 30, 30)))
    # When this supplier sends the same picture
    errors = _errors(lambda: _add(listings, screenshot=screenshot((200, 30, 30))))
    # Then it is refused, and the message says nothing of the other supplier or its product
    assert list(errors) == ["screenshot"]
    message = errors["screenshot"][0]
    assert message == "该截图已在别处用作价格证明，请上传您自己截取的电商页面截图。"
    for secret in (theirs.name, theirs_supplier.legal_name, str(theirs.pk), str(theirs_supplier.pk)):
        assert secret not in message
    assert PriceEvidence.objects.count() == 1


def test_only_the_products_supplier_records_evidence(listings):
    _other, other_user = listings.active_supplier()
    with pytest.raises(PermissionDenied):
        _add(listings, by=other_user)


def test_evidence_goes_stale_after_the_configured_age(listings, settings):
    evidence = _add(listings, seen_on=timezone.localdate() - datetime.timedelta(days=10))
    assert not evidence.is_stale
    with time_machine.travel(timezone.now() + datetime.timedelta(days=25)):
        assert evidence.age_days == 35 and evidence.is_stale
    settings.PRICE_EVIDENCE_MAX_AGE_DAYS = 40
    with time_machine.travel(timezone.now() + datetime.timedelta(days=25)):
        assert not evidence.is_stale


def test_ops_verify_or_reject_with_a_reason(listings):
    evidence = _add(listings)
    control = OpsFactory(teams=["internal_control"])
    with pytest.raises(ValidationError):
        services.evidence_review(evidence=evidence, by=control, verified=False, reason="")
    evidence = services.evidence_review(
        evidence=evidence, by=control, verified=False, reason="截图价格与链接不符"
    )
    assert (evidence.status, evidence.reviewed_by, evidence.review_reason) == (
        EvidenceStatus.REJECTED,
        control,
        "截图价格与链接不符",
    )
    with pytest.raises(PermissionDenied):
        services.evidence_review(evidence=evidence, by=OpsFactory(teams=["customer_service"]), verified=True)


def test_the_screenshot_is_private(client, listings):
    evidence = _add(listings)
    url = f"/pricing/evidence/{evidence.pk}/screenshot/"
    client.force_login(listings.user)
    download = client.get(url)
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert download["Cache-Control"] == "private, no-store"
    _other, other_user = listings.active_supplier()
    client.force_login(other_user)
    assert client.get(url).status_code == 404
    client.force_login(OpsFactory(teams=["data_ops"]))
    assert client.get(url).status_code == 200


def test_ops_reject_in_the_admin_with_a_reason(client, listings):
    evidence = _add(listings)
    client.force_login(OpsFactory(teams=["internal_control"]))
    url = "/admin/pricing/priceevidence/"
    assert client.get(url).status_code == 200
    page = client.post(url, {"action": "reject", "_selected_action": [evidence.pk]}, follow=True)
    assert page.templates[0].name == "admin/action_reason.html"
    client.post(
        url, {"action": "reject", "_selected_action": [evidence.pk], "confirm": "1", "reason": "链接失效"}
    )
    evidence.refresh_from_db()
    assert (evidence.status, evidence.review_reason) == (EvidenceStatus.REJECTED, "链接失效")
