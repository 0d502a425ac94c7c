"""Suppliers (供应商): companies and cooperatives registered in an eligible county, their
qualification documents, the history of every state change and their credit ledger."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import TransitionEvent
from core.storage import private_storage
from core.uscc import validate_uscc
from suppliers.rules import ProductLine, QualificationType


class SupplierStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted, awaiting county endorsement")
    ENDORSED = "endorsed", _("Endorsed by county, awaiting review")
    ACTIVE = "active", _("Approved (active)")
    SUSPENDED = "suspended", _("Suspended")
    TERMINATED = "terminated", _("Terminated")
    REJECTED = "rejected", _("Rejected")


class SuspensionCause(models.TextChoices):
    NONE = "", _("Not suspended")
    QUALIFICATION_EXPIRED = "qualification_expired", _("A required qualification expired")
    OPS = "ops", _("Suspended by operations staff")


class Supplier(models.Model):
    # Application (the wizard fills these; blank until the supplier gets to them)
    legal_name = models.CharField(_("legal name"), max_length=200)
    uscc = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_uscc],
        help_text=_("18 characters, as on the business licence."),
    )
    legal_representative = models.CharField(_("legal representative"), max_length=50, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    county = models.ForeignKey(
        "regions.County",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="suppliers",
        verbose_name=_("county"),
    )
    business_scope = models.TextField(
        _("business scope"), blank=True, help_text=_("As on the business licence.")
    )
    product_lines = models.JSONField(_("main product categories"), default=list, blank=True)
    bank_name = models.CharField(_("bank (branch)"), max_length=100, blank=True)
    bank_account_name = models.CharField(_("account name"), max_length=200, blank=True)
    bank_account_number = models.CharField(_("account number"), max_length=34, blank=True)

    # State
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=SupplierStatus.choices,
        default=SupplierStatus.DRAFT,
        db_index=True,
    )
    status_changed_at = models.DateTimeField(_("in this state since"), default=timezone.now, db_index=True)
    suspension_cause = models.CharField(
        _("suspension cause"), max_length=32, choices=SuspensionCause.choices, blank=True, default=""
    )
    credit_score = models.IntegerField(_("credit score"), default=settings.SUPPLIER_INITIAL_CREDIT)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["legal_name"]
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        indexes = [models.Index(fields=["county", "status"])]
        constraints = [
            models.CheckConstraint(
                name="supplier_suspension_cause_only_when_suspended",
                condition=Q(status="suspended") | Q(suspension_cause=""),
            ),
        ]

    def __str__(self) -> str:
        return self.legal_name

    @property
    def is_active(self) -> bool:
        """Only active suppliers may list and sell products."""
        return self.status == SupplierStatus.ACTIVE

    @property
    def product_line_labels(self) -> list[str]:
        labels = dict(ProductLine.choices)
        return [str(labels.get(line, line)) for line in self.product_lines or []]

    @property
    def is_editable(self) -> bool:
        """The application can be changed only while it is a draft (new or sent back)."""
        return self.status == SupplierStatus.DRAFT


class QualificationStatus(models.TextChoices):
    CURRENT = "current", _("In force")
    EXPIRED = "expired", _("Expired")
    SUPERSEDED = "superseded", _("Replaced by a newer document")


def qualification_upload_to(instance: "Qualification", filename: str) -> str:
    return f"qualifications/{instance.supplier_id}/{filename}"


class Qualification(models.Model):
    """A qualification document (资质): type, number, issuer, validity and the uploaded scan."""

    supplier = models.ForeignKey(
        Supplier, on_delete=models.CASCADE, related_name="qualifications", verbose_name=_("supplier")
    )
    type = models.CharField(_("type"), max_length=32, choices=QualificationType.choices)
    title = models.CharField(
        _("title"), max_length=100, blank=True, help_text=_("For “other document”: what it is.")
    )
    number = models.CharField(_("number"), max_length=64)
    issuer = models.CharField(_("issued by"), max_length=100)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    long_term = models.BooleanField(_("long-term (长期)"), default=False)
    file = models.FileField(
        _("scan"), storage=private_storage, upload_to=qualification_upload_to, max_length=200
    )
    file_type = models.CharField(_("file type"), max_length=40)
    file_sha256 = models.CharField(_("SHA-256"), max_length=64)
    file_size = models.PositiveIntegerField(_("file size"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=QualificationStatus.choices,
        default=QualificationStatus.CURRENT,
        db_index=True,
    )
    # The valid_until date the expiry warning was sent for (so it is sent once per date).
    expiry_warning_sent_for = models.DateField(null=True, blank=True, editable=False)
    expired_at = models.DateTimeField(_("marked expired at"), null=True, blank=True)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["type", "-valid_from"]
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")
        indexes = [models.Index(fields=["status", "valid_until"])]
        constraints = [
            models.CheckConstraint(
                name="qualification_end_or_long_term",
                condition=(
                    Q(long_term=True, valid_until__isnull=True)
                    | Q(long_term=False, valid_until__isnull=False)
                ),
            ),
            models.CheckConstraint(
                name="qualification_ends_after_it_starts",
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.number}"


class SupplierEvent(TransitionEvent):
    """Append-only history: every state change and review message, with who, when and why
    (written by core.workflow)."""

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(_("from"), max_length=20, blank=True, choices=SupplierStatus.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=SupplierStatus.choices)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("supplier history entry")
        verbose_name_plural = _("supplier history")

    def __str__(self) -> str:
        return f"{self.supplier_id}: {self.from_status} → {self.to_status}"


class CreditEntry(models.Model):
    """A penalty (negative) or restoration (positive) of a supplier's credit score, with its reason."""

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="credit_entries")
    delta = models.IntegerField(_("points"))
    balance_after = models.IntegerField(_("score after"))
    reason = models.TextField(_("reason"))
    source = models.CharField(
        _("source"), max_length=32, blank=True, help_text=_("What caused it: spot check, report, manual…")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("credit entry")
        verbose_name_plural = _("credit ledger")
        constraints = [models.CheckConstraint(name="credit_entry_not_zero", condition=~Q(delta=0))]

    def __str__(self) -> str:
        return f"{self.delta:+d} → {self.balance_after}"
