"""Forms of the supplier's product pages and the buyer's catalogue filters (shape only; rules are in services)."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import Category, Certification, Storage, TestReport
from catalog.selectors import CatalogQuery
from catalog.units import Unit
from core.numbers import BIGINT_MAX, INT32_MAX, DecimalField, IntegerField
from regions.models import County, Province
from suppliers.forms import DateInput


class LeafCategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Category) -> str:
        return f"{obj.parent.name} › {obj.name}" if obj.parent_id else obj.name


class ProductForm(forms.Form):
    category = LeafCategoryChoiceField(
        label=_("Category"),
        queryset=Category.objects.filter(is_active=True, children__isnull=True, parent__isnull=False)
        .select_related("parent")
        .order_by("parent__position", "position"),
    )
    name = forms.CharField(label=_("Product name"), max_length=120)
    brand = forms.CharField(label=_("Brand"), max_length=60, required=False)
    origin_county = forms.ModelChoiceField(
        label=_("Origin county"),
        queryset=County.objects.filter(is_eligible=True).select_related("province"),
        required=False,
        help_text=_("Leave empty for your own county."),
    )
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    shelf_life_days = IntegerField(
        label=_("Shelf life (days)"), min_value=1, max_value=INT32_MAX, required=False
    )
    storage = forms.ChoiceField(label=_("Storage"), choices=[("", "—"), *Storage.choices], required=False)
    certifications = forms.MultipleChoiceField(
        label=_("Certifications"),
        choices=Certification.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["origin_county"].label_from_instance = lambda c: f"{c.province.name} {c.name}"


class SkuForm(forms.Form):
    # Numbers are bounded as their Sku columns (core.numbers); the rules (a price above zero, stock
    # not below it, …) are the service's, with its messages.
    id = IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=BIGINT_MAX)
    spec = forms.CharField(label=_("Specification"), max_length=100)
    net_quantity = DecimalField(label=_("Net quantity"), max_digits=10, decimal_places=3)
    unit = forms.ChoiceField(label=_("Unit"), choices=Unit.choices)
    pack_count = IntegerField(label=_("Pieces per pack"), initial=1, min_value=0)
    price = DecimalField(label=_("Price (¥)"), max_digits=10, decimal_places=2)
    stock = IntegerField(label=_("Stock"), initial=0)
    weight_grams = IntegerField(label=_("Shipping weight (g)"), required=False, min_value=0)


class SkuQuickForm(forms.Form):
    """Price and stock of one SKU, changed from the product page (also while on sale)."""

    price = DecimalField(label=_("Price (¥)"), max_digits=10, decimal_places=2)
    stock = IntegerField(label=_("Stock"))


SkuFormSet = forms.formset_factory(SkuForm, extra=1, can_delete=True, min_num=1, validate_min=True)


class ImageForm(forms.Form):
    image = forms.FileField(
        label=_("Image"),
        help_text=_("JPEG or PNG, at most 8 MB; it is resized and its metadata removed."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )
    make_main = forms.BooleanField(label=_("Use as the main image"), required=False)


class TestReportForm(forms.Form):
    lab = forms.CharField(label=_("Laboratory"), max_length=100)
    report_number = forms.CharField(label=_("Report number"), max_length=64)
    report_date = forms.DateField(label=_("Report date"), widget=DateInput())
    result = forms.ChoiceField(label=_("Result"), choices=[("", "—"), *TestReport.Result.choices])
    file = forms.FileField(label=_("Report file"), help_text=_("PDF, JPEG or PNG, at most 10 MB."))


class TraceBatchForm(forms.Form):
    batch_number = forms.CharField(label=_("Batch number"), max_length=64)
    produced_on = forms.DateField(label=_("Harvest or production date"), widget=DateInput())
    base = forms.CharField(label=_("Base or farm"), max_length=200)
    quantity = forms.CharField(label=_("Quantity"), max_length=60, required=False)
    test_report = forms.ModelChoiceField(
        label=_("Test report"), queryset=TestReport.objects.none(), required=False
    )

    def __init__(self, *args, product=None, **kwargs):
        super().__init__(*args, **kwargs)
        if product is not None:
            self.fields["test_report"].queryset = product.test_reports.all()


class StockImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Columns: sku_id,stock and optionally price (UTF-8). An empty price keeps the price."),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class CatalogFilterForm(forms.Form):
    """The buyer's search box and filters (GET)."""

    q = forms.CharField(label=_("Search"), required=False, max_length=50)
    province = forms.ModelChoiceField(label=_("Province"), queryset=Province.objects.all(), required=False)
    certification = forms.ChoiceField(
        label=_("Certification"), choices=[("", _("Any")), *Certification.choices], required=False
    )
    # As wide as Product.min_unit_price, which they filter; read by core.numbers (no exponents).
    price_min = DecimalField(
        label=_("Lowest unit price (¥)"),
        required=False,
        min_value=Decimal(0),
        max_digits=12,
        decimal_places=2,
    )
    price_max = DecimalField(
        label=_("Highest unit price (¥)"),
        required=False,
        min_value=Decimal(0),
        max_digits=12,
        decimal_places=2,
    )
    in_stock = forms.BooleanField(label=_("In stock only"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("relevance", _("Relevance")),
            ("unit_price", _("Unit price, low to high")),
            ("-unit_price", _("Unit price, high to low")),
            ("newest", _("Newest")),
            ("sales", _("Best-selling")),
        ],
    )
    county = IntegerField(required=False, min_value=1, max_value=BIGINT_MAX, widget=forms.HiddenInput)
    page = IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def to_query(self, *, category=None):
        """The selector's query from the cleaned filters (call after is_valid())."""
        data = self.cleaned_data
        return CatalogQuery(
            q=(data.get("q") or "").strip(),
            category=category,
            province=data["province"].pk if data.get("province") else None,
            county=data.get("county"),
            certification=data.get("certification") or "",
            price_min=data.get("price_min"),
            price_max=data.get("price_max"),
            in_stock=bool(data.get("in_stock")),
            sort=data.get("sort") or "relevance",
            page=data.get("page") or 1,
        )

    def clean(self):
        data = super().clean()
        low, high = data.get("price_min"), data.get("price_max")
        if low is not None and high is not None and low > high:
            self.add_error("price_max", _("The upper price is below the lower one."))
        return data
