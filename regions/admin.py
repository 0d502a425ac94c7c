from django.contrib import admin

from regions.models import City, County, CountyOffice, Province


class ReadOnlyRegistryMixin:
    """Codes and names come from the official files (load_divisions), not from hand edits."""

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Province)
class ProvinceAdmin(ReadOnlyRegistryMixin, admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]
    readonly_fields = ["code", "name"]


@admin.register(City)
class CityAdmin(ReadOnlyRegistryMixin, admin.ModelAdmin):
    list_display = ["code", "name", "province"]
    list_filter = ["province"]
    list_select_related = ["province"]
    search_fields = ["code", "name"]
    readonly_fields = ["code", "name", "province"]


@admin.register(County)
class CountyAdmin(ReadOnlyRegistryMixin, admin.ModelAdmin):
    list_display = ["code", "name", "city", "province", "is_eligible", "eligibility_note"]
    list_filter = ["is_eligible", "province"]
    list_select_related = ["city", "province"]
    list_editable = ["is_eligible"]
    search_fields = ["code", "name", "city__name"]
    readonly_fields = ["code", "name", "city", "province"]
    fields = ["code", "name", "city", "province", "is_eligible", "eligibility_note"]
    list_per_page = 100


@admin.register(CountyOffice)
class CountyOfficeAdmin(admin.ModelAdmin):
    list_display = ["name", "county", "contact_phone", "created_at"]
    list_select_related = ["county__province"]
    list_filter = ["county__province"]
    search_fields = ["name", "county__name", "county__code"]
    autocomplete_fields = ["county"]
