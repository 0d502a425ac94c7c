"""Reads of the price pages: a supplier's SKU price page, its adjustment requests, the price
part of the buyer's product page, and the published price index (``pricing.published_index``
builds it) — each in a fixed number of queries."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import F, Max

from catalog.models import Category, Sku, SkuPriceChange
from catalog.selectors import Node, category_tree
from pricing.explain import explain
from pricing.models import (
    EvidenceStatus,
    Frequency,
    PriceEvidence,
    PriceIndexPoint,
    PriceVerdict,
    ReviewState,
    Shop,
)
from pricing.verdicts import JUDGED_STATUSES
from regions.models import Province
from suppliers.models import Supplier


@dataclass
class SkuPricePage:
    sku: Sku
    verdict: PriceVerdict | None
    evidence: list[PriceEvidence]
    last_change: datetime.datetime | None  # the latest change of its price or evidence

    @property
    def judged(self) -> bool:
        """Whether the model judges this SKU at all (an offered SKU of a product not delisted)."""
        sku = self.sku
        return sku.is_active and sku.unit_price > 0 and sku.product.status in JUDGED_STATUSES

    @property
    def recomputing(self) -> bool:
        """The verdict predates the latest change: a re-judgement is queued (it runs after commit)."""
        return (
            self.verdict is not None
            and self.last_change is not None
            and self.verdict.computed_at < self.last_change
        )


def supplier_sku(*, supplier: Supplier, product_id: int, sku_id: int) -> Sku | None:
    """One of the supplier's SKUs, with its product, category and verdict (scoped at the query)."""
    return (
        Sku.objects.filter(product__supplier=supplier, product_id=product_id, pk=sku_id)
        .select_related("product__category", "verdict__peer_category")
        .first()
    )


def sku_price_page(*, supplier: Supplier, product_id: int, sku_id: int) -> SkuPricePage | None:
    """The supplier's price page of one SKU in three queries: the SKU with its verdict, its
    evidence, and the time of its latest price change."""
    sku = supplier_sku(supplier=supplier, product_id=product_id, sku_id=sku_id)
    if sku is None:
        return None
    evidence = list(PriceEvidence.objects.filter(sku=sku).select_related("shop"))
    changes = [e.created_at for e in evidence] + [e.reviewed_at for e in evidence if e.reviewed_at]
    price_changed = SkuPriceChange.objects.filter(sku=sku).aggregate(last=Max("created_at"))["last"]
    if price_changed is not None:
        changes.append(price_changed)
    return SkuPricePage(
        sku=sku,
        verdict=getattr(sku, "verdict", None),
        evidence=evidence,
        last_change=max(changes) if changes else None,
    )


@dataclass
class AdjustRequest:
    verdict: PriceVerdict
    explanation: str

    @property
    def sku(self) -> Sku:
        return self.verdict.sku


def adjust_requests_for(supplier: Supplier) -> list[AdjustRequest]:
    """The supplier's SKUs whose price ops asked it to adjust, newest request first, each with the
    model's explanation in the active language (one query)."""
    verdicts = (
        PriceVerdict.objects.filter(sku__product__supplier=supplier, review_state=ReviewState.ADJUST)
        .select_related("sku__product__category", "peer_category")
        .order_by("-reviewed_at", "-pk")
    )
    return [AdjustRequest(verdict=v, explanation=explain(v)) for v in verdicts]


# --- The buyer's product page ---------------------------------------------------------------------


@dataclass
class BuyerSkuPrice:
    sku: Sku
    verdict: PriceVerdict | None
    explanation: str


@dataclass
class ProductPrices:
    skus: list[BuyerSkuPrice]
    comparisons: list[PriceEvidence]  # in SKU order, newest first; each with its ``sku`` set


def product_prices(*, skus: Sequence[Sku]) -> ProductPrices:
    """The price part of the buyer's product page: per SKU its verdict with the buyer's
    explanation, and the supplier's comparison links that ops have not rejected. One query (the
    links); the verdicts come with the SKUs (``catalog.selectors.product_for_buyer``). Screenshots
    stay private: the page shows the link only."""
    by_id = {s.pk: s for s in skus}
    comparisons: list[PriceEvidence] = []
    if by_id:
        comparisons = list(
            PriceEvidence.objects.filter(sku__in=list(by_id))
            .exclude(status=EvidenceStatus.REJECTED)
            .select_related("shop")
        )
        order = {pk: i for i, pk in enumerate(by_id)}
        comparisons.sort(key=lambda e: order[e.sku_id])  # stable: newest first within a SKU
        for evidence in comparisons:
            evidence.sku = by_id[evidence.sku_id]
    rows = []
    for sku in skus:
        verdict = getattr(sku, "verdict", None)
        explanation = explain(verdict, for_supplier=False) if verdict is not None else ""
        rows.append(BuyerSkuPrice(sku=sku, verdict=verdict, explanation=explanation))
    return ProductPrices(skus=rows, comparisons=comparisons)


def recognised_shop_names() -> list[str]:
    return list(Shop.objects.filter(is_active=True).order_by("name").values_list("name", flat=True))


# --- The published price index ------------------------------------------------------------------------------


def _category_id(category: Category | Node | int) -> int:
    if isinstance(category, int):
        return category
    return category.pk if isinstance(category, Category) else category.id


def category_series(
    category: Category | Node | int,
    *,
    frequency: str = Frequency.MONTH,
    province: Province | int | None = None,
) -> list[PriceIndexPoint]:
    """One series (all provinces, or one), oldest period first, published and unpublished points.
    One query; what the category page, the API and the product page's chart read."""
    province_id = province.pk if isinstance(province, Province) else province
    return list(
        PriceIndexPoint.objects.filter(
            category_id=_category_id(category), frequency=frequency, province_id=province_id
        ).order_by("period_start")
    )


def series_provinces(category: Category | Node | int, *, frequency: str = Frequency.MONTH) -> list[Province]:
    """Provinces with a stored series for the category (one query)."""
    return list(
        Province.objects.filter(
            pk__in=PriceIndexPoint.objects.filter(
                category_id=_category_id(category), frequency=frequency, province__isnull=False
            ).values("province_id")
        ).order_by("code")
    )


def latest_published(points: Iterable[PriceIndexPoint]) -> PriceIndexPoint | None:
    """The last published point that has a link (the base period has none)."""
    last = None
    for point in points:
        if point.published and point.link is not None:
            last = point
    return last


def change_pct(point: PriceIndexPoint | None) -> float | None:
    """Change from the previous period in %, or None when the point is not published."""
    if point is None or not point.published or point.link is None:
        return None
    return (point.link - 1.0) * 100.0


@dataclass
class CategorySummary:
    node: Node
    points: list[PriceIndexPoint]
    children: list[CategorySummary] = field(default_factory=list)

    @property
    def latest(self) -> PriceIndexPoint | None:
        return latest_published(self.points)

    @property
    def latest_change(self) -> float | None:
        return change_pct(self.latest)


def latest_points(frequency: str = Frequency.MONTH) -> list[CategorySummary]:
    """Every active root category with its leaves, each with its national series, for the overview.

    Two queries at most whatever the number of categories: the (cached) category tree and the
    points of the frequency.
    """
    tree = category_tree()
    by_category: dict[int, list[PriceIndexPoint]] = {}
    for point in PriceIndexPoint.objects.filter(frequency=frequency, province__isnull=True).order_by(
        "category_id", "period_start"
    ):
        by_category.setdefault(point.category_id, []).append(point)
    out = []
    for node in tree.values():
        if node.parent_id is not None:
            continue
        out.append(
            CategorySummary(
                node=node,
                points=by_category.get(node.id, []),
                children=[
                    CategorySummary(node=tree[c], points=by_category.get(c, [])) for c in node.children
                ],
            )
        )
    return out


def csv_points(*, frequency: str = Frequency.MONTH, category: Category | Node | int | None = None):
    """Every stored point of a frequency (optionally one category), for the CSV downloads: one query,
    national series before province ones, oldest period first."""
    points = PriceIndexPoint.objects.filter(frequency=frequency).select_related("category", "province")
    if category is not None:
        points = points.filter(category_id=_category_id(category))
    return points.order_by(
        "category__position",
        "category_id",
        F("province__code").asc(nulls_first=True),
        "period_start",
    )
