from django.contrib import admin

from buyers.models import BuyerUnit, ReservedShareFiling, ReservedShareFilingRecord


@admin.register(BuyerUnit)
class BuyerUnitAdmin(admin.ModelAdmin):
    list_display = ["name", "uscc", "kind", "province", "county", "parent_unit", "created_at"]
    list_filter = ["kind", "province"]
    list_select_related = ["province", "county"]
    search_fields = ["name", "uscc"]
    autocomplete_fields = ["province", "county", "parent_unit"]


class ReservedShareFilingRecordInline(admin.TabularInline):
    model = ReservedShareFilingRecord
    extra = 0
    can_delete = False
    fields = ["action", "canteen", "host_unit", "canteen_food_budget", "ratio", "by", "at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ReservedShareFiling)
class ReservedShareFilingAdmin(admin.ModelAdmin):
    """Read-only here: units file on /buyers/reserved-share/ (buyers.services.reserved_share_file)."""

    list_display = ["buyer_unit", "year", "canteen", "host_unit", "canteen_food_budget", "ratio", "filed_at"]
    list_filter = ["year", "canteen", "buyer_unit__province", "buyer_unit__kind"]
    list_select_related = ["buyer_unit", "host_unit"]
    search_fields = ["buyer_unit__name", "buyer_unit__uscc"]
    readonly_fields = [
        "buyer_unit",
        "year",
        "canteen",
        "host_unit",
        "canteen_food_budget",
        "ratio",
        "filed_by",
        "filed_at",
        "updated_at",
    ]
    inlines = [ReservedShareFilingRecordInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
