"""Orders in the admin: read-only records, and the two things ops do here through the services —
customer service decides disputed after-sales requests, and ops confirm that a bank transfer arrived."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin_tools import ReadOnlyAdmin, ReadOnlyInline, WaitingFilter, refuse, run_action
from core.downloads import private_file_response
from orders import services
from orders.models import (
    AfterSaleEvent,
    AfterSalePhoto,
    AfterSaleRequest,
    AfterSaleStatus,
    ArbitrationDecision,
    Order,
    OrderEvent,
    OrderLine,
    Payment,
    PaymentMethod,
    PaymentNotification,
    PaymentRefund,
    PaymentStatus,
    Review,
)


class ArbitrationForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (the buyer and the supplier read this)"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
    )


class TransferForm(forms.Form):
    # Named "reason" for the shared action page; it holds the bank's transaction reference.
    reason = forms.CharField(label=_("Bank transaction reference (银行流水号)"), max_length=100)


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = ["product_name", "spec", "price", "quantity", "line_total", "sku"]


class OrderEventInline(ReadOnlyInline):
    model = OrderEvent
    fields = ["created_at", "action", "from_status", "to_status", "actor", "actor_role", "reason", "details"]
    ordering = ["created_at", "id"]


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ["method", "amount", "refunded_amount", "status", "provider", "provider_reference", "paid_at"]


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = ["number", "buyer_unit", "supplier", "total", "status", "payment_method", "placed_at"]
    list_filter = ["status", WaitingFilter, "payment_method", "invoice_type", "delivery_province"]
    list_select_related = ["buyer_unit", "supplier"]
    search_fields = ["number", "buyer_unit__name", "supplier__legal_name", "tracking_number", "recipient"]
    date_hierarchy = "placed_at"
    inlines = [OrderLineInline, PaymentInline, OrderEventInline]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = [
        "order",
        "method",
        "amount",
        "refunded_amount",
        "status",
        "provider",
        "created_at",
        "paid_at",
    ]
    list_filter = ["status", "method", "provider"]
    list_select_related = ["order"]
    search_fields = ["order__number", "provider_reference", "bank_reference"]
    raw_id_fields = ["order"]
    actions = ["confirm_transfer"]

    @admin.action(description=_("Confirm the bank transfer arrived"), permissions=["confirm"])
    def confirm_transfer(self, request, queryset):
        wrong = queryset.exclude(method=PaymentMethod.BANK_TRANSFER, status=PaymentStatus.PENDING)
        if wrong.exists() or queryset.count() != 1:
            return refuse(self, request, _("Choose one bank transfer awaiting payment. Nothing was changed."))
        return run_action(
            self,
            request,
            queryset,
            action="confirm_transfer",
            title=_("Confirm the bank transfer arrived"),
            form_class=TransferForm,
            each=lambda payment, reference: services.payment_confirm_transfer(
                payment=payment, by=request.user, reference=reference
            ),
            done=lambda payments: _("Payment confirmed: %(order)s") % {"order": payments[0].order},
        )

    def has_confirm_permission(self, request):
        return request.user.has_perm("orders.confirm_payment")


class PhotoInline(ReadOnlyInline):
    model = AfterSalePhoto
    fields = ["photo", "width", "height"]

    @admin.display(description=_("photo"))
    def photo(self, p: AfterSalePhoto):
        # Private storage has no public URL: the link goes through the admin's permission-checked view.
        url = reverse("admin:orders_aftersalerequest_photo", args=[p.request_id, p.pk])
        return format_html('<a href="{}">{}</a>', url, p.image.name.rsplit("/", 1)[-1])


class AfterSaleEventInline(ReadOnlyInline):
    model = AfterSaleEvent
    fields = ["created_at", "action", "from_status", "to_status", "actor", "actor_role", "reason"]


class RefundInline(ReadOnlyInline):
    model = PaymentRefund
    fk_name = "after_sale"
    fields = ["created_at", "amount", "reason", "provider_reference", "actor"]


def _arbitration_action(decision: str):
    def run(modeladmin, request, queryset):
        return modeladmin.arbitrate(request, queryset, decision)

    run.__name__ = f"arbitrate_{decision}"
    run.short_description = ArbitrationDecision(decision).label
    run.allowed_permissions = ("arbitrate",)
    return run


@admin.register(AfterSaleRequest)
class AfterSaleRequestAdmin(ReadOnlyAdmin):
    list_display = ["order", "kind", "amount", "refunded_amount", "status", "created_at", "status_changed_at"]
    list_filter = ["status", "kind", WaitingFilter]
    list_select_related = ["order"]
    search_fields = ["order__number", "reason", "supplier_reason", "dispute_reason"]
    raw_id_fields = ["order"]
    inlines = [PhotoInline, AfterSaleEventInline, RefundInline]
    actions = [
        _arbitration_action(ArbitrationDecision.REFUND),
        _arbitration_action(ArbitrationDecision.REJECT),
    ]

    def has_arbitrate_permission(self, request):
        return request.user.has_perm("orders.arbitrate_aftersalerequest")

    def get_urls(self):
        photo = path(
            "<int:request_id>/photos/<int:photo_id>/",
            self.admin_site.admin_view(self.photo_file),
            name="orders_aftersalerequest_photo",
        )
        return [photo, *super().get_urls()]

    def photo_file(self, request, request_id: int, photo_id: int):
        """One photo, for ops who may see the photos inline (the same permission as the inline)."""
        if not request.user.has_perm("orders.view_aftersalephoto"):
            raise PermissionDenied
        photo = AfterSalePhoto.objects.filter(pk=photo_id, request_id=request_id).first()
        if photo is None or not photo.image.storage.exists(photo.image.name):
            raise Http404
        return private_file_response(photo.image)

    def arbitrate(self, request, queryset, decision: str):
        """Ask for the reason, then decide each selected disputed request through the service."""
        label = ArbitrationDecision(decision).label
        if queryset.exclude(status=AfterSaleStatus.DISPUTED).exists() or queryset.count() != 1:
            return refuse(self, request, _("Choose one disputed request. Nothing was changed."))
        return run_action(
            self,
            request,
            queryset,
            action=f"arbitrate_{decision}",
            title=label,
            form_class=ArbitrationForm,
            each=lambda after_sale, reason: services.after_sale_arbitrate(
                request=after_sale, by=request.user, decision=decision, reason=reason
            ),
            done=lambda requests: (
                _("%(decision)s: %(request)s") % {"decision": label, "request": requests[0]}
            ),
        )


@admin.register(PaymentNotification)
class PaymentNotificationAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "provider", "event_id", "payment", "result", "processed_at"]
    list_filter = ["provider", "result"]
    search_fields = ["event_id"]
    raw_id_fields = ["payment"]


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ["order", "supplier", "quality", "price", "service", "created_at", "replied_at"]
    list_filter = ["quality", "service"]
    list_select_related = ["order", "supplier"]
    search_fields = ["order__number", "supplier__legal_name", "comment"]
    raw_id_fields = ["order"]
