"""Reserved share (预留份额) pages: a unit files its share (``buyers.services``) and sees its progress
toward the target (``orders.reserved_share``); ops see the overview and download it as CSV.

They live in orders because progress is a sum of orders; buyers, a lower layer, owns the filing."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import ops_only, roles
from accounts.models import Role
from buyers import selectors, services
from buyers.forms import ReservedShareForm
from buyers.reserved_share import encouraged_ratio, filing_deadline, min_ratio
from core.errors import apply_to_form
from core.exports import csv_response
from orders import reserved_share

FIRST_YEAR = 2021  # 财库〔2021〕19号

CHART_W, CHART_H = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 70, 16, 14, 34


def _year(request) -> int:
    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("year", this_year))
    except ValueError:
        return this_year
    return year if FIRST_YEAR <= year <= this_year + 1 else this_year


def progress_chart(progress: reserved_share.Progress) -> dict:
    """Geometry of the inline SVG: cumulative spent at each month's end (bars, up to the current
    month) against the even pace to the target (a line), and the target itself."""
    cumulative = progress.cumulative
    last_month = 12 if progress.today.year > progress.year else progress.today.month
    if progress.today.year < progress.year:
        last_month = 0
    target = progress.target or Decimal(0)
    top = max([target, *cumulative[:last_month], Decimal(1)])
    plot_w, plot_h = CHART_W - LEFT - RIGHT, CHART_H - TOP - BOTTOM
    slot = plot_w / 12

    def y(value: Decimal) -> float:
        return TOP + plot_h - float(value / top) * plot_h

    bars = []
    for i in range(12):
        value = cumulative[i]
        shown = i < last_month
        bars.append(
            {
                "x": f"{LEFT + i * slot + slot * 0.15:.1f}",
                "y": f"{y(value):.1f}" if shown else "0",
                "w": f"{slot * 0.7:.1f}",
                "h": f"{TOP + plot_h - y(value):.1f}" if shown else "0",
                "label": f"{i + 1}",
                "label_x": f"{LEFT + i * slot + slot / 2:.1f}",
                "value": value,
                "monthly": progress.monthly[i],
                "shown": shown,
            }
        )
    context = {
        "width": CHART_W,
        "height": CHART_H,
        "bars": bars,
        "axis_y": TOP + plot_h,
        "label_y": TOP + plot_h + 18,
        "left": LEFT,
        "right": CHART_W - RIGHT,
        "top_label": top.quantize(Decimal("1")),
        "top_y": TOP,
    }
    if progress.target:
        context["target_y"] = f"{y(target):.1f}"
        context["pace"] = f"{LEFT:.1f},{TOP + plot_h:.1f} {LEFT + plot_w:.1f},{y(target):.1f}"
    return context


@roles(Role.BUYER)
def my_reserved_share(request):
    """The unit's filing for the year (file or change it) and how much of its target it has reached."""
    unit = selectors.unit_of(user=request.user)
    if unit is None:
        raise PermissionDenied
    year = _year(request)
    filing = selectors.reserved_share_filing(unit=unit, year=year)
    hosts = selectors.canteen_hosts(unit=unit)
    if request.method == "POST":
        form = ReservedShareForm(request.POST, hosts=hosts)
        if form.is_valid():
            try:
                services.reserved_share_file(unit=unit, year=year, by=request.user, **form.service_kwargs())
            except ValidationError as exc:
                apply_to_form(form, exc)
            else:
                messages.success(request, _("Your reserved share for %(year)s is filed.") % {"year": year})
                return redirect(f"{request.path}?year={year}")
    else:
        form = ReservedShareForm(initial=ReservedShareForm.initial_from(filing), hosts=hosts)
    progress = reserved_share.progress(unit, year)
    return render(
        request,
        "buyers/reserved_share.html",
        {
            "unit": unit,
            "year": year,
            "years": range(FIRST_YEAR, timezone.localdate().year + 2),
            "filing": filing,
            "form": form,
            "may_file": not unit.parent_unit_id,
            "progress": progress,
            "chart": progress_chart(progress),
            "deadline": filing_deadline(year),
            "min_ratio": min_ratio() * 100,
            "encouraged_ratio": encouraged_ratio() * 100,
        },
    )


def _ops_overview(request) -> reserved_share.Overview:
    if not request.user.has_perm("buyers.view_reservedsharefiling"):
        raise PermissionDenied
    return reserved_share.overview(_year(request))


@ops_only
def ops_reserved_share(request):
    """Completion by province and unit kind, units that have not filed, units behind pace."""
    data = _ops_overview(request)
    return render(
        request,
        "buyers/ops_reserved_share.html",
        {
            "data": data,
            "year": data.year,
            "years": range(FIRST_YEAR, timezone.localdate().year + 2),
        },
    )


CSV_HEADER = [
    "unit",
    "uscc",
    "province",
    "kind",
    "canteen",
    "canteen_food_budget",
    "ratio",
    "target",
    "spent",
    "percentage",
    "on_pace",
    "filed_at",
]


@ops_only
def ops_reserved_share_csv(request):
    """One row per filing unit, written by core.exports (UTF-8 with a byte-order mark, formulas
    neutralised)."""
    data = _ops_overview(request)
    return csv_response(
        filename=f"reserved-share-{data.year}.csv",
        header=CSV_HEADER,
        rows=(_csv_row(row) for row in data.rows),
    )


def _csv_row(row) -> list:
    filing = row.filing
    return [
        row.unit.name,
        row.unit.uscc,
        row.unit.province.name,
        row.unit.kind,
        filing.canteen if filing else "",
        filing.canteen_food_budget if filing and filing.canteen_food_budget is not None else "",
        filing.ratio if filing and filing.ratio is not None else "",
        row.target if row.target is not None else "",
        row.spent,
        row.percentage if row.percentage is not None else "",
        "" if row.on_pace is None else ("true" if row.on_pace else "false"),
        timezone.localtime(filing.filed_at).isoformat(timespec="seconds") if filing else "",
    ]
