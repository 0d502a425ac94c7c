"""Pieces the ops screens of several apps share: the waiting-time filter, the reason form and the
page that asks for the reason of a state change."""

import datetime

from django import forms
from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WaitingFilter(admin.SimpleListFilter):
    """How long an object has been in its current state (``status_changed_at``)."""

    title = _("waiting time")
    parameter_name = "waiting"
    OPTIONS = (
        ("1", _("over 1 day")),
        ("3", _("over 3 days")),
        ("7", _("over 7 days")),
        ("30", _("over 30 days")),
    )

    def lookups(self, request, model_admin):
        return self.OPTIONS

    def queryset(self, request, queryset):
        if self.value() in dict(self.OPTIONS):
            cutoff = timezone.now() - datetime.timedelta(days=int(self.value()))
            return queryset.filter(status_changed_at__lt=cutoff)
        return queryset


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (the supplier reads this)"), widget=forms.Textarea(attrs={"rows": 4, "cols": 80})
    )


def ask_reason(model_admin, request, *, objects, action: str, title, form, problems=None) -> TemplateResponse:
    """The intermediate page of an admin action: the selected objects and the reason to give."""
    opts = model_admin.model._meta
    return TemplateResponse(
        request,
        "admin/action_reason.html",
        {
            **model_admin.admin_site.each_context(request),
            "title": title,
            "action": action,
            "objects": objects,
            "form": form,
            "opts": opts,
            "changelist_url": f"admin:{opts.app_label}_{opts.model_name}_changelist",
            "problems": problems or {},
        },
    )


class ReadOnlyInline(admin.TabularInline):
    """A history or detail table on an object's admin page: shown, never edited there
    (changes go through the services). Set ``fields``; they are all read-only."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written only by the services (histories, ledgers): shown, never added, changed or deleted here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
