"""What the check items read about a listing, gathered in bulk for a batch of listings.

``gather_facts`` reads a batch in a fixed number of queries whatever its size (the products; their
categories, suppliers and origin counties, one shared instance each; then one query each for SKUs,
images, test reports, trace batches, the suppliers' qualifications, the SKUs' price verdicts and the
latest times their inputs changed), only the columns the items read. The items then run in memory;
``catalog.services.product_precheck`` works on the relations attached as prefetch_related would.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.db.models import Max, QuerySet
from django.utils import timezone

from catalog.models import Category, Product, ProductImage, Sku, SkuPriceChange, TestReport, TraceBatch
from catalog.selectors import leaf_ids
from pricing.models import PriceEvidence, PriceVerdict
from regions.models import County
from suppliers.models import Qualification, Supplier


@dataclass
class ListingFacts:
    """One listing as the check items see it. ``product`` carries its prefetched relations."""

    product: Product
    today: date
    skus: list[Sku] = field(default_factory=list)  # the active ones
    verdicts: dict[int, PriceVerdict] = field(default_factory=dict)  # by SKU id
    last_price_change: dict[int, datetime] = field(default_factory=dict)  # by SKU id
    last_evidence: dict[int, datetime] = field(default_factory=dict)  # by SKU id
    leaf_ids: frozenset[int] | None = None  # the category tree's leaves, read once per batch

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


# What the items (and catalog.services.product_precheck) read: the rows are fetched with these columns
# only. An item that reads another column must add it here (a deferred column costs a query a listing,
# which tests/inspections/test_sweep.py's constant query count catches).
PRODUCT_FIELDS = (
    "id",
    "supplier_id",
    "category_id",
    "origin_county_id",
    "name",
    "status",
    "description",
    "shelf_life_days",
    "storage",
    "frozen_at",
)
SKU_FIELDS = (
    "id",
    "product_id",
    "spec",
    "net_quantity",
    "unit",
    "pack_count",
    "price",
    "unit_price",
    "is_active",
    "position",
)
REPORT_FIELDS = ("id", "product_id", "report_number", "report_date", "result")
VERDICT_FIELDS = (
    "sku_id",
    "verdict",
    "unit_price",
    "review_state",
    "review_unit_price",
    "computed_at",
    "reference_id",
    "references_used",
    "stale_references",
    "stale_seen_on",
)
QUALIFICATION_FIELDS = (
    "id",
    "supplier_id",
    "type",
    "number",
    "valid_from",
    "valid_until",
    "long_term",
    "status",
)


def listing_queryset() -> QuerySet[Product]:
    """The products as ``gather_facts`` wants them (their related rows are read in bulk there)."""
    return Product.objects.only(*PRODUCT_FIELDS).order_by("pk")


def _attach(instance, name: str, model, rows: list) -> None:
    """Give ``instance.<name>.all()`` these rows, as prefetch_related would (without building a
    filtered queryset per instance, most of prefetch_related's cost on a batch)."""
    queryset = QuerySet(model=model)
    queryset._result_cache, queryset._prefetch_done = rows, True
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[name] = queryset


def _grouped(queryset, key: str) -> dict[int, list]:
    groups: dict[int, list] = defaultdict(list)
    for row in queryset:
        groups[getattr(row, key)].append(row)
    return groups


def _relate(products: list[Product]) -> None:
    """Each product's category, supplier (with its qualifications) and county: one shared instance
    per row, read once for the batch."""
    field = {name: Product._meta.get_field(name) for name in ("category", "supplier", "origin_county")}
    categories = Category.objects.in_bulk({p.category_id for p in products})
    suppliers = Supplier.objects.in_bulk({p.supplier_id for p in products})
    counties = County.objects.in_bulk({p.origin_county_id for p in products} - {None})
    qualifications = _grouped(
        Qualification.objects.filter(supplier_id__in=list(suppliers))
        .only(*QUALIFICATION_FIELDS)
        .order_by("type", "-valid_from"),
        "supplier_id",
    )
    for supplier in suppliers.values():
        _attach(supplier, "qualifications", Qualification, qualifications.get(supplier.pk, []))
    for p in products:
        field["category"].set_cached_value(p, categories[p.category_id])
        field["supplier"].set_cached_value(p, suppliers[p.supplier_id])
        field["origin_county"].set_cached_value(p, counties.get(p.origin_county_id))


def _children(products: list[Product]) -> None:
    """Each product's SKUs (inactive ones too: the pre-check filters them), images, test reports and
    trace batches (with the report each cites)."""
    ids = [p.pk for p in products]
    skus = _grouped(
        Sku.objects.filter(product_id__in=ids).only(*SKU_FIELDS).order_by("position", "id"), "product_id"
    )
    images = _grouped(
        ProductImage.objects.filter(product_id__in=ids).only("id", "product_id", "is_main"), "product_id"
    )
    reports = _grouped(
        TestReport.objects.filter(product_id__in=ids).only(*REPORT_FIELDS).order_by("-report_date", "-id"),
        "product_id",
    )
    batches = _grouped(
        TraceBatch.objects.filter(product_id__in=ids)
        .select_related("test_report")
        .only(
            "id",
            "product_id",
            "batch_number",
            "produced_on",
            "test_report_id",
            *(f"test_report__{f}" for f in REPORT_FIELDS),
        )
        .order_by("-produced_on", "-id"),
        "product_id",
    )
    for p in products:
        _attach(p, "skus", Sku, skus.get(p.pk, []))
        _attach(p, "images", ProductImage, images.get(p.pk, []))
        _attach(p, "test_reports", TestReport, reports.get(p.pk, []))
        _attach(p, "trace_batches", TraceBatch, batches.get(p.pk, []))


def _latest(rows) -> dict[int, datetime]:
    return {row["sku_id"]: row["latest"] for row in rows}


def gather_facts(
    products: QuerySet[Product] | list[Product], *, today: date | None = None
) -> list[ListingFacts]:
    """Facts for these products: pass ``listing_queryset().filter(...)`` (or its evaluated list).
    Twelve queries whatever the number of products."""
    products = list(products)
    today = today or timezone.localdate()
    if products:
        _relate(products)
        _children(products)
    skus_of = {p.pk: [s for s in p.skus.all() if s.is_active] for p in products}
    sku_ids = [s.pk for skus in skus_of.values() for s in skus]
    verdicts = {v.sku_id: v for v in PriceVerdict.objects.filter(sku_id__in=sku_ids).only(*VERDICT_FIELDS)}
    changes = _latest(
        SkuPriceChange.objects.filter(sku_id__in=sku_ids).values("sku_id").annotate(latest=Max("created_at"))
    )
    evidence = _latest(
        PriceEvidence.objects.filter(sku_id__in=sku_ids).values("sku_id").annotate(latest=Max("created_at"))
    )
    leaves = frozenset(leaf_ids())
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
                leaf_ids=leaves,
            )
        )
    return facts
