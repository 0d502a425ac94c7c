"""Every write to the catalogue: products and SKUs, images, test reports, trace batches, the listing
workflow with its automatic pre-check, stock updates and buyer visibility."""

import csv
import datetime
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Min, ProtectedError, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.actors import actor_of
from accounts.models import Role, User
from accounts.notifications import notify
from catalog import search
from catalog.hooks import SKU_PRICES_CHANGED
from catalog.models import (
    Category,
    Certification,
    Product,
    ProductImage,
    ProductStatus,
    Sku,
    SkuPriceChange,
    Storage,
    TestReport,
    TraceBatch,
)
from catalog.selectors import leaf_ids, top_category_id
from catalog.units import PriceBasis, Unit, UnitMismatch, unit_price, units_for_basis
from catalog.workflow import LISTING, OPS, ProductAction
from core import workflow
from core.money import CENT
from core.uploads import clean_document, clean_image, make_thumbnail
from core.workflow import Actor
from orders.models import StockMovement, StockReason
from regions.models import County
from suppliers.models import QualificationStatus, Supplier, SupplierStatus
from suppliers.rules import QualificationType

IMAGE_MAX_SIDE = 1600
THUMBNAIL_SIDE = 400
MAX_IMAGES = 10
CONTENT_FIELDS = (
    "category",
    "name",
    "brand",
    "origin_county",
    "description",
    "shelf_life_days",
    "storage",
    "certifications",
)
SKU_FIELDS = ("spec", "net_quantity", "unit", "pack_count", "price", "stock", "weight_grams")


# --- Who acts --------------------------------------------------------------------------------------


def _require_supplier(user: User, supplier: Supplier) -> None:
    if not (user.is_active and user.role == Role.SUPPLIER and user.supplier_id == supplier.pk):
        raise PermissionDenied


def _lock(product: Product) -> Product:
    return (
        Product.objects.select_for_update(of=("self",))
        .select_related("category", "supplier")
        .get(pk=product.pk)
    )


# --- Products and SKUs ------------------------------------------------------------------------------


def _clean_content(data: dict, supplier: Supplier) -> tuple[dict, dict]:
    """Check the product's own fields; returns (clean data, errors by field)."""
    errors: dict[str, list[str]] = {}
    clean = dict(data)
    category = data.get("category")
    if not isinstance(category, Category) or not category.is_active:
        errors["category"] = [_("Choose a category.")]
    elif category.children.exists():
        errors["category"] = [_("Choose the most specific category (a leaf of the tree).")]
    name = (data.get("name") or "").strip()
    if not name:
        errors["name"] = [_("Enter the product name.")]
    clean["name"] = name
    county = data.get("origin_county") or supplier.county
    if not isinstance(county, County) or not county.is_eligible:
        errors["origin_county"] = [_("The origin must be an eligible county.")]
    clean["origin_county"] = county
    certifications = sorted(set(data.get("certifications") or []))
    if set(certifications) - set(Certification.values):
        errors["certifications"] = [_("Unknown certification.")]
    clean["certifications"] = certifications
    if data.get("storage") and data["storage"] not in Storage.values:
        errors["storage"] = [_("Choose a storage condition.")]
    shelf = data.get("shelf_life_days")
    if shelf is not None and shelf <= 0:
        errors["shelf_life_days"] = [_("The shelf life must be at least one day.")]
    return clean, errors


def _clean_sku(row: dict, basis: str) -> tuple[dict, dict]:
    errors: dict[str, list[str]] = {}
    clean = dict(row)
    clean["spec"] = (row.get("spec") or "").strip()
    if not clean["spec"]:
        errors["spec"] = [_("Describe the specification, e.g. 5 kg/bag.")]
    price = row.get("price")
    if price is None or price <= 0:
        errors["price"] = [_("The price must be more than ¥0.00.")]
    elif price != Decimal(price).quantize(Decimal("0.01")):
        errors["price"] = [_("Prices have at most two decimal places.")]
    quantity = row.get("net_quantity")
    if quantity is None or quantity <= 0:
        errors["net_quantity"] = [_("The net quantity must be more than zero.")]
    pack_count = row.get("pack_count") or 1
    if pack_count < 1:
        errors["pack_count"] = [_("A pack holds at least one piece.")]
    clean["pack_count"] = pack_count
    stock = row.get("stock") or 0
    if stock < 0:
        errors["stock"] = [_("Stock cannot be below zero.")]
    clean["stock"] = stock
    unit = row.get("unit")
    if unit not in Unit.values:
        errors["unit"] = [_("Choose a unit.")]
    elif unit not in units_for_basis(basis):
        allowed = "、".join(str(Unit(u).label) for u in units_for_basis(basis))
        errors["unit"] = [
            _("This category compares prices %(basis)s: use %(units)s.")
            % {"basis": PriceBasis(basis).label, "units": allowed}
        ]
    if not errors:
        try:
            clean["unit_price"] = unit_price(
                price=price, net_quantity=quantity, unit=unit, pack_count=pack_count, basis=basis
            )
        except (UnitMismatch, ValueError):
            errors["unit"] = [_("The unit price cannot be computed from this quantity and unit.")]
    return clean, errors


@transaction.atomic
def product_save(
    *,
    supplier: Supplier,
    by: User,
    data: dict,
    skus: list[dict],
    product: Product | None = None,
    source: str = "form",
) -> Product:
    """Create a product, or change one that is editable, together with its SKUs, in one go.

    ``skus`` rows carry the SKU fields, an optional ``id`` of an existing SKU and ``delete``.
    Errors are raised as one ValidationError: product fields by name, SKU fields as
    ``sku-<row>-<field>``; nothing is written unless everything is valid.
    """
    _require_supplier(by, supplier)
    supplier = Supplier.objects.select_related("county").get(
        pk=supplier.pk
    )  # its current state, not a stale copy
    if supplier.status != SupplierStatus.ACTIVE:
        raise ValidationError(_("Only approved suppliers can list products."))
    if product is not None:
        product = _lock(product)
        if product.supplier_id != supplier.pk:
            raise PermissionDenied
        if not product.is_editable:
            raise ValidationError(
                _("A product that is “%(status)s” cannot be edited; change prices and stock on its SKUs.")
                % {"status": product.get_status_display()}
            )
    clean, errors = _clean_content(data, supplier)
    basis = clean["category"].price_basis if "category" not in errors else PriceBasis.PER_500G
    rows = []
    existing = {s.pk: s for s in product.skus.all()} if product else {}
    for i, row in enumerate(skus):
        if row.get("delete"):
            if row.get("id") and row["id"] not in existing:
                errors.setdefault("skus", []).append(_("Unknown SKU."))
            rows.append((i, row, None))
            continue
        sku_clean, sku_errors = _clean_sku(row, basis)
        for field, messages in sku_errors.items():
            errors[f"sku-{i}-{field}"] = messages
        if row.get("id") and row["id"] not in existing:
            errors[f"sku-{i}-spec"] = [_("Unknown SKU.")]
        rows.append((i, row, sku_clean))
    if not any(clean_row for _i, _row, clean_row in rows):
        errors.setdefault("skus", []).append(_("Add at least one SKU."))
    if errors:
        raise ValidationError(errors)

    previous_status = product.status if product else None
    if product is None:
        product = Product(supplier=supplier)
    for field in CONTENT_FIELDS:
        if field in clean:
            setattr(product, field, clean[field])
    product.origin_province_id = clean["origin_county"].province_id
    product.top_category_id = top_category_id(product.category_id)
    product.save()

    repriced: list[int] = []
    for position, (_i, row, sku_clean) in enumerate(rows):
        if sku_clean is None:
            if row.get("id"):
                _remove_sku(existing[row["id"]])
            continue
        sku = existing.get(row.get("id")) or Sku(product=product)
        old_price, old_unit_price, old_spec = (
            (sku.price, sku.unit_price, sku.spec) if sku.pk else (None, None, "")
        )
        old_stock = sku.stock if sku.pk else None  # a new SKU's ledger starts at its first change
        for field in SKU_FIELDS:
            if field in sku_clean:
                setattr(sku, field, sku_clean[field])
        sku.unit_price = sku_clean["unit_price"]
        sku.position = position
        sku.save()
        if old_stock is not None:
            _record_stock_change(sku, old_stock, by=by, reason=StockReason.SUPPLIER_ADJUSTMENT, note=source)
        if _record_price_change(
            sku, old_price, old_unit_price, old_spec, by=by, source=source, rejudge=False
        ):
            repriced.append(sku.pk)
    if repriced:
        SKU_PRICES_CHANGED(sku_ids=repriced)  # one background job for the product's SKUs

    if previous_status == ProductStatus.OFF_SALE:
        workflow.transition(
            LISTING,
            product,
            action=ProductAction.EDIT,
            by=by,
            actor=Actor.SUPPLIER,
            reason=_("Edited while off sale: needs review again."),
            locked=True,
        )
    product_refresh_summary(product)
    return product


def _record_stock_change(sku: Sku, old_stock: int, *, by: User | None, reason: str, note: str = "") -> None:
    """Keep a stock change made outside an order in the stock ledger (orders.StockMovement)."""
    if sku.stock != old_stock:
        StockMovement.objects.create(
            sku=sku, change=sku.stock - old_stock, stock_after=sku.stock, reason=reason, actor=by, note=note
        )


def _remove_sku(sku: Sku) -> None:
    """Delete a SKU taken out of the form; one that orders or the stock ledger point to is kept,
    no longer offered, so what was bought stays on record."""
    try:
        with transaction.atomic():
            sku.delete()
    except ProtectedError:
        sku.is_active = False
        sku.save(update_fields=["is_active"])


def _record_price_change(
    sku: Sku, old_price, old_unit_price, old_spec: str, *, by: User | None, source: str, rejudge: bool = True
) -> bool:
    """Keep a price or spec change in the history and, unless the caller re-judges a batch itself
    (``rejudge=False``), queue the SKU's price verdict. Returns whether anything changed."""
    if old_price == sku.price and old_spec == sku.spec and old_unit_price == sku.unit_price:
        return False
    SkuPriceChange.objects.create(
        sku=sku,
        old_price=old_price,
        new_price=sku.price,
        old_unit_price=old_unit_price,
        new_unit_price=sku.unit_price,
        old_spec=old_spec,
        new_spec=sku.spec,
        source=source,
        actor=by,
    )
    if rejudge:
        SKU_PRICES_CHANGED(sku_ids=[sku.pk])
    return True


@transaction.atomic
def sku_update(
    *,
    sku: Sku,
    by: User,
    price: Decimal | None = None,
    stock: int | None = None,
    spec: str | None = None,
    source: str = "form",
) -> Sku:
    """Change a SKU's price, stock or specification, including while on sale (recorded)."""
    product = _lock(sku.product)
    _require_supplier(by, product.supplier)
    sku = Sku.objects.select_for_update().get(pk=sku.pk, product=product)
    row = {f: getattr(sku, f) for f in SKU_FIELDS}
    row |= {k: v for k, v in {"price": price, "stock": stock, "spec": spec}.items() if v is not None}
    clean, errors = _clean_sku(row, product.category.price_basis)
    if errors:
        raise ValidationError(errors)
    old = (sku.price, sku.unit_price, sku.spec)
    old_stock = sku.stock
    sku.price, sku.stock, sku.spec, sku.unit_price = (
        clean["price"],
        clean["stock"],
        clean["spec"],
        clean["unit_price"],
    )
    sku.save(update_fields=["price", "stock", "spec", "unit_price"])
    _record_stock_change(sku, old_stock, by=by, reason=StockReason.SUPPLIER_ADJUSTMENT, note=source)
    _record_price_change(sku, *old, by=by, source=source)
    product_refresh_summary(product)
    return sku


@dataclass(frozen=True)
class RowError:
    line: int
    message: str


def stock_import_csv(*, supplier: Supplier, by: User, file) -> int:
    """Set stock, and prices where a ``price`` column is given, from a CSV with columns
    ``sku_id,stock[,price]`` (header required; an empty price cell keeps the price). All rows or
    none: any bad row raises ValidationError listing every bad line, and nothing changes. Every
    price changed this way is recorded in the price history (source "csv") like any other."""
    _require_supplier(by, supplier)
    try:
        text = file.read().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(_("The file is not UTF-8 text (save it as “CSV UTF-8”).")) from exc
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or not {"sku_id", "stock"} <= {f.strip() for f in reader.fieldnames}:
        raise ValidationError(_("The first line must name the columns: sku_id,stock"))
    wanted: dict[int, int] = {}
    prices: dict[int, Decimal] = {}
    line_of: dict[int, int] = {}
    problems: list[RowError] = []
    for line, row in enumerate(reader, start=2):
        raw_id, raw_stock = (row.get("sku_id") or "").strip(), (row.get("stock") or "").strip()
        raw_price = (row.get("price") or "").strip()
        try:
            sku_id = int(raw_id)
        except ValueError:
            problems.append(RowError(line, _("“%(v)s” is not a SKU number.") % {"v": raw_id}))
            continue
        try:
            stock = int(Decimal(raw_stock))
            if Decimal(raw_stock) != stock:
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            problems.append(RowError(line, _("Stock “%(v)s” is not a whole number.") % {"v": raw_stock}))
            continue
        if stock < 0:
            problems.append(RowError(line, _("Stock cannot be below zero.")))
            continue
        if raw_price:
            try:
                price = Decimal(raw_price)
                if not price.is_finite() or price <= 0 or price != price.quantize(CENT) or price >= 10**8:
                    raise InvalidOperation
            except InvalidOperation:
                problems.append(
                    RowError(
                        line,
                        _("Price “%(v)s” is not an amount in yuan above zero (e.g. 49.90).")
                        % {"v": raw_price},
                    )
                )
                continue
            prices[sku_id] = price.quantize(CENT)
        if sku_id in wanted:
            problems.append(RowError(line, _("SKU %(id)d appears twice.") % {"id": sku_id}))
            continue
        wanted[sku_id] = stock
        line_of[sku_id] = line
    owned = set(Sku.objects.filter(pk__in=wanted, product__supplier=supplier).values_list("pk", flat=True))
    for sku_id in wanted:
        if sku_id not in owned:
            problems.append(RowError(line_of[sku_id], _("SKU %(id)d is not one of yours.") % {"id": sku_id}))
    if problems:
        problems.sort(key=lambda p: p.line)
        raise ValidationError(
            [_("Line %(line)d: %(message)s") % {"line": p.line, "message": p.message} for p in problems]
        )
    with transaction.atomic():
        # Products before SKUs, each by id: the lock order every stock writer (checkout too) uses.
        product_ids = set(Sku.objects.filter(pk__in=owned).values_list("product_id", flat=True))
        list(Product.objects.select_for_update().filter(pk__in=product_ids).order_by("pk"))
        skus = list(
            Sku.objects.select_for_update(of=("self",))
            .select_related("product__category")
            .filter(pk__in=owned)
            .order_by("pk")
        )
        repriced = []
        old_stock = {sku.pk: sku.stock for sku in skus}
        for sku in skus:
            sku.stock = wanted[sku.pk]
            if sku.pk in prices and prices[sku.pk] != sku.price:
                repriced.append((sku, sku.price, sku.unit_price, sku.spec))
                sku.price = prices[sku.pk]
                sku.unit_price = unit_price(
                    price=sku.price,
                    net_quantity=sku.net_quantity,
                    unit=sku.unit,
                    pack_count=sku.pack_count,
                    basis=sku.product.category.price_basis,
                )
        Sku.objects.bulk_update(skus, ["stock", "price", "unit_price"])
        StockMovement.objects.bulk_create(
            StockMovement(
                sku=sku,
                change=sku.stock - old_stock[sku.pk],
                stock_after=sku.stock,
                reason=StockReason.CSV_IMPORT,
                actor=by,
            )
            for sku in skus
            if sku.stock != old_stock[sku.pk]
        )
        for sku, old_price, old_unit_price, old_spec in repriced:
            _record_price_change(sku, old_price, old_unit_price, old_spec, by=by, source="csv", rejudge=False)
        if repriced:
            SKU_PRICES_CHANGED(sku_ids=[sku.pk for sku, *_old in repriced])  # one background job for the file
        for product in Product.objects.filter(skus__in=skus).distinct():
            product_refresh_summary(product)
    return len(skus)


def product_refresh_summary(product: Product) -> None:
    """Recompute what lists and search use: lowest prices, stock, main thumbnail, search index, visibility."""
    summary = product.skus.filter(is_active=True).aggregate(
        min_price=Min("price"), min_unit_price=Min("unit_price"), total_stock=Sum("stock")
    )
    main = product.images.filter(is_main=True).values_list("thumbnail", flat=True).first() or ""
    product.min_price = summary["min_price"]
    product.min_unit_price = summary["min_unit_price"]
    product.total_stock = summary["total_stock"] or 0
    product.main_thumbnail = main
    product.is_visible = (
        product.status == ProductStatus.ON_SALE and product.supplier.status == SupplierStatus.ACTIVE
    )
    fields = search.product_search_fields(product)
    for field, value in fields.items():
        setattr(product, field, value)
    product.save(
        update_fields=[
            "min_price",
            "min_unit_price",
            "total_stock",
            "main_thumbnail",
            "is_visible",
            "updated_at",
            *fields,
        ]
    )


def supplier_listing_visibility_sync(*, supplier_id: int) -> int:
    """Show or hide a supplier's on-sale products after its status changed (connected to
    suppliers.hooks.SUPPLIER_STATUS_CHANGED, so it runs inside the transaction that changed the
    supplier: buyers never see a suspended supplier's products)."""
    active = Supplier.objects.filter(pk=supplier_id, status=SupplierStatus.ACTIVE).exists()
    return (
        Product.objects.filter(supplier_id=supplier_id, status=ProductStatus.ON_SALE)
        .exclude(is_visible=active)
        .update(is_visible=active)
    )


# --- Images, test reports, trace batches -------------------------------------------------------------


def _require_editable_images(product: Product) -> None:
    # Images are what the reviewer approved: they change only while the product is editable.
    if not product.is_editable:
        raise ValidationError(
            {"image": [_("Images can be changed while the product is a draft, rejected or off sale.")]}
        )


@transaction.atomic
def product_image_add(*, product: Product, by: User, upload, make_main: bool = False) -> ProductImage:
    product = _lock(product)
    _require_supplier(by, product.supplier)
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
    product = _lock(image.product)
    _require_supplier(by, product.supplier)
    _require_editable_images(product)
    product.images.filter(is_main=True).update(is_main=False)
    ProductImage.objects.filter(pk=image.pk).update(is_main=True)
    product_refresh_summary(product)


@transaction.atomic
def product_image_delete(*, image: ProductImage, by: User) -> None:
    product = _lock(image.product)
    _require_supplier(by, product.supplier)
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
    product = _lock(product)
    _require_supplier(by, product.supplier)
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
    product = _lock(product)
    _require_supplier(by, product.supplier)
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


# --- Pre-check and workflow ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    field: str
    message: str


def product_precheck(product: Product) -> list[Problem]:
    """What is missing or wrong before a person reviews the product. Empty means clean."""
    problems: list[Problem] = []
    category = product.category
    if category.pk not in leaf_ids():  # the cached tree: no query per product
        problems.append(Problem("category", _("Choose the most specific category.")))
    for field, label in (
        ("description", _("a description")),
        ("shelf_life_days", _("the shelf life")),
        ("storage", _("the storage condition")),
    ):
        if not getattr(product, field):
            problems.append(Problem(field, _("Add %(what)s.") % {"what": label}))
    skus = [s for s in product.skus.all() if s.is_active]
    if not skus:
        problems.append(Problem("skus", _("Add at least one SKU.")))
    for sku in skus:
        try:
            unit_price(
                price=sku.price,
                net_quantity=sku.net_quantity,
                unit=sku.unit,
                pack_count=sku.pack_count,
                basis=category.price_basis,
            )
        except (UnitMismatch, ValueError):
            problems.append(
                Problem(
                    "skus",
                    _("SKU “%(spec)s”: its unit does not fit the category's price basis.")
                    % {"spec": sku.spec},
                )
            )
    if not any(i.is_main for i in product.images.all()):
        problems.append(Problem("images", _("Upload a main image.")))
    if category.requires_test_report and not any(
        r.result == TestReport.Result.PASS for r in product.test_reports.all()
    ):
        problems.append(Problem("test_reports", _("This category requires a passed test report.")))
    supplier = product.supplier
    if supplier.status != SupplierStatus.ACTIVE:
        problems.append(Problem("supplier", _("Your supplier account is not active.")))
    today = timezone.localdate()
    held = {
        q.type
        for q in supplier.qualifications.all()
        if q.status == QualificationStatus.CURRENT and (q.long_term or q.valid_until >= today)
    }
    names = dict(QualificationType.choices)
    for group in category.required_qualifications or []:
        if not set(group) & held:
            label = _(" or ").join(str(names.get(t, t)) for t in group)
            problems.append(
                Problem("supplier", _("This category requires a valid %(document)s.") % {"document": label})
            )
    return problems


def _precheck_before(product: Product, transition) -> None:
    if transition.action in (ProductAction.SUBMIT, ProductAction.PUT_ON_SALE):
        problems = product_precheck(product)
        if problems:
            raise ValidationError([p.message for p in problems], code="precheck")


def _set_published_at(product: Product, transition) -> list[str]:
    if transition.target == ProductStatus.ON_SALE and product.published_at is None:
        product.published_at = product.status_changed_at
    return ["published_at"]


def _after_transition(change: workflow.Change) -> None:
    product = change.obj
    product_refresh_summary(product)
    if change.actor != OPS:
        return
    name, action, reason = product.name, change.action, change.reason

    def body() -> str:
        text = _("“%(name)s” is now “%(status)s”.") % {"name": name, "status": product.get_status_display()}
        if reason:
            text += "\n" + _("Reason: %(reason)s") % {"reason": reason}
        return text

    notify(
        users=User.objects.filter(supplier_id=product.supplier_id, is_active=True),
        subject=lambda: _("%(action)s: %(name)s") % {"action": ProductAction(action).label, "name": name},
        body=body,
        link=reverse("catalog:my_product", args=[product.pk]),
    )


@transaction.atomic
def product_transition(*, product: Product, action: str, by: User, reason: str = "") -> Product:
    """Move a product along its listing workflow (catalog.workflow.LISTING), recorded with who, in
    which role, when and why; the supplier hears of what ops decided."""
    if not LISTING.knows(action) or action == ProductAction.EDIT:
        raise ValidationError(_("Unknown action."))
    product = _lock(product)
    actor = actor_of(by, supplier_id=product.supplier_id, ops_permission="catalog.change_product")
    change = workflow.transition(
        LISTING,
        product,
        action=action,
        by=by,
        actor=actor,
        reason=reason,
        locked=True,
        before=_precheck_before,
        apply=_set_published_at,
        after=_after_transition,
    )
    return change.obj
