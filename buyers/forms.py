"""Forms of the buyer unit pages. They only collect input; buyers.services checks it."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from buyers.models import BuyerUnit, Canteen


class ReservedShareForm(forms.Form):
    """The yearly filing. The ratio is typed as a percentage (15 for 15 %)."""

    canteen = forms.ChoiceField(label=_("Canteen"), choices=Canteen.choices, widget=forms.RadioSelect)
    canteen_food_budget = forms.DecimalField(
        label=_("Canteen food budget for the year (¥)"),
        required=False,
        max_digits=14,
        decimal_places=2,
        help_text=_("Only with an own canteen."),
    )
    ratio = forms.DecimalField(
        label=_("Reserved ratio (%)"),
        required=False,
        max_digits=5,
        decimal_places=1,
        help_text=_("Only with an own canteen."),
    )
    host_unit = forms.ModelChoiceField(
        label=_("Shares the canteen of"),
        queryset=BuyerUnit.objects.none(),
        required=False,
        help_text=_("Only when the unit eats in another unit's canteen: that unit's filing covers both."),
    )

    def __init__(self, *args, hosts=None, **kwargs):
        super().__init__(*args, **kwargs)
        if hosts is not None:
            self.fields["host_unit"].queryset = hosts

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        ratio = data.get("ratio")
        return {
            "canteen": data["canteen"],
            "canteen_food_budget": data.get("canteen_food_budget"),
            "ratio": (ratio / Decimal(100)).quantize(Decimal("0.001")) if ratio is not None else None,
            "host_unit": data.get("host_unit"),
        }

    @staticmethod
    def initial_from(filing) -> dict:
        if filing is None:
            return {"canteen": Canteen.OWN}
        return {
            "canteen": filing.canteen,
            "canteen_food_budget": filing.canteen_food_budget,
            "ratio": (filing.ratio * 100).quantize(Decimal("0.1")) if filing.ratio is not None else None,
            "host_unit": filing.host_unit_id,
        }
