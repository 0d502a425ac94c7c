import math

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from catalog.models import Category
from catalog.units import UNIT_SUFFIX
from core.admin_tools import ReasonForm, run_action
from core.money import yuan
from pricing import services
from pricing.explain import explain
from pricing.models import FLAGGED, PriceEvidence, PriceReview, PriceVerdict, ReviewState, Shop
from pricing.verdicts import MODEL_VERSION, Params, nearest_peers


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

    def _review(self, request, queryset, *, action: str, verified: bool):
        return run_action(
            self,
            request,
            queryset,
            action=action,
            title=_("Reject (with a reason)"),
            ask=not verified,
            each=lambda evidence, reason: services.evidence_review(
                evidence=evidence, by=request.user, verified=verified, reason=reason
            ),
            done=lambda items: (
                ngettext("%(n)d reference reviewed.", "%(n)d references reviewed.", len(items))
                % {"n": len(items)}
            ),
        )

    @admin.action(description=_("Mark as verified"), permissions=["change"])
    def verify(self, request, queryset):
        return self._review(request, queryset, action="verify", verified=True)

    @admin.action(description=_("Reject (with a reason)"), permissions=["change"])
    def reject(self, request, queryset):
        return self._review(request, queryset, action="reject", verified=False)


class ReviewQueueFilter(admin.SimpleListFilter):
    """The price review queue: by default the flagged prices nobody has decided about yet."""

    title = _("queue")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [
            ("open", _("To review")),
            ("adjust", _("Supplier asked to adjust")),
            ("accepted", _("Accepted")),
            ("flagged", _("All flagged")),
            ("all", _("All verdicts")),
        ]

    def choices(self, changelist):
        value = self.value() or "open"
        for lookup, title in self.lookup_choices:
            yield {
                "selected": value == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value() or "open"
        if value == "all":
            return queryset
        flagged = queryset.filter(verdict__in=FLAGGED)
        if value == "open":
            return flagged.filter(review_state=ReviewState.NONE)
        if value == "adjust":
            return flagged.filter(review_state=ReviewState.ADJUST)
        if value == "accepted":
            return flagged.filter(review_state=ReviewState.ACCEPTED)
        return flagged


class TopCategoryFilter(admin.SimpleListFilter):
    title = _("category")
    parameter_name = "top"

    def lookups(self, request, model_admin):
        return [(c.pk, c.name) for c in Category.objects.filter(parent=None).order_by("position")]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(sku__product__top_category_id=self.value())
        return queryset


class NoteForm(ReasonForm):
    reason = forms.CharField(
        label=_("Note (the supplier reads it with the explanation)"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
    )


@admin.register(PriceVerdict)
class PriceVerdictAdmin(admin.ModelAdmin):
    """The ops price review queue: flagged prices, the farthest off first, with the explanation and
    the evidence; accept with a note, ask the supplier to adjust, or delist."""

    list_display = [
        "product",
        "spec",
        "supplier",
        "verdict_badge",
        "price",
        "how_far",
        "explanation",
        "review_state",
    ]
    list_filter = [ReviewQueueFilter, "verdict", TopCategoryFilter, "review_state"]
    list_select_related = ["sku__product__supplier", "sku__product__category", "peer_category"]
    search_fields = ["sku__product__name", "sku__product__supplier__legal_name"]
    ordering = ["-severity", "sku_id"]
    actions = ["accept", "adjust", "delist"]
    list_per_page = 50
    change_list_template = "admin/pricing/priceverdict/change_list.html"
    fields = [
        "product",
        "spec",
        "supplier",
        "verdict_badge",
        "price",
        "explanation",
        "numbers",
        "evidence_table",
        "peer_table",
        "review_state",
        "review_note",
        "reviewed_by",
        "reviewed_at",
        "reviews",
        "model_version",
        "computed_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # the model writes verdicts

    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Read-only: decisions are the list's actions, which ask for the note.
        extra_context = {**(extra_context or {}), "show_save": False, "show_save_and_continue": False}
        return super().change_view(request, object_id, form_url, extra_context=extra_context)

    def changelist_view(self, request, extra_context=None):
        params = Params.from_settings()
        extra_context = {**(extra_context or {}), "model_params": params, "model_version": MODEL_VERSION}
        return super().changelist_view(request, extra_context=extra_context)

    @admin.display(description=_("product"), ordering="sku__product__name")
    def product(self, verdict: PriceVerdict):
        product = verdict.sku.product
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:catalog_product_change", args=[product.pk]), product.name
        )

    @admin.display(description=_("specification"))
    def spec(self, verdict: PriceVerdict) -> str:
        return verdict.sku.spec

    @admin.display(description=_("supplier"))
    def supplier(self, verdict: PriceVerdict) -> str:
        return verdict.sku.product.supplier.legal_name

    @admin.display(description=_("verdict"), ordering="verdict")
    def verdict_badge(self, verdict: PriceVerdict):
        return format_html(
            '<span class="verdict-{}" style="font-weight:600">{}</span>',
            verdict.verdict,
            verdict.get_verdict_display(),
        )

    @admin.display(description=_("unit price"), ordering="unit_price")
    def price(self, verdict: PriceVerdict) -> str:
        return f"{yuan(verdict.unit_price)}{UNIT_SUFFIX.get(verdict.basis, '')}"

    @admin.display(description=_("how far off"), ordering="-severity")
    def how_far(self, verdict: PriceVerdict) -> str:
        return f"{math.exp(verdict.severity):.2f}×" if verdict.severity else "—"

    @admin.display(description=_("explanation"))
    def explanation(self, verdict: PriceVerdict) -> str:
        return explain(verdict, for_supplier=False, brief=False)

    @admin.display(description=_("numbers behind it"))
    def numbers(self, verdict: PriceVerdict):
        def fmt(value, pattern="{:.2f}"):
            return pattern.format(value) if value is not None else "—"

        def amount(value):
            return yuan(value) if value is not None else "—"

        rows = [
            (_("comparable listings"), f"{verdict.peer_count} ({verdict.get_peer_scope_display()})"),
            (_("their median"), amount(verdict.peer_median)),
            (_("ratio to the median"), fmt(verdict.peer_ratio, "{:.2f}×")),
            (_("modified z-score"), fmt(verdict.peer_z)),
            (_("lowest fresh reference"), amount(verdict.reference_unit_price)),
            (_("ratio to the reference"), fmt(verdict.reference_ratio, "{:.2f}×")),
            (_("own recent median"), amount(verdict.history_median)),
            (_("ratio to it"), fmt(verdict.history_ratio, "{:.2f}×")),
            (_("rules that fired"), ", ".join(verdict.signals) or "—"),
        ]
        return format_html_join("", "<div><strong>{}</strong>: {}</div>", rows)

    @admin.display(description=_("evidence"))
    def evidence_table(self, verdict: PriceVerdict):
        rows = [
            (
                e.shop.name,
                e.get_match_display(),
                yuan(e.observed_price),
                yuan(e.observed_unit_price),
                e.seen_on,
                _("stale") if e.is_stale else "",
                e.get_status_display(),
                reverse("pricing:screenshot", args=[e.pk]),
                e.url,
            )
            for e in PriceEvidence.objects.filter(sku_id=verdict.sku_id).select_related("shop")
        ]
        if not rows:
            return _("No evidence recorded.")
        return format_html(
            "<table><tbody>{}</tbody></table>",
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
                '<td><a href="{}">screenshot</a></td><td><a href="{}" rel="noopener noreferrer nofollow" '
                'target="_blank">link</a></td></tr>',
                rows,
            ),
        )

    @admin.display(description=_("comparable listings nearest the median"))
    def peer_table(self, verdict: PriceVerdict):
        peers = nearest_peers(verdict, limit=10)
        if not peers:
            return "—"
        return format_html(
            "<table><tbody>{}</tbody></table>",
            format_html_join(
                "",
                '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td></tr>',
                [
                    (
                        reverse("catalog:product", args=[s.product_id]),
                        s.product.name,
                        s.spec,
                        yuan(s.unit_price),
                    )
                    for s in peers
                ],
            ),
        )

    @admin.display(description=_("earlier reviews"))
    def reviews(self, verdict: PriceVerdict):
        rows = [
            (
                date_format(localtime(r.created_at), "Y-m-d H:i"),
                r.by,
                r.get_action_display(),
                yuan(r.unit_price),
                r.note,
            )
            for r in PriceReview.objects.filter(sku_id=verdict.sku_id).select_related("by")
        ]
        if not rows:
            return "—"
        return format_html_join("", "<div>{} · {} · {} ({}): {}</div>", rows)

    def _review(self, request, queryset, *, action: str, title):
        return run_action(
            self,
            request,
            queryset.select_related("sku__product"),
            action=action,
            title=title,
            form_class=NoteForm,
            each=lambda verdict, note: services.price_review(
                sku=verdict.sku, by=request.user, action=action, note=note
            ),
            done=lambda verdicts: (
                ngettext("%(n)d price reviewed.", "%(n)d prices reviewed.", len(verdicts))
                % {"n": len(verdicts)}
            ),
        )

    @admin.action(description=_("Accept the price (with a note)"), permissions=["change"])
    def accept(self, request, queryset):
        return self._review(request, queryset, action=PriceReview.Action.ACCEPT, title=_("Accept the price"))

    @admin.action(description=_("Ask the supplier to adjust (with a note)"), permissions=["change"])
    def adjust(self, request, queryset):
        return self._review(
            request, queryset, action=PriceReview.Action.ADJUST, title=_("Ask the supplier to adjust")
        )

    @admin.action(description=_("Delist the product (with a reason)"), permissions=["change"])
    def delist(self, request, queryset):
        return self._review(
            request, queryset, action=PriceReview.Action.DELIST, title=_("Delist the product")
        )


@admin.register(PriceReview)
class PriceReviewAdmin(admin.ModelAdmin):
    list_display = ["created_at", "sku", "action", "verdict", "unit_price", "by", "note"]
    list_filter = ["action", "verdict"]
    list_select_related = ["sku__product", "by"]
    readonly_fields = [f.name for f in PriceReview._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
