"""Forms of the supplier portal and the county office. They check shape; services check rules."""

import re

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.uscc import normalize_uscc, validate_uscc
from regions.models import City, County, Province
from suppliers.models import Supplier
from suppliers.rules import ProductLine, QualificationType

PHONE = re.compile(r"1[3-9]\d{9}|0\d{2,3}-?\d{7,8}")
BANK_ACCOUNT = re.compile(r"\d{8,30}")


def validate_phone(value: str) -> None:
    if not PHONE.fullmatch(value.replace(" ", "")):
        raise ValidationError(
            _(
                "Enter an 11-digit mobile number (e.g. 13912345678) or a landline with area code (e.g. 0718-4321000)."
            ),
            code="phone",
        )


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class RegistrationForm(forms.Form):
    legal_name = forms.CharField(label=_("Company or cooperative name"), max_length=200)
    contact_name = forms.CharField(label=_("Your name"), max_length=50)
    phone = forms.CharField(label=_("Mobile phone"), max_length=20, validators=[validate_phone])
    email = forms.EmailField(label=_("Email"), help_text=_("Review results and reminders are sent here."))
    username = forms.CharField(
        label=_("Username"), max_length=150, help_text=_("Letters, digits and @/./+/-/_ only.")
    )
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label=_("Password again"), widget=forms.PasswordInput, strip=False)

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        User.username_validator(username)
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(_("This username is taken."), code="username_taken")
        return username

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        elif p1:
            try:
                password_validation.validate_password(p1, User(username=data.get("username", "")))
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data


class CompanyForm(forms.Form):
    legal_name = forms.CharField(
        label=_("Legal name"), max_length=200, help_text=_("As on the business licence.")
    )
    uscc = forms.CharField(
        label=_("Unified social credit code"),
        max_length=30,
        help_text=_("18 characters, as on the business licence."),
    )
    legal_representative = forms.CharField(label=_("Legal representative"), max_length=50)
    contact_name = forms.CharField(label=_("Contact person"), max_length=50)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=20, validators=[validate_phone])
    address = forms.CharField(label=_("Address"), max_length=300)

    def __init__(self, *args, supplier: Supplier, **kwargs):
        self.supplier = supplier
        super().__init__(*args, **kwargs)

    def clean_uscc(self) -> str:
        code = normalize_uscc(self.cleaned_data["uscc"])
        validate_uscc(code)
        if Supplier.objects.filter(uscc=code).exclude(pk=self.supplier.pk).exists():
            raise ValidationError(
                _("Another supplier is already registered with this code."), code="uscc_taken"
            )
        return code


class LocationForm(forms.Form):
    """Province → city → county: only counties flagged eligible can be chosen."""

    province = forms.ModelChoiceField(
        label=_("Province"), queryset=Province.objects.filter(counties__is_eligible=True).distinct()
    )
    city = forms.ModelChoiceField(label=_("City"), queryset=City.objects.none())
    county = forms.ModelChoiceField(
        label=_("County"),
        queryset=County.objects.none(),
        help_text=_("Only the 832 poverty-alleviation counties are listed."),
        error_messages={"invalid_choice": _("Choose an eligible county of the chosen city.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        province = self._value("province")
        city = self._value("city")
        if province:
            self.fields["city"].queryset = City.objects.filter(
                province_id=province, counties__is_eligible=True
            ).distinct()
        if city:
            self.fields["county"].queryset = County.objects.filter(city_id=city, is_eligible=True)

    def _value(self, name: str):
        raw = self.data.get(name) if self.is_bound else self.initial.get(name)
        if hasattr(raw, "pk"):
            return raw.pk
        try:
            return int(raw) if raw else None
        except (TypeError, ValueError):
            return None

    def clean(self):
        data = super().clean()
        province, city = data.get("province"), data.get("city")
        if province and city and city.province_id != province.pk:
            self.add_error("city", _("This city is not in the chosen province."))
        return data


class BusinessForm(forms.Form):
    business_scope = forms.CharField(
        label=_("Business scope"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("As on the business licence."),
    )
    product_lines = forms.MultipleChoiceField(
        label=_("Main product categories"),
        choices=ProductLine.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("They decide which licences you must upload."),
    )
    bank_name = forms.CharField(label=_("Bank (branch)"), max_length=100)
    bank_account_name = forms.CharField(
        label=_("Account name"), max_length=200, help_text=_("Must be the company's own account.")
    )
    bank_account_number = forms.CharField(label=_("Account number"), max_length=40)

    def clean_bank_account_number(self) -> str:
        number = "".join(self.cleaned_data["bank_account_number"].split())
        if not BANK_ACCOUNT.fullmatch(number):
            raise ValidationError(_("A bank account number has 8 to 30 digits."), code="bank_account")
        return number


class QualificationForm(forms.Form):
    type = forms.ChoiceField(label=_("Document type"), choices=QualificationType.choices)
    title = forms.CharField(
        label=_("Title"), max_length=100, required=False, help_text=_("For “other document”.")
    )
    number = forms.CharField(label=_("Document number"), max_length=64)
    issuer = forms.CharField(label=_("Issued by"), max_length=100)
    valid_from = forms.DateField(label=_("Valid from"), widget=DateInput())
    valid_until = forms.DateField(label=_("Valid until"), widget=DateInput(), required=False)
    long_term = forms.BooleanField(label=_("Long-term (长期)"), required=False)
    file = forms.FileField(
        label=_("Scan"),
        help_text=_("PDF, JPEG or PNG, at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The supplier reads this."),
        max_length=2000,
    )
