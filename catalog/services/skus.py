"""SKU prices and stock changed outside the product form: one SKU, or many from the stock CSV; and
the records every such change leaves (price history; the stock ledger through catalog.stock)."""

import csv
import io
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from accounts.models import User
from catalog import stock as ledger
from catalog.hooks import SKU_PRICES_CHANGED
from catalog.models import Product, Sku, SkuPriceChange, StockReason
from catalog.services._common import lock_product, require_supplier
from catalog.services.cleaning import SKU_FIELDS, clean_sku, unit_price_fits, unit_price_too_large
from catalog.services.summary import product_refresh_summary
from catalog.units import unit_price
from core.money import CENT
from core.numbers import BIGINT_MAX, INT32_MAX, parse_int, parse_money
from suppliers.models import Supplier


@dataclass(frozen=True)
class SkuRow:
    """A row of the product form's SKUs: what was submitted, and its clean values (None: delete it)."""

    row: dict
    clean: dict | None


def product_skus_write(
    product: Product, rows: list[SkuRow], *, existing: dict[int, Sku], by: User, source: str
) -> None:
    """Write the checked SKU rows of a saved product (product_save, holding the product's lock):
    stock and price changes are recorded, and the repriced SKUs judged again in one job."""
    repriced: list[int] = []
    for position, item in enumerate(rows):
        if item.clean is None:
            if item.row.get("id"):
                remove_sku(existing[item.row["id"]])
            continue
        sku = existing.get(item.row.get("id")) or Sku(product=product)
        old_price, old_unit_price, old_spec = (
            (sku.price, sku.unit_price, sku.spec) if sku.pk else (None, None, "")
        )
        old_stock = sku.stock if sku.pk else None  # a new SKU's ledger starts at its first change
        for field in SKU_FIELDS:
            if field in item.clean:
                setattr(sku, field, item.clean[field])
        sku.unit_price = item.clean["unit_price"]
        sku.position = position
        sku.save()
        if old_stock is not None:
            ledger.record_change(sku, old_stock, by=by, note=source)
        if record_price_change(sku, old_price, old_unit_price, old_spec, by=by, source=source, rejudge=False):
            repriced.append(sku.pk)
    if repriced:
        SKU_PRICES_CHANGED(sku_ids=repriced)  # one background job for the product's SKUs


def remove_sku(sku: Sku) -> None:
    """Delete a SKU taken out of the form; one that orders or the stock ledger point to is kept,
    no longer offered, so what was bought stays on record."""
    try:
        with transaction.atomic():
            sku.delete()
    except ProtectedError:
        sku.is_active = False
        sku.save(update_fields=["is_active"])


def record_price_change(
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
    product = lock_product(sku.product)
    require_supplier(by, product.supplier)
    sku = Sku.objects.select_for_update().get(pk=sku.pk, product=product)
    row = {f: getattr(sku, f) for f in SKU_FIELDS}
    row |= {k: v for k, v in {"price": price, "stock": stock, "spec": spec}.items() if v is not None}
    clean, errors = clean_sku(row, product.category.price_basis)
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
    ledger.record_change(sku, old_stock, by=by, note=source)
    record_price_change(sku, *old, by=by, source=source)
    product_refresh_summary(product)
    return sku


@dataclass(frozen=True)
class RowError:
    line: int
    message: str


def _shown(raw: str) -> str:
    """A cell as quoted back in a message: a huge one is cut, not echoed whole."""
    return raw if len(raw) <= 20 else raw[:20] + "…"


def _parse_stock(raw_stock: str) -> tuple[int | None, str]:
    """The stock of a CSV cell (core.numbers: checked before any conversion), or None and why not."""
    try:
        return parse_int(raw_stock, min_value=0, max_value=INT32_MAX), ""
    except ValidationError as exc:
        if exc.code == "min_value":
            return None, _("Stock cannot be below zero.")
        if exc.code == "max_value":
            return None, _("Stock “%(v)s” is more than %(max)d.") % {"v": _shown(raw_stock), "max": INT32_MAX}
        return None, _("Stock “%(v)s” is not a whole number.") % {"v": _shown(raw_stock)}


def _parse_price(raw_price: str) -> Decimal | None:
    try:
        return parse_money(raw_price, max_digits=10, min_value=CENT)
    except ValidationError:
        return None


@dataclass
class StockFile:
    """A stock CSV read line by line: the stock and prices wanted per SKU id, and what is wrong."""

    wanted: dict[int, int]
    prices: dict[int, Decimal]
    line_of: dict[int, int]
    problems: list[RowError]

    def read(self, line: int, row: dict) -> None:
        raw_id, raw_stock = (row.get("sku_id") or "").strip(), (row.get("stock") or "").strip()
        raw_price = (row.get("price") or "").strip()
        try:
            sku_id = parse_int(raw_id, min_value=1, max_value=BIGINT_MAX)
        except ValidationError:
            self.problems.append(RowError(line, _("“%(v)s” is not a SKU number.") % {"v": _shown(raw_id)}))
            return
        stock, problem = _parse_stock(raw_stock)
        if stock is None:
            self.problems.append(RowError(line, problem))
            return
        if raw_price:
            price = _parse_price(raw_price)
            if price is None:
                message = _("Price “%(v)s” is not an amount in yuan above zero (e.g. 49.90).") % {
                    "v": _shown(raw_price)
                }
                self.problems.append(RowError(line, message))
                return
            self.prices[sku_id] = price
        if sku_id in self.wanted:
            self.problems.append(RowError(line, _("SKU %(id)d appears twice.") % {"id": sku_id}))
            return
        self.wanted[sku_id] = stock
        self.line_of[sku_id] = line


def _read_stock_file(file, supplier: Supplier) -> tuple[StockFile, set[int]]:
    """The file's rows and the SKU ids among them that are the supplier's; ValidationError listing every
    bad line when any is wrong."""
    try:
        text = file.read().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(_("The file is not UTF-8 text (save it as “CSV UTF-8”).")) from exc
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or not {"sku_id", "stock"} <= {f.strip() for f in reader.fieldnames}:
        raise ValidationError(_("The first line must name the columns: sku_id,stock"))
    parsed = StockFile(wanted={}, prices={}, line_of={}, problems=[])
    for line, row in enumerate(reader, start=2):
        parsed.read(line, row)
    wanted, problems = parsed.wanted, parsed.problems
    owned = set(Sku.objects.filter(pk__in=wanted, product__supplier=supplier).values_list("pk", flat=True))
    for sku_id in wanted:
        if sku_id not in owned:
            problems.append(
                RowError(parsed.line_of[sku_id], _("SKU %(id)d is not one of yours.") % {"id": sku_id})
            )
    if problems:
        problems.sort(key=lambda p: p.line)
        raise ValidationError(
            [_("Line %(line)d: %(message)s") % {"line": p.line, "message": p.message} for p in problems]
        )
    return parsed, owned


def _refuse_unit_prices_too_large(parsed: StockFile, skus: list[Sku]) -> None:
    """ValidationError naming every line whose new price gives a unit price its column cannot hold."""
    lines = sorted(parsed.line_of[sku.pk] for sku in skus if not unit_price_fits(sku.unit_price))
    if lines:
        raise ValidationError(
            [
                _("Line %(line)d: %(message)s") % {"line": line, "message": unit_price_too_large()}
                for line in lines
            ]
        )


def stock_import_csv(*, supplier: Supplier, by: User, file) -> int:
    """Set stock, and prices where a ``price`` column is given, from a CSV with columns
    ``sku_id,stock[,price]`` (header required; an empty price cell keeps the price). All rows or
    none: any bad row raises ValidationError listing every bad line, and nothing changes. Every
    price changed this way is recorded in the price history (source "csv") like any other."""
    require_supplier(by, supplier)
    parsed, owned = _read_stock_file(file, supplier)
    wanted, prices = parsed.wanted, parsed.prices
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
        _refuse_unit_prices_too_large(parsed, [sku for sku, *_old in repriced])
        Sku.objects.bulk_update(skus, ["stock", "price", "unit_price"])
        ledger.record(
            ledger.movement(sku, change=sku.stock - old_stock[sku.pk], reason=StockReason.CSV_IMPORT, by=by)
            for sku in skus
        )
        for sku, old_price, old_unit_price, old_spec in repriced:
            record_price_change(sku, old_price, old_unit_price, old_spec, by=by, source="csv", rejudge=False)
        if repriced:
            SKU_PRICES_CHANGED(sku_ids=[sku.pk for sku, *_old in repriced])  # one background job for the file
        for product in Product.objects.filter(skus__in=skus).distinct():
            product_refresh_summary(product)
    return len(skus)
