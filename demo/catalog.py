"""Demo products: a few complete listings of the named demo suppliers, made through the services
(images, SKUs, test reports, trace batches, review), then ``--products N`` generated in bulk.

Every listing on sale has what its category requires (documents, a recent passing test report, SKU
specs that say what the SKU holds), except the few in ``MEANT_TO_FAIL``: each fails the platform's
own checks for one real reason, so the nightly spot-check sweep has something true to find.
"""

import datetime
import io
from decimal import Decimal
from typing import NamedTuple

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from accounts.models import User
from catalog import services
from catalog.models import Category, Product, TestReport
from catalog.workflow import ProductAction
from demo import DemoContext, demo_scan_png
from demo.catalog_bulk import generate_catalog
from demo.catalog_leaves import LEAF_BY_SLUG
from suppliers.models import Supplier, SupplierStatus

# supplier username, category slug, name, brand, colour, skus (spec, qty, unit, packs, price, stock),
# age of its passing test report in days (None: no report), trace batch
LISTINGS = [
    (
        "supplier",
        "green-tea",
        "巴东富硒绿茶 明前特级",
        "金果",
        (86, 140, 60),
        [("250g/罐", "250", "g", 1, "98.00", 120), ("500g/礼盒", "500", "g", 1, "180.00", 60)],
        30,
        True,
    ),
    (
        "supplier",
        "black-tea",
        "巴东高山工夫红茶",
        "金果",
        (150, 60, 40),
        [("200g/袋", "200", "g", 1, "68.00", 200), ("100g×3袋", "100", "g", 3, "96.00", 80)],
        30,
        False,
    ),
    (
        "supplier",
        "green-tea",
        "巴东玉露 明前一级",
        "金果",
        (70, 130, 70),
        # The tin says 250 g; what it holds (and is priced as) is 125 g.
        [("250g/罐", "125", "g", 1, "68.00", 90)],
        45,
        False,
    ),
    (
        "supplier-expiring",
        "citrus",
        "秭归脐橙 当季现摘",
        "橙乡",
        (240, 140, 30),
        [("5kg/箱", "5", "kg", 1, "49.90", 500), ("10kg/箱", "10", "kg", 1, "89.00", 300)],
        30,
        True,
    ),
    (
        "supplier-expiring",
        "citrus",
        "秭归夏橙 果园直发",
        "橙乡",
        (250, 170, 40),
        [("4.5kg/箱", "4.5", "kg", 1, "42.00", 0)],
        None,
        False,
    ),
    (
        "supplier-expiring",
        "citrus",
        "秭归血橙 精品礼盒",
        "橙乡",
        (200, 70, 40),
        [("5kg/礼盒", "5", "kg", 1, "99.00", 150)],  # its JD reference: ¥56.00 (demo.pricing)
        None,
        False,
    ),
    (
        "supplier-expiring",
        "citrus",
        "秭归脐橙 家庭装",
        "橙乡",
        (245, 160, 50),
        [("10斤装", "5", "kg", 1, "19.90", 400)],  # its JD reference: ¥52.80 (demo.pricing)
        None,
        False,
    ),
    (
        "supplier-honey",
        "honey",
        "罗田土蜂蜜 成熟蜜",
        "天堂寨",
        (230, 170, 30),
        [("500g/瓶", "500", "g", 1, "68.00", 300), ("500g×2瓶", "500", "g", 2, "128.00", 120)],
        460,  # fifteen months: honey's report is valid for twelve
        True,
    ),
    (
        "supplier-honey",
        "honey",
        "罗田百花蜜 农家自产",
        "天堂寨",
        (235, 185, 60),
        [("1kg/瓶", "1", "kg", 1, "98.00", 200)],
        60,
        False,
    ),
]


class MeantToFail(NamedTuple):
    """A demo listing on sale that fails the platform's checks, on purpose, for one reason."""

    name: str
    supplier: str  # username
    check: str  # what finds it: qualification, spec, test_report, price
    reason: str
    frozen: bool  # its finding blocks: the nightly sweep hides it from buyers (demo.inspections runs one)


# The only demo listings on sale that fail a check (tests/demo/test_demo_listings.py holds the rest to it);
# the sweep freezes those whose finding blocks (a wrong spec, an out-of-date report), not the price ones.
MEANT_TO_FAIL = (
    MeantToFail(
        "巴东玉露 明前一级",
        "supplier",
        "spec",
        "Its only SKU's spec text says 250g/罐 but its net quantity (and price) is for 125 g.",
        frozen=True,
    ),
    MeantToFail(
        "罗田土蜂蜜 成熟蜜",
        "supplier-honey",
        "test_report",
        "Its only test report is 460 days old; honey's reports are valid for 12 months.",
        frozen=True,
    ),
    MeantToFail(
        "秭归血橙 精品礼盒",
        "supplier-expiring",
        "price",
        "¥99.00 for 5 kg is 1.77 times the same product's fresh JD price (¥56.00): very high.",
        frozen=False,
    ),
    MeantToFail(
        "秭归脐橙 家庭装",
        "supplier-expiring",
        "price",
        "¥19.90 for 5 kg is 0.38 times the same product's fresh JD price (¥52.80): suspiciously low.",
        frozen=False,
    ),
)


def product_photo(colour: tuple[int, int, int], seed: int) -> bytes:
    """A stand-in product photo made with Pillow: fruit-like discs on a warm background."""
    image = Image.new("RGB", (900, 900), (248, 242, 228))
    draw = ImageDraw.Draw(image)
    for i in range(5):
        r = 150 + (seed * 37 + i * 53) % 60
        cx, cy = 200 + (i * 173 + seed * 29) % 500, 220 + (i * 211 + seed * 41) % 460
        shade = tuple(max(0, min(255, c + (i - 2) * 12)) for c in colour)
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=shade, outline=(90, 70, 40), width=4)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def _make_listing(ctx: DemoContext, user: User, ops: User, listing) -> None:
    _username, slug, name, brand, colour, skus, report_age, with_batch = listing
    supplier = user.supplier
    category = Category.objects.get(slug=slug)
    product = services.product_save(
        supplier=supplier,
        by=user,
        data={
            "category": category,
            "name": name,
            "brand": brand,
            "origin_county": supplier.county,
            "description": f"{supplier.county.name}高山产区出品，{name}。产地直发，品质可溯源。",
            "shelf_life_days": LEAF_BY_SLUG[slug].shelf_life[1],
            "storage": LEAF_BY_SLUG[slug].storage,
            "certifications": [],  # no certificate to back a claim (绿色食品 needs one)
        },
        skus=[
            {
                "spec": spec,
                "net_quantity": Decimal(qty),
                "unit": unit,
                "pack_count": packs,
                "price": Decimal(price),
                "stock": stock,
                "weight_grams": None,
            }
            for spec, qty, unit, packs, price, stock in skus
        ],
        source="demo",
    )
    photo = SimpleUploadedFile("photo.jpg", product_photo(colour, len(name)), content_type="image/jpeg")
    services.product_image_add(product=product, by=user, upload=photo)
    today = timezone.localdate()
    report = None
    if report_age is not None:
        scan = demo_scan_png(title="TEST REPORT", lines=[f"{name[:8]}", "RESULT: PASS"], seed=product.pk)
        report = services.test_report_add(
            product=product,
            by=user,
            lab="湖北省农产品质量安全检测中心",
            report_number=f"HB{today:%Y}{product.pk:05d}",
            report_date=today - datetime.timedelta(days=report_age),
            result=TestReport.Result.PASS,
            upload=SimpleUploadedFile("report.png", scan, content_type="image/png"),
        )
    if with_batch:
        services.trace_batch_add(
            product=product,
            by=user,
            batch_number=f"{today:%Y%m}-{product.pk:03d}",
            produced_on=today - datetime.timedelta(days=(report_age or 30) + 10),
            base=f"{supplier.county.name}高山种植基地",
            quantity="1,200 kg",
            test_report=report,
        )
    services.product_transition(product=product, action=ProductAction.SUBMIT, by=user)
    services.product_transition(product=product, action=ProductAction.APPROVE, by=ops)
    services.product_transition(product=product, action=ProductAction.PUT_ON_SALE, by=user)
    ctx.count("products")


def seed(ctx: DemoContext) -> None:
    ops = ctx.made.get("user:ops-content") or User.objects.get(username="ops-content")
    users = {
        u.username: u
        for u in User.objects.filter(username__in={row[0] for row in LISTINGS}).select_related(
            "supplier__county"
        )
    }
    existing = set(Product.objects.values_list("name", flat=True))
    for listing in LISTINGS:
        user = users.get(listing[0])
        if user is None or listing[2] in existing or user.supplier.status != SupplierStatus.ACTIVE:
            continue
        _make_listing(ctx, user, ops, listing)

    wanted = ctx.options.get("products") or 0
    have = Product.objects.count()
    if wanted > have:
        suppliers = list(
            Supplier.objects.filter(status=SupplierStatus.ACTIVE).select_related("county__province")
        )
        generate_catalog(products=wanted - have, seed=ctx.rng.randint(0, 2**31), suppliers=suppliers)
        ctx.count("generated products", wanted - have)
