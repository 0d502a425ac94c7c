"""Check phases in the admin: the list, the phase with its history (read only), and the open (draw) and
close (publish) actions, which call the services after a confirmation."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin_tools import ReadOnlyInline, run_action
from inspections.models import CheckPhase, PhaseEvent
from inspections.services import phases as services


class ConfirmForm(forms.Form):
    """Nothing to give but the confirmation itself."""

    reason = forms.CharField(required=False, widget=forms.HiddenInput, label="")


class PhaseEventInline(ReadOnlyInline):
    model = PhaseEvent
    fields = ["created_at", "action", "from_status", "to_status", "actor", "actor_role", "details"]


@admin.register(CheckPhase)
class CheckPhaseAdmin(admin.ModelAdmin):
    list_display = ["name", "starts_on", "ends_on", "state", "budget", "population", "drawn_at", "closed_at"]
    list_filter = ["state"]
    search_fields = ["name"]
    filter_horizontal = ["categories"]
    readonly_fields = ["state", "seed", "population", "drawn_at", "closed_at", "created_by", "created_at"]
    inlines = [PhaseEventInline]
    actions = ["open_phases", "close_phases"]

    def has_add_permission(self, request):
        return False  # phases are created on the phase page (inspections.services.phases.phase_create)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.state != "draft":
            return [f.name for f in CheckPhase._meta.fields] + ["categories"]
        return self.readonly_fields

    def _run(self, request, queryset, *, action: str, title, each):
        return run_action(
            self,
            request,
            queryset,
            action=action,
            title=title,
            form_class=ConfirmForm,
            each=lambda phase, _reason: each(phase),
            done=lambda phases: (
                ngettext("%(n)d phase done.", "%(n)d phases done.", len(phases)) % {"n": len(phases)}
            ),
        )

    @admin.action(description=_("Open and draw the sample"), permissions=["change"])
    def open_phases(self, request, queryset):
        return self._run(
            request,
            queryset,
            action="open_phases",
            title=_("Open and draw the sample"),
            each=lambda phase: services.phase_open(phase=phase, by=request.user),
        )

    @admin.action(description=_("Close and publish"), permissions=["change"])
    def close_phases(self, request, queryset):
        return self._run(
            request,
            queryset,
            action="close_phases",
            title=_("Close and publish"),
            each=lambda phase: services.phase_close(phase=phase, by=request.user),
        )
