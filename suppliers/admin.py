"""Ops review of suppliers in the admin: every state change is an action that calls the service and
asks for the reason the supplier will read."""

from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin_tools import ReadOnlyInline, WaitingFilter, refuse, refuse_wrong_state, run_action
from regions.models import County
from suppliers import services
from suppliers.models import CreditEntry, Qualification, Supplier, SupplierEvent
from suppliers.workflow import TRANSITIONS, Action


class CountyWithSuppliersFilter(admin.SimpleListFilter):
    """Counties that have suppliers (the full list has 2,978 entries)."""

    title = _("county")
    parameter_name = "county"

    def lookups(self, request, model_admin):
        counties = (
            County.objects.annotate(n=Count("suppliers"))
            .filter(n__gt=0)
            .select_related("province")
            .order_by("code")
        )
        return [(c.pk, f"{c.province.name} {c.name} ({c.n})") for c in counties]

    def queryset(self, request, queryset):
        return queryset.filter(county_id=self.value()) if self.value() else queryset


class QualificationInline(ReadOnlyInline):
    model = Qualification
    fields = ["type", "number", "issuer", "valid_from", "valid_until", "long_term", "status", "download"]
    ordering = ["type", "-valid_from"]

    @admin.display(description=_("scan"))
    def download(self, q: Qualification):
        return format_html(
            '<a href="{}">{}</a>', reverse("suppliers:document_file", args=[q.pk]), _("download")
        )


class EventInline(ReadOnlyInline):
    model = SupplierEvent
    fields = ["created_at", "action", "from_status", "to_status", "actor", "actor_role", "reason"]
    ordering = ["-created_at", "-id"]


class CreditInline(ReadOnlyInline):
    model = CreditEntry
    fields = ["created_at", "delta", "balance_after", "reason", "source", "actor"]


def _transition_action(action: str, *, bulk_safe: bool):
    transition = TRANSITIONS[action]

    def run(modeladmin, request, queryset):
        return modeladmin.transition_with_reason(request, queryset, action, bulk_safe=bulk_safe)

    run.__name__ = f"do_{action}"
    run.short_description = Action(action).label
    run.allowed_permissions = ("change",)
    run.transition = transition
    return run


@admin.register(Supplier)
class SupplierAdmin(admin.ModelAdmin):
    list_display = ["legal_name", "uscc", "location", "status", "waiting_days", "credit_score"]
    list_per_page = 50
    list_filter = ["status", WaitingFilter, "county__province", CountyWithSuppliersFilter]
    list_select_related = ["county__province"]
    search_fields = ["legal_name", "uscc", "contact_name", "contact_phone"]
    ordering = ["status_changed_at"]
    readonly_fields = [f.name for f in Supplier._meta.fields if f.name not in ("id",)]
    fieldsets = [
        (
            _("Application"),
            {"fields": list(services.APPLICATION_FIELDS)},
        ),
        (
            _("State"),
            {"fields": ["status", "status_changed_at", "suspension_cause", "credit_score", "created_at"]},
        ),
    ]
    inlines = [QualificationInline, EventInline, CreditInline]
    actions = [
        _transition_action(Action.APPROVE, bulk_safe=True),
        _transition_action(Action.REQUEST_CHANGES, bulk_safe=False),
        _transition_action(Action.REJECT, bulk_safe=False),
        _transition_action(Action.SUSPEND, bulk_safe=False),
        _transition_action(Action.REINSTATE, bulk_safe=False),
        _transition_action(Action.TERMINATE, bulk_safe=False),
    ]

    def has_add_permission(self, request):
        return False  # suppliers apply through the portal

    def has_delete_permission(self, request, obj=None):
        return False  # a supplier is terminated, never deleted: its history stays

    @admin.display(description=_("county"), ordering="county__code")
    def location(self, s: Supplier) -> str:
        return f"{s.county.province.name} {s.county.name}" if s.county else "—"

    @admin.display(description=_("days in this state"), ordering="status_changed_at")
    def waiting_days(self, s: Supplier) -> int:
        return (timezone.now() - s.status_changed_at).days

    def transition_with_reason(self, request, queryset, action: str, *, bulk_safe: bool):
        """Ask for the reason, then run the transition for each selected supplier through the service."""
        label = Action(action).label
        wrong = queryset.exclude(status__in=TRANSITIONS[action].sources)
        if wrong.exists():
            return refuse_wrong_state(
                self, request, label=label, names=list(wrong.values_list("legal_name", flat=True))
            )
        if not bulk_safe and queryset.count() > 1:
            return refuse(
                self, request, _("“%(action)s” is done one supplier at a time.") % {"action": label}
            )
        return run_action(
            self,
            request,
            queryset,
            action=f"do_{action}",
            title=label,
            each=lambda supplier, reason: services.supplier_transition(
                supplier=supplier, action=action, by=request.user, reason=reason
            ),
            done=lambda suppliers: (
                _("%(action)s: %(names)s")
                % {"action": label, "names": "、".join(s.legal_name for s in suppliers)}
            ),
            problems=(lambda: {s.pk: services.application_problems(s) for s in queryset})
            if action == Action.APPROVE
            else None,
        )


@admin.register(CreditEntry)
class CreditEntryAdmin(admin.ModelAdmin):
    list_display = ["supplier", "delta", "balance_after", "reason", "source", "actor", "created_at"]
    list_select_related = ["supplier", "actor"]
    list_filter = ["source"]
    search_fields = ["supplier__legal_name", "reason"]
    autocomplete_fields = ["supplier"]
    fields = ["supplier", "delta", "reason", "source"]

    def get_readonly_fields(self, request, obj=None):
        return self.fields if obj else []

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        # The ledger entry and the score change together, through the service.
        entry = services.credit_adjust(
            supplier=obj.supplier,
            delta=obj.delta,
            reason=obj.reason,
            by=request.user,
            source=obj.source or "manual",
        )
        obj.pk = entry.pk
        obj.balance_after = entry.balance_after


@admin.register(SupplierEvent)
class SupplierEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "supplier", "action", "from_status", "to_status", "actor", "reason"]
    list_filter = ["action", "to_status"]
    list_select_related = ["supplier", "actor"]
    search_fields = ["supplier__legal_name", "reason"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Qualification)
class QualificationAdmin(admin.ModelAdmin):
    list_display = ["supplier", "type", "number", "valid_until", "long_term", "status", "download"]
    list_filter = ["type", "status", ("valid_until", admin.DateFieldListFilter)]
    list_select_related = ["supplier"]
    search_fields = ["supplier__legal_name", "number"]
    # The scan is private: it has no URL to show, only the checked download link.
    readonly_fields = [f.name for f in Qualification._meta.fields if f.name not in ("id", "file")] + [
        "download"
    ]
    exclude = ["file"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("scan"))
    def download(self, q: Qualification):
        return format_html(
            '<a href="{}">{}</a>', reverse("suppliers:document_file", args=[q.pk]), _("download")
        )
