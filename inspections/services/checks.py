"""A person's check of a listing: who acts on it, the outcome with the items examined and the evidence,
rectification (整改) rounds, the supplier's appeal, and the sanction ladder's rung on a confirmed
violation (inspections.sanctions; what a sanction does is in check_sanctions).

Every step goes through the CHECK workflow (inspections.workflow), which records who, in which role,
when and why. Each use case is one transaction: the check's lock first, then the supplier's.
"""

import datetime
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.actors import actor_of
from accounts.models import User
from accounts.notifications import notify
from accounts.roles import OpsTeam
from catalog import services as catalog_services
from catalog.models import Product, ProductEvent
from catalog.workflow import ProductAction
from core import uploads, workflow
from core.workflow import Actor
from inspections import sanctions
from inspections.items import Group
from inspections.models import (
    CheckEvidence,
    CheckOutcome,
    CheckState,
    Rectification,
    Report,
    SanctionStep,
    SpotCheck,
)
from inspections.services import check_sanctions
from inspections.workflow import CHECK, CheckAction

PERMISSION = "inspections.change_spotcheck"
EVIDENCE_IMAGE_MAX_SIDE = 2400


# What a reviewer can tick as examined: the sweep's groups of check items (inspections.items, one
# registry), then what only a person can do.
_PERSON_ONLY = (
    ("sample", gettext_lazy("Physical sample")),
    ("test_purchase", gettext_lazy("Test purchase")),
)
ReviewItem = models.TextChoices(
    "ReviewItem", [(value.upper(), (value, label)) for value, label in (*Group.choices, *_PERSON_ONLY)]
)


# The reviewer's decisions on a check (the supplier's and the platform's steps have their own services).
DECISIONS = (
    CheckAction.PASS,
    CheckAction.RECTIFY,
    CheckAction.SANCTION,
    CheckAction.RECHECK_PASS,
    CheckAction.RECHECK_FAIL,
)
FINDING_ACTIONS = {CheckAction.RECTIFY, CheckAction.SANCTION, CheckAction.RECHECK_FAIL}
DEADLINE_ACTIONS = {CheckAction.RECTIFY, CheckAction.RECHECK_FAIL}


@dataclass
class Evidence:
    """What is put on record with a decision or an answer: uploaded photos and documents (checked and
    re-encoded by core.uploads), files of either kind (a picture is kept as a photo, a PDF as a
    document, by their content), and a test purchase's note."""

    photos: Sequence = field(default_factory=list)
    documents: Sequence = field(default_factory=list)
    files: Sequence = field(default_factory=list)
    test_purchase: str = ""

    def __bool__(self) -> bool:
        return bool(self.photos or self.documents or self.files or self.test_purchase.strip())


# --- Who acts ------------------------------------------------------------------------------------


def supplier_users(supplier_id: int):
    return User.objects.filter(supplier_id=supplier_id, is_active=True)


def eligible_reviewers(product: Product):
    """Internal-control staff who may check ``product``: active, staff, never the one who approved it."""
    approvers = ProductEvent.objects.filter(
        product=product, action=ProductAction.APPROVE, actor__isnull=False
    ).values("actor_id")
    return (
        User.objects.filter(is_active=True, is_staff=True, groups__name=OpsTeam.INTERNAL_CONTROL)
        .exclude(pk__in=approvers)
        .distinct()
        .order_by("pk")
    )


def ops_actor(check: SpotCheck, by: User | None) -> str | None:
    return actor_of(by, supplier_id=check.supplier_id, ops_permission=PERMISSION)


def _require_assignee(check: SpotCheck, by: User) -> None:
    if check.reviewer_id is None:
        raise ValidationError(_("This check has no reviewer yet: assign one first."), code="unassigned")
    if check.reviewer_id != by.pk:
        raise ValidationError(_("This check is assigned to someone else."), code="not_assignee")


def supplier_link(check: SpotCheck) -> str:
    return reverse("inspections:supplier_check", args=[check.pk])


@transaction.atomic
def check_open_targeted(
    *, product: Product, by: User, reason: str, report: Report | None = None
) -> SpotCheck:
    """Open a targeted check on a listing (a confirmed report, a risk ops saw), assigned to a reviewer
    drawn at random among eligible internal-control staff (left unassigned when there is none)."""
    may = by.is_ops and (
        by.has_perm("inspections.add_spotcheck") or (report and by.has_perm("inspections.change_report"))
    )
    if not may:
        raise ValidationError(_("You may not open a check."), code="denied")
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why this listing is to be checked.")})
    candidates = list(eligible_reviewers(product))
    reviewer = random.SystemRandom().choice(candidates) if candidates else None
    check = SpotCheck.objects.create(
        kind=SpotCheck.Kind.TARGETED,
        product=product,
        supplier_id=product.supplier_id,
        category_id=product.category_id,
        reviewer=reviewer,
        report=report,
        risk_factors={"report": report.pk} if report else {},
    )
    workflow.record(
        CHECK,
        check,
        action=CheckAction.OPEN,
        previous="",
        by=by,
        actor=Actor.OPS,
        reason=reason.strip(),
        details={"reviewer": reviewer.pk if reviewer else "", "report": report.pk if report else ""},
    )
    if reviewer is not None:
        name, why = product.name, reason.strip()
        notify(
            users=User.objects.filter(pk=reviewer.pk),
            subject=lambda: _("A targeted check of “%(name)s” is assigned to you") % {"name": name},
            body=lambda: why,
            link=reverse("inspections:check", args=[check.pk]),
        )
    return check


@transaction.atomic
def check_reassign(*, check: SpotCheck, reviewer: User, by: User, reason: str = "") -> SpotCheck:
    """Internal control (with the right to change checks) gives a check to another eligible reviewer."""
    check = workflow.lock(check)
    if ops_actor(check, by) != Actor.OPS:
        raise ValidationError(_("You may not reassign checks."), code="denied")
    if check.state in (CheckState.CLOSED, CheckState.APPEALED):
        raise ValidationError(_("This check is decided: it can no longer be reassigned."), code="decided")
    if not eligible_reviewers(check.product).filter(pk=reviewer.pk).exists():
        raise ValidationError(
            {"reviewer": _("Choose internal-control staff who did not approve this listing.")}
        )
    previous = check.reviewer_id
    check.reviewer = reviewer
    check.save(update_fields=["reviewer"])
    workflow.record(
        CHECK,
        check,
        action="reassign",
        previous=check.state,
        by=by,
        actor=Actor.OPS,
        reason=(reason or "").strip(),
        details={"from": previous or "", "to": reviewer.pk},
    )
    return check


# --- Evidence ------------------------------------------------------------------------------------


def _clean_upload(upload, how: str) -> tuple[str, uploads.CleanUpload]:
    if how == "photo":
        return CheckEvidence.Kind.PHOTO, uploads.clean_image(upload, max_side=EVIDENCE_IMAGE_MAX_SIDE)
    clean = uploads.clean_document(upload)
    if how == "file" and clean.kind != "pdf":  # a picture (by its content): sized as the photos are
        return CheckEvidence.Kind.PHOTO, uploads.clean_image(clean.content, max_side=EVIDENCE_IMAGE_MAX_SIDE)
    return CheckEvidence.Kind.DOCUMENT, clean


def _clean_evidence(evidence: Evidence) -> list[tuple[str, uploads.CleanUpload | None, str]]:
    """Check every upload before anything is written: (kind, cleaned file, note) rows to store."""
    rows, errors = [], []
    given = [
        *((u, "photo") for u in evidence.photos),
        *((u, "document") for u in evidence.documents),
        *((u, "file") for u in evidence.files),
    ]
    for upload, how in given:
        try:
            kind, clean = _clean_upload(upload, how)
            rows.append((kind, clean, ""))
        except ValidationError as exc:
            errors += [f"{getattr(upload, 'name', '')}: {m}" for m in exc.messages]
    if errors:
        raise ValidationError({"evidence": errors})
    if evidence.test_purchase.strip():
        rows.append((CheckEvidence.Kind.TEST_PURCHASE, None, evidence.test_purchase.strip()))
    return rows


def _store_evidence(check: SpotCheck, rows, *, by: User, by_supplier: bool) -> list[CheckEvidence]:
    stored = []
    for kind, clean, note in rows:
        item = CheckEvidence(check_ref=check, kind=kind, note=note, by_supplier=by_supplier, uploaded_by=by)
        if clean is not None:
            item.file = clean.content
            item.file_type = clean.content_type
        item.save()
        stored.append(item)
    return stored


# --- The reviewer's decision ---------------------------------------------------------------------


def _clean_items(items: Iterable[str]) -> list[str]:
    chosen = [str(i) for i in dict.fromkeys(items or [])]
    if not chosen:
        raise ValidationError({"items": _("Tick the items you examined: an outcome needs them.")})
    unknown = [i for i in chosen if i not in ReviewItem.values]
    if unknown:
        raise ValidationError({"items": _("Unknown check item: %(items)s.") % {"items": ", ".join(unknown)}})
    return chosen


def _validate_decision(check, *, action, finding, has_evidence, deadline, today) -> None:
    errors: dict[str, list[str]] = {}
    if action in FINDING_ACTIONS:
        if not finding:
            errors["finding"] = [_("Say what was found: the supplier will read it.")]
        if not has_evidence:
            errors["evidence"] = [_("A finding needs evidence: a photo, a document or a test purchase.")]
    if action in DEADLINE_ACTIONS:
        if deadline is None:
            errors["deadline"] = [_("Give the date the supplier must rectify by.")]
        elif deadline <= today:
            errors["deadline"] = [_("The rectification deadline must be in the future.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def check_decide(
    *,
    check: SpotCheck,
    by: User,
    action: str,
    items: Iterable[str],
    finding: str = "",
    evidence: Evidence | None = None,
    deadline: datetime.date | None = None,
    freeze: bool = False,
    note: str = "",
) -> SpotCheck:
    """The assigned reviewer's decision: pass, rectify by a deadline (optionally freezing the listing
    meanwhile), confirm the violation (the ladder's sanction), or, after the supplier's answer, the
    re-check (passed, or failed with a new deadline). Nothing is saved if anything is refused."""
    if action not in DECISIONS:
        raise ValidationError(_("Unknown action “%(action)s”.") % {"action": action}, code="unknown_action")
    check = workflow.lock(check)
    actor = ops_actor(check, by)
    workflow.check(CHECK, check, action=action, actor=actor, reason="-", details={})
    _require_assignee(check, by)
    chosen = _clean_items(items)
    finding = (finding or "").strip()
    evidence = evidence or Evidence()
    rows = _clean_evidence(evidence)
    has_evidence = bool(rows) or check.evidence.filter(by_supplier=False).exists()
    _validate_decision(
        check,
        action=action,
        finding=finding,
        has_evidence=has_evidence,
        deadline=deadline,
        today=timezone.localdate(),
    )
    _store_evidence(check, rows, by=by, by_supplier=False)
    handler = {
        CheckAction.PASS: _pass,
        CheckAction.RECHECK_PASS: _pass,
        CheckAction.RECTIFY: _rectify,
        CheckAction.RECHECK_FAIL: _rectify,
        CheckAction.SANCTION: _sanction,
    }[action]
    return handler(
        check,
        by=by,
        actor=actor,
        action=action,
        items=chosen,
        finding=finding,
        deadline=deadline,
        freeze=freeze,
        note=(note or "").strip(),
    )


def _decided(check: SpotCheck, *, items: list[str], finding: str, outcome: str) -> list[str]:
    now = timezone.now()
    check.items_examined = items
    check.outcome = outcome
    check.decided_at = now
    if finding:
        check.finding = finding
    fields = ["items_examined", "outcome", "decided_at", "finding"]
    if check.state == CheckState.CLOSED:
        check.closed_at = now
        fields.append("closed_at")
    return fields


def _current_round(check: SpotCheck) -> Rectification | None:
    return check.rectifications.order_by("-requested_at", "-id").first()


def _close_round(check: SpotCheck, *, passed: bool, note: str) -> None:
    current = _current_round(check)
    if current is not None and current.responded_at is not None and current.rechecked_at is None:
        current.rechecked_at = timezone.now()
        current.recheck_passed = passed
        current.recheck_note = note
        current.save(update_fields=["rechecked_at", "recheck_passed", "recheck_note"])


def _pass(check, *, by, actor, action, items, finding, deadline, freeze, note) -> SpotCheck:
    def apply(obj, transition):
        return _decided(obj, items=items, finding="", outcome=CheckOutcome.PASS)

    change = workflow.transition(
        CHECK, check, action=action, by=by, actor=actor, reason=note, locked=True, apply=apply
    )
    check = change.obj
    if action == CheckAction.RECHECK_PASS:
        _close_round(check, passed=True, note=note)
        check_sanctions.lift_freeze(check)
        name = check.product.name
        notify(
            users=supplier_users(check.supplier_id),
            subject=lambda: _("Rectification accepted: %(name)s") % {"name": name},
            body=lambda: _("The re-check of “%(name)s” passed. The check is closed.") % {"name": name},
            link=supplier_link(check),
        )
    return check


def _rectify(check, *, by, actor, action, items, finding, deadline, freeze, note) -> SpotCheck:
    froze = freeze and check.product.frozen_at is None
    details = {"deadline": deadline.isoformat(), "froze": "1" if froze else ""}

    def apply(obj, transition):
        return [*_decided(obj, items=items, finding=finding, outcome=CheckOutcome.RECTIFY), "deadline"]

    check.deadline = deadline
    change = workflow.transition(
        CHECK,
        check,
        action=action,
        by=by,
        actor=actor,
        reason=finding,
        details=details,
        locked=True,
        apply=apply,
    )
    check = change.obj
    _close_round(check, passed=False, note=finding)
    Rectification.objects.create(check_ref=check, deadline=deadline)
    if froze:
        catalog_services.listings_freeze(product_ids=[check.product_id], reason=finding)
    name = check.product.name
    notify(
        users=supplier_users(check.supplier_id),
        subject=lambda: _("Rectify “%(name)s” by %(date)s") % {"name": name, "date": deadline.isoformat()},
        body=lambda: (
            _("A spot check found: %(finding)s\nAnswer in your portal by %(date)s with what you changed.")
            % {"finding": finding, "date": deadline.isoformat()}
        ),
        link=supplier_link(check),
    )
    return check


def _sanction(check, *, by, actor, action, items, finding, deadline, freeze, note) -> SpotCheck:
    rung, details = check_sanctions.rung_for(check)

    def apply(obj, transition):
        obj.penalty_points = rung.points
        return [*_decided(obj, items=items, finding=finding, outcome=rung.outcome), "penalty_points"]

    change = workflow.transition(
        CHECK,
        check,
        action=action,
        by=by,
        actor=actor,
        reason=finding,
        details=details,
        locked=True,
        apply=apply,
    )
    check = change.obj
    _close_round(check, passed=False, note=finding)
    check_sanctions.impose(check, rung=rung, by=by, reason=finding)
    _notify_sanction(check, rung=rung, finding=finding)
    return check


def _notify_sanction(check: SpotCheck, *, rung: sanctions.Rung, finding: str) -> None:
    name, step = check.product.name, rung.step
    until = timezone.localtime(sanctions.appeal_deadline(check.decided_at)).date().isoformat()

    def body() -> str:
        return _(
            "A spot check confirmed a violation on “%(name)s”: %(finding)s\nSanction: %(sanction)s.\n"
            "You may appeal once, with a reason, until %(date)s."
        ) % {"name": name, "finding": finding, "sanction": SanctionStep(step).label, "date": until}

    notify(
        users=supplier_users(check.supplier_id),
        subject=lambda: _("Violation confirmed: %(name)s") % {"name": name},
        body=body,
        link=supplier_link(check),
    )


# --- The supplier's answer ------------------------------------------------------------


def supplier_actor(check: SpotCheck, by: User) -> str | None:
    return actor_of(by, supplier_id=check.supplier_id)


@transaction.atomic
def check_respond(*, check: SpotCheck, by: User, text: str, evidence: Evidence | None = None) -> SpotCheck:
    """The supplier's answer to the current rectification round (what it changed, optional files), by
    the deadline; the reviewer is told."""
    check = workflow.lock(check)
    actor = supplier_actor(check, by)
    text = (text or "").strip()
    workflow.check(CHECK, check, action=CheckAction.RESPOND, actor=actor, reason="-", details={})
    current = _current_round(check)
    if current is not None and timezone.localdate() > current.deadline:
        raise ValidationError(
            _("The deadline (%(date)s) has passed: the answer can no longer be given.")
            % {"date": current.deadline.isoformat()},
            code="late",
        )
    if not text:
        raise ValidationError({"response": _("Say what you changed.")})
    rows = _clean_evidence(evidence or Evidence())
    change = workflow.transition(
        CHECK, check, action=CheckAction.RESPOND, by=by, actor=actor, reason=text, locked=True
    )
    check = change.obj
    _store_evidence(check, rows, by=by, by_supplier=True)
    if current is not None:
        current.response = text
        current.responded_at = timezone.now()
        current.responded_by = by
        current.save(update_fields=["response", "responded_at", "responded_by"])
    if check.reviewer_id:
        number, name = check.pk, check.product.name
        notify(
            users=User.objects.filter(pk=check.reviewer_id),
            subject=lambda: _("Check #%(id)s: the supplier answered") % {"id": number},
            body=lambda: (
                _("The supplier of “%(name)s” answered the rectification:\n%(text)s")
                % {"name": name, "text": text}
            ),
            link=reverse("inspections:check", args=[check.pk]),
        )
    return check


# --- The platform's watch ------------------------------------------------------------------------


@dataclass
class WatchResult:
    expired: int = 0
    finalized: int = 0


def _expire(check_id: int, *, today: datetime.date) -> bool:
    check = SpotCheck.objects.select_for_update().filter(pk=check_id, state=CheckState.RECTIFYING).first()
    if check is None:
        return False
    current = _current_round(check)
    if (
        current is None
        or current.deadline >= today
        or current.responded_at is not None
        or check.reviewer_id is None
    ):
        return False
    rung, details = check_sanctions.rung_for(check)
    reason = _("The rectification deadline (%(date)s) passed without an answer: %(finding)s") % {
        "date": current.deadline.isoformat(),
        "finding": check.finding,
    }

    def apply(obj, transition):
        now = timezone.now()
        obj.outcome, obj.penalty_points, obj.decided_at, obj.closed_at = rung.outcome, rung.points, now, now
        return ["outcome", "penalty_points", "decided_at", "closed_at"]

    check = workflow.transition(
        CHECK,
        check,
        action=CheckAction.EXPIRE,
        by=None,
        actor=Actor.SYSTEM,
        reason=reason,
        details=details,
        locked=True,
        apply=apply,
    ).obj
    # The sanction is the reviewer's who set the deadline: the platform only notices the silence.
    check_sanctions.impose(check, rung=rung, by=check.reviewer, reason=reason)
    _notify_sanction(check, rung=rung, finding=reason)
    return True


def checks_watch_deadlines(*, today: datetime.date | None = None) -> WatchResult:
    """The periodic watch: rectifications past their deadline without an answer are closed (EXPIRE) with
    the ladder's sanction; sanctions whose appeal window passed without an appeal become final. Each
    check in its own transaction, so a re-run does nothing twice."""
    today = today or timezone.localdate()
    result = WatchResult()
    overdue = (
        Rectification.objects.filter(
            check_ref__state=CheckState.RECTIFYING, deadline__lt=today, responded_at__isnull=True
        )
        .values_list("check_ref_id", flat=True)
        .distinct()
    )
    for check_id in sorted(set(overdue)):
        with transaction.atomic():
            result.expired += _expire(check_id, today=today)
    result.finalized = check_sanctions.finalize_due()
    return result
