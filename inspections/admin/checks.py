"""The admin of the human checks: spot checks with their evidence, rectification rounds, appeal and
history (read-only: every decision is made on the check's page, through the services), and sanctions."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin_tools import ReadOnlyAdmin, ReadOnlyInline
from inspections.models import Appeal, CheckEvent, CheckEvidence, Rectification, Sanction, SpotCheck


class _CheckPart(ReadOnlyInline):
    """A part of a check's page: whoever may view the check sees it."""

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("inspections.view_spotcheck")

    def has_delete_permission(self, request, obj=None):
        return False


class EvidenceInline(_CheckPart):
    model = CheckEvidence
    fields = ["kind", "note", "by_supplier", "uploaded_by", "created_at", "file_type"]


class RectificationInline(_CheckPart):
    model = Rectification
    fields = [
        "deadline",
        "requested_at",
        "response",
        "responded_at",
        "rechecked_at",
        "recheck_passed",
        "recheck_note",
    ]


class AppealInline(_CheckPart):
    model = Appeal
    fields = ["reason", "filed_by", "filed_at", "decision", "decided_by", "decided_at", "decision_note"]


class EventInline(_CheckPart):
    model = CheckEvent
    fields = ["created_at", "action", "from_status", "to_status", "actor", "actor_role", "reason", "details"]


@admin.register(SpotCheck)
class SpotCheckAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "product",
        "supplier",
        "kind",
        "phase",
        "state",
        "outcome",
        "reviewer",
        "created_at",
        "page",
    ]
    list_filter = ["phase", "state", "outcome", "kind", "reviewer"]
    list_select_related = ["product", "supplier", "phase", "reviewer"]
    search_fields = ["product__name", "supplier__legal_name", "=id"]
    raw_id_fields = ["product", "supplier", "category", "reviewer", "phase", "report"]
    readonly_fields = ["page"]
    inlines = [EvidenceInline, RectificationInline, AppealInline, EventInline]

    @admin.display(description=_("check page"))
    def page(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("inspections:check", args=[obj.pk]), _("Open"))


@admin.register(Sanction)
class SanctionAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "supplier", "step", "points", "final", "revoked_at", "by", "check_ref"]
    list_filter = ["step", "final", ("revoked_at", admin.EmptyFieldListFilter)]
    list_select_related = ["supplier", "by", "check_ref"]
    search_fields = ["supplier__legal_name", "reason"]
    raw_id_fields = ["supplier", "check_ref", "by"]
