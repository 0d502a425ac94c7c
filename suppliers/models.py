"""Suppliers (供应商): companies and cooperatives registered in an eligible county."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from marketplace.uscc import validate_uscc


class SupplierStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted, awaiting county endorsement")
    ENDORSED = "endorsed", _("Endorsed by county, awaiting review")
    ACTIVE = "active", _("Approved (active)")
    SUSPENDED = "suspended", _("Suspended")
    TERMINATED = "terminated", _("Terminated")


class Supplier(models.Model):
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
    county = models.ForeignKey(
        "regions.County",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="suppliers",
        verbose_name=_("county"),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=SupplierStatus.choices,
        default=SupplierStatus.DRAFT,
        db_index=True,
    )
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["legal_name"]
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        indexes = [models.Index(fields=["county", "status"])]

    def __str__(self) -> str:
        return self.legal_name

    @property
    def is_active(self) -> bool:
        return self.status == SupplierStatus.ACTIVE
