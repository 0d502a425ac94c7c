"""The sanction ladder, configured in one place: each confirmed violation a supplier has had within the
window (settings.INSPECTIONS["SANCTION_WINDOW_DAYS"]) climbs one rung.

    1st → the listing is frozen          2nd → the listing is delisted
    3rd → penalty points (credit ledger) 4th → trading suspended        5th and later → exit

A violation counts while its sanction is not revoked (an overturned appeal revokes it). Irreversible
steps (delisting, exit) wait for the sanction to be final (no appeal in the window, or the appeal upheld);
until then the listing is frozen (and, for an exit, the supplier suspended), which an overturn can undo.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from inspections.models import CheckOutcome, Sanction, SanctionStep

LADDER: tuple[str, ...] = (
    SanctionStep.FREEZE,
    SanctionStep.DELIST,
    SanctionStep.POINTS,
    SanctionStep.SUSPEND,
    SanctionStep.EXIT,
)

# The check's outcome that records each rung.
OUTCOME_OF: dict[str, str] = {
    SanctionStep.FREEZE: CheckOutcome.FREEZE,
    SanctionStep.DELIST: CheckOutcome.DELIST,
    SanctionStep.POINTS: CheckOutcome.POINTS,
    SanctionStep.SUSPEND: CheckOutcome.SUSPEND,
    SanctionStep.EXIT: CheckOutcome.EXIT,
}
SANCTION_OUTCOMES = frozenset(OUTCOME_OF.values())


@dataclass(frozen=True)
class Rung:
    """One rung of the ladder: the step, its number (1-based) and the penalty points it takes."""

    step: str
    number: int
    points: int = 0

    @property
    def outcome(self) -> str:
        return OUTCOME_OF[self.step]

    @property
    def label(self) -> str:
        return str(SanctionStep(self.step).label)


# What the brief calls a SanctionStep: the rung a violation lands on.
SanctionRung = Rung


def next_sanction(previous_count: int) -> Rung:
    """The sanction for a violation when the supplier already has ``previous_count`` confirmed ones in
    the window (pure: no query)."""
    if previous_count < 0:
        raise ValueError("previous_count cannot be negative")
    index = min(previous_count, len(LADDER) - 1)
    step = LADDER[index]
    points = settings.INSPECTIONS["PENALTY_POINTS"] if step == SanctionStep.POINTS else 0
    return Rung(step=step, number=index + 1, points=points)


def window_start(now: datetime.datetime | None = None) -> datetime.datetime:
    return (now or timezone.now()) - datetime.timedelta(days=settings.INSPECTIONS["SANCTION_WINDOW_DAYS"])


def confirmed_violations(*, supplier_id: int, now: datetime.datetime | None = None) -> int:
    """How many confirmed violations (sanctions not revoked) the supplier has within the window."""
    return Sanction.objects.filter(
        supplier_id=supplier_id, revoked_at__isnull=True, created_at__gte=window_start(now)
    ).count()


def appeal_window() -> datetime.timedelta:
    return datetime.timedelta(days=settings.INSPECTIONS["APPEAL_DAYS"])


def appeal_deadline(decided_at: datetime.datetime) -> datetime.datetime:
    """The last moment an appeal against a decision made at ``decided_at`` is accepted."""
    return decided_at + appeal_window()
