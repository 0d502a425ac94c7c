"""Price evidence (比价链接 + 价格证明材料): what the same or a similar product costs on a mainstream shop."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.units import Unit
from core.money import yuan
from core.storage import private_storage


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
        return f"{self.shop} {yuan(self.observed_price)} ({self.seen_on})"

    @property
    def age_days(self) -> int:
        return (timezone.localdate() - self.seen_on).days

    @property
    def is_stale(self) -> bool:
        """Older than PRICE_EVIDENCE_MAX_AGE_DAYS: it no longer counts as a reference."""
        return self.age_days > settings.PRICE_EVIDENCE_MAX_AGE_DAYS


# --- The price comparison model's verdicts (比价模型) ------------------------------------------------


class Verdict(models.TextChoices):
    REASONABLE = "reasonable", _("Reasonable")
    HIGH = "high", _("High")
    VERY_HIGH = "very_high", _("Very high")
    LOW = "low", _("Suspiciously low")
    INSUFFICIENT = "insufficient", _("Not enough data")


FLAGGED = (Verdict.HIGH, Verdict.VERY_HIGH, Verdict.LOW)


class PeerScope(models.TextChoices):
    LEAF = "leaf", _("same category")
    PARENT = "parent", _("parent category")
    NONE = "", _("no comparable listings")


class ReviewState(models.TextChoices):
    NONE = "", _("Not reviewed")
    ACCEPTED = "accepted", _("Accepted by ops")
    ADJUST = "adjust", _("Supplier asked to adjust")
    DELISTED = "delisted", _("Delisted")


class PriceVerdict(models.Model):
    """The model's current judgement of one SKU's price, with every number behind it.

    One row per SKU, rewritten whenever the price or the evidence changes and every night. The
    explanation is not stored as text: ``pricing.explain.explain`` writes it from these numbers in
    the reader's language.
    """

    sku = models.OneToOneField(
        "catalog.Sku",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="verdict",
        verbose_name=_("SKU"),
    )
    verdict = models.CharField(_("verdict"), max_length=12, choices=Verdict.choices)
    severity = models.FloatField(
        _("how far off"), default=0, help_text=_("Natural log of the largest ratio that made the verdict.")
    )
    unit_price = models.DecimalField(_("unit price judged (¥)"), max_digits=12, decimal_places=2)
    basis = models.CharField(_("price basis"), max_length=8)
    # Against the supplier's own evidence: the lowest fresh same-product reference.
    reference = models.ForeignKey(
        PriceEvidence,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reference"),
    )
    reference_unit_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    reference_ratio = models.FloatField(null=True, blank=True)
    reference_shop = models.CharField(max_length=50, blank=True)
    reference_seen_on = models.DateField(null=True, blank=True)
    references_used = models.JSONField(default=list, blank=True)  # ids of the fresh same-product references
    stale_references = models.PositiveIntegerField(default=0)
    stale_shop = models.CharField(max_length=50, blank=True)
    stale_seen_on = models.DateField(null=True, blank=True)
    # Against comparable listings on the platform.
    peer_scope = models.CharField(max_length=8, choices=PeerScope.choices, blank=True)
    peer_category = models.ForeignKey(
        "catalog.Category", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    peer_count = models.PositiveIntegerField(default=0)
    peer_median = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    peer_mad = models.FloatField(null=True, blank=True)  # of log unit prices
    peer_z = models.FloatField(null=True, blank=True)
    peer_ratio = models.FloatField(null=True, blank=True)
    # Against its own history.
    history_median = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    history_ratio = models.FloatField(null=True, blank=True)
    history_points = models.PositiveIntegerField(default=0)
    signals = models.JSONField(default=list, blank=True)  # which rules fired: "evidence_high", "peer_low"…
    model_version = models.CharField(_("model version"), max_length=20)
    computed_at = models.DateTimeField(_("computed at"))
    # Ops review of a flagged price; it applies to the unit price it was made on.
    review_state = models.CharField(
        _("review"), max_length=10, choices=ReviewState.choices, blank=True, default=ReviewState.NONE
    )
    review_note = models.TextField(_("review note"), blank=True)
    review_unit_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("price verdict")
        verbose_name_plural = _("price verdicts")
        indexes = [models.Index(fields=["verdict", "-severity"], name="verdict_queue")]

    def __str__(self) -> str:
        return f"{self.sku.product.name} · {self.sku.spec}: {self.get_verdict_display()}"

    @property
    def is_flagged(self) -> bool:
        return self.verdict in FLAGGED


class PriceReview(models.Model):
    """What ops decided about a flagged price, and why (append-only)."""

    class Action(models.TextChoices):
        ACCEPT = "accept", _("Accepted with a note")
        ADJUST = "adjust", _("Asked the supplier to adjust")
        DELIST = "delist", _("Delisted")

    sku = models.ForeignKey("catalog.Sku", on_delete=models.CASCADE, related_name="price_reviews")
    action = models.CharField(_("action"), max_length=8, choices=Action.choices)
    note = models.TextField(_("note"))
    verdict = models.CharField(_("verdict"), max_length=12, choices=Verdict.choices)
    unit_price = models.DecimalField(_("unit price (¥)"), max_digits=12, decimal_places=2)
    explanation = models.TextField(_("explanation at the time"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("price review")
        verbose_name_plural = _("price reviews")

    def __str__(self) -> str:
        return f"{self.sku_id} {self.action}"


# --- The published price index (价格指数) ----------------------------------------------------------


class Frequency(models.TextChoices):
    MONTH = "month", _("Monthly")
    WEEK = "week", _("Weekly")


class PriceIndexPoint(models.Model):
    """One cell of the published index: a category (all provinces, or one) in one period.

    ``level`` is the chained index (100 at the first period of the series); ``link`` the change
    from the previous period. Cells resting on fewer matched items than the minimum are stored
    (so ops can see why) but ``published`` is false and no page shows their value.
    """

    category = models.ForeignKey("catalog.Category", on_delete=models.CASCADE, related_name="index_points")
    province = models.ForeignKey(
        "regions.Province", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    frequency = models.CharField(max_length=5, choices=Frequency.choices)
    period_start = models.DateField()
    level = models.FloatField(null=True, blank=True)
    link = models.FloatField(null=True, blank=True)
    matched = models.PositiveIntegerField(default=0)
    dropped = models.PositiveIntegerField(default=0)
    published = models.BooleanField(default=False)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["category", "province", "frequency", "period_start"]
        verbose_name = _("price index point")
        verbose_name_plural = _("price index points")
        # One point per cell. Two partial constraints rather than NULLS NOT DISTINCT, which SQLite
        # (the development database) cannot enforce: all provinces (province null), and each province.
        constraints = [
            models.UniqueConstraint(
                fields=["category", "frequency", "period_start"],
                condition=Q(province__isnull=True),
                name="index_point_unique_all_provinces",
            ),
            models.UniqueConstraint(
                fields=["category", "province", "frequency", "period_start"],
                condition=Q(province__isnull=False),
                name="index_point_unique_per_province",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category_id}/{self.province_id or '*'} {self.frequency} {self.period_start}"
