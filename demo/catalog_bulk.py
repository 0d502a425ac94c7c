"""A realistic catalogue at scale: products and SKUs of every leaf category, fast.

``generate_catalog`` only adds products. On PostgreSQL it streams rows with COPY (psycopg 3) in
batches and computes the search vectors in SQL; on SQLite (the small demo) it uses bulk_create.
The same seed gives the same products (names, brands, specs, prices, stock, suppliers); only the
timestamps move with the clock, as they are spread over the two years before the run.

This bypasses catalog.services on purpose — a million SKUs through product_save would take
hours — so it repeats what product_save and product_refresh_summary derive: SKU unit prices
through ``catalog.units.unit_price``, the product's lowest prices and stock, ``is_visible``
(on sale and its supplier active) and the search fields through ``catalog.search``. So that the
listings pass the platform's checks, a supplier gets only products of the categories its product
lines deal in (or, for a category none of them deals in, one whose documents it already holds), every
product of a category that requires a test report gets a recent passing one, and a supplier that
holds none of the documents its categories require is given them (demo.catalog_documents).
"""

from __future__ import annotations

import bisect
import datetime
import hashlib
import io
import itertools
import json
import random
import time
from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import TextIO

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone

from catalog import search
from catalog.models import Category, Product, ProductImage, ProductStatus, Sku, TestReport
from catalog.units import BASIS_SIZE, UNIT_SIZE, unit_price
from core.money import money
from demo.catalog_documents import ensure_documents, holders, plan_report, report_file, report_objects
from demo.catalog_leaves import (
    BRANDS,
    DESCRIPTIVE,
    LEAF_BY_SLUG,
    LEAVES,
    LINES,
    SKU_COUNT_WEIGHTS,
    SKU_COUNTS,
    county_stem,
)
from regions.models import County
from suppliers.models import Supplier, SupplierStatus

D = Decimal
BATCH = 20_000  # products per COPY batch (≈ 44k SKUs): one transaction each
IMAGE_ROWS_UP_TO = 5_000  # ProductImage rows (sharing the category files) only for small loads
CJK_FONTS = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
]
SPAN = datetime.timedelta(days=730)


# --- Images -----------------------------------------------------------------------------------------


def _font(size: int):
    from PIL import ImageFont

    for path in CJK_FONTS:
        if Path(path).exists():
            try:
                return ImageFont.truetype(path, size=size)
            except OSError:
                continue
    return None


def category_images(leaves: dict[str, Category]) -> dict[str, tuple[str, str, str, int, int]]:
    """One tile per leaf category (and its thumbnail), saved once to MEDIA storage and shared by
    every generated product of that category: slug → (image, thumbnail, sha256, width, height)."""
    from PIL import Image, ImageDraw

    made = {}
    side, thumb_side = 800, 400
    font = _font(150)
    for slug, category in leaves.items():
        image_name, thumb_name = f"products/demo/{slug}.jpg", f"products/demo/{slug}-thumb.jpg"
        spec = LEAF_BY_SLUG.get(slug)
        colour = spec.colour if spec else (120, 140, 100)
        tile = Image.new("RGB", (side, side), colour)
        draw = ImageDraw.Draw(tile)
        light = tuple(min(255, c + 60) for c in colour)
        for i in range(6):  # a few discs so the tile reads as produce, not a flat swatch
            r = 90 + (i * 37) % 70
            cx, cy = 130 + (i * 211) % 560, 150 + (i * 137) % 520
            draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=light)
        if font is not None:
            draw.text(
                (side // 2, side // 2),
                category.name,
                fill=(255, 255, 255),
                font=font,
                anchor="mm",
                stroke_width=6,
                stroke_fill=(60, 60, 60),
            )
        else:  # no CJK font: a plain banner instead of text that would render as boxes
            draw.rectangle((100, 330, 700, 470), fill=(255, 255, 255))
        buffer = io.BytesIO()
        tile.save(buffer, "JPEG", quality=82)
        data = buffer.getvalue()
        thumb = tile.resize((thumb_side, thumb_side))
        thumb_buffer = io.BytesIO()
        thumb.save(thumb_buffer, "JPEG", quality=80)
        for name, content in ((image_name, data), (thumb_name, thumb_buffer.getvalue())):
            if not default_storage.exists(name):
                default_storage.save(name, ContentFile(content))
        made[slug] = (image_name, thumb_name, hashlib.sha256(data).hexdigest(), side, side)
    return made


# --- Generation -------------------------------------------------------------------------------------


@dataclass
class _Source:
    supplier_id: int
    county_id: int
    province_id: int
    county_name: str
    province_name: str
    stem: str
    brand: str
    visible: bool


def _shelf_price(value: Decimal) -> Decimal:
    """Prices as shops write them: ¥39.90 rather than ¥40.13."""
    if value >= 20:
        return max(D("19.90"), value.to_integral_value(rounding=ROUND_HALF_UP) - D("0.10"))
    return max(D("0.50"), value.quantize(D("0.1"), rounding=ROUND_HALF_UP))


def _random_price(rng: random.Random, low: str, high: str) -> Decimal:
    lo, hi = int(D(low) * 100), int(D(high) * 100)
    return D(rng.randint(lo, hi)) / 100


def _weight_grams(quantity: Decimal, unit: str, pack: int) -> int:
    dimension, size = UNIT_SIZE[unit]
    if dimension == "count":
        return int(quantity * pack * 60) + 300  # eggs ≈ 55 g each, gift boxes a few hundred grams a piece
    return int(quantity * size * pack * D("1.05")) + 150  # packaging


class _Generator:
    def __init__(self, *, seed: int, suppliers: list[Supplier], now: datetime.datetime, products: int):
        self.rng = random.Random(seed)
        # Reports draw from their own stream, so adding them left the products of a seed as they were.
        self.report_rng = random.Random(seed ^ 0x5EED)
        self.now = now
        self.today = timezone.localdate(now)
        leaves = {c.slug: c for c in Category.objects.filter(children__isnull=True, is_active=True)}
        self.leaves = {slug: leaves[slug] for slug in sorted(leaves)}
        if not self.leaves:
            raise ValueError("There are no leaf categories: migrate first (catalog 0002 loads the tree).")
        self.slugs = list(self.leaves)
        self.leaf_weights = list(
            itertools.accumulate(LEAF_BY_SLUG[s].weight if s in LEAF_BY_SLUG else 2 for s in self.slugs)
        )
        self.parents = dict(
            Category.objects.filter(children__isnull=False).values_list("id", "name").distinct()
        )
        self.sources = self._sources(suppliers)
        self.by_leaf = self._suppliers_by_leaf(suppliers)
        # Timestamps walk forward through the last two years so that physical order follows
        # publication, as it would on a live site.
        self.step = SPAN / max(products, 1)
        self.clock = now - SPAN

    def _sources(self, suppliers: list[Supplier]) -> dict[int, _Source]:
        county_ids = {s.county_id for s in suppliers if s.county_id}
        counties = {
            c.pk: c
            for c in County.objects.filter(pk__in=county_ids)
            .select_related("province")
            .only("id", "name", "province_id", "province__name")
        }
        sources = {}
        for supplier in sorted(suppliers, key=lambda s: s.pk):
            county = counties.get(supplier.county_id)
            if county is None:
                continue
            sources[supplier.pk] = _Source(
                supplier_id=supplier.pk,
                county_id=county.pk,
                province_id=county.province_id,
                county_name=county.name,
                province_name=county.province.name,
                stem=county_stem(county.name),
                brand=self.rng.choice(BRANDS),
                visible=supplier.status == SupplierStatus.ACTIVE,
            )
        if not sources:
            raise ValueError("generate_catalog needs suppliers with a county.")
        return sources

    def _suppliers_by_leaf(self, suppliers: list[Supplier]) -> dict[str, tuple[list[int], list[float]]]:
        """Per leaf: the suppliers that deal in it, with cumulative Zipf-like weights (a few big
        cooperatives list most products, a long tail lists a handful)."""
        ids = sorted(self.sources)
        order = ids[:]
        self.rng.shuffle(order)
        weight = {pk: 1 / (rank + 1) ** 0.8 for rank, pk in enumerate(order)}
        lines = {s.pk: s.product_lines or [] for s in suppliers}
        held = holders(ids, self.today)
        by_leaf = {}
        for slug in self.slugs:
            dealers = [
                pk for pk in ids if not lines.get(pk) or any(slug in LINES.get(x, ()) for x in lines[pk])
            ]
            # No supplier deals in it: those already holding what the category requires, else anyone
            # (demo.catalog_documents then gives them the documents).
            groups = [set(g) for g in self.leaves[slug].required_qualifications or []]
            dealers = dealers or [pk for pk in ids if all(g & held[pk] for g in groups)] or ids
            by_leaf[slug] = (dealers, list(itertools.accumulate(weight[pk] for pk in dealers)))
        return by_leaf

    def product(self, index: int) -> tuple[dict, list[dict]]:
        rng = self.rng
        # Every leaf first (so even a small catalogue covers the tree), then by popularity.
        if index < len(self.slugs):
            slug = self.slugs[index]
        else:
            slug = self.slugs[bisect.bisect_left(self.leaf_weights, rng.random() * self.leaf_weights[-1])]
        category = self.leaves[slug]
        spec = LEAF_BY_SLUG.get(slug) or LEAVES[0]
        dealers, cumulative = self.by_leaf[slug]
        source = self.sources[dealers[bisect.bisect_left(cumulative, rng.random() * cumulative[-1])]]
        item = rng.choice(spec.items)

        name, brand, geo = _naming(rng, spec, item, source)
        basis = category.price_basis
        skus = _skus(rng, spec, item, basis)
        certifications = _certifications(rng, geo)
        self.clock += self.step * rng.uniform(0.2, 1.8)
        published = min(self.clock, self.now)
        created = published - datetime.timedelta(hours=rng.randint(2, 24 * 20))
        updated = min(self.now, published + datetime.timedelta(hours=rng.randint(0, 24 * 60)))
        # Skewed sales: most products sell a little, a few sell thousands.
        sales = min(200_000, int((rng.paretovariate(1.2) - 1) * 30))
        parent_name = self.parents.get(category.parent_id, "")
        text = search.search_text(
            name=name,
            brand=brand,
            category=f"{category.name} {parent_name}",
            county=f"{source.county_name} {source.province_name}",
        )
        product = {
            "supplier_id": source.supplier_id,
            "category_id": category.pk,
            "top_category_id": category.parent_id or category.pk,
            "slug": slug,
            "name": name,
            "brand": brand,
            "origin_county_id": source.county_id,
            "origin_province_id": source.province_id,
            "description": f"{name}，产自{source.province_name}{source.county_name}。{spec.blurb}",
            "shelf_life_days": rng.randint(*spec.shelf_life),
            "storage": spec.storage,
            "certifications": sorted(certifications),
            "status": ProductStatus.ON_SALE,
            "status_changed_at": published,
            "is_visible": source.visible,
            "frozen_reason": "",
            "min_price": min(s["price"] for s in skus),
            "min_unit_price": min(s["unit_price"] for s in skus),
            "total_stock": sum(s["stock"] for s in skus),
            "sales_count": sales,
            "search_text": text,
            "created_at": created,
            "updated_at": updated,
            "published_at": published,
            "report": plan_report(self.report_rng, category, today=self.today),
        }
        return product, skus


def _naming(rng, spec, item, source) -> tuple[str, str, bool]:
    """A product's name (origin, county or descriptive prefix, then grade), its brand, and whether the
    prefix is a geographical indication."""
    roll = rng.random()
    geo = False
    if item.origins and roll < 0.3:
        prefix, geo = rng.choice(item.origins), True
    elif roll < 0.7:
        prefix = source.stem
    elif roll < 0.9:
        prefix = rng.choice(DESCRIPTIVE)
    else:
        prefix = ""
    grade = rng.choice(spec.grades)
    name = f"{prefix}{item.name}" + (f" {grade}" if grade else "")
    brand = source.brand if rng.random() < 0.85 else ""
    return name, brand, geo


def _skus(rng, spec, item, basis) -> list[dict]:
    """One to a few pack sizes of the category's measure, bigger packs a little cheaper per unit."""
    basis_dimension, basis_size = BASIS_SIZE[basis]
    base = _random_price(rng, item.low or spec.low, item.high or spec.high)
    count = rng.choices(SKU_COUNTS, weights=SKU_COUNT_WEIGHTS)[0]
    options = [s for s in spec.specs if UNIT_SIZE[s[2]][0] == basis_dimension] or [("1件", "1", "piece", 1)]
    chosen = sorted(
        rng.sample(options, min(count, len(options))), key=lambda s: D(s[1]) * UNIT_SIZE[s[2]][1] * s[3]
    )
    skus = []
    for position, (label, quantity, unit, pack) in enumerate(chosen):
        qty = D(quantity)
        amount = qty * UNIT_SIZE[unit][1] * pack / basis_size
        discount = D(1) - D("0.04") * position  # bigger packs are a little cheaper per unit
        price = _shelf_price(money(base * amount * discount))
        stock = 0 if rng.random() < 0.08 else rng.randint(1, 2000)
        skus.append(
            {
                "spec": label,
                "net_quantity": qty,
                "unit": unit,
                "pack_count": pack,
                "price": price,
                "unit_price": unit_price(
                    price=price, net_quantity=qty, unit=unit, pack_count=pack, basis=basis
                ),
                "stock": stock,
                "weight_grams": _weight_grams(qty, unit, pack),
                "position": position,
            }
        )
    return skus


def _certifications(rng, geo: bool) -> list[str]:
    certifications = []
    if rng.random() < 0.12:
        certifications.append("green_food")
    if rng.random() < 0.04:
        certifications.append("organic")
    if geo and rng.random() < 0.5:
        certifications.append("geo_indication")
    return certifications


# --- Writing ----------------------------------------------------------------------------------------

PRODUCT_COLUMNS = (
    "id",
    "supplier_id",
    "category_id",
    "top_category_id",
    "name",
    "brand",
    "origin_county_id",
    "origin_province_id",
    "description",
    "shelf_life_days",
    "storage",
    "certifications",
    "status",
    "status_changed_at",
    "is_visible",
    "frozen_reason",
    "min_price",
    "min_unit_price",
    "total_stock",
    "sales_count",
    "main_thumbnail",
    "search_text",
    "created_at",
    "updated_at",
    "published_at",
)
SKU_COLUMNS = (
    "product_id",
    "spec",
    "net_quantity",
    "unit",
    "pack_count",
    "price",
    "unit_price",
    "stock",
    "weight_grams",
    "position",
    "is_active",
)
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_value(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False).translate(_ESCAPES)
    return str(value).translate(_ESCAPES)


def _copy_rows(rows: list[tuple]) -> str:
    return "".join("\t".join(map(_copy_value, row)) + "\n" for row in rows)


def _write_postgres(
    batch: list[tuple[dict, list[dict]]], images: dict, image_rows: bool, reports: str
) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('catalog_product', 'id')) FROM generate_series(1, %s)",
            [len(batch)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        # COPY into a scratch table, then one INSERT … SELECT computes the vectors with the same SQL
        # as search.product_index_update: each product row is written once, not inserted and then
        # rewritten by an UPDATE (which would double the table until a VACUUM).
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS fengshou_bulk_product "
            "(LIKE catalog_product INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
        )
        columns = ", ".join(PRODUCT_COLUMNS)
        product_rows = []
        sku_rows = []
        image_list = []
        for pk, (product, skus) in zip(ids, batch, strict=True):
            product["id"] = pk
            product["main_thumbnail"] = images[product["slug"]][1]
            product_rows.append(tuple(product[c] for c in PRODUCT_COLUMNS))
            for sku in skus:
                sku_rows.append((pk, *(sku[c] for c in SKU_COLUMNS[1:-1]), True))
            if image_rows:
                image, thumb, sha, width, height = images[product["slug"]]
                image_list.append((pk, image, thumb, width, height, sha, True, 0))
        raw = cursor.cursor  # the psycopg 3 cursor under Django's wrapper
        with raw.copy(f"COPY fengshou_bulk_product ({columns}) FROM STDIN") as copy:
            copy.write(_copy_rows(product_rows))
        cursor.execute(
            f"INSERT INTO catalog_product ({columns}, search_vector) "
            f"SELECT {columns}, {search.search_vector_sql('search_text')} FROM fengshou_bulk_product"
        )
        # ON COMMIT only empties it when this batch's transaction is the outermost one.
        cursor.execute("TRUNCATE fengshou_bulk_product")
        with raw.copy(f"COPY catalog_sku ({', '.join(SKU_COLUMNS)}) FROM STDIN") as copy:
            copy.write(_copy_rows(sku_rows))
        uploaded = timezone.now()
        plans = [(pk, product["report"]) for pk, (product, _skus) in zip(ids, batch, strict=True)]
        report_list = [
            (
                r.product_id,
                r.lab,
                r.report_number,
                r.report_date,
                r.result,
                r.file.name,
                r.file_type,
                uploaded,
            )
            for r in report_objects([plan for plan in plans if plan[1]], reports)
        ]
        if report_list:
            with raw.copy(
                "COPY catalog_testreport "
                "(product_id, lab, report_number, report_date, result, file, file_type, created_at) FROM STDIN"
            ) as copy:
                copy.write(_copy_rows(report_list))
        if image_list:
            with raw.copy(
                "COPY catalog_productimage (product_id, image, thumbnail, width, height, sha256, is_main, position) "
                "FROM STDIN"
            ) as copy:
                copy.write(_copy_rows(image_list))


def _write_orm(batch: list[tuple[dict, list[dict]]], images: dict, image_rows: bool, reports: str) -> None:
    with transaction.atomic():
        fields = [c for c in PRODUCT_COLUMNS if c != "id"]
        products = [
            Product(**{f: product[f] for f in fields if f != "main_thumbnail"}) for product, _ in batch
        ]
        for obj, (product, _skus) in zip(products, batch, strict=True):
            obj.main_thumbnail = images[product["slug"]][1]
        Product.objects.bulk_create(products, batch_size=500)
        # auto_now/auto_now_add overwrote the timestamps: put the generated history back.
        for obj, (product, _skus) in zip(products, batch, strict=True):
            obj.created_at, obj.updated_at = product["created_at"], product["updated_at"]
        Product.objects.bulk_update(products, ["created_at", "updated_at"], batch_size=500)
        skus = [
            Sku(product_id=obj.pk, is_active=True, **sku)
            for obj, (_product, rows) in zip(products, batch, strict=True)
            for sku in rows
        ]
        Sku.objects.bulk_create(skus, batch_size=1000)
        plans = [
            (obj.pk, p["report"]) for obj, (p, _skus) in zip(products, batch, strict=True) if p["report"]
        ]
        TestReport.objects.bulk_create(report_objects(plans, reports), batch_size=500)
        if image_rows:
            ProductImage.objects.bulk_create(
                [
                    ProductImage(
                        product_id=obj.pk,
                        image=images[p["slug"]][0],
                        thumbnail=images[p["slug"]][1],
                        sha256=images[p["slug"]][2],
                        width=images[p["slug"]][3],
                        height=images[p["slug"]][4],
                        is_main=True,
                    )
                    for obj, (p, _skus) in zip(products, batch, strict=True)
                ],
                batch_size=500,
            )


def generate_catalog(
    *,
    products: int,
    seed: int,
    suppliers: list[Supplier],
    stdout: TextIO | None = None,
    now: datetime.datetime | None = None,
    image_rows: bool | None = None,
) -> dict:
    """Add ``products`` generated products (≈2.2 SKUs each) of ``suppliers`` across every leaf.

    Products of active suppliers are on sale and visible; the others are on sale but hidden, as
    catalog.services keeps them. ``image_rows`` (default: only up to 5,000 products) also adds a
    main ProductImage row per product, all sharing one file per category. Returns counts and
    timings. Call outside a transaction for big loads on PostgreSQL: each batch commits.
    """
    started = time.perf_counter()
    now = now or timezone.now()
    if products <= 0:
        return {"products": 0, "skus": 0, "visible": 0, "seconds": 0.0, "by_category": {}}
    generator = _Generator(seed=seed, suppliers=suppliers, now=now, products=products)
    images = category_images(generator.leaves)
    image_rows = products <= IMAGE_ROWS_UP_TO if image_rows is None else image_rows
    postgres = connection.vendor == "postgresql"
    write = _write_postgres if postgres else _write_orm
    reports = report_file()
    categories_by_supplier: dict[int, set[int]] = {}

    made = skus = visible = 0
    by_category: Counter[str] = Counter()
    batch: list[tuple[dict, list[dict]]] = []
    for index in range(products):
        product, rows = generator.product(index)
        batch.append((product, rows))
        by_category[product["slug"]] += 1
        categories_by_supplier.setdefault(product["supplier_id"], set()).add(product["category_id"])
        visible += product["is_visible"]
        skus += len(rows)
        if len(batch) >= BATCH:
            write(batch, images, image_rows, reports)
            made += len(batch)
            batch = []
            if stdout:
                stdout.write(f"  {made:,} products, {skus:,} SKUs ({time.perf_counter() - started:.0f} s)\n")
    if batch:
        write(batch, images, image_rows, reports)
        made += len(batch)
    documents = ensure_documents(
        categories_by_supplier=categories_by_supplier, today=timezone.localdate(now), seed=seed
    )
    with connection.cursor() as cursor:
        if postgres and not connection.in_atomic_block:
            # VACUUM also sets the visibility map, so counts can skip the heap (index-only work).
            cursor.execute("VACUUM (ANALYZE) catalog_product, catalog_sku")
        elif postgres:
            cursor.execute("ANALYZE catalog_product, catalog_sku")
    seconds = time.perf_counter() - started
    if stdout:
        stdout.write(f"Generated {made:,} products and {skus:,} SKUs in {seconds:.1f} s.\n")
    return {
        "products": made,
        "skus": skus,
        "visible": visible,
        "seconds": round(seconds, 2),
        "by_category": dict(by_category),
        "documents": documents,
    }
