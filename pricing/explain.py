"""The wording of a price verdict: the sentences a supplier, a buyer or ops read about a stored
verdict, in the active language, from the numbers stored with it (``pricing.verdicts`` judges)."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.units import UNIT_SUFFIX
from core.money import yuan
from pricing.models import PriceVerdict, Verdict
from pricing.verdicts import Params


def _price(value: Decimal | None, basis: str) -> str:
    return f"{yuan(value)}{UNIT_SUFFIX.get(basis, '')}" if value is not None else "—"


def _times(ratio: float) -> str:
    return f"{ratio:.2f}×" if abs(ratio - round(ratio, 1)) >= 0.005 else f"{ratio:.1f}×"


def _peer_clause(verdict: PriceVerdict, category_names: dict[int, str] | None) -> str | None:
    if verdict.peer_median is None or verdict.peer_ratio is None:
        return None
    if category_names is not None:
        category = category_names.get(verdict.peer_category_id, "")
    else:
        category = verdict.peer_category.name if verdict.peer_category_id else ""
    return _("%(ratio)s the median of %(count)d comparable listings in %(category)s (%(median)s)") % {
        "ratio": _times(verdict.peer_ratio),
        "count": verdict.peer_count,
        "category": category,
        "median": _price(verdict.peer_median, verdict.basis),
    }


def _reference_clause(verdict: PriceVerdict, for_supplier: bool) -> str | None:
    if verdict.reference_ratio is None:
        return None
    age = (timezone.localdate() - verdict.reference_seen_on).days
    template = (
        _("%(ratio)s your own %(shop)s reference (%(price)s, %(age)s)")
        if for_supplier
        else _("%(ratio)s the supplier's %(shop)s reference (%(price)s, %(age)s)")
    )
    return template % {
        "ratio": _times(verdict.reference_ratio),
        "shop": verdict.reference_shop,
        "price": _price(verdict.reference_unit_price, verdict.basis),
        "age": _("seen today") if age == 0 else _("%(days)d days old") % {"days": age},
    }


def _history_clause(verdict: PriceVerdict, params: Params) -> str | None:
    if verdict.history_ratio is None or "history_jump" not in verdict.signals:
        return None
    return _("%(ratio)s its own median price of the last %(days)d days (%(price)s)") % {
        "ratio": _times(verdict.history_ratio),
        "days": params.history_days,
        "price": _price(verdict.history_median, verdict.basis),
    }


def _rules(params: Params) -> dict[str, str]:
    """The rule behind each signal, as the reader is told it."""
    return {
        "evidence_very_high": _("More than %(r).2f× the lowest fresh reference counts as very high.")
        % {"r": params.evidence_very_high_ratio},
        "evidence_high": _("More than %(r).2f× the lowest fresh reference counts as high.")
        % {"r": params.evidence_high_ratio},
        "evidence_low": _(
            "Less than %(r).2f× the reference usually means the specifications differ: check them."
        )
        % {"r": params.evidence_low_ratio},
        "peer_outlier": _("That is far outside the usual range of comparable listings (an outlier)."),
        "peer_high": _("That is well above the usual range of comparable listings."),
        "peer_low": _("That is far below comparable listings: check the net quantity and unit."),
        "history_jump": _("The price rose suddenly."),
    }


def _advice(verdict: PriceVerdict, params: Params, for_supplier: bool) -> list[str]:
    """What is missing for a judgement: a stale reference, too few comparable listings."""
    sentences: list[str] = []
    if verdict.stale_references and verdict.reference_ratio is None:
        age = (timezone.localdate() - verdict.stale_seen_on).days
        stale = (
            _(
                "Your %(shop)s reference is %(days)d days old; references older than %(max)d days no "
                "longer count. Add a fresh one."
            )
            if for_supplier
            else _(
                "The supplier's %(shop)s reference is %(days)d days old; references older than %(max)d "
                "days no longer count."
            )
        )
        sentences.append(
            stale % {"shop": verdict.stale_shop, "days": age, "max": params.evidence_max_age_days}
        )
    if verdict.verdict == Verdict.INSUFFICIENT:
        sentences.append(
            _(
                "There are fewer than %(n)d comparable listings and no fresh reference from a mainstream "
                "shop, so this price cannot be judged yet. Add a comparison link."
            )
            % {"n": params.peer_min_count}
        )
    elif verdict.peer_median is None:
        sentences.append(
            _("Too few comparable listings on Fengshou (%(count)d) to compare with.")
            % {"count": verdict.peer_count}
        )
    return sentences


def explain(
    verdict: PriceVerdict,
    *,
    for_supplier: bool = True,
    brief: bool | None = None,
    category_names: dict[int, str] | None = None,
) -> str:
    """The sentences a supplier reads (or, with ``for_supplier=False``, a buyer or ops: "the
    supplier's reference"), in the active language, from the numbers stored with the verdict.
    ``brief`` (the default for buyers) keeps only the sentence with the numbers, without the rules
    and the advice. ``category_names`` saves a query when many verdicts are explained at once;
    otherwise ``peer_category`` should be select_related."""
    if brief is None:
        brief = not for_supplier
    params = Params.from_settings()
    clauses = [
        clause
        for clause in (
            _peer_clause(verdict, category_names),
            _reference_clause(verdict, for_supplier),
            _history_clause(verdict, params),
        )
        if clause is not None
    ]
    sentences: list[str] = []
    if clauses:
        sentences.append(
            _("%(price)s is %(clauses)s.")
            % {"price": _price(verdict.unit_price, verdict.basis), "clauses": _(", and ").join(clauses)}
        )
    rules = _rules(params)
    sentences.extend(rules[s] for s in verdict.signals if s in rules)
    if brief:
        return " ".join(sentences[:1])
    sentences.extend(_advice(verdict, params, for_supplier))
    return " ".join(sentences)
