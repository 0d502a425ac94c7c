"""Ops screens for the catalogue: the category tree, and the review of submitted products."""

from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from catalog import services
from catalog.models import (
    Category,
    Product,
    ProductEvent,
    ProductImage,
    ProductStatus,
    Sku,
    SkuPriceChange,
    StockMovement,
    TestReport,
)
from catalog.selectors import clear_category_cache
from catalog.workflow import TRANSITIONS, ProductAction
from core.admin_tools import ReadOnlyAdmin, ReadOnlyInline, WaitingFilter, refuse_wrong_state, run_action


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "parent",
        "slug",
        "price_basis",
        "requires_test_report",
        "required_qualifications",
        "position",
        "is_active",
    ]
    list_filter = ["parent", "price_basis", "requires_test_report", "is_active"]
    list_editable = ["position", "is_active"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ("name",)}
    list_select_related = ["parent"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        clear_category_cache()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        clear_category_cache()


class TopCategoryFilter(admin.SimpleListFilter):
    title = _("category")
    parameter_name = "top"

    def lookups(self, request, model_admin):
        return [(c.pk, c.name) for c in Category.objects.filter(parent__isnull=True).order_by("position")]

    def queryset(self, request, queryset):
        return queryset.filter(category__parent_id=self.value()) if self.value() else queryset


class SkuInline(ReadOnlyInline):
    model = Sku
    fields = ["spec", "net_quantity", "unit", "pack_count", "price", "unit_price", "stock"]


class ImageInline(ReadOnlyInline):
    model = ProductImage
    fields = ["preview", "is_main", "width", "height"]

    @admin.display(description=_("image"))
    def preview(self, image: ProductImage):
        return format_html(
            '<img src="/media/{}" width="120" height="120" style="object-fit:cover">', image.thumbnail.name
        )


class ReportInline(ReadOnlyInline):
    model = TestReport
    fields = ["lab", "report_number", "report_date", "result"]


class EventInline(ReadOnlyInline):
    model = ProductEvent
    fields = ["created_at", "action", "from_status", "to_status", "actor", "reason"]
    ordering = ["-created_at", "-id"]


def _action(action: str):
    def run(modeladmin, request, queryset):
        return modeladmin.run_transition(request, queryset, action)

    run.__name__ = f"do_{action}"
    run.short_description = ProductAction(action).label
    run.allowed_permissions = ("change",)
    return run


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "supplier",
        "category",
        "status",
        "min_unit_price",
        "total_stock",
        "precheck",
        "waiting",
    ]
    list_filter = ["status", WaitingFilter, TopCategoryFilter, "origin_province"]
    list_select_related = ["supplier", "category"]
    search_fields = ["name", "brand", "supplier__legal_name"]
    raw_id_fields = ["supplier", "origin_county"]
    ordering = ["status_changed_at"]
    list_per_page = 50
    show_full_result_count = False  # counting a million rows for every page is not worth it
    fields = [
        "name",
        "supplier",
        "category",
        "brand",
        "origin_county",
        "description",
        "shelf_life_days",
        "storage",
        "certifications",
        "status",
        "status_changed_at",
        "is_visible",
        "min_price",
        "min_unit_price",
        "total_stock",
        "sales_count",
        "published_at",
    ]
    readonly_fields = fields
    inlines = [SkuInline, ImageInline, ReportInline, EventInline]
    actions = [_action(ProductAction.APPROVE), _action(ProductAction.REJECT), _action(ProductAction.DELIST)]

    def get_queryset(self, request):
        # The pre-check column reads these; prefetched, the list costs the same whatever it shows.
        return (
            super()
            .get_queryset(request)
            .defer("search_vector", "search_text", "description")
            .prefetch_related("skus", "images", "test_reports", "supplier__qualifications")
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # A product's page is read-only: ops change its state through the list's actions only.
        return obj is None and super().has_change_permission(request)

    @admin.display(description=_("pre-check"))
    def precheck(self, product: Product) -> str:
        # Only the queue of submitted products is checked here; others passed it to get where they are.
        if product.status != ProductStatus.SUBMITTED:
            return "—"
        problems = services.product_precheck(product)
        return "✓" if not problems else "；".join(p.message for p in problems)

    @admin.display(description=_("days in this state"), ordering="status_changed_at")
    def waiting(self, product: Product) -> int:
        return (timezone.now() - product.status_changed_at).days

    def run_transition(self, request, queryset, action: str):
        transition = TRANSITIONS[action]
        label = ProductAction(action).label
        wrong = queryset.exclude(status__in=transition.sources)
        if wrong.exists():
            return refuse_wrong_state(
                self, request, label=label, names=list(wrong.values_list("name", flat=True))
            )
        return run_action(
            self,
            request,
            queryset.order_by("pk"),
            action=f"do_{action}",
            title=label,
            ask=transition.reason_required,
            each=lambda product, reason: services.product_transition(
                product=product, action=action, by=request.user, reason=reason
            ),
            done=lambda products: (
                ngettext("%(action)s: %(n)d product", "%(action)s: %(n)d products", len(products))
                % {"action": label, "n": len(products)}
            ),
        )


@admin.register(SkuPriceChange)
class SkuPriceChangeAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "sku",
        "old_price",
        "new_price",
        "old_unit_price",
        "new_unit_price",
        "source",
        "actor",
    ]
    list_select_related = ["sku__product", "actor"]
    list_filter = ["source"]
    raw_id_fields = ["sku"]
    date_hierarchy = "created_at"


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "sku", "change", "stock_after", "reason", "reference", "actor"]
    list_filter = ["reason"]
    list_select_related = ["sku__product", "actor"]
    search_fields = ["sku__product__name", "=reference"]
    raw_id_fields = ["sku"]
    date_hierarchy = "created_at"
