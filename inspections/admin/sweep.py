"""The sweep in the admin: runs with their progress and batches, results and standings, read-only
(the sweep writes them; ops start runs and on-demand checks from /ops/checks/sweeps/)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin_tools import ReadOnlyAdmin, ReadOnlyInline
from inspections.items import FINDING_CODES
from inspections.models import ListingResult, ListingStanding, SweepBatch, SweepRun
from inspections.selectors.sweep import PROGRESS


class BatchInline(ReadOnlyInline):
    model = SweepBatch
    fields = [
        "number",
        "first_id",
        "last_id",
        "state",
        "attempts",
        "checked",
        "with_findings",
        "blocking",
        "frozen",
        "unfrozen",
        "error",
        "finished_at",
    ]


@admin.register(SweepRun)
class SweepRunAdmin(ReadOnlyAdmin):
    list_display = [
        "started_at",
        "trigger",
        "state",
        "progress",
        "with_findings",
        "blocking",
        "batches_failed",
        "finished_at",
    ]
    list_filter = ["trigger", "state"]
    date_hierarchy = "started_at"
    inlines = [BatchInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(**PROGRESS).select_related("requested_by")

    @admin.display(description=_("checked / listings"))
    def progress(self, run):
        return f"{run.checked} / {run.total}"

    @admin.display(description=_("with findings"), ordering="with_findings")
    def with_findings(self, run):
        return run.with_findings

    @admin.display(description=_("blocking"), ordering="blocking")
    def blocking(self, run):
        return run.blocking

    @admin.display(description=_("failed batches"), ordering="batches_failed")
    def batches_failed(self, run):
        return run.batches_failed


class CodeFilter(admin.SimpleListFilter):
    title = _("finding code")
    parameter_name = "code"
    field = "codes"

    def lookups(self, request, model_admin):
        return [(code, code) for code in FINDING_CODES]

    def queryset(self, request, queryset):
        if self.value() in FINDING_CODES:
            return queryset.filter(**{f"{self.field}__icontains": f'"{self.value()}"'})
        return queryset


class FindingCodeFilter(CodeFilter):
    field = "findings"


@admin.register(ListingResult)
class ListingResultAdmin(ReadOnlyAdmin):
    list_display = ["checked_at", "run", "product", "outcome"]
    list_filter = ["outcome", FindingCodeFilter, "run__trigger"]
    list_select_related = ["run", "product"]
    search_fields = ["product__name", "=product__id"]
    raw_id_fields = ["run", "product"]
    date_hierarchy = "checked_at"


@admin.register(ListingStanding)
class ListingStandingAdmin(ReadOnlyAdmin):
    list_display = ["product", "outcome", "codes", "frozen_by_sweep", "checked_at"]
    list_filter = ["outcome", CodeFilter, "frozen_by_sweep"]
    list_select_related = ["product"]
    search_fields = ["product__name", "=product__id"]
    raw_id_fields = ["product", "result"]
