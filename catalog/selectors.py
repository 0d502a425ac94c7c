"""Reads for the catalogue pages and API, each with a fixed number of queries."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db import connection
from django.db.models import Prefetch, QuerySet

from catalog import search
from catalog.models import Category, Product, ProductEvent, ProductStatus, Sku, TestReport, TraceBatch
from suppliers.models import Qualification, Supplier

TREE_CACHE_KEY = "catalog:tree:v1"
PER_PAGE = 24
# Pages stop at 100 (as at the large marketplaces): counting more than that would only cost time,
# so a list says "more than 2,400 products" and its filters narrow it down.
MAX_PAGES = 100
SORTS = {
    "relevance": None,  # rank when searching, else best-selling
    "unit_price": ("min_unit_price", "id"),
    "-unit_price": ("-min_unit_price", "-id"),
    "newest": ("-published_at", "-id"),
    "sales": ("-sales_count", "-id"),
}


@dataclass(frozen=True)
class Node:
    id: int
    name: str
    slug: str
    parent_id: int | None
    price_basis: str
    children: tuple[int, ...] = ()


def category_tree() -> dict[int, Node]:
    """The active category tree, cached (it changes rarely; the admin clears the cache)."""
    tree = cache.get(TREE_CACHE_KEY)
    if tree is None:
        rows = list(
            Category.objects.filter(is_active=True)
            .order_by("position", "id")
            .values("id", "name", "slug", "parent_id", "price_basis")
        )
        children: dict[int, list[int]] = {}
        for row in rows:
            if row["parent_id"]:
                children.setdefault(row["parent_id"], []).append(row["id"])
        tree = {row["id"]: Node(**row, children=tuple(children.get(row["id"], ()))) for row in rows}
        cache.set(TREE_CACHE_KEY, tree, 3600)
    return tree


def clear_category_cache() -> None:
    cache.delete(TREE_CACHE_KEY)


def leaf_ids(tree: dict[int, Node] | None = None, under: int | None = None) -> list[int]:
    tree = tree or category_tree()
    if under is None:
        return [n.id for n in tree.values() if not n.children]
    out, stack = [], [under]
    while stack:
        node = tree.get(stack.pop())
        if node is None:
            continue
        if node.children:
            stack.extend(node.children)
        else:
            out.append(node.id)
    return out


def top_category_id(category_id: int) -> int:
    """The root of a category's branch (Product.top_category). Reads the small category table, so
    inactive branches resolve too."""
    parents = dict(Category.objects.values_list("id", "parent_id"))
    root = category_id
    while parents.get(root):
        root = parents[root]
    return root


def roots(tree: dict[int, Node] | None = None) -> list[Node]:
    tree = tree or category_tree()
    return [n for n in tree.values() if n.parent_id is None]


@dataclass
class CatalogQuery:
    q: str = ""
    category: Node | None = None
    province: int | None = None
    county: int | None = None
    certification: str = ""
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    in_stock: bool = False
    sort: str = "relevance"
    page: int = 1


@dataclass
class CatalogPage:
    products: list[Product]
    total: int
    capped: bool
    page: int
    num_pages: int
    query: CatalogQuery
    pages: list[int] = field(default_factory=list)


def visible_products() -> QuerySet[Product]:
    """What buyers may see: on sale, from an active supplier (kept in Product.is_visible)."""
    return Product.objects.filter(is_visible=True)


def catalog_page(query: CatalogQuery, *, per_page: int = PER_PAGE) -> CatalogPage:
    """One page of the buyer catalogue in three queries: a capped count, the page's ids, their rows."""
    qs = visible_products()
    if query.category is not None:
        node = query.category
        if node.parent_id is None:
            qs = qs.filter(top_category_id=node.id)  # one index range, however many leaves
        else:
            ids = leaf_ids(under=node.id)
            qs = qs.filter(category_id=ids[0]) if len(ids) == 1 else qs.filter(category_id__in=ids)
    if query.province:
        qs = qs.filter(origin_province_id=query.province)
    if query.county:
        qs = qs.filter(origin_county_id=query.county)
    if query.certification:
        qs = (
            qs.filter(certifications__contains=[query.certification])
            if _json_contains()
            else qs.filter(certifications__icontains=f'"{query.certification}"')
        )
    if query.price_min is not None:
        qs = qs.filter(min_unit_price__gte=query.price_min)
    if query.price_max is not None:
        qs = qs.filter(min_unit_price__lte=query.price_max)
    if query.in_stock:
        qs = qs.filter(total_stock__gt=0)
    searching = bool(search.query_tokens(query.q))
    matches = search.search_products(qs, query.q) if searching else qs
    total, capped = search.capped_count(matches, cap=MAX_PAGES * per_page)
    num_pages = max(1, -(-total // per_page))
    page = min(max(1, query.page), num_pages)
    if searching and query.sort == "relevance":
        # Relevance over a bounded candidate pool (catalog.search.ranked_queryset), not a sort of every match.
        ordered = search.ranked_queryset(qs, query.q, need=page * per_page)
    else:
        ordered = matches.order_by(*(SORTS.get(query.sort) or ("-sales_count", "-id")))
    # The page's ids first, on the product table alone, then its rows with their joins: joining
    # suppliers, counties and categories into the ranked query lets the planner pick nested loops
    # over the search index (85 ms instead of 2 ms at a million SKUs).
    ids = list(ordered.values_list("pk", flat=True)[(page - 1) * per_page : page * per_page])
    by_id = {
        p.pk: p
        for p in Product.objects.filter(pk__in=ids)
        .select_related("origin_county", "origin_province", "supplier", "category")
        .only(
            "id",
            "name",
            "brand",
            "min_price",
            "min_unit_price",
            "total_stock",
            "sales_count",
            "main_thumbnail",
            "certifications",
            "published_at",
            "category__name",
            "category__price_basis",
            "origin_county__name",
            "origin_province__name",
            "supplier__legal_name",
        )
    }
    rows = [by_id[pk] for pk in ids if pk in by_id]
    window = range(max(1, page - 3), min(num_pages, page + 3) + 1)
    return CatalogPage(
        products=rows,
        total=total,
        capped=capped,
        page=page,
        num_pages=num_pages,
        query=query,
        pages=list(window),
    )


def _json_contains() -> bool:
    return connection.vendor == "postgresql"


def product_for_buyer(*, pk: int) -> Product | None:
    """The product page: everything it shows in a fixed number of queries."""
    return (
        visible_products()
        .filter(pk=pk)
        .select_related("category__parent", "origin_county__city", "origin_province", "supplier__county")
        .prefetch_related(
            Prefetch(
                "skus",
                queryset=Sku.objects.filter(is_active=True)
                .select_related("verdict__peer_category")  # the price check and its explanation
                .order_by("position", "id"),
            ),
            "images",
            "test_reports",
            Prefetch("trace_batches", queryset=TraceBatch.objects.select_related("test_report")),
        )
        .first()
    )


def supplier_products(*, supplier: Supplier) -> QuerySet[Product]:
    """The supplier's own products with what the pre-check reads, prefetched."""
    return (
        Product.objects.filter(supplier=supplier)
        .select_related("category", "supplier")
        .prefetch_related(
            Prefetch("skus", queryset=Sku.objects.select_related("verdict")),  # the price check badge
            "images",
            "test_reports",
            Prefetch("supplier__qualifications", queryset=Qualification.objects.all()),
        )
        .order_by("-updated_at", "-id")
    )


def supplier_product(*, supplier: Supplier, pk: int) -> Product | None:
    return (
        supplier_products(supplier=supplier)
        .filter(pk=pk)
        .prefetch_related(
            "trace_batches",
            Prefetch(
                "events", queryset=ProductEvent.objects.select_related("actor").order_by("-created_at", "-id")
            ),
        )
        .first()
    )


def test_report_for_download(*, user, pk: int) -> TestReport | None:
    """A test report is public once its product is visible; before that only its supplier and ops see it."""
    report = TestReport.objects.select_related("product").filter(pk=pk).first()
    if report is None:
        return None
    product = report.product
    if product.is_visible:
        return report
    if user.is_authenticated and (
        (user.supplier_id and user.supplier_id == product.supplier_id)
        or (user.is_ops and user.has_perm("catalog.view_product"))
    ):
        return report
    return None


def trace_batch_public(*, code) -> TraceBatch | None:
    return (
        TraceBatch.objects.filter(
            code=code, product__status__in=[ProductStatus.ON_SALE, ProductStatus.OFF_SALE]
        )
        .select_related(
            "product__supplier", "product__origin_county__city", "product__origin_province", "test_report"
        )
        .first()
    )
