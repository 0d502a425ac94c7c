"""Check phases (双随机、一公开): create one, open it (the sample and the reviewers drawn with a logged
seed, in the same transaction), close it (published on the public page)."""

import datetime
import random
import secrets
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.actors import actor_of
from accounts.models import User
from accounts.notifications import notify
from catalog.models import Category
from core import workflow
from core.numbers import parse_int
from inspections import sampling
from inspections.models import CheckEvent, CheckPhase, CheckState, SpotCheck
from inspections.selectors import phases as selectors
from inspections.workflow import PHASE, CheckAction, PhaseAction

MAX_NAME = CheckPhase._meta.get_field("name").max_length


def _allowed(by: User, permission: str) -> None:
    if not (by.is_active and by.is_ops and by.has_perm(permission)):
        raise PermissionDenied(_("You may not manage check phases."))


def _clean_budget(budget) -> int:
    try:
        value = parse_int(budget, min_value=None)
    except ValidationError:
        value = None
    if value is None or value <= 0:
        raise ValidationError(
            {
                "budget": _(
                    "A phase whose budget is not a positive number cannot be created: give the number of checks, e.g. 300."
                )
            },
            code="budget",
        )
    return value


def _clean_floor(floor) -> float:
    try:
        value = float(floor)
    except (TypeError, ValueError):
        value = -1.0
    if not 0 < value < 1:
        raise ValidationError(
            {
                "floor_probability": _(
                    "The lowest inclusion probability must lie between 0 and 1, e.g. 0.001."
                )
            },
            code="floor",
        )
    return value


def _clean(name: str, starts_on, ends_on, budget, floor) -> dict:
    errors: dict[str, list] = {}
    cleaned: dict = {"name": (name or "").strip()}
    if not cleaned["name"]:
        errors["name"] = [_("Give the phase a name, e.g. 2026 第二期.")]
    elif len(cleaned["name"]) > MAX_NAME:
        errors["name"] = [_("A phase name has at most %(n)s characters.") % {"n": MAX_NAME}]
    elif CheckPhase.objects.filter(name__iexact=cleaned["name"]).exists():
        errors["name"] = [_("A phase with this name already exists.")]
    for key, value, clean in (("budget", budget, _clean_budget), ("floor_probability", floor, _clean_floor)):
        try:
            cleaned[key] = clean(value)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if not isinstance(starts_on, datetime.date) or not isinstance(ends_on, datetime.date):
        errors["starts_on"] = [_("Give the dates the phase runs from and to.")]
    elif ends_on < starts_on:
        errors["ends_on"] = [_("The phase cannot end before it starts.")]
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def phase_create(
    *,
    name: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    budget,
    categories: Iterable[Category] = (),
    floor_probability=0.001,
    by: User,
) -> CheckPhase:
    """A draft phase (internal control, ``inspections.add_checkphase``). Nothing is saved when any field
    is refused; every refusal names its field."""
    _allowed(by, "inspections.add_checkphase")
    cleaned = _clean(name, starts_on, ends_on, budget, floor_probability)
    phase = CheckPhase.objects.create(
        name=cleaned["name"],
        starts_on=starts_on,
        ends_on=ends_on,
        budget=cleaned["budget"],
        floor_probability=cleaned["floor_probability"],
        created_by=by,
    )
    phase.categories.set(list(categories))
    return phase


def _draw(phase: CheckPhase, seed: int) -> tuple[list[SpotCheck], int]:
    """The sample and its reviewers (see ``inspections.sampling``), as unsaved checks; and the frame's size."""
    listings = selectors.frame(phase)
    by_id = {f.product_id: f for f in listings}
    units = [sampling.Unit(f.product_id, f.stratum, sampling.risk_score(f.factors)) for f in listings]
    rng = random.Random(seed)
    drawn = sampling.draw(units, phase.budget, phase.floor_probability, rng)
    reviewers = selectors.eligible_reviewers()
    products = selectors.frame_products(phase).filter(id__in=[d.key for d in drawn]) if drawn else None
    assigned = sampling.assign_reviewers(
        [d.key for d in drawn],
        reviewers,
        excluded=selectors.approvers(products) if drawn else {},
        load=selectors.open_load(reviewers),
        rng=rng,
    )
    risks = {u.key: u.risk for u in units}
    checks = [
        SpotCheck(
            phase=phase,
            kind=SpotCheck.Kind.SAMPLE,
            product_id=d.key,
            supplier_id=by_id[d.key].supplier_id,
            category_id=by_id[d.key].category_id,
            stratum=d.stratum,
            inclusion_probability=d.probability,
            risk_score=round(risks[d.key], 4),
            risk_factors=by_id[d.key].factors,
            reviewer_id=assigned[d.key],
        )
        for d in drawn
    ]
    return checks, len(listings)


@transaction.atomic
def phase_open(*, phase: CheckPhase, by: User, seed: int | None = None) -> CheckPhase:
    """Open a draft phase: draw its sample and reviewers from ``seed`` (chosen at random unless given),
    store the checks, and log the seed, the frame's size and the sample's in the phase's history."""
    actor = actor_of(by, ops_permission="inspections.change_checkphase")
    phase = workflow.lock(phase)
    workflow.check(PHASE, phase, action=PhaseAction.OPEN, actor=actor, reason="", details={})
    seed = secrets.randbits(63) if seed is None else int(seed)
    checks, population = _draw(phase, seed)
    unassigned = sum(1 for c in checks if c.reviewer_id is None)
    now = timezone.now()

    def apply(obj: CheckPhase, _transition) -> list[str]:
        obj.seed, obj.population, obj.drawn_at = seed, population, now
        return ["seed", "population", "drawn_at"]

    def after(change: workflow.Change) -> None:
        SpotCheck.objects.bulk_create(checks, batch_size=1000)
        _record_opened(change.obj, checks, by=by, actor=actor)
        _tell_reviewers(change.obj, checks)

    workflow.transition(
        PHASE,
        phase,
        action=PhaseAction.OPEN,
        by=by,
        actor=actor,
        details={
            "seed": str(seed),
            "population": population,
            "sample": len(checks),
            "unassigned": unassigned,
            "budget": phase.budget,
            "floor_probability": phase.floor_probability,
        },
        locked=True,
        apply=apply,
        after=after,
    )
    return phase


def _record_opened(phase: CheckPhase, checks: list[SpotCheck], *, by: User, actor: str) -> None:
    """Each drawn check's history starts with its opening (CheckAction.OPEN, "" → assigned), written
    in one bulk insert. The audit log keeps one entry for the draw: the phase's own OPEN transition
    (with its seed and sample size), not one per check."""
    CheckEvent.objects.bulk_create(
        [
            CheckEvent(
                check_ref=check,
                action=CheckAction.OPEN,
                from_status="",
                to_status=CheckState.ASSIGNED,
                actor=by,
                actor_role=actor,
                reason=phase.name,
                details={"phase": str(phase.pk), "reviewer": str(check.reviewer_id or "")},
            )
            for check in checks
        ],
        batch_size=1000,
    )


def _tell_reviewers(phase: CheckPhase, checks: list[SpotCheck]) -> None:
    reviewer_ids = sorted({c.reviewer_id for c in checks if c.reviewer_id is not None})
    if not reviewer_ids:
        return
    counts = {r: sum(1 for c in checks if c.reviewer_id == r) for r in reviewer_ids}
    link = reverse("inspections:phase", args=[phase.pk])
    for user in User.objects.filter(pk__in=reviewer_ids).order_by("pk"):
        notify(
            users=[user],
            subject=lambda n=counts[user.pk]: (
                _("%(n)s checks of phase “%(phase)s” are assigned to you") % {"n": n, "phase": phase.name}
            ),
            body=lambda: _("They were drawn at random; the phase's page lists them."),
            link=link,
        )


@transaction.atomic
def phase_close(*, phase: CheckPhase, by: User) -> CheckPhase:
    """Close an open phase: its figures are published on the public page from now on."""
    actor = actor_of(by, ops_permission="inspections.change_checkphase")

    def apply(obj: CheckPhase, _transition) -> list[str]:
        obj.closed_at = timezone.now()
        return ["closed_at"]

    return workflow.transition(PHASE, phase, action=PhaseAction.CLOSE, by=by, actor=actor, apply=apply).obj
