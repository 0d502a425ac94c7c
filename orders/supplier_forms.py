"""Forms of the supplier's order pages: the list's filters and the actions' inputs.

Shape only: whether a field may be empty, and what an action needs, is decided by orders.services
(its messages land on these fields), so the action forms require nothing themselves.
"""

import datetime

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from orders.models import OrderStatus
from orders.selectors import SupplierOrderFilter
from suppliers.forms import DateInput

# The dates a filter may name: wide enough for any order, far enough from the ends of the calendar
# (9999-12-31, 0001-01-01) that a day later or the UTC equivalent still exists.
DATE_RANGE = [
    MinValueValidator(datetime.date(2000, 1, 1)),
    MaxValueValidator(datetime.date(2099, 12, 31)),
]


class SupplierOrderFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *OrderStatus.choices], required=False
    )
    placed_from = forms.DateField(
        label=_("Placed from"), required=False, widget=DateInput, validators=DATE_RANGE
    )
    placed_to = forms.DateField(
        label=_("Placed until"), required=False, widget=DateInput, validators=DATE_RANGE
    )
    buyer = forms.CharField(label=_("Buyer unit"), max_length=100, required=False)
    number = forms.CharField(label=_("Order number"), max_length=32, required=False)

    def clean(self):
        data = super().clean()
        start, end = data.get("placed_from"), data.get("placed_to")
        if start and end and start > end:
            self.add_error("placed_to", _("The end date is before the start date."))
        return data

    def to_filter(self) -> SupplierOrderFilter:
        """The filters to apply: the valid ones (an invalid field is ignored, and shown as wrong)."""
        data = self.cleaned_data if self.is_bound and hasattr(self, "cleaned_data") else {}
        return SupplierOrderFilter(
            status=data.get("status") or "",
            placed_from=data.get("placed_from"),
            placed_to=data.get("placed_to"),
            buyer=(data.get("buyer") or "").strip(),
            number=(data.get("number") or "").strip(),
        )


class ShipForm(forms.Form):
    carrier = forms.CharField(
        label=_("Carrier"), required=False, widget=forms.TextInput(attrs={"maxlength": 50})
    )
    tracking_number = forms.CharField(
        label=_("Tracking number"), required=False, widget=forms.TextInput(attrs={"maxlength": 50})
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancelling"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The buyer will read it."),
    )


class AfterSaleAnswerForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Answer"),
        choices=[("accept", _("Accept and refund")), ("refuse", _("Refuse"))],
        widget=forms.RadioSelect,
        required=False,
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when refusing; the buyer will read it."),
    )


class ReviewReplyForm(forms.Form):
    text = forms.CharField(label=_("Your reply"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
