"""Price evidence (比价链接 + 价格证明材料): what the same or a similar product costs on a mainstream shop."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.units import Unit
from marketplace.storage import private_storage


class Shop(models.Model):
    """A mainstream shop whose prices count as references. Ops keep the list in the admin; a URL is
    matched to a shop by its host, never by what the supplier types."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=50)
    hosts = models.JSONField(
        _("hosts"),
        default=list,
        help_text=_("Domain names of the shop; sub-domains match too (e.g. jd.com)."),
    )
    is_active = models.BooleanField(_("recognised"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("shop")
        verbose_name_plural = _("shops")

    def __str__(self) -> str:
        return self.name


class EvidenceStatus(models.TextChoices):
    PENDING = "pending", _("Not yet checked")
    VERIFIED = "verified", _("Verified by ops")
    REJECTED = "rejected", _("Rejected by ops")


class Match(models.TextChoices):
    SAME = "same", _("The same product")
    SIMILAR = "similar", _("A similar product")


def screenshot_path(instance: "PriceEvidence", filename: str) -> str:
    return f"evidence/{instance.sku.product_id}/{filename}"


class PriceEvidence(models.Model):
    sku = models.ForeignKey(
        "catalog.Sku", on_delete=models.CASCADE, related_name="evidence", verbose_name=_("SKU")
    )
    shop = models.ForeignKey(Shop, on_delete=models.PROTECT, related_name="evidence", verbose_name=_("shop"))
    url = models.URLField(_("link"), max_length=500)
    match = models.CharField(_("comparison"), max_length=10, choices=Match.choices)
    observed_price = models.DecimalField(_("price seen (¥)"), max_digits=10, decimal_places=2)
    spec = models.CharField(_("specification seen"), max_length=100)
    net_quantity = models.DecimalField(_("net quantity"), max_digits=10, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=8, choices=Unit.choices)
    pack_count = models.PositiveIntegerField(_("pieces per pack"), default=1)
    observed_unit_price = models.DecimalField(_("unit price seen (¥)"), max_digits=12, decimal_places=2)
    seen_on = models.DateField(_("date seen"))
    screenshot = models.ImageField(
        _("screenshot"), upload_to=screenshot_path, storage=private_storage, max_length=200
    )
    screenshot_sha256 = models.CharField(max_length=64, db_index=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=EvidenceStatus.choices,
        default=EvidenceStatus.PENDING,
        db_index=True,
    )
    review_reason = models.TextField(_("review note"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["-seen_on", "-id"]
        verbose_name = _("price evidence")
        verbose_name_plural = _("price evidence")
        constraints = [
            models.CheckConstraint(name="evidence_price_positive", condition=Q(observed_price__gt=0)),
            models.CheckConstraint(name="evidence_quantity_positive", condition=Q(net_quantity__gt=0)),
        ]

    def __str__(self) -> str:
        return f"{self.shop} ¥{self.observed_price} ({self.seen_on})"

    @property
    def age_days(self) -> int:
        return (timezone.localdate() - self.seen_on).days

    @property
    def is_stale(self) -> bool:
        """Older than PRICE_EVIDENCE_MAX_AGE_DAYS: it no longer counts as a reference."""
        return self.age_days > settings.PRICE_EVIDENCE_MAX_AGE_DAYS
