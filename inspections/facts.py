"""What the check items read about a listing, gathered in bulk for a batch of listings.

``gather_facts`` reads a batch in a fixed number of queries whatever its size (the products with their
category, supplier and origin county; then one query each for SKUs, images, test reports, trace batches,
the suppliers' qualifications, the SKUs' price verdicts and the latest times their inputs changed).
The items then run in memory; ``catalog.services.product_precheck`` works on the prefetched relations.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.db.models import Max, Prefetch, QuerySet
from django.utils import timezone

from catalog.models import Product, Sku, SkuPriceChange, TestReport, TraceBatch
from pricing.models import PriceEvidence, PriceVerdict
from suppliers.models import Qualification


@dataclass
class ListingFacts:
    """One listing as the check items see it. ``product`` carries its prefetched relations."""

    product: Product
    today: date
    skus: list[Sku] = field(default_factory=list)  # the active ones
    verdicts: dict[int, PriceVerdict] = field(default_factory=dict)  # by SKU id
    last_price_change: dict[int, datetime] = field(default_factory=dict)  # by SKU id
    last_evidence: dict[int, datetime] = field(default_factory=dict)  # by SKU id

    @property
    def category(self):
        return self.product.category

    @property
    def supplier(self):
        return self.product.supplier

    @property
    def test_reports(self) -> list[TestReport]:
        return list(self.product.test_reports.all())

    @property
    def trace_batches(self) -> list[TraceBatch]:
        return list(self.product.trace_batches.all())

    @property
    def qualifications(self) -> list[Qualification]:
        return list(self.product.supplier.qualifications.all())

    @property
    def test_report_max_age_months(self) -> int:
        months = self.product.category.test_report_max_age_months
        return months or settings.INSPECTIONS["TEST_REPORT_MAX_AGE_MONTHS"]


def listing_queryset() -> QuerySet[Product]:
    """Products with everything the items read, prefetched (the SKUs include inactive ones: the
    pre-check filters them itself)."""
    return (
        Product.objects.select_related("category", "supplier", "origin_county")
        .prefetch_related(
            Prefetch("skus", queryset=Sku.objects.order_by("position", "id")),
            "images",
            Prefetch("test_reports", queryset=TestReport.objects.order_by("-report_date", "-id")),
            Prefetch(
                "trace_batches",
                queryset=TraceBatch.objects.select_related("test_report").order_by("-produced_on", "-id"),
            ),
            Prefetch(
                "supplier__qualifications", queryset=Qualification.objects.order_by("type", "-valid_from")
            ),
        )
        .order_by("pk")
    )


def _latest(rows) -> dict[int, datetime]:
    return {row["sku_id"]: row["latest"] for row in rows}


def gather_facts(
    products: QuerySet[Product] | list[Product], *, today: date | None = None
) -> list[ListingFacts]:
    """Facts for these products: pass ``listing_queryset().filter(...)`` (or its evaluated list).
    Nine queries whatever the number of products."""
    products = list(products)
    today = today or timezone.localdate()
    skus_of = {p.pk: [s for s in p.skus.all() if s.is_active] for p in products}
    sku_ids = [s.pk for skus in skus_of.values() for s in skus]
    verdicts = {v.sku_id: v for v in PriceVerdict.objects.filter(sku_id__in=sku_ids)}
    changes = _latest(
        SkuPriceChange.objects.filter(sku_id__in=sku_ids).values("sku_id").annotate(latest=Max("created_at"))
    )
    evidence = _latest(
        PriceEvidence.objects.filter(sku_id__in=sku_ids).values("sku_id").annotate(latest=Max("created_at"))
    )
    facts = []
    for product in products:
        skus = skus_of[product.pk]
        facts.append(
            ListingFacts(
                product=product,
                today=today,
                skus=skus,
                verdicts={s.pk: verdicts[s.pk] for s in skus if s.pk in verdicts},
                last_price_change={s.pk: changes[s.pk] for s in skus if s.pk in changes},
                last_evidence={s.pk: evidence[s.pk] for s in skus if s.pk in evidence},
            )
        )
    return facts
