"""The check items of the rolling spot checks (滚动核查), registered in one place: ``ITEMS``.

Each item is a small function over one listing's facts (``inspections.facts.ListingFacts``) that returns
its findings: a stable dotted code, a severity and the evidence it saw (JSON-safe values). Messages are
not stored: ``render(finding)`` writes them from the code's template in the active language, so a
supplier reading English and ops reading Chinese see the same finding in their own words.
"""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from catalog.models import TestReport
from catalog.services import product_precheck
from catalog.units import Unit, base_amount, parse_spec_quantities
from inspections.facts import ListingFacts
from inspections.models import Outcome, Severity
from pricing.models import ReviewState, Verdict
from suppliers.models import QualificationStatus
from suppliers.rules import Requirement, required_qualifications


class Group(models.TextChoices):
    QUALIFICATION = "qualification", _("Qualifications")
    LISTING = "listing", _("Listing information")
    PRICE = "price", _("Price")
    TRACE = "trace", _("Traceability")


class Sanction(models.TextChoices):
    """What a finding implies without a person: the listing frozen, rectified, or a warning."""

    FREEZE = "freeze", _("Freeze the listing")
    RECTIFY = "rectify", _("Rectify")
    WARN = "warn", _("Warning")


SANCTION_OF = {
    Severity.BLOCKING: Sanction.FREEZE,
    Severity.MAJOR: Sanction.RECTIFY,
    Severity.MINOR: Sanction.WARN,
}
GRAVITY = {Severity.MINOR: 1, Severity.MAJOR: 2, Severity.BLOCKING: 3}
OUTCOME_OF = {None: Outcome.PASS, 1: Outcome.MINOR, 2: Outcome.MAJOR, 3: Outcome.BLOCKING}


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str
    evidence: dict = field(default_factory=dict, compare=True, hash=False)

    def as_json(self) -> dict:
        return {"code": self.code, "severity": str(self.severity), "evidence": self.evidence}

    @classmethod
    def from_json(cls, data: Mapping) -> "Finding":
        return cls(data["code"], data["severity"], dict(data.get("evidence") or {}))


@dataclass(frozen=True)
class Item:
    """One check item. ``messages`` maps each finding code it emits to its message template
    (``%(name)s`` placeholders filled from the evidence, or from ``params(evidence)``)."""

    code: str
    group: str
    severity: str
    check: Callable[[ListingFacts], list[Finding]]
    messages: Mapping[str, Promise]
    fix: Promise
    params: Callable[[dict], dict] | None = None

    # What a finding implies without a person: its severity decides it (SANCTION_OF); a sanction given
    # here must agree.
    sanction: str | None = None

    def __post_init__(self):
        implied = SANCTION_OF[self.severity]
        if self.sanction is None:
            object.__setattr__(self, "sanction", implied)
        elif self.sanction != implied:
            raise ValueError(f"{self.code}: a {self.severity} item implies {implied}")
        for code in self.messages:
            if not code.startswith(self.group + "."):
                raise ValueError(f"{self.code}: {code} is not in group {self.group}")

    def finding(self, code: str, **evidence: Any) -> Finding:
        if code not in self.messages:
            raise KeyError(code)
        return Finding(code, str(self.severity), evidence)


def _iso(value: date | None) -> str:
    return value.isoformat() if value else ""


def _amount(quantity: Decimal, unit: str, packs: int) -> str:
    text = f"{format(Decimal(quantity).normalize(), 'f')} {Unit(unit).label}"
    return f"{text} × {packs}" if packs != 1 else text


# --- Qualifications ----------------------------------------------------------------------------------


def _requirements(facts: ListingFacts) -> list[frozenset[str]]:
    """The category's groups of alternatives, then what the supplier's product lines require."""
    groups = [frozenset(g) for g in facts.category.required_qualifications or [] if g]
    groups += [r.types for r in required_qualifications(list(facts.supplier.product_lines or []))]
    return list(dict.fromkeys(groups))


def _is_valid(qualification, today: date) -> bool:
    return qualification.status == QualificationStatus.CURRENT and (
        qualification.long_term or qualification.valid_until >= today
    )


def check_qualifications(facts: ListingFacts) -> list[Finding]:
    findings = []
    held = facts.qualifications
    for types in _requirements(facts):
        docs = [q for q in held if q.type in types]
        if any(_is_valid(q, facts.today) for q in docs):
            continue
        if not docs:
            findings.append(QUALIFICATIONS.finding("qualification.missing", types=sorted(types)))
            continue
        doc = max(docs, key=lambda q: (q.valid_until or date.max, q.valid_from, q.pk))
        if not doc.long_term and doc.valid_until < facts.today:
            code = "qualification.expired"
        else:
            code = "qualification.not_current"
        findings.append(
            QUALIFICATIONS.finding(
                code,
                types=sorted(types),
                type=doc.type,
                number=doc.number,
                valid_until=_iso(doc.valid_until),
                status=doc.status,
            )
        )
    return findings


def _qualification_params(evidence: dict) -> dict:
    status = evidence.get("status")
    return {
        **evidence,
        "document": Requirement(frozenset(evidence.get("types") or []), "").label(),
        "status": QualificationStatus(status).label if status in QualificationStatus.values else status,
    }


QUALIFICATIONS = Item(
    code="qualification.documents",
    group=Group.QUALIFICATION,
    severity=Severity.BLOCKING,
    check=check_qualifications,
    messages={
        "qualification.missing": _("A valid %(document)s is required; none is on file."),
        "qualification.expired": _("Your %(document)s no. %(number)s lapsed on %(valid_until)s."),
        "qualification.not_current": _("Your %(document)s no. %(number)s is not in force (%(status)s)."),
    },
    fix=_("Upload the current document under “Documents” and wait for its approval."),
    params=_qualification_params,
)


# --- Listing: the pre-check, reused --------------------------------------------------------------------

# The pre-check's problems the other items cover: qualifications and the supplier's status (the
# qualification item), the passed test report (the test report item, which blocks).
_COVERED_ELSEWHERE = {"supplier", "test_reports"}


def check_precheck(facts: ListingFacts) -> list[Finding]:
    findings = []
    for problem in product_precheck(facts.product, leaves=facts.leaf_ids):
        if problem.field in _COVERED_ELSEWHERE:
            continue
        if problem.code in PRECHECK.messages:
            findings.append(PRECHECK.finding(problem.code, **problem.params))
        else:  # a problem the pre-check learnt after this list was written: keep its text
            findings.append(PRECHECK.finding("listing.precheck", message=str(problem.message)))
    return findings


PRECHECK = Item(
    code="listing.precheck",
    group=Group.LISTING,
    severity=Severity.MAJOR,
    check=check_precheck,
    messages={
        "listing.category_not_leaf": _("Choose the most specific category."),
        "listing.no_description": _("Add a description."),
        "listing.no_shelf_life": _("Add the shelf life."),
        "listing.no_storage": _("Add the storage condition."),
        "listing.no_sku": _("Add at least one SKU."),
        "listing.sku_unit_basis": _("SKU “%(spec)s”: its unit does not fit the category's price basis."),
        "listing.no_main_image": _("Upload a main image."),
        "listing.precheck": _("%(message)s"),
    },
    fix=_("Edit the listing (take it off sale first) and complete what is missing."),
)


# --- Listing: the specification text agrees with the SKU's quantity --------------------------------------


def check_spec_quantity(facts: ListingFacts) -> list[Finding]:
    findings = []
    for sku in facts.skus:
        # A text may state several figures ("带箱10斤（净重4.5kg）": gross and net): one must agree.
        stated = parse_spec_quantities(sku.spec)
        declared = base_amount(quantity=sku.net_quantity, unit=sku.unit, pack_count=sku.pack_count)
        if not stated or any(base_amount(quantity=q, unit=u, pack_count=p) == declared for q, u, p in stated):
            continue
        quantity, unit, packs = stated[0]
        findings.append(
            SPEC_QUANTITY.finding(
                "listing.spec_quantity_mismatch",
                sku=sku.pk,
                spec=sku.spec,
                stated_quantity=str(quantity),
                stated_unit=unit,
                stated_packs=packs,
                declared_quantity=str(sku.net_quantity),
                declared_unit=sku.unit,
                declared_packs=sku.pack_count,
            )
        )
    return findings


def _spec_params(evidence: dict) -> dict:
    return {
        **evidence,
        "stated": _amount(
            Decimal(evidence["stated_quantity"]), evidence["stated_unit"], evidence["stated_packs"]
        ),
        "declared": _amount(
            Decimal(evidence["declared_quantity"]), evidence["declared_unit"], evidence["declared_packs"]
        ),
    }


# Blocking: a spec that contradicts the SKU's quantity makes the unit price buyers compare on wrong.
SPEC_QUANTITY = Item(
    code="listing.spec_quantity",
    group=Group.LISTING,
    severity=Severity.BLOCKING,
    check=check_spec_quantity,
    messages={
        "listing.spec_quantity_mismatch": _(
            "SKU “%(spec)s”: the specification states %(stated)s but the SKU is set to %(declared)s."
        ),
    },
    fix=_("Make the SKU's net quantity, unit and pieces per pack match its specification."),
    params=_spec_params,
)


# --- Listing: the origin county ------------------------------------------------------------------------


def check_origin_county(facts: ListingFacts) -> list[Finding]:
    county = facts.product.origin_county
    if county.is_eligible:
        return []
    return [ORIGIN_COUNTY.finding("listing.county_ineligible", county=county.name, county_code=county.code)]


ORIGIN_COUNTY = Item(
    code="listing.origin_county",
    group=Group.LISTING,
    severity=Severity.BLOCKING,
    check=check_origin_county,
    messages={
        "listing.county_ineligible": _(
            "The origin county %(county)s is not one of the eligible counties (脱贫县)."
        ),
    },
    fix=_("Only products from eligible counties may be sold here; correct the origin county."),
)


# --- Listing: the test report --------------------------------------------------------------------------


def _months_between(earlier: date, later: date) -> int:
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    return months - 1 if later.day < earlier.day else months


def check_test_report(facts: ListingFacts) -> list[Finding]:
    if not facts.category.requires_test_report:
        return []
    reports = sorted(facts.test_reports, key=lambda r: (r.report_date, r.pk), reverse=True)
    if any(r.result == TestReport.Result.PASS for r in reports):
        return []
    if reports:
        newest = reports[0]
        return [
            TEST_REPORT.finding(
                "listing.test_report_failed", number=newest.report_number, date=_iso(newest.report_date)
            )
        ]
    return [TEST_REPORT.finding("listing.test_report_missing", category=facts.category.name)]


TEST_REPORT = Item(
    code="listing.test_report",
    group=Group.LISTING,
    severity=Severity.BLOCKING,
    check=check_test_report,
    messages={
        "listing.test_report_missing": _(
            "The category %(category)s requires a passed test report; none is on file."
        ),
        "listing.test_report_failed": _(
            "The test report no. %(number)s of %(date)s did not pass; the category requires a passed one."
        ),
    },
    fix=_("Upload a passed test report from an accredited laboratory."),
)


def check_test_report_age(facts: ListingFacts) -> list[Finding]:
    if not facts.category.requires_test_report:
        return []
    passed = [r for r in facts.test_reports if r.result == TestReport.Result.PASS]
    if not passed:
        return []  # the test report item's finding
    newest = max(passed, key=lambda r: (r.report_date, r.pk))
    limit = facts.test_report_max_age_months
    age = _months_between(newest.report_date, facts.today)
    if age < limit:
        return []
    return [
        TEST_REPORT_AGE.finding(
            "listing.test_report_too_old",
            number=newest.report_number,
            date=_iso(newest.report_date),
            age_months=age,
            limit_months=limit,
        )
    ]


# Blocking: a report older than its category accepts no longer vouches for what is on sale — as if none.
TEST_REPORT_AGE = Item(
    code="listing.test_report_age",
    group=Group.LISTING,
    severity=Severity.BLOCKING,
    check=check_test_report_age,
    messages={
        "listing.test_report_too_old": _(
            "The newest passed test report (no. %(number)s of %(date)s) is %(age_months)s months old; "
            "the category accepts reports younger than %(limit_months)s months."
        ),
    },
    fix=_("Upload a recent test report."),
)


# --- Price ---------------------------------------------------------------------------------------------

_FLAGGED = {Verdict.VERY_HIGH: "price.very_high", Verdict.LOW: "price.suspiciously_low"}


def check_price_verdict(facts: ListingFacts) -> list[Finding]:
    findings = []
    for sku in facts.skus:
        verdict = facts.verdicts.get(sku.pk)
        if verdict is None or verdict.verdict not in _FLAGGED:
            continue
        if verdict.review_state == ReviewState.ACCEPTED and verdict.review_unit_price == sku.unit_price:
            continue  # ops accepted this very price
        findings.append(
            PRICE_VERDICT.finding(
                _FLAGGED[verdict.verdict],
                sku=sku.pk,
                spec=sku.spec,
                unit_price=str(verdict.unit_price),
                verdict=verdict.verdict,
            )
        )
    return findings


PRICE_VERDICT = Item(
    code="price.verdict",
    group=Group.PRICE,
    severity=Severity.MAJOR,
    check=check_price_verdict,
    messages={
        "price.very_high": _("SKU “%(spec)s”: its unit price ¥%(unit_price)s is judged very high."),
        "price.suspiciously_low": _(
            "SKU “%(spec)s”: its unit price ¥%(unit_price)s is judged suspiciously low."
        ),
    },
    fix=_("Adjust the price, or add comparison links that show it is fair."),
)


def _freshness(sku, facts: ListingFacts) -> Finding | None:
    verdict = facts.verdicts.get(sku.pk)
    if verdict is None:
        return PRICE_FRESHNESS.finding("price.no_verdict", sku=sku.pk, spec=sku.spec)
    inputs = [t for t in (facts.last_price_change.get(sku.pk), facts.last_evidence.get(sku.pk)) if t]
    if inputs and verdict.computed_at < max(inputs):
        return PRICE_FRESHNESS.finding(
            "price.verdict_outdated",
            sku=sku.pk,
            spec=sku.spec,
            computed_at=verdict.computed_at.isoformat(),
            changed_at=max(inputs).isoformat(),
        )
    if verdict.stale_references > 0 and verdict.reference_id is None and not verdict.references_used:
        return PRICE_FRESHNESS.finding(
            "price.evidence_stale",
            sku=sku.pk,
            spec=sku.spec,
            stale_references=verdict.stale_references,
            seen_on=_iso(verdict.stale_seen_on),
        )
    return None


def check_price_freshness(facts: ListingFacts) -> list[Finding]:
    return [f for f in (_freshness(sku, facts) for sku in facts.skus) if f is not None]


PRICE_FRESHNESS = Item(
    code="price.freshness",
    group=Group.PRICE,
    severity=Severity.MINOR,
    check=check_price_freshness,
    messages={
        "price.no_verdict": _("SKU “%(spec)s”: its price has not been checked yet."),
        "price.verdict_outdated": _(
            "SKU “%(spec)s”: its price check predates the latest change to its price or evidence."
        ),
        "price.evidence_stale": _(
            "SKU “%(spec)s”: its comparison links are out of date (last seen %(seen_on)s); add a current one."
        ),
    },
    fix=_("Add a current comparison link; the price is checked again tonight."),
)


# --- Trace ---------------------------------------------------------------------------------------------


def check_trace(facts: ListingFacts) -> list[Finding]:
    batches = facts.trace_batches
    findings = []
    for batch in batches:
        if batch.produced_on > facts.today:
            findings.append(
                TRACE.finding(
                    "trace.batch_in_future", batch=batch.batch_number, produced_on=_iso(batch.produced_on)
                )
            )
        report = batch.test_report
        if report is not None and report.report_date < batch.produced_on:
            findings.append(
                TRACE.finding(
                    "trace.report_before_batch",
                    batch=batch.batch_number,
                    produced_on=_iso(batch.produced_on),
                    report_date=_iso(report.report_date),
                )
            )
    shelf_life = facts.product.shelf_life_days
    if batches and shelf_life:
        newest = max(batches, key=lambda b: (b.produced_on, b.pk))
        if newest.produced_on.toordinal() + shelf_life < facts.today.toordinal():
            findings.append(
                TRACE.finding(
                    "trace.batch_expired",
                    batch=newest.batch_number,
                    produced_on=_iso(newest.produced_on),
                    shelf_life_days=shelf_life,
                )
            )
    return findings


TRACE = Item(
    code="trace.batches",
    group=Group.TRACE,
    severity=Severity.MAJOR,
    check=check_trace,
    messages={
        "trace.batch_in_future": _("Batch %(batch)s is dated %(produced_on)s, in the future."),
        "trace.report_before_batch": _(
            "Batch %(batch)s (produced %(produced_on)s) cites a test report dated %(report_date)s, before it was produced."
        ),
        "trace.batch_expired": _(
            "The newest batch %(batch)s (produced %(produced_on)s) is past the %(shelf_life_days)s-day shelf life."
        ),
    },
    fix=_("Correct the batch dates, or add the batch now on sale with its test report."),
)


# --- The registry --------------------------------------------------------------------------------------

ITEMS: tuple[Item, ...] = (
    QUALIFICATIONS,
    PRECHECK,
    SPEC_QUANTITY,
    ORIGIN_COUNTY,
    TEST_REPORT,
    TEST_REPORT_AGE,
    PRICE_VERDICT,
    PRICE_FRESHNESS,
    TRACE,
)
_BY_CODE: dict[str, Item] = {}
for _item in ITEMS:
    for _code in (_item.code, *_item.messages):
        if _code in _BY_CODE and _BY_CODE[_code] is not _item:
            raise ValueError(f"check item code {_code} is used twice")
        _BY_CODE[_code] = _item

FINDING_CODES: tuple[str, ...] = tuple(code for item in ITEMS for code in item.messages)


def item_for(code: str) -> Item | None:
    """The item that emits this finding code (or has this item code)."""
    return _BY_CODE.get(code)


def run_items(facts: ListingFacts) -> list[Finding]:
    """Every item over one listing, in registry order."""
    return [finding for item in ITEMS for finding in item.check(facts)]


def outcome_of(findings: list[Finding]) -> str:
    worst = max((GRAVITY[Severity(f.severity)] for f in findings), default=None)
    return OUTCOME_OF[worst]


def render(finding: Finding) -> str:
    """The finding's message in the active language (its code when no item knows it any more)."""
    item = item_for(finding.code)
    template = item.messages.get(finding.code) if item else None
    if template is None:
        return finding.code
    evidence = dict(finding.evidence)
    params = item.params(evidence) if item.params else evidence
    try:
        return str(template) % params
    except (KeyError, TypeError, ValueError):  # evidence stored by an older version of the item
        return str(template)


def describe(code: str) -> str:
    """A finding code in words without its evidence (for counts by code): the item's message with its
    blanks shown as "…", a group's label for a group code, the code itself when nothing knows it."""
    item = item_for(code)
    template = item.messages.get(code) if item else None
    if template is not None:
        words = re.sub(r"%\((\w+)\)[sd]", "…", str(template))
        return words if words.strip("… ") else str(item.fix)  # a message that is all evidence
    if code in Group.values:
        return str(Group(code).label)
    return code


def fix_for(finding: Finding) -> str:
    item = item_for(finding.code)
    return str(item.fix) if item else ""
