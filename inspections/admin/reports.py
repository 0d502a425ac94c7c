"""The admin of reports (举报): read-only, with photos and history inline; the state changes only through
the service, as admin actions asking for the reason."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin_tools import ReadOnlyAdmin, ReadOnlyInline, run_action
from inspections.models import Report, ReportEvent, ReportPhoto
from inspections.services import reports as services
from inspections.workflow import REPORT, ReportAction


class _ShownWithTheReport(ReadOnlyInline):
    """Whoever may view a report sees its photos and history (no team holds their own model's permission)."""

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("inspections.view_report")


class ReportPhotoInline(_ShownWithTheReport):
    model = ReportPhoto
    fields = ["photo", "sha256", "created_at"]

    @admin.display(description=_("photo"))
    def photo(self, p: ReportPhoto):
        # Private storage has no public URL: the link goes through the ops view that checks view_report.
        url = reverse("inspections:ops_report_photo", args=[p.report_id, p.pk])
        return format_html('<a href="{}">{}</a>', url, p.image.name.rsplit("/", 1)[-1])


class ReportEventInline(_ShownWithTheReport):
    model = ReportEvent
    fields = ["created_at", "action", "from_status", "to_status", "actor", "actor_role", "reason"]


def _decision(action: str):
    def run(modeladmin, request, queryset):
        return run_action(
            modeladmin,
            request,
            queryset,
            action=f"report_{action}",
            title=REPORT.action_label(action),
            ask=action != ReportAction.TRIAGE,
            each=lambda report, reason: services.report_decide(
                report=report, by=request.user, action=action, reason=reason
            ),
            done=lambda reports: (
                _("%(action)s: %(n)d report(s).") % {"action": REPORT.action_label(action), "n": len(reports)}
            ),
        )

    run.__name__ = f"report_{action}"
    run.short_description = REPORT.action_label(action)
    run.allowed_permissions = ("triage",)
    return run


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "product", "supplier", "state", "created_at", "decided_at", "handled_by"]
    list_filter = ["state", "kind"]
    list_select_related = ["product", "supplier", "handled_by"]
    search_fields = ["description", "product__name", "supplier__legal_name", "decision_note"]
    date_hierarchy = "created_at"
    inlines = [ReportPhotoInline, ReportEventInline]
    actions = [
        _decision(ReportAction.TRIAGE),
        _decision(ReportAction.CONFIRM),
        _decision(ReportAction.DISMISS),
    ]

    def has_triage_permission(self, request):
        return request.user.has_perm(services.CHANGE_PERMISSION)
