"""Forms of the supplier's price pages (shape only; the rules are in pricing.services)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.units import Unit
from core.numbers import DecimalField, IntegerField
from pricing.models import Match
from suppliers.forms import DateInput


class EvidenceForm(forms.Form):
    """A comparison link with its proof. The link, the unit, the price, the date and the screenshot
    are checked by ``evidence_add``, which reports each problem on its field."""

    url = forms.CharField(
        label=_("Link to the shop page"),
        max_length=500,
        widget=forms.URLInput(attrs={"placeholder": "https://item.jd.com/…"}),
    )
    match = forms.ChoiceField(label=_("Comparison"), choices=Match.choices, widget=forms.RadioSelect)
    # Numbers read by core.numbers and bounded as their PriceEvidence columns; the rules are the service's.
    observed_price = DecimalField(label=_("Price seen (¥)"), max_digits=10, decimal_places=2)
    spec = forms.CharField(
        label=_("Specification seen"),
        max_length=100,
        help_text=_("As the shop shows it, e.g. 5斤装."),
    )
    net_quantity = DecimalField(label=_("Net quantity"), max_digits=10, decimal_places=3)
    unit = forms.ChoiceField(label=_("Unit"), choices=Unit.choices)
    pack_count = IntegerField(label=_("Pieces per pack"), initial=1, min_value=0)
    seen_on = forms.DateField(label=_("Date seen"), widget=DateInput())
    screenshot = forms.FileField(
        label=_("Screenshot of the shop page"),
        help_text=_("JPEG or PNG showing the price and the specification. Only you and ops see it."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )

    def __init__(self, *args, shops: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if shops:
            self.fields["url"].help_text = _("A product page on one of these shops: %(shops)s.") % {
                "shops": "、".join(shops)
            }
