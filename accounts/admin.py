from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from knox.models import AuthToken

from accounts.models import AuditEntry, User
from accounts.services import api_tokens_revoke_all, user_deactivate, user_password_changed
from core.admin_tools import ReadOnlyAdmin


class PasswordSetForm(AdminPasswordChangeForm):
    """The admin's "set password" form: the user's API tokens end with the old password."""

    @transaction.atomic
    def save(self, commit: bool = True) -> User:
        user = super().save(commit=commit)
        if commit:
            user_password_changed(user=user)
        return user


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
    change_password_form = PasswordSetForm
    actions = ["deactivate"]
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

    def save_model(self, request, obj: User, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and not obj.is_active and "is_active" in form.changed_data:
            api_tokens_revoke_all(user=obj)  # reactivating the account later revives no token

    @admin.action(
        description=_("Deactivate the selected users (and revoke their API tokens)"), permissions=["change"]
    )
    def deactivate(self, request, queryset) -> None:
        users = list(queryset)
        for user in users:
            user_deactivate(user=user)
        self.message_user(
            request,
            ngettext("%(count)d user deactivated.", "%(count)d users deactivated.", len(users))
            % {"count": len(users)},
            messages.SUCCESS,
        )


if admin.site.is_registered(AuthToken):
    admin.site.unregister(AuthToken)  # knox's own lists the digest and lets anyone add a token


@admin.register(AuthToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """API tokens per user: ops can see who holds live tokens and revoke them (delete); never the token."""

    list_display = ["prefix", "user", "created", "expiry"]
    list_select_related = ["user"]
    search_fields = ["user__username", "token_key"]
    date_hierarchy = "created"
    fields = ["prefix", "user", "created", "expiry"]
    readonly_fields = fields
    ordering = ["-created"]

    @admin.display(description=_("prefix"), ordering="token_key")
    def prefix(self, token: AuthToken) -> str:
        return token.token_key

    def has_add_permission(self, request) -> bool:
        return False  # tokens are issued by signing in to the API

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """The audit log, for internal control (``view_auditentry``) and superusers: searched, never edited."""

    list_display = [
        "created_at",
        "kind",
        "username",
        "role",
        "client_ip",
        "object_type",
        "object_id",
        "action",
    ]
    list_filter = ["kind", "created_at", "role"]
    search_fields = ["username", "=user_id", "=client_ip", "object_type", "=object_id", "action", "path"]
    date_hierarchy = "created_at"
    fields = [*list_display, "user_id", "path", "details"]
    readonly_fields = fields
    show_full_result_count = False  # the log grows without end: no COUNT(*) over it on every page
