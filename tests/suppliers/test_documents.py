"""Qualification documents: validated by type and content, stored privately, served to the right people."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from suppliers.models import Qualification, QualificationStatus
from suppliers.rules import QualificationType
from tests.factories import BuyerFactory, CountyOfficerFactory, OpsFactory, eligible_county
from tests.suppliers.conftest import png_upload

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _errors(call) -> dict:
    with pytest.raises(ValidationError) as info:
        call()
    return info.value.message_dict


def _add(onboarding, supplier, user, **kw):
    return lambda: onboarding.add_licence(supplier, user, **kw)


def test_a_licence_is_stored_privately_with_its_checksum(onboarding, settings):
    supplier, _user = onboarding.draft()
    q = supplier.qualifications.get()
    assert q.file_type == "image/png" and len(q.file_sha256) == 64
    assert q.file.path.startswith(str(settings.PRIVATE_MEDIA_ROOT))
    assert not q.file.path.startswith(str(settings.MEDIA_ROOT))
    with pytest.raises(ValueError):
        q.file.url  # noqa: B018 - private files have no URL


def test_a_renamed_program_is_refused_on_the_file_field(onboarding):
    supplier, user = onboarding.draft()
    fake = SimpleUploadedFile("licence.pdf", b"MZ\x90\x00" + b"\x00" * 200, content_type="application/pdf")
    errors = _errors(_add(onboarding, supplier, user, upload=fake))
    assert list(errors) == ["file"]
    assert supplier.qualifications.count() == 1  # only the one from draft()


def test_an_oversized_file_is_refused(onboarding, monkeypatch):
    supplier, user = onboarding.draft()
    big = SimpleUploadedFile(
        "scan.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024 + 10), content_type="application/pdf"
    )
    errors = _errors(_add(onboarding, supplier, user, upload=big))
    assert list(errors) == ["file"] and "MB" in errors["file"][0]


def test_an_image_bomb_is_refused(onboarding):
    supplier, user = onboarding.draft()
    buffer = io.BytesIO()
    Image.new("1", (9000, 9000)).save(buffer, "PNG")  # 81 megapixels, a few kB on disk
    bomb = SimpleUploadedFile("scan.png", buffer.getvalue(), content_type="image/png")
    errors = _errors(_add(onboarding, supplier, user, upload=bomb))
    assert list(errors) == ["file"]


def test_dates_must_make_sense(onboarding):
    supplier, user = onboarding.draft()
    today = TODAY()
    errors = _errors(
        _add(onboarding, supplier, user, long_term=False, valid_until=today - datetime.timedelta(days=800))
    )
    assert list(errors) == ["valid_until"]  # before valid_from
    errors = _errors(
        _add(onboarding, supplier, user, long_term=False, valid_until=today - datetime.timedelta(days=1))
    )
    assert list(errors) == ["valid_until"]  # already expired
    errors = _errors(_add(onboarding, supplier, user, long_term=False, valid_until=None))
    assert list(errors) == ["valid_until"]
    errors = _errors(_add(onboarding, supplier, user, valid_from=today + datetime.timedelta(days=3)))
    assert list(errors) == ["valid_from"]


def test_numbers_are_checked_by_type(onboarding):
    supplier, user = onboarding.draft()
    errors = _errors(_add(onboarding, supplier, user, number="91420000000000000X"))
    assert list(errors) == ["number"]
    errors = _errors(
        _add(
            onboarding,
            supplier,
            user,
            type=QualificationType.FOOD_PRODUCTION,
            number="SC123",
            long_term=False,
            valid_until=TODAY() + datetime.timedelta(days=300),
        )
    )
    assert list(errors) == ["number"]


def test_every_wrong_field_is_reported_at_once_and_nothing_is_saved(onboarding):
    supplier, user = onboarding.draft()
    before = Qualification.objects.count()
    fake = SimpleUploadedFile("x.png", b"hello", content_type="image/png")
    errors = _errors(_add(onboarding, supplier, user, number="SC1", issuer=" ", upload=fake))
    assert set(errors) == {"number", "issuer", "file"}
    assert Qualification.objects.count() == before


def test_a_newer_document_replaces_the_current_one(onboarding):
    supplier, user = onboarding.draft()
    old = supplier.qualifications.get()
    new = onboarding.add_licence(supplier, user, upload=png_upload(size=(80, 50)))
    old.refresh_from_db()
    assert (old.status, new.status) == (QualificationStatus.SUPERSEDED, QualificationStatus.CURRENT)


def test_documents_are_locked_while_under_review(onboarding):
    supplier, user = onboarding.draft()
    supplier = onboarding.to(supplier, user, "submitted")
    with pytest.raises(ValidationError) as info:
        onboarding.add_licence(supplier, user)
    assert "已提交，待县级认定" in info.value.messages[0]
    assert supplier.qualifications.count() == 1


# --- Who can fetch a scan ---------------------------------------------------------------------------


def _download(client, q):
    return client.get(f"/suppliers/documents/{q.pk}/file/")


def test_the_owner_downloads_its_scan_as_an_attachment(client, onboarding):
    supplier, user = onboarding.draft()
    q = supplier.qualifications.get()
    client.force_login(user)
    response = _download(client, q)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content)[:8] == b"\x89PNG\r\n\x1a\n"


def test_its_county_office_and_ops_may_download(client, onboarding):
    supplier, _ = onboarding.draft()
    q = supplier.qualifications.get()
    for user in (onboarding.officer, OpsFactory(teams=["internal_control"])):
        client.force_login(user)
        assert _download(client, q).status_code == 200


@pytest.mark.parametrize("team", ["content_ops", "data_ops", "customer_service"])
def test_ops_who_may_see_the_supplier_but_not_its_documents_may_not(client, onboarding, team):
    # Given an ops team with view_supplier but not view_qualification (accounts/roles.py)
    supplier, _ = onboarding.draft()
    q = supplier.qualifications.get()
    user = OpsFactory(teams=[team])
    assert user.has_perm("suppliers.view_supplier") and not user.has_perm("suppliers.view_qualification")
    client.force_login(user)
    # Then the scan is refused, as the admin refuses it
    assert _download(client, q).status_code == 404


def test_ops_with_the_qualification_permission_may(client, onboarding):
    supplier, _ = onboarding.draft()
    q = supplier.qualifications.get()
    user = OpsFactory(teams=["internal_control"])
    assert user.has_perm("suppliers.view_qualification")
    client.force_login(user)
    response = _download(client, q)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_nobody_else_may(client, onboarding):
    supplier, _ = onboarding.draft()
    _other_supplier, other_user = onboarding.draft()
    q = supplier.qualifications.get()
    strangers = [
        other_user,
        CountyOfficerFactory(county_office__county=eligible_county(4)),
        BuyerFactory(),
        OpsFactory(),  # staff without the supplier view permission
    ]
    for user in strangers:
        client.force_login(user)
        assert _download(client, q).status_code == 404, user
    client.logout()
    assert _download(client, q).status_code == 302  # to the login page
