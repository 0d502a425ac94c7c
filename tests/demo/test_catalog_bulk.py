"""demo.catalog_bulk.generate_catalog on whatever database the run uses (SQLite locally, PostgreSQL in CI)."""

import datetime
from decimal import Decimal

import pytest
from django.db.models import Count, Min, Sum
from django.utils import timezone

from catalog.models import Category, Product, ProductStatus, Sku
from catalog.units import unit_price, units_for_basis
from demo.catalog_bulk import generate_catalog
from suppliers.models import SupplierStatus
from tests.factories import SupplierFactory, eligible_county

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 6, 1, 12, tzinfo=datetime.UTC)


@pytest.fixture
def suppliers():
    active = [SupplierFactory(county=eligible_county(i)) for i in range(4)]
    hidden = SupplierFactory(
        county=eligible_county(5), status=SupplierStatus.SUSPENDED, suspension_cause="ops"
    )
    return [*active, hidden]


def _content(products):
    """What must be the same for the same seed (ids and timestamps aside)."""
    return [
        (
            p.name,
            p.brand,
            p.category_id,
            p.supplier_id,
            p.min_price,
            p.sales_count,
            tuple((s.spec, s.price, s.unit_price, s.stock) for s in p.skus.all()),
        )
        for p in products
    ]


def test_counts_cover_every_leaf_and_match_the_report(suppliers):
    result = generate_catalog(products=60, seed=7, suppliers=suppliers, now=NOW)

    assert result["products"] == 60
    assert Product.objects.count() == 60
    assert Sku.objects.count() == result["skus"]
    assert 60 <= result["skus"] <= 240
    leaves = set(Category.objects.filter(children__isnull=True).values_list("id", flat=True))
    assert set(Product.objects.values_list("category_id", flat=True)) == leaves
    per_product = Product.objects.annotate(n=Count("skus")).values_list("n", flat=True)
    assert all(1 <= n <= 4 for n in per_product)


def test_every_sku_unit_price_is_units_unit_price_in_its_category_basis(suppliers):
    generate_catalog(products=60, seed=11, suppliers=suppliers, now=NOW)

    for sku in Sku.objects.select_related("product__category"):
        basis = sku.product.category.price_basis
        assert sku.unit in units_for_basis(basis), (sku.spec, basis)
        assert sku.unit_price == unit_price(
            price=sku.price,
            net_quantity=sku.net_quantity,
            unit=sku.unit,
            pack_count=sku.pack_count,
            basis=basis,
        )
        assert sku.price > 0 and sku.price == sku.price.quantize(Decimal("0.01"))
        assert 0 <= sku.stock <= 2000


def test_product_summaries_agree_with_their_skus(suppliers):
    generate_catalog(products=60, seed=3, suppliers=suppliers, now=NOW)

    products = Product.objects.annotate(
        lowest=Min("skus__price"), lowest_unit=Min("skus__unit_price"), stock=Sum("skus__stock")
    ).select_related("supplier", "origin_county", "category")
    for p in products:
        assert p.top_category_id == p.category.parent_id
        assert (p.min_price, p.min_unit_price, p.total_stock) == (p.lowest, p.lowest_unit, p.stock)
        assert p.status == ProductStatus.ON_SALE
        assert p.is_visible == (p.supplier.status == SupplierStatus.ACTIVE)
        assert p.origin_county_id == p.supplier.county_id
        assert p.origin_province_id == p.origin_county.province_id
        assert NOW - datetime.timedelta(days=731) <= p.published_at <= NOW
        assert p.main_thumbnail == f"products/demo/{p.category.slug}-thumb.jpg"
        assert p.search_text.count("\x1f") == 1
        assert set(p.certifications) <= {"green_food", "organic", "geo_indication"}


def test_same_seed_same_catalogue_and_it_only_adds(suppliers):
    generate_catalog(products=30, seed=42, suppliers=suppliers, now=NOW)
    first = _content(Product.objects.order_by("id").prefetch_related("skus"))
    Product.objects.all().delete()

    generate_catalog(products=30, seed=42, suppliers=suppliers, now=NOW)
    again = _content(Product.objects.order_by("id").prefetch_related("skus"))
    assert again == first

    generate_catalog(products=10, seed=43, suppliers=suppliers, now=NOW)
    assert Product.objects.count() == 40


def test_category_images_are_shared_files(suppliers, settings):
    from django.core.files.storage import default_storage

    generate_catalog(products=40, seed=5, suppliers=suppliers, now=timezone.now())

    thumbs = set(Product.objects.values_list("main_thumbnail", flat=True))
    assert len(thumbs) == Category.objects.filter(children__isnull=True).count()
    assert all(default_storage.exists(t) for t in thumbs)
    assert default_storage.exists("products/demo/rice.jpg")


def test_generated_listings_have_their_reports_and_suppliers_their_documents(suppliers):
    from catalog.services import product_precheck
    from suppliers.models import Qualification

    assert not Qualification.objects.exists()
    result = generate_catalog(products=60, seed=8, suppliers=suppliers, now=timezone.now())

    today = timezone.localdate()
    products = Product.objects.select_related("category", "supplier").prefetch_related(
        "skus", "images", "test_reports", "supplier__qualifications"
    )
    needing = [p for p in products if p.category.requires_test_report]
    assert needing and all(p.test_reports.all() for p in needing)
    for p in needing:
        (report,) = p.test_reports.all()
        assert report.result == "pass" and 15 <= (today - report.report_date).days <= 300
    assert not [p for p in products if not p.category.requires_test_report and p.test_reports.all()]
    # the active suppliers' listings pass the pre-check (documents were added where none were held)
    assert result["documents"] == Qualification.objects.count() > 0
    assert not [p.name for p in products if p.is_visible and product_precheck(p)]
