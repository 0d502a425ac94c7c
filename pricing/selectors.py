"""Reads of the price pages: a supplier's SKU price page, its adjustment requests, and the price
part of the buyer's product page — each in a fixed number of queries."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Max

from catalog.models import Sku, SkuPriceChange
from pricing.explain import explain
from pricing.models import EvidenceStatus, PriceEvidence, PriceVerdict, ReviewState, Shop
from pricing.verdicts import JUDGED_STATUSES
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
