"""Server-rendered SVG charts of the price index: no JavaScript, no CDN.

``{% index_chart points title=... %}`` draws a series (``PriceIndexPoint`` list, oldest first) as an
accessible inline SVG: a title and a text description for screen readers, a y axis with the
index level, the 100 baseline (the first period), period labels, and a line that breaks where a
period is not published (fewer matched items than the minimum). ``{% index_sparkline points %}``
is the small version of the overview table, and ``{{ point|index_change }}`` formats the change
from the previous period ("+1.2 %", or "—" when unpublished).
"""

from __future__ import annotations

import itertools
import math

from django import template
from django.conf import settings
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from pricing.models import Frequency
from pricing.selectors import change_pct, latest_published

register = template.Library()
_ids = itertools.count(1)

WIDTH, HEIGHT = 640, 250
LEFT, RIGHT, TOP, BOTTOM = 52, 36, 14, 40
STEPS = (0.5, 1, 2, 2.5, 5, 10, 20, 25, 50, 100, 200, 250, 500)


def period_label(point) -> str:
    """``2026-03`` for a month, ``2026-03-02`` (its Monday) for a week."""
    if point.frequency == Frequency.WEEK:
        return point.period_start.isoformat()
    return point.period_start.strftime("%Y-%m")


def _scale(levels: list[float]) -> tuple[float, float, float]:
    """``(low, high, step)``: round bounds around the levels and 100, about four intervals."""
    lo, hi = min([*levels, 100.0]), max([*levels, 100.0])
    span = max(hi - lo, 2.0)
    step = next((s for s in STEPS if span / s <= 5), STEPS[-1])
    low, high = math.floor(lo / step) * step, math.ceil(hi / step) * step
    if high - low < step:
        high = low + step
    return low, high, step


def _segments(coords: list[tuple[float, float] | None]) -> list[list[tuple[float, float]]]:
    """Runs of consecutive published points: the line breaks at an unpublished one."""
    runs: list[list[tuple[float, float]]] = []
    current: list[tuple[float, float]] = []
    for xy in coords:
        if xy is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append(xy)
    if current:
        runs.append(current)
    return runs


def _polyline(run: list[tuple[float, float]]) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in run)


def describe(points, min_matched: int) -> str:
    """The chart in words, for screen readers (its ``<desc>``) and as a caption."""
    if not points:
        return _("No index has been computed yet.")
    latest = latest_published(points)
    unpublished = sum(1 for p in points[1:] if not p.published)
    parts = [
        _("Chained Jevons index of matched items' unit prices, %(first)s = 100.")
        % {"first": period_label(points[0])}
    ]
    if latest is None:
        parts.append(_("No period is published yet: fewer than %(n)d matched items.") % {"n": min_matched})
    else:
        parts.append(
            _("Latest published: %(level).1f in %(period)s (%(change)s on the period before).")
            % {"level": latest.level, "period": period_label(latest), "change": index_change(latest)}
        )
        if unpublished:
            parts.append(
                _("%(n)d of %(total)d periods are not published (fewer than %(min)d matched items).")
                % {"n": unpublished, "total": len(points) - 1, "min": min_matched}
            )
    return " ".join(parts)


@register.inclusion_tag("pricing/_chart_svg.html")
def index_chart(points, title: str = "", width: int = WIDTH, height: int = HEIGHT) -> dict:
    points = list(points or [])
    min_matched = settings.PRICE_INDEX_MIN_MATCHED
    chart_id = f"index-chart-{next(_ids)}"
    published = [p for p in points if p.published and p.level is not None]
    context = {
        "id": chart_id,
        "title": title or _("Price index"),
        "desc": describe(points, min_matched),
        "width": width,
        "height": height,
        "empty": not published,
    }
    if not published:
        return context
    low, high, step = _scale([p.level for p in published])
    plot_w, plot_h = width - LEFT - RIGHT, height - TOP - BOTTOM
    count = len(points)

    def x(i: int) -> float:
        return LEFT + (plot_w * i / (count - 1) if count > 1 else plot_w / 2)

    def y(level: float) -> float:
        return TOP + (high - level) / (high - low) * plot_h

    coords = [
        (x(i), y(p.level)) if p.published and p.level is not None else None for i, p in enumerate(points)
    ]
    ticks = []
    value = low
    while value <= high + step / 1000:
        ticks.append({"y": round(y(value), 1), "label": f"{value:g}"})
        value += step
    every = max(1, math.ceil(count / 7))
    xticks = [
        {"x": round(x(i), 1), "label": period_label(p)}
        for i, p in enumerate(points)
        if (count - 1 - i) % every == 0
    ]
    dots = []
    for i, p in enumerate(points):
        if coords[i] is None:
            continue
        if p.link is None:
            label = _("%(period)s: %(level).1f (first period)") % {
                "period": period_label(p),
                "level": p.level,
            }
        else:
            label = _("%(period)s: %(level).1f (%(change)s), %(n)d matched items") % {
                "period": period_label(p),
                "level": p.level,
                "change": index_change(p),
                "n": p.matched,
            }
        dots.append({"x": round(coords[i][0], 1), "y": round(coords[i][1], 1), "label": label})
    gaps = [
        {"x": round(x(i), 1), "label": period_label(p)} for i, p in enumerate(points) if coords[i] is None
    ]
    context.update(
        {
            "left": LEFT,
            "right": width - RIGHT,
            "top": TOP,
            "bottom": TOP + plot_h,
            "middle_y": round(TOP + plot_h / 2, 1),
            "label_y": height - 12,
            "baseline": round(y(100.0), 1),
            "yticks": ticks,
            "xticks": xticks,
            # a lone published point (neighbours unpublished) is a dot without a line
            "segments": [_polyline(run) for run in _segments(coords) if len(run) > 1],
            "dots": dots,
            "gaps": gaps,
        }
    )
    return context


@register.simple_tag
def index_sparkline(points, width: int = 120, height: int = 32) -> SafeString:
    """A small line of the levels (decorative: the table next to it gives the numbers)."""
    points = list(points or [])
    published = [p.level for p in points if p.published and p.level is not None]
    if not published or len(points) < 2:
        return format_html(
            '<svg class="sparkline" width="{}" height="{}" aria-hidden="true" focusable="false"></svg>',
            width,
            height,
        )
    lo, hi = min([*published, 100.0]), max([*published, 100.0])
    span = max(hi - lo, 1.0)
    pad = 3

    def xy(i: int, level: float) -> tuple[float, float]:
        return (
            pad + (width - 2 * pad) * i / (len(points) - 1),
            pad + (hi - level) / span * (height - 2 * pad),
        )

    coords = [xy(i, p.level) if p.published and p.level is not None else None for i, p in enumerate(points)]
    base_y = xy(0, 100.0)[1]
    runs = _segments(coords)
    lines = format_html_join(
        "",
        '<polyline points="{}" fill="none" stroke="currentColor" stroke-width="1.5"/>',
        ((_polyline(run),) for run in runs if len(run) > 1),
    ) + format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="1.8" fill="currentColor"/>',
        ((f"{run[0][0]:.1f}", f"{run[0][1]:.1f}") for run in runs if len(run) == 1),
    )
    return format_html(
        '<svg class="sparkline" width="{w}" height="{h}" viewBox="0 0 {w} {h}" aria-hidden="true" '
        'focusable="false"><line x1="0" x2="{w}" y1="{b}" y2="{b}" class="sparkline-base" '
        'stroke="#c9d3cd" stroke-dasharray="2 2"/>{lines}</svg>',
        w=width,
        h=height,
        b=f"{base_y:.1f}",
        lines=lines,
    )


@register.filter
def index_change(point) -> str:
    """``+1.2 %`` / ``−0.4 %`` / ``0.0 %`` from the previous period, ``—`` when not published."""
    pct = change_pct(point)
    if pct is None:
        return "—"
    if abs(pct) < 0.05:
        return "0.0 %"
    return f"{'+' if pct > 0 else '−'}{abs(pct):.1f} %"


@register.filter
def index_level(point) -> str:
    """The level with one decimal, ``—`` when not published."""
    if point is None or not point.published or point.level is None:
        return "—"
    return f"{point.level:.1f}"


@register.filter
def period(point) -> str:
    return period_label(point)
