"""Spot checks (滚动核查): the nightly sweep's runs and results, check phases with their drawn sample,
the human checks with their evidence, rectifications, appeals and sanctions, and reports (举报)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import TransitionEvent
from core.storage import private_storage

# --- What a check item finds -------------------------------------------------------------------------


class Severity(models.TextChoices):
    """How grave a finding is; it decides what happens to the listing without a person."""

    BLOCKING = "blocking", _("Blocking: the listing is frozen")
    MAJOR = "major", _("Major: to be rectified")
    MINOR = "minor", _("Minor: a warning")


class Outcome(models.TextChoices):
    """A listing's result in one sweep: the gravest severity among its findings."""

    PASS = "pass", _("Passed")
    MINOR = "minor", _("Warnings")
    MAJOR = "major", _("To be rectified")
    BLOCKING = "blocking", _("Frozen")


# --- The nightly sweep -------------------------------------------------------------------------------


class SweepRun(models.Model):
    """One run of every check item over the live listings (or, on demand, over a listing, a supplier or
    a category). Its progress is the sum of its batches."""

    class Trigger(models.TextChoices):
        NIGHTLY = "nightly", _("Nightly")
        ON_DEMAND = "on_demand", _("On demand")

    class State(models.TextChoices):
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")

    trigger = models.CharField(_("trigger"), max_length=10, choices=Trigger.choices)
    # What was asked for: {} for everything, else {"products": [...]} / {"supplier": id} / {"category": id}.
    scope = models.JSONField(_("scope"), default=dict, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.RUNNING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    total = models.PositiveIntegerField(_("listings"), default=0)
    batch_count = models.PositiveIntegerField(_("batches"), default=0)
    started_at = models.DateTimeField(_("started"), default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("sweep run")
        verbose_name_plural = _("sweep runs")

    def __str__(self) -> str:
        return f"{self.get_trigger_display()} {self.started_at:%Y-%m-%d %H:%M}"


class SweepBatch(models.Model):
    """A range of listing ids one task checks. Its writes are keyed by (run, listing), so a batch that
    runs twice (a redelivered task, a re-run) leaves the same rows."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    run = models.ForeignKey(SweepRun, on_delete=models.CASCADE, related_name="batches")
    number = models.PositiveIntegerField(_("number"))
    first_id = models.BigIntegerField()
    last_id = models.BigIntegerField()
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    checked = models.PositiveIntegerField(_("checked"), default=0)
    with_findings = models.PositiveIntegerField(_("with findings"), default=0)
    blocking = models.PositiveIntegerField(_("blocking"), default=0)
    frozen = models.PositiveIntegerField(_("frozen"), default=0)
    unfrozen = models.PositiveIntegerField(_("unfrozen"), default=0)
    error = models.TextField(_("error"), blank=True)
    # Listings with findings by finding code and by category id ({"codes": {...}, "categories": {...}}),
    # so the nightly totals and their trend read the batches, not every result.
    totals = models.JSONField(_("totals"), default=dict, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["run", "number"]
        verbose_name = _("sweep batch")
        verbose_name_plural = _("sweep batches")
        constraints = [models.UniqueConstraint(fields=["run", "number"], name="sweep_batch_unique_number")]

    def __str__(self) -> str:
        return f"{self.run_id}#{self.number}"


class ListingResult(models.Model):
    """What one run found on one listing. ``findings`` holds, per finding, the item's code, its severity
    and the evidence (the values it saw); messages are rendered from the code in the reader's language."""

    run = models.ForeignKey(SweepRun, on_delete=models.CASCADE, related_name="results")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="check_results")
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome.choices)
    findings = models.JSONField(_("findings"), default=list, blank=True)
    checked_at = models.DateTimeField(_("checked at"), default=timezone.now)

    class Meta:
        ordering = ["-checked_at", "-id"]
        verbose_name = _("listing check result")
        verbose_name_plural = _("listing check results")
        constraints = [
            models.UniqueConstraint(fields=["run", "product"], name="listing_result_unique_per_run")
        ]
        indexes = [models.Index(fields=["product", "-checked_at"], name="listing_result_latest")]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.product_id}: {self.outcome}"


class ListingStanding(models.Model):
    """A listing's current standing: its latest result (one row per listing ever checked)."""

    product = models.OneToOneField(
        "catalog.Product", on_delete=models.CASCADE, primary_key=True, related_name="standing"
    )
    result = models.ForeignKey(ListingResult, on_delete=models.SET_NULL, null=True, related_name="+")
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome.choices, db_index=True)
    codes = models.JSONField(_("finding codes"), default=list, blank=True)
    checked_at = models.DateTimeField(_("last checked"))
    # Frozen because the sweep found a blocking finding (a human freeze is a SpotCheck's outcome).
    frozen_by_sweep = models.BooleanField(_("frozen by the sweep"), default=False)

    class Meta:
        verbose_name = _("listing standing")
        verbose_name_plural = _("listing standings")

    def __str__(self) -> str:
        return f"{self.product_id}: {self.outcome}"


# --- Check phases and human checks -----------------------------------------------------------------


class PhaseState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open: sample drawn")
    CLOSED = "closed", _("Closed and published")


class CheckPhase(models.Model):
    """A phase of human checks (e.g. 2026 第二期, 07-22 → 09-15): a budget of checks over its target
    categories, drawn at random (双随机) with a logged seed."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    budget = models.PositiveIntegerField(_("budget of checks"))
    categories = models.ManyToManyField(
        "catalog.Category",
        blank=True,
        related_name="+",
        verbose_name=_("target categories"),
        help_text=_("Empty: the whole catalogue."),
    )
    floor_probability = models.FloatField(
        _("lowest inclusion probability"),
        default=0.001,
        help_text=_("Every live listing has at least this chance of being drawn."),
    )
    state = models.CharField(_("state"), max_length=8, choices=PhaseState.choices, default=PhaseState.DRAFT)
    seed = models.BigIntegerField(_("random seed"), null=True, blank=True)
    population = models.PositiveIntegerField(_("listings in the frame"), default=0)
    drawn_at = models.DateTimeField(_("sample drawn at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("check phase")
        verbose_name_plural = _("check phases")
        constraints = [
            models.CheckConstraint(name="phase_budget_positive", condition=Q(budget__gt=0)),
            models.CheckConstraint(
                name="phase_dates_in_order", condition=Q(ends_on__gte=models.F("starts_on"))
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PhaseEvent(TransitionEvent):
    phase = models.ForeignKey(CheckPhase, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(_("from"), max_length=20, blank=True, choices=PhaseState.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=PhaseState.choices)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("phase history entry")
        verbose_name_plural = _("phase history")


class CheckState(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned to a reviewer")
    RECTIFYING = "rectifying", _("Waiting for the supplier's rectification")
    RESPONDED = "responded", _("Rectified: to be re-checked")
    APPEALED = "appealed", _("Appealed")
    CLOSED = "closed", _("Closed")


class CheckOutcome(models.TextChoices):
    PASS = "pass", _("Passed")
    RECTIFY = "rectify", _("Rectify by a deadline")
    FREEZE = "freeze", _("Frozen")
    DELIST = "delist", _("Delisted")
    POINTS = "points", _("Penalty points")
    # The ladder's upper rungs (inspections.sanctions): the whole supplier is sanctioned.
    SUSPEND = "suspend", _("Trading suspended")
    EXIT = "exit", _("Exit from the platform")


class SpotCheck(models.Model):
    """A listing checked by a person: drawn into a phase's sample (with its inclusion probability) or
    targeted (a confirmed report, a risk), never both. Only sampled checks feed the estimates."""

    class Kind(models.TextChoices):
        SAMPLE = "sample", _("Random sample")
        TARGETED = "targeted", _("Targeted")

    phase = models.ForeignKey(
        CheckPhase,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="checks",
        verbose_name=_("phase"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="spot_checks", verbose_name=_("listing")
    )
    supplier = models.ForeignKey(
        "suppliers.Supplier", on_delete=models.PROTECT, related_name="spot_checks", verbose_name=_("supplier")
    )
    category = models.ForeignKey(
        "catalog.Category", on_delete=models.PROTECT, related_name="+", verbose_name=_("category")
    )
    stratum = models.CharField(_("stratum"), max_length=60, blank=True)
    inclusion_probability = models.FloatField(_("inclusion probability"), null=True, blank=True)
    risk_score = models.FloatField(_("risk score"), default=0)
    risk_factors = models.JSONField(_("risk factors"), default=dict, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_checks",
        verbose_name=_("reviewer"),
    )
    state = models.CharField(
        _("state"), max_length=12, choices=CheckState.choices, default=CheckState.ASSIGNED, db_index=True
    )
    items_examined = models.JSONField(_("items examined"), default=list, blank=True)
    outcome = models.CharField(_("outcome"), max_length=8, choices=CheckOutcome.choices, blank=True)
    finding_codes = models.JSONField(_("findings"), default=list, blank=True)
    finding = models.TextField(_("what was found"), blank=True)
    penalty_points = models.PositiveSmallIntegerField(_("penalty points"), default=0)
    deadline = models.DateField(_("rectify by"), null=True, blank=True)
    report = models.ForeignKey(
        "Report",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="checks",
        verbose_name=_("report"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("spot check")
        verbose_name_plural = _("spot checks")
        constraints = [
            models.UniqueConstraint(
                fields=["phase", "product"], condition=Q(kind="sample"), name="spot_check_sampled_once"
            ),
            models.CheckConstraint(
                name="spot_check_sample_has_probability",
                condition=~Q(kind="sample") | Q(inclusion_probability__gt=0, inclusion_probability__lte=1),
            ),
        ]
        indexes = [models.Index(fields=["reviewer", "state"], name="spot_check_reviewer_state")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.product_id}"


class CheckEvent(TransitionEvent):
    check_ref = models.ForeignKey(SpotCheck, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(_("from"), max_length=20, blank=True, choices=CheckState.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=CheckState.choices)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("check history entry")
        verbose_name_plural = _("check history")


def evidence_path(instance, filename: str) -> str:
    return f"inspections/{instance.check_ref_id}/{filename}"


class CheckEvidence(models.Model):
    """What a reviewer (or the supplier, answering a rectification) put on record: a photo, a document, a
    test purchase."""

    class Kind(models.TextChoices):
        PHOTO = "photo", _("Photo")
        DOCUMENT = "document", pgettext_lazy("spot check", "Document")
        TEST_PURCHASE = "test_purchase", _("Test purchase")

    check_ref = models.ForeignKey(SpotCheck, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    file = models.FileField(
        _("file"), upload_to=evidence_path, storage=private_storage, max_length=200, blank=True
    )
    file_type = models.CharField(max_length=40, blank=True)
    note = models.TextField(_("note"), blank=True)
    by_supplier = models.BooleanField(_("from the supplier"), default=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("check evidence")
        verbose_name_plural = _("check evidence")

    def __str__(self) -> str:
        return f"{self.check_ref_id}: {self.kind}"


class Rectification(models.Model):
    """One round of 整改: the deadline the reviewer set, the supplier's answer, the re-check."""

    check_ref = models.ForeignKey(SpotCheck, on_delete=models.CASCADE, related_name="rectifications")
    deadline = models.DateField(_("rectify by"))
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    response = models.TextField(_("supplier's answer"), blank=True)
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rechecked_at = models.DateTimeField(_("re-checked at"), null=True, blank=True)
    recheck_passed = models.BooleanField(_("re-check passed"), null=True, blank=True)
    recheck_note = models.TextField(_("re-check note"), blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")

    def __str__(self) -> str:
        return f"{self.check_ref_id} by {self.deadline}"


class Appeal(models.Model):
    """A supplier's one appeal against a check's finding, decided by a different reviewer."""

    class Decision(models.TextChoices):
        PENDING = "", _("Waiting for a decision")
        UPHELD = "upheld", _("Finding upheld")
        OVERTURNED = "overturned", _("Finding overturned")

    check_ref = models.OneToOneField(SpotCheck, on_delete=models.CASCADE, related_name="appeal")
    reason = models.TextField(_("reason"))
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(_("filed at"), default=timezone.now)
    decision = models.CharField(
        _("decision"), max_length=10, choices=Decision.choices, blank=True, default=""
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        ordering = ["-filed_at", "-id"]
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")

    def __str__(self) -> str:
        return f"{self.check_ref_id}: {self.decision or 'pending'}"


class SanctionStep(models.TextChoices):
    """The ladder (inspections.sanctions): each confirmed violation within the window climbs one rung."""

    FREEZE = "freeze", _("Listing frozen")
    DELIST = "delist", _("Listing delisted")
    POINTS = "points", _("Penalty points")
    SUSPEND = "suspend", _("Trading suspended")
    EXIT = "exit", _("Exit from the platform")


class Sanction(models.Model):
    """A sanction imposed on a supplier for a confirmed violation; ``final`` once no appeal can change it."""

    supplier = models.ForeignKey("suppliers.Supplier", on_delete=models.PROTECT, related_name="sanctions")
    check_ref = models.ForeignKey(SpotCheck, on_delete=models.PROTECT, related_name="sanctions")
    step = models.CharField(_("sanction"), max_length=8, choices=SanctionStep.choices)
    points = models.PositiveSmallIntegerField(_("penalty points"), default=0)
    reason = models.TextField(_("reason"))
    final = models.BooleanField(_("final"), default=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("imposed at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("sanction")
        verbose_name_plural = _("sanctions")

    def __str__(self) -> str:
        return f"{self.supplier_id}: {self.step}"


# --- Reports (举报) ----------------------------------------------------------------------------------


class ReportState(models.TextChoices):
    NEW = "new", pgettext_lazy("spot check", "Received")
    TRIAGED = "triaged", _("Being looked into")
    CONFIRMED = "confirmed", _("Confirmed")
    DISMISSED = "dismissed", _("Dismissed")


class Report(models.Model):
    """A report (举报) from a buyer or a visitor about a listing or a supplier."""

    class Kind(models.TextChoices):
        PRICE = "price", _("Price")
        QUALITY = "quality", _("Quality")
        QUALIFICATION = "qualification", _("Qualifications")
        OTHER = "other", _("Other")

    code = models.UUIDField(_("tracking code"), default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("about"), max_length=16, choices=Kind.choices)
    product = models.ForeignKey(
        "catalog.Product",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("listing"),
    )
    supplier = models.ForeignKey(
        "suppliers.Supplier", on_delete=models.PROTECT, related_name="reports", verbose_name=_("supplier")
    )
    description = models.TextField(_("what happened"))
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reporter"),
    )
    contact = models.CharField(_("contact"), max_length=100, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=ReportState.choices, default=ReportState.NEW, db_index=True
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )
    decision_note = models.TextField(_("decision note"), blank=True)
    created_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class ReportEvent(TransitionEvent):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(_("from"), max_length=20, blank=True, choices=ReportState.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=ReportState.choices)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("report history entry")
        verbose_name_plural = _("report history")


def report_photo_path(instance, filename: str) -> str:
    return f"reports/{instance.report_id}/{filename}"


class ReportPhoto(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to=report_photo_path, storage=private_storage, max_length=200)
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name = _("report photo")
        verbose_name_plural = _("report photos")

    def __str__(self) -> str:
        return self.image.name
