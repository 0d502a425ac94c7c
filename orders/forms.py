"""Forms of the buyer's order pages. They only read the request; prices and totals never come from
the browser, and every rule is checked again by ``orders.services``."""

from django import forms
from django.utils.translation import gettext_lazy as _

from buyers.models import DeliveryAddress
from orders.models import AfterSaleKind, InvoiceType, PaymentMethod
from regions.models import City, County, Province

STARS = [(n, str(n)) for n in range(1, 6)]


class AddToCartForm(forms.Form):
    sku = forms.IntegerField(widget=forms.HiddenInput)
    # No minimum here: the service says what is wrong with zero, in the words the cart uses.
    quantity = forms.IntegerField(
        label=_("Quantity"),
        error_messages={
            "required": _("Enter a quantity of at least 1."),
            "invalid": _("Enter a whole number."),
        },
    )


class CartQuantityForm(forms.Form):
    quantity = forms.IntegerField(
        label=_("Quantity"),
        error_messages={
            "required": _("Enter a quantity of at least 1."),
            "invalid": _("Enter a whole number."),
        },
    )


class AddressChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: DeliveryAddress) -> str:
        return f"{obj.recipient} {obj.phone} · {obj.full_address}"


class CheckoutForm(forms.Form):
    """What the buyer chooses at checkout. The fingerprint of the totals shown and the idempotency
    key ride along as hidden fields; the amounts themselves are never posted."""

    address = AddressChoiceField(
        label=_("Delivery address"),
        queryset=DeliveryAddress.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": _("Choose one of your unit's delivery addresses."),
            "invalid_choice": _("Choose one of your unit's delivery addresses."),
        },
    )
    invoice_type = forms.ChoiceField(
        label=_("Invoice type"),
        choices=InvoiceType.choices,
        initial=InvoiceType.ORDINARY,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the invoice type.")},
    )
    payment_method = forms.ChoiceField(
        label=_("Payment method"),
        choices=PaymentMethod.choices,
        initial=PaymentMethod.OFFICIAL_CARD,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how your unit pays.")},
    )
    note = forms.CharField(
        label=_("Note to the suppliers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 500}),
    )
    fingerprint = forms.CharField(widget=forms.HiddenInput, required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, unit_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        # Scoped to the buyer's unit at the query: another unit's address is not a valid choice.
        self.fields["address"].queryset = DeliveryAddress.objects.filter(
            buyer_unit_id=unit_id
        ).select_related("province", "city", "county")


class AddressForm(forms.Form):
    """A new delivery address typed at checkout; ``buyers.services.delivery_address_add`` checks it."""

    recipient = forms.CharField(label=_("Recipient"), max_length=50, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=24, required=False)
    province = forms.ModelChoiceField(label=_("Province"), queryset=Province.objects.all(), required=False)
    city = forms.ModelChoiceField(label=_("City"), queryset=City.objects.none(), required=False)
    county = forms.ModelChoiceField(
        label=_("County or district"), queryset=County.objects.none(), required=False
    )
    detail = forms.CharField(
        label=_("Street address"),
        max_length=200,
        required=False,
        help_text=_("Street, building and room, e.g. 沿江大道188号3楼301室."),
    )
    postcode = forms.CharField(label=_("Postcode"), max_length=6, required=False)
    is_default = forms.BooleanField(label=_("Make this the default address"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        province, city = self._id("province"), self._id("city")
        if province:
            self.fields["city"].queryset = City.objects.filter(province_id=province)
        if city:
            self.fields["county"].queryset = County.objects.filter(city_id=city)

    def _id(self, name: str) -> int | None:
        raw = self.data.get(self.add_prefix(name)) if self.is_bound else None
        try:
            return int(raw) if raw else None
        except (TypeError, ValueError):
            return None


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), required=False, max_length=500)


class AfterSaleForm(forms.Form):
    """Up to five photos come as ``photos`` in request.FILES; the service counts and re-encodes them."""

    kind = forms.ChoiceField(
        label=_("What do you ask for?"), choices=AfterSaleKind.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("What is wrong?"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    # A string: the service parses the amount and says what is wrong with it.
    amount = forms.CharField(label=_("Amount (¥)"), max_length=20, required=False)


class DisputeForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you disagree?"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class ReviewForm(forms.Form):
    quality = forms.TypedChoiceField(
        label=_("Quality"),
        choices=STARS,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Give 1 to 5 stars.")},
    )
    price = forms.TypedChoiceField(
        label=_("Price"),
        choices=STARS,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Give 1 to 5 stars.")},
    )
    service = forms.TypedChoiceField(
        label=_("Service"),
        choices=STARS,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Give 1 to 5 stars.")},
    )
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3, "maxlength": 1000}), required=False
    )


class CardForm(forms.Form):
    """The sandbox's simulated official-card form: checked for shape, never stored."""

    holder = forms.CharField(label=_("Cardholder"), max_length=50)
    card_number = forms.RegexField(
        label=_("Card number"),
        regex=r"^\d{16,19}$",
        error_messages={"invalid": _("Enter the 16 to 19 digits of the card number.")},
    )

    def __init__(self, *args, **kwargs):
        if args and args[0] is not None:
            data = args[0].copy()
            data["card_number"] = "".join(str(data.get("card_number", "")).split())
            args = (data, *args[1:])
        super().__init__(*args, **kwargs)
