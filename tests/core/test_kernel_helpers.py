"""core's small helpers: money, one mapping of service errors, one private-download response."""

from decimal import Decimal

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.utils import translation
from rest_framework.exceptions import ValidationError as DRFValidationError

from core.downloads import private_file_response
from core.errors import api_exception_handler, apply_to_form, as_drf, messages_of
from core.money import money, yuan


def test_money_has_two_places_rounded_half_up():
    assert money("2.675") == Decimal("2.68")
    assert money(None) == Decimal("0.00")
    assert yuan(Decimal("23442.5")) == "¥23,442.50"


class _Form(forms.Form):
    name = forms.CharField(required=False)
    token = forms.CharField(required=False, widget=forms.HiddenInput)


def test_service_errors_land_on_the_visible_fields_they_name():
    form = _Form({"name": "x"})
    form.is_valid()
    apply_to_form(form, ValidationError({"name": "Too short.", "token": "Stale.", "other": "Whole form."}))
    assert form.errors == {"name": ["Too short."], "__all__": ["Stale.", "Whole form."]}
    plain = _Form({})
    plain.is_valid()
    apply_to_form(plain, ValidationError(["One.", "Two."]))
    assert plain.non_field_errors() == ["One.", "Two."]


def test_refusals_read_as_text_and_as_the_api_answer():
    assert messages_of(ValidationError(["A.", "B."])) == ["A.", "B."]
    with translation.override("en"):
        assert messages_of(PermissionDenied()) == ["You may not do this."]
    assert as_drf(ValidationError({"price": "Too high."})).detail == {"price": ["Too high."]}
    assert as_drf(ValidationError("Sold out."), key="fingerprint").detail == {"fingerprint": ["Sold out."]}
    response = api_exception_handler(ValidationError({"price": "Too high."}), {})
    assert (response.status_code, response.data) == (400, {"price": ["Too high."]})
    assert api_exception_handler(DRFValidationError({"x": ["y"]}), {}).status_code == 400


def test_a_private_file_is_never_cached_sniffed_or_run(tmp_path):
    storage = FileSystemStorage(location=tmp_path)
    name = storage.save("scan.pdf", ContentFile(b"%PDF-1.4"))
    response = private_file_response(storage.open(name), filename="licence.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert (
        response["Content-Disposition"].startswith("attachment")
        and "licence.pdf" in response["Content-Disposition"]
    )
    response.file_to_stream.close()
