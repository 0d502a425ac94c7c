"""What documents a product: its images, test reports and trace batches."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.models import Product, ProductImage, TestReport, TraceBatch
from catalog.services._common import lock_product, require_supplier
from catalog.services.summary import product_refresh_summary
from core.uploads import clean_document, clean_image, make_thumbnail

IMAGE_MAX_SIDE = 1600
THUMBNAIL_SIDE = 400
MAX_IMAGES = 10


def _require_editable_images(product: Product) -> None:
    # Images are what the reviewer approved: they change only while the product is editable.
    if not product.is_editable:
        raise ValidationError(
            {"image": [_("Images can be changed while the product is a draft, rejected or off sale.")]}
        )


@transaction.atomic
def product_image_add(*, product: Product, by: User, upload, make_main: bool = False) -> ProductImage:
    product = lock_product(product)
    require_supplier(by, product.supplier)
    _require_editable_images(product)
    if product.images.count() >= MAX_IMAGES:
        raise ValidationError({"image": [_("A product has at most %(n)d images.") % {"n": MAX_IMAGES}]})
    try:
        clean = clean_image(upload, max_side=IMAGE_MAX_SIDE)
    except ValidationError as exc:
        raise ValidationError({"image": exc.messages}) from exc
    thumb = make_thumbnail(clean, side=THUMBNAIL_SIDE)
    first = not product.images.exists()
    image = ProductImage(product=product, sha256=clean.sha256, position=product.images.count())
    image.image.save(clean.content.name, clean.content, save=False)
    image.thumbnail.save(thumb.name, thumb, save=False)
    if make_main or first:
        product.images.filter(is_main=True).update(is_main=False)
        image.is_main = True
    image.save()
    product_refresh_summary(product)
    return image


@transaction.atomic
def product_image_set_main(*, image: ProductImage, by: User) -> None:
    product = lock_product(image.product)
    require_supplier(by, product.supplier)
    _require_editable_images(product)
    product.images.filter(is_main=True).update(is_main=False)
    ProductImage.objects.filter(pk=image.pk).update(is_main=True)
    product_refresh_summary(product)


@transaction.atomic
def product_image_delete(*, image: ProductImage, by: User) -> None:
    product = lock_product(image.product)
    require_supplier(by, product.supplier)
    _require_editable_images(product)
    was_main = image.is_main
    names = [image.image.name, image.thumbnail.name]
    storage = image.image.storage
    image.delete()
    if was_main:
        successor = product.images.order_by("position", "id").first()
        if successor:
            ProductImage.objects.filter(pk=successor.pk).update(is_main=True)
    product_refresh_summary(product)
    transaction.on_commit(lambda: [storage.delete(n) for n in names])


@transaction.atomic
def test_report_add(
    *,
    product: Product,
    by: User,
    lab: str,
    report_number: str,
    report_date: datetime.date,
    result: str,
    upload,
) -> TestReport:
    product = lock_product(product)
    require_supplier(by, product.supplier)
    errors: dict[str, list[str]] = {}
    if not lab.strip():
        errors["lab"] = [_("Name the laboratory.")]
    if not report_number.strip():
        errors["report_number"] = [_("Enter the report number.")]
    if report_date and report_date > timezone.localdate():
        errors["report_date"] = [_("The report date cannot be in the future.")]
    if result not in TestReport.Result.values:
        errors["result"] = [_("Choose the result.")]
    clean = None
    try:
        clean = clean_document(upload) if upload is not None else None
        if clean is None:
            errors["file"] = [_("Upload the report.")]
    except ValidationError as exc:
        errors["file"] = exc.messages
    if errors:
        raise ValidationError(errors)
    report = TestReport(
        product=product,
        lab=lab.strip(),
        report_number=report_number.strip(),
        report_date=report_date,
        result=result,
        file_type=clean.content_type,
    )
    report.file.save(f"{product.pk}-{clean.content.name}", clean.content, save=False)
    report.save()
    return report


@transaction.atomic
def trace_batch_add(
    *,
    product: Product,
    by: User,
    batch_number: str,
    produced_on: datetime.date,
    base: str,
    quantity: str,
    test_report: TestReport | None = None,
) -> TraceBatch:
    product = lock_product(product)
    require_supplier(by, product.supplier)
    errors: dict[str, list[str]] = {}
    if not batch_number.strip():
        errors["batch_number"] = [_("Enter the batch number.")]
    elif product.trace_batches.filter(batch_number=batch_number.strip()).exists():
        errors["batch_number"] = [_("This product already has a batch with this number.")]
    if produced_on and produced_on > timezone.localdate():
        errors["produced_on"] = [_("The date cannot be in the future.")]
    if not base.strip():
        errors["base"] = [_("Name the base or farm.")]
    if test_report is not None and test_report.product_id != product.pk:
        errors["test_report"] = [_("Choose a report of this product.")]
    if errors:
        raise ValidationError(errors)
    return TraceBatch.objects.create(
        product=product,
        batch_number=batch_number.strip(),
        produced_on=produced_on,
        base=base.strip(),
        quantity=quantity.strip(),
        test_report=test_report,
    )
