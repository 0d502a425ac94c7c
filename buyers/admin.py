from django.contrib import admin

from buyers.models import BuyerUnit


@admin.register(BuyerUnit)
class BuyerUnitAdmin(admin.ModelAdmin):
    list_display = ["name", "uscc", "kind", "province", "county", "created_at"]
    list_filter = ["kind", "province"]
    list_select_related = ["province", "county"]
    search_fields = ["name", "uscc"]
    autocomplete_fields = ["province", "county"]
