"""The catalogue: a category tree, products with SKUs, images, test reports and trace batches."""

import uuid

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.units import UNIT_SUFFIX, PriceBasis, Unit
from core.models import TransitionEvent
from core.storage import private_storage


class Category(models.Model):
    """A node of the category tree. Products hang on leaves; a leaf says how its prices normalise
    and which qualifications and documents its products need."""

    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    name = models.CharField(_("name"), max_length=50)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    price_basis = models.CharField(
        _("price basis"),
        max_length=8,
        choices=PriceBasis.choices,
        default=PriceBasis.PER_500G,
        help_text=_("Unit prices of this category are shown and compared per this amount."),
    )
    required_qualifications = models.JSONField(
        _("required qualifications"),
        default=list,
        blank=True,
        help_text=_("Qualification types a supplier must hold to list products here."),
    )
    requires_test_report = models.BooleanField(_("requires a test report"), default=False)
    test_report_max_age_months = models.PositiveSmallIntegerField(
        _("test report valid for (months)"),
        null=True,
        blank=True,
        help_text=_("How old a test report may be for this category; empty: the platform default."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="category_unique_name_per_parent")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def unit_suffix(self) -> str:
        """ "/500 g" for ¥/500 g: shown after a unit price."""
        return str(UNIT_SUFFIX[self.price_basis])


class ProductStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for review")
    APPROVED = "approved", _("Approved, not yet on sale")
    REJECTED = "rejected", _("Rejected")
    ON_SALE = "on_sale", _("On sale")
    OFF_SALE = "off_sale", _("Off sale")
    DELISTED = "delisted", _("Delisted by the platform")


class Storage(models.TextChoices):
    AMBIENT = "ambient", _("Room temperature")
    COOL = "cool", _("Cool and dry")
    REFRIGERATED = "refrigerated", _("Refrigerated (0–4 °C)")
    FROZEN = "frozen", _("Frozen (−18 °C)")


class Certification(models.TextChoices):
    GREEN_FOOD = "green_food", _("Green food (绿色食品)")
    ORGANIC = "organic", _("Organic (有机产品)")
    GEO_INDICATION = "geo_indication", _("Geographical indication (地理标志)")


class Product(models.Model):
    supplier = models.ForeignKey(
        "suppliers.Supplier", on_delete=models.PROTECT, related_name="products", verbose_name=_("supplier")
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="products", verbose_name=_("category")
    )
    # The root of the category's branch, so a top-level category page reads one index range.
    top_category = models.ForeignKey(
        Category, on_delete=models.PROTECT, null=True, related_name="+", editable=False
    )
    name = models.CharField(_("name"), max_length=120)
    brand = models.CharField(_("brand"), max_length=60, blank=True)
    origin_county = models.ForeignKey(
        "regions.County", on_delete=models.PROTECT, related_name="products", verbose_name=_("origin county")
    )
    # Denormalised from the county for province filters without a join.
    origin_province = models.ForeignKey(
        "regions.Province", on_delete=models.PROTECT, related_name="+", verbose_name=_("origin province")
    )
    description = models.TextField(_("description"), blank=True)
    shelf_life_days = models.PositiveIntegerField(_("shelf life (days)"), null=True, blank=True)
    storage = models.CharField(_("storage"), max_length=16, choices=Storage.choices, blank=True)
    certifications = models.JSONField(_("certifications"), default=list, blank=True)

    status = models.CharField(
        _("status"), max_length=16, choices=ProductStatus.choices, default=ProductStatus.DRAFT, db_index=True
    )
    status_changed_at = models.DateTimeField(_("in this state since"), default=timezone.now)
    # Frozen by a spot check (inspections): hidden from buyers whatever its status, until a later
    # check finds it fixed. The reason is what the supplier reads.
    frozen_at = models.DateTimeField(_("frozen since"), null=True, blank=True)
    frozen_reason = models.TextField(_("why it is frozen"), blank=True)
    # On sale, its supplier active and not frozen: kept in step by catalog.services in the same transaction.
    is_visible = models.BooleanField(_("visible to buyers"), default=False)

    # Derived from the SKUs and images by catalog.services.product_refresh_summary.
    min_price = models.DecimalField(_("lowest price"), max_digits=12, decimal_places=2, null=True, blank=True)
    min_unit_price = models.DecimalField(
        _("lowest unit price"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    total_stock = models.PositiveIntegerField(_("stock"), default=0)
    sales_count = models.PositiveIntegerField(_("units sold"), default=0)
    main_thumbnail = models.CharField(max_length=200, blank=True, editable=False)
    search_vector = SearchVectorField(null=True, editable=False)
    search_text = models.TextField(blank=True, editable=False)

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    published_at = models.DateTimeField(_("first on sale"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        indexes = [
            models.Index(fields=["category", "is_visible", "-published_at"], name="product_cat_visible_new"),
            models.Index(
                fields=["category", "is_visible", "min_unit_price"], name="product_cat_visible_price"
            ),
            models.Index(fields=["is_visible", "-published_at"], name="product_visible_new"),
            models.Index(fields=["is_visible", "-sales_count"], name="product_visible_sales"),
            models.Index(fields=["category", "is_visible", "-sales_count"], name="product_cat_visible_sales"),
            models.Index(
                fields=["top_category", "is_visible", "-sales_count"], name="product_top_visible_sales"
            ),
            models.Index(
                fields=["top_category", "is_visible", "-published_at"], name="product_top_visible_new"
            ),
            models.Index(
                fields=["top_category", "is_visible", "min_unit_price"], name="product_top_visible_price"
            ),
            models.Index(fields=["supplier", "status"], name="product_supplier_status"),
            models.Index(fields=["status", "status_changed_at"], name="product_status_waiting"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def certification_labels(self) -> list[str]:
        labels = dict(Certification.choices)
        return [str(labels.get(c, c)) for c in self.certifications or []]

    @property
    def is_editable(self) -> bool:
        """Content can change while the product is not in front of buyers or reviewers."""
        return self.status in (ProductStatus.DRAFT, ProductStatus.REJECTED, ProductStatus.OFF_SALE)


class Sku(models.Model):
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="skus", verbose_name=_("product")
    )
    spec = models.CharField(
        _("specification"), max_length=100, help_text=_("As the buyer sees it, e.g. 5 kg/bag.")
    )
    net_quantity = models.DecimalField(_("net quantity"), max_digits=10, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=8, choices=Unit.choices)
    pack_count = models.PositiveIntegerField(_("pieces per pack"), default=1)
    price = models.DecimalField(_("price (¥)"), max_digits=10, decimal_places=2)
    unit_price = models.DecimalField(_("unit price (¥)"), max_digits=12, decimal_places=2, editable=False)
    stock = models.IntegerField(_("stock"), default=0)
    weight_grams = models.PositiveIntegerField(_("shipping weight (g)"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("SKU")
        verbose_name_plural = _("SKUs")
        constraints = [
            models.CheckConstraint(name="sku_stock_not_negative", condition=Q(stock__gte=0)),
            models.CheckConstraint(name="sku_price_positive", condition=Q(price__gt=0)),
            models.CheckConstraint(name="sku_quantity_positive", condition=Q(net_quantity__gt=0)),
            models.CheckConstraint(name="sku_pack_count_positive", condition=Q(pack_count__gte=1)),
        ]

    def __str__(self) -> str:
        return f"{self.product.name} {self.spec}"


class SkuPriceChange(models.Model):
    """Every change of a SKU's price or specification, with who made it and through what."""

    sku = models.ForeignKey(Sku, on_delete=models.CASCADE, related_name="price_changes")
    old_price = models.DecimalField(max_digits=10, decimal_places=2, null=True)
    new_price = models.DecimalField(max_digits=10, decimal_places=2)
    old_unit_price = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    new_unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    old_spec = models.CharField(max_length=200, blank=True)
    new_spec = models.CharField(max_length=200)
    source = models.CharField(max_length=16)  # form, csv, api, demo…
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("SKU price change")
        verbose_name_plural = _("SKU price history")

    def __str__(self) -> str:
        return f"{self.sku_id}: {self.old_price} → {self.new_price}"


def product_image_path(instance: "ProductImage", filename: str) -> str:
    return f"products/{instance.product_id}/{filename}"


class ProductImage(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(
        upload_to=product_image_path, width_field="width", height_field="height", max_length=200
    )
    thumbnail = models.ImageField(upload_to=product_image_path, max_length=200)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    is_main = models.BooleanField(_("main image"), default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-is_main", "position", "id"]
        verbose_name = _("product image")
        verbose_name_plural = _("product images")
        constraints = [
            models.UniqueConstraint(
                fields=["product"], condition=Q(is_main=True), name="one_main_image_per_product"
            )
        ]

    def __str__(self) -> str:
        return self.image.name


class TestReport(models.Model):
    class Result(models.TextChoices):
        PASS = "pass", _("Pass")
        FAIL = "fail", _("Fail")

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="test_reports")
    lab = models.CharField(_("laboratory"), max_length=100)
    report_number = models.CharField(_("report number"), max_length=64)
    report_date = models.DateField(_("report date"))
    result = models.CharField(_("result"), max_length=8, choices=Result.choices)
    file = models.FileField(_("report file"), upload_to="reports/", storage=private_storage, max_length=200)
    file_type = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-report_date", "-id"]
        verbose_name = _("test report")
        verbose_name_plural = _("test reports")

    def __str__(self) -> str:
        return f"{self.lab} {self.report_number}"


class TraceBatch(models.Model):
    """A traceable batch (溯源批次) with a public page and a QR code pointing at it."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="trace_batches")
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    batch_number = models.CharField(_("batch number"), max_length=64)
    produced_on = models.DateField(_("harvest or production date"))
    base = models.CharField(_("base or farm"), max_length=200)
    quantity = models.CharField(_("quantity"), max_length=60, help_text=_("e.g. 1,200 kg"))
    test_report = models.ForeignKey(
        TestReport,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="batches",
        verbose_name=_("test report"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-produced_on", "-id"]
        verbose_name = _("trace batch")
        verbose_name_plural = _("trace batches")
        constraints = [
            models.UniqueConstraint(fields=["product", "batch_number"], name="trace_batch_unique_number"),
        ]

    def __str__(self) -> str:
        return self.batch_number


class ProductEvent(TransitionEvent):
    """Append-only history of a product's listing state, with who, in which role, when and why
    (written by core.workflow)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(_("from"), max_length=20, blank=True, choices=ProductStatus.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=ProductStatus.choices)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("product history entry")
        verbose_name_plural = _("product history")

    def __str__(self) -> str:
        return f"{self.product_id}: {self.from_status} → {self.to_status}"


class StockReason(models.TextChoices):
    ORDER_PLACED = "order_placed", _("Order placed")
    ORDER_CANCELLED = "order_cancelled", _("Order cancelled")
    SUPPLIER_ADJUSTMENT = "supplier_adjustment", _("Supplier adjustment")
    CSV_IMPORT = "csv_import", _("CSV import")
    OPS_CORRECTION = "ops_correction", _("Correction by operations staff")


class StockMovement(models.Model):
    """The stock ledger (catalog.stock writes it): every change of a SKU's stock with its reason and a
    reference — the order number for an order, empty for the supplier's own changes. ``stock_after`` is
    the stock once this change was applied, so the ledger can be checked against the SKU."""

    sku = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="stock_movements")
    change = models.IntegerField(_("change"))
    stock_after = models.IntegerField(_("stock after"))
    reason = models.CharField(_("reason"), max_length=24, choices=StockReason.choices)
    reference = models.CharField(_("reference"), max_length=40, blank=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock ledger")
        constraints = [
            models.CheckConstraint(name="stock_ledger_change_not_zero", condition=~Q(change=0)),
            models.CheckConstraint(name="stock_ledger_after_not_negative", condition=Q(stock_after__gte=0)),
        ]
        indexes = [models.Index(fields=["sku", "created_at"], name="stock_ledger_sku_time")]

    def __str__(self) -> str:
        return f"{self.sku_id}: {self.change:+d} → {self.stock_after}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Stock ledger entries cannot be changed.")
        super().save(*args, **kwargs)
