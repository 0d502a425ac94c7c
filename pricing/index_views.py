"""The public price index pages (价格指数): overview, one category's series, CSV downloads."""

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render

from accounts.access import public
from catalog.selectors import Node, category_tree
from core.exports import csv_response, fixed
from pricing import published_index, selectors
from pricing.models import Frequency

CSV_HEADER = [
    "category",
    "province",
    "frequency",
    "period_start",
    "level",
    "change_pct",
    "matched",
    "dropped",
    "published",
]


def _frequency(request) -> str:
    value = request.GET.get("frequency", Frequency.MONTH)
    return value if value in Frequency.values else Frequency.MONTH


def _node(slug: str) -> Node:
    node = next((n for n in category_tree().values() if n.slug == slug), None)
    if node is None:
        raise Http404
    return node


@public
def overview(request):
    """Every top-level category and its leaves: latest level, last change, matched items, a sparkline,
    and the method in plain words."""
    return render(
        request,
        "pricing/index.html",
        {
            "roots": selectors.latest_points(Frequency.MONTH),
            "min_matched": settings.PRICE_INDEX_MIN_MATCHED,
            "months": published_index.PERIODS[Frequency.MONTH],
            "weeks": published_index.PERIODS[Frequency.WEEK],
        },
    )


@public
def category(request, slug: str):
    """One category's series (monthly or weekly, all provinces or one): chart and table."""
    tree = category_tree()
    node = _node(slug)
    frequency = _frequency(request)
    provinces = selectors.series_provinces(node.id, frequency=frequency)
    province = None
    code = request.GET.get("province")
    if code:
        province = next((p for p in provinces if p.code == code), None)
        if province is None:
            raise Http404
    points = selectors.category_series(node.id, frequency=frequency, province=province)
    return render(
        request,
        "pricing/category.html",
        {
            "node": node,
            "parent": tree.get(node.parent_id) if node.parent_id else None,
            "children": [tree[c] for c in node.children],
            "frequency": frequency,
            "frequencies": Frequency.choices,
            "provinces": provinces,
            "province": province,
            "points": points,
            "rows": list(reversed(points)),
            "latest": selectors.latest_published(points),
            "min_matched": settings.PRICE_INDEX_MIN_MATCHED,
        },
    )


def _csv_response(points, filename: str) -> HttpResponse:
    """Written by core.exports: UTF-8 with a byte-order mark, so that Excel shows the Chinese names;
    levels and changes stay numbers, a negative change included."""
    return csv_response(filename=filename, header=CSV_HEADER, rows=map(_csv_row, points))


def _csv_row(p) -> list:
    published = p.published and p.level is not None
    change = selectors.change_pct(p)
    return [
        p.category.name,
        p.province.name if p.province_id else "",
        p.frequency,
        p.period_start.isoformat(),
        fixed(p.level, 4) if published else "",
        fixed(change, 4) if change is not None else "",
        p.matched,
        p.dropped,
        "true" if p.published else "false",
    ]


@public
def category_csv(request, slug: str):
    node = _node(slug)
    frequency = _frequency(request)
    return _csv_response(
        selectors.csv_points(frequency=frequency, category=node.id),
        f"price-index-{node.slug}-{frequency}.csv",
    )


@public
def all_csv(request):
    frequency = _frequency(request)
    return _csv_response(selectors.csv_points(frequency=frequency), f"price-index-{frequency}.csv")
