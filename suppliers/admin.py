from django.contrib import admin

from suppliers.models import Supplier


@admin.register(Supplier)
class SupplierAdmin(admin.ModelAdmin):
    list_display = ["legal_name", "uscc", "county", "status", "updated_at"]
    list_filter = ["status", "county__province"]
    list_select_related = ["county__province"]
    search_fields = ["legal_name", "uscc", "county__name"]
    autocomplete_fields = ["county"]
