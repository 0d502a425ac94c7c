from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = [
        "username",
        "last_name",
        "first_name",
        "role",
        "organisation_name",
        "is_staff",
        "is_active",
    ]
    list_filter = ["role", "is_staff", "is_active", "groups"]
    list_select_related = ["buyer_unit", "supplier", "county_office"]
    search_fields = ["username", "first_name", "last_name", "email", "phone"]
    autocomplete_fields = ["buyer_unit", "supplier", "county_office"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Organisation"), {"fields": ("role", "phone", "buyer_unit", "supplier", "county_office")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Organisation"), {"fields": ("role", "email", "buyer_unit", "supplier", "county_office")}),
    )

    @admin.display(description=_("organisation"))
    def organisation_name(self, user: User) -> str:
        return str(user.organisation or "")
