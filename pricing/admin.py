from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from marketplace.admin_tools import ReasonForm, ask_reason
from pricing import services
from pricing.models import PriceEvidence, Shop


@admin.register(Shop)
class ShopAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "hosts", "is_active"]
    list_editable = ["is_active"]
    search_fields = ["name", "code"]


@admin.register(PriceEvidence)
class PriceEvidenceAdmin(admin.ModelAdmin):
    list_display = [
        "sku",
        "shop",
        "match",
        "observed_price",
        "observed_unit_price",
        "seen_on",
        "stale",
        "status",
        "proof",
    ]
    list_filter = ["status", "shop", "match"]
    list_select_related = ["sku__product", "shop"]
    search_fields = ["sku__product__name", "url"]
    raw_id_fields = ["sku"]
    readonly_fields = [f.name for f in PriceEvidence._meta.fields if f.name not in ("id", "screenshot")] + [
        "proof"
    ]
    exclude = ["screenshot"]
    actions = ["verify", "reject"]

    def has_add_permission(self, request):
        return False  # suppliers record evidence; ops check it

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("stale"), boolean=True)
    def stale(self, evidence: PriceEvidence) -> bool:
        return evidence.is_stale

    @admin.display(description=_("screenshot"))
    def proof(self, evidence: PriceEvidence):
        return format_html(
            '<a href="{}">{}</a>', reverse("pricing:screenshot", args=[evidence.pk]), _("open")
        )

    def _review(self, request, queryset, *, verified: bool, reason: str = ""):
        items = list(queryset)
        try:
            with transaction.atomic():
                for evidence in items:
                    services.evidence_review(
                        evidence=evidence, by=request.user, verified=verified, reason=reason
                    )
        except (ValidationError, PermissionDenied) as exc:
            text = " ".join(exc.messages) if isinstance(exc, ValidationError) else _("Not allowed.")
            self.message_user(request, _("Nothing was changed: %(error)s") % {"error": text}, messages.ERROR)
            return
        self.message_user(
            request,
            ngettext("%(n)d reference reviewed.", "%(n)d references reviewed.", len(items))
            % {"n": len(items)},
        )

    @admin.action(description=_("Mark as verified"), permissions=["change"])
    def verify(self, request, queryset):
        self._review(request, queryset, verified=True)

    @admin.action(description=_("Reject (with a reason)"), permissions=["change"])
    def reject(self, request, queryset):
        form = ReasonForm(request.POST if "confirm" in request.POST else None)
        if form.is_valid():
            self._review(request, queryset, verified=False, reason=form.cleaned_data["reason"])
            return None
        return ask_reason(
            self, request, objects=queryset, action="reject", title=_("Reject (with a reason)"), form=form
        )
