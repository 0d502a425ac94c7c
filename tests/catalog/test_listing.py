"""Products and SKUs, the pre-check and the listing workflow, through the services."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from PIL import Image

from catalog import services
from catalog.models import Product, ProductEvent, ProductStatus, Sku, SkuPriceChange
from catalog.workflow import ProductAction
from suppliers import services as supplier_services
from suppliers.models import SupplierStatus
from suppliers.workflow import Action
from tests.catalog.conftest import jpeg_upload

pytestmark = pytest.mark.django_db


def test_a_product_with_two_skus_gets_unit_prices_and_a_summary(listings):
    product = listings.product()
    assert [(s.spec, s.unit_price) for s in product.skus.order_by("position")] == [
        ("5kg/箱", Decimal("4.99")),
        ("10kg/箱", Decimal("4.45")),
    ]
    product.refresh_from_db()
    assert (product.min_price, product.min_unit_price, product.total_stock) == (
        Decimal("49.90"),
        Decimal("4.45"),
        150,
    )
    assert product.origin_county == listings.supplier.county  # defaults to the supplier's county
    assert product.top_category.slug == "fruit"  # the branch's root, for top-level category pages
    assert product.main_thumbnail.endswith(".jpg")
    assert product.status == ProductStatus.DRAFT and not product.is_visible
    assert SkuPriceChange.objects.filter(sku__product=product).count() == 2  # creation is a change too


@pytest.mark.parametrize(
    "sku,field",
    [
        ({"price": Decimal("0")}, "price"),
        ({"price": Decimal("-3")}, "price"),
        ({"net_quantity": Decimal("0")}, "net_quantity"),
        ({"stock": -1}, "stock"),
        ({"unit": "L"}, "unit"),  # litres cannot be priced per 500 g
    ],
)
def test_bad_sku_values_are_reported_on_their_field_and_nothing_is_saved(listings, sku, field):
    with pytest.raises(ValidationError) as info:
        listings.product(skus=[listings.sku(), {**listings.sku(), **sku}], image=False)
    assert list(info.value.sku_rows) == [1] and list(info.value.sku_rows[1]) == [field]
    assert info.value.fields == {} and list(info.value.message_dict) == ["skus"]
    assert not Product.objects.exists() and not Sku.objects.exists()


def test_the_unit_message_names_what_fits(listings):
    with translation.override("en"), pytest.raises(ValidationError) as info:
        listings.product(skus=[listings.sku(unit="L")], image=False)
    assert info.value.sku_rows[0]["unit"] == ["This category compares prices ¥/500 g: use g、kg."]


def test_only_leaf_categories_and_active_suppliers(listings):
    with pytest.raises(ValidationError) as info:
        listings.product(slug="fruit", image=False)
    assert "category" in info.value.message_dict
    draft, user = listings.onboarding.draft()
    with pytest.raises(ValidationError):
        listings.product(supplier=draft, user=user, image=False)
    assert not Product.objects.exists()


def test_another_supplier_cannot_write_to_a_product(listings):
    product = listings.product()
    _other, other_user = listings.active_supplier()
    with pytest.raises(PermissionDenied):
        services.product_save(
            supplier=listings.supplier,
            by=other_user,
            product=product,
            data=listings.data(),
            skus=[listings.sku()],
        )
    with pytest.raises(PermissionDenied):
        services.product_image_add(product=product, by=other_user, upload=jpeg_upload())


def test_precheck_lists_what_is_missing(listings):
    with translation.override("en"):
        product = listings.product(
            slug="green-tea",
            name="巴东富硒绿茶",
            image=False,
            skus=[listings.sku("250g/罐", "250", "g", "98.00")],
            description="",
        )
        messages = [p.message for p in services.product_precheck(product)]
    assert messages == [
        "Add a description.",
        "Upload a main image.",
        "This category requires a passed test report.",
    ]
    assert [(p.field, p.code) for p in services.product_precheck(product)] == [
        ("description", "listing.no_description"),
        ("images", "listing.no_main_image"),
        ("test_reports", "listing.no_passed_test_report"),
    ]
    with pytest.raises(ValidationError) as info:
        services.product_transition(product=product, action=ProductAction.SUBMIT, by=listings.user)
    assert len(info.value.messages) == 3
    product.refresh_from_db()
    assert product.status == ProductStatus.DRAFT


def test_precheck_requires_the_categorys_qualifications(listings):
    supplier, user = listings.active_supplier(product_lines=("fresh_produce",))
    supplier.qualifications.filter(type="food_production").delete()
    product = listings.product(
        slug="green-tea",
        supplier=supplier,
        user=user,
        report=True,
        skus=[listings.sku("250g/罐", "250", "g", "98.00")],
    )
    with translation.override("en"):
        assert [p.message for p in services.product_precheck(product)] == [
            "This category requires a valid Food production licence (食品生产许可证)."
        ]
    [problem] = services.product_precheck(product)
    assert (problem.code, problem.params) == (
        "qualification.category_requires",
        {"types": ["food_production"]},
    )


def test_the_whole_workflow_is_recorded(listings):
    product = listings.on_sale()
    assert product.status == ProductStatus.ON_SALE and product.is_visible and product.published_at
    actions = list(ProductEvent.objects.filter(product=product).values_list("action", "actor"))
    assert actions == [
        ("submit", listings.user.pk),
        ("approve", listings.ops.pk),
        ("put_on_sale", listings.user.pk),
    ]
    product = services.product_transition(
        product=product, action=ProductAction.TAKE_OFF_SALE, by=listings.user
    )
    assert not product.is_visible


def test_each_step_records_the_role_its_author_acted_in(listings):
    product = listings.on_sale()
    roles = list(ProductEvent.objects.filter(product=product).values_list("action", "actor_role", "details"))
    assert roles == [("submit", "supplier", {}), ("approve", "ops", {}), ("put_on_sale", "supplier", {})]


def test_reject_and_delist_need_a_reason_and_only_ops_decide(listings):
    product = listings.product()
    services.product_transition(product=product, action=ProductAction.SUBMIT, by=listings.user)
    with pytest.raises(PermissionDenied):
        services.product_transition(product=product, action=ProductAction.APPROVE, by=listings.user)
    with pytest.raises(ValidationError):
        services.product_transition(product=product, action=ProductAction.REJECT, by=listings.ops, reason="")
    product = services.product_transition(
        product=product, action=ProductAction.REJECT, by=listings.ops, reason="主图与商品不符"
    )
    assert product.status == ProductStatus.REJECTED
    # A rejected product is edited and submitted again.
    services.product_save(
        supplier=listings.supplier,
        by=listings.user,
        product=product,
        data=listings.data(name="秭归脐橙 新果"),
        skus=[listings.sku()],
    )
    services.product_transition(product=product, action=ProductAction.SUBMIT, by=listings.user)


def test_a_product_on_sale_cannot_be_edited_but_its_price_can(listings):
    product = listings.on_sale()
    with pytest.raises(ValidationError):
        services.product_save(
            supplier=listings.supplier,
            by=listings.user,
            product=product,
            data=listings.data(name="改名"),
            skus=[listings.sku()],
        )
    sku = product.skus.order_by("position").first()
    services.sku_update(sku=sku, by=listings.user, price=Decimal("45.00"), stock=80)
    change = SkuPriceChange.objects.filter(sku=sku).order_by("-id").first()
    assert (change.old_price, change.new_price, change.old_unit_price, change.new_unit_price) == (
        Decimal("49.90"),
        Decimal("45.00"),
        Decimal("4.99"),
        Decimal("4.50"),
    )
    assert change.actor == listings.user
    product.refresh_from_db()
    assert product.total_stock == 130 and product.name != "改名"
    with pytest.raises(ValidationError):
        services.sku_update(sku=sku, by=listings.user, stock=-5)
    sku.refresh_from_db()
    assert sku.stock == 80


def test_suspending_the_supplier_hides_its_products_at_once(listings):
    product = listings.on_sale()
    supplier_services.supplier_transition(
        supplier=listings.supplier, action=Action.SUSPEND, by=listings.onboarding.ops, reason="抽检不合格"
    )
    product.refresh_from_db()
    assert not product.is_visible and product.status == ProductStatus.ON_SALE
    supplier_services.supplier_transition(
        supplier=listings.supplier, action=Action.REINSTATE, by=listings.onboarding.ops, reason="已整改"
    )
    product.refresh_from_db()
    assert product.is_visible
    listings.supplier.refresh_from_db()
    assert listings.supplier.status == SupplierStatus.ACTIVE


def test_images_are_re_encoded_without_exif_and_get_a_thumbnail(listings):
    product = listings.product(image=False)
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    image = services.product_image_add(
        product=product, by=listings.user, upload=jpeg_upload(size=(3000, 2000), exif=exif.tobytes())
    )
    with Image.open(image.image.path) as stored:
        assert max(stored.size) == services.IMAGE_MAX_SIDE and not stored.getexif()
    with Image.open(image.thumbnail.path) as thumb:
        assert max(thumb.size) <= services.THUMBNAIL_SIDE
    assert image.is_main


def test_a_file_that_is_not_an_image_is_refused_on_the_image_field(listings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    product = listings.product(image=False)
    with pytest.raises(ValidationError) as info:
        services.product_image_add(
            product=product,
            by=listings.user,
            upload=SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg"),
        )
    assert list(info.value.message_dict) == ["image"]
    assert not product.images.exists()


def test_stock_csv_is_all_or_nothing_with_an_error_per_line(listings):
    product = listings.product()
    other, other_user = listings.active_supplier()
    foreign = listings.product(supplier=other, user=other_user, image=False)
    a, b = product.skus.order_by("position")
    bad = f"sku_id,stock\n{a.pk},5\n{b.pk},-2\nabc,3\n{foreign.skus.first().pk},9\n{a.pk},7\n".encode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    with translation.override("en"), pytest.raises(ValidationError) as info:
        services.stock_import_csv(
            supplier=listings.supplier, by=listings.user, file=SimpleUploadedFile("s.csv", bad)
        )
    assert info.value.messages == [
        "Line 3: Stock cannot be below zero.",
        "Line 4: “abc” is not a SKU number.",
        f"Line 5: SKU {foreign.skus.first().pk} is not one of yours.",
        f"Line 6: SKU {a.pk} appears twice.",
    ]
    a.refresh_from_db()
    assert a.stock == 100  # unchanged
    good = f"sku_id,stock\n{a.pk},5\n{b.pk},0\n".encode()
    assert (
        services.stock_import_csv(
            supplier=listings.supplier, by=listings.user, file=SimpleUploadedFile("s.csv", good)
        )
        == 2
    )
    product.refresh_from_db()
    assert product.total_stock == 5


def test_prices_changed_by_csv_are_kept_in_the_history_like_any_other(listings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from catalog.models import SkuPriceChange

    product = listings.product()
    a, b = product.skus.order_by("position")  # 5 kg ¥49.90, 10 kg ¥89.00
    bad = f"sku_id,stock,price\n{a.pk},5,0\n{b.pk},3,12.345\n".encode()
    with translation.override("en"), pytest.raises(ValidationError) as info:
        services.stock_import_csv(
            supplier=listings.supplier, by=listings.user, file=SimpleUploadedFile("s.csv", bad)
        )
    assert info.value.messages == [
        "Line 2: Price “0” is not an amount in yuan above zero (e.g. 49.90).",
        "Line 3: Price “12.345” is not an amount in yuan above zero (e.g. 49.90).",
    ]
    before = list(SkuPriceChange.objects.values_list("pk", flat=True))
    good = f"sku_id,stock,price\n{a.pk},5,45.00\n{b.pk},3,\n".encode()  # an empty price keeps it
    services.stock_import_csv(
        supplier=listings.supplier, by=listings.user, file=SimpleUploadedFile("s.csv", good)
    )
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.price, a.unit_price, a.stock) == (Decimal("45.00"), Decimal("4.50"), 5)
    assert (b.price, b.stock) == (Decimal("89.00"), 3)
    change = SkuPriceChange.objects.exclude(pk__in=before).get()
    assert (
        change.sku,
        change.old_price,
        change.new_price,
        change.new_unit_price,
        change.source,
        change.actor,
    ) == (
        a,
        Decimal("49.90"),
        Decimal("45.00"),
        Decimal("4.50"),
        "csv",
        listings.user,
    )
    product.refresh_from_db()
    assert product.min_price == Decimal("45.00")


def test_stock_changes_outside_orders_are_in_the_stock_ledger(listings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from catalog.models import StockMovement

    product = listings.product()
    a, b = product.skus.order_by("position")  # made with 100 and 50 in stock: their ledgers start empty
    assert not StockMovement.objects.exists()
    services.sku_update(sku=a, by=listings.user, stock=80)
    csv = f"sku_id,stock\n{a.pk},80\n{b.pk},45\n".encode()  # a unchanged: no row
    services.stock_import_csv(
        supplier=listings.supplier, by=listings.user, file=SimpleUploadedFile("s.csv", csv)
    )
    assert list(StockMovement.objects.filter(sku=a).values_list("change", "stock_after", "reason")) == [
        (-20, 80, "supplier_adjustment"),
    ]
    assert list(
        StockMovement.objects.filter(sku=b).values_list("change", "stock_after", "reason", "actor")
    ) == [
        (-5, 45, "csv_import", listings.user.pk),
    ]


def test_a_sku_with_history_taken_out_of_the_form_is_withdrawn_not_deleted(listings):
    product = listings.product()
    a, b = product.skus.order_by("position")
    services.sku_update(sku=b, by=listings.user, stock=40)  # now in the stock ledger
    services.product_save(
        supplier=listings.supplier,
        by=listings.user,
        product=product,
        data=listings.data(),
        skus=[{"id": a.pk, **listings.sku()}, {"id": b.pk, "delete": True}],
    )
    b.refresh_from_db()  # still there: its stock ledger points to it
    assert b.is_active is False
    product.refresh_from_db()
    assert product.total_stock == 100


def test_the_supplier_reads_the_decision_in_its_own_language(listings):
    from accounts.models import Notification

    listings.user.language = "en"
    listings.user.save(update_fields=["language"])
    product = listings.on_sale()
    with translation.override("zh-hans"):  # ops work in Chinese
        services.product_transition(
            product=product, action=ProductAction.DELIST, by=listings.ops, reason="图片不符"
        )
    note = Notification.objects.filter(user=listings.user).latest("id")
    assert note.subject == f"Delist: {product.name}"
    assert note.body == f"“{product.name}” is now “Delisted by the platform”.\nReason: 图片不符"
    assert note.link == f"/suppliers/products/{product.pk}/"
