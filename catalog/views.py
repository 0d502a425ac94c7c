"""Catalogue pages: buyers browse and search; suppliers manage their products; anyone reads trace pages."""

import io
import mimetypes
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from accounts.access import public, roles
from accounts.models import Role
from catalog import selectors, services
from catalog.forms import (
    CatalogFilterForm,
    ImageForm,
    ProductForm,
    SkuFormSet,
    SkuQuickForm,
    StockImportForm,
    TestReportForm,
    TraceBatchForm,
)
from catalog.models import Product, Sku
from catalog.workflow import SUPPLIER, TRANSITIONS, ProductAction
from core.downloads import private_file_response
from core.errors import apply_to_form
from core.exports import csv_response

# --- Buyers ---------------------------------------------------------------------------------------


@public
def catalog(request, slug: str | None = None):
    """The catalogue: all products, one category's, or search results — with filters and sorting."""
    tree = selectors.category_tree()
    node = None
    if slug is not None:
        node = next((n for n in tree.values() if n.slug == slug), None)
        if node is None:
            raise Http404
    form = CatalogFilterForm(request.GET or None)
    query = form.to_query(category=node) if form.is_valid() else selectors.CatalogQuery(category=node)
    page = selectors.catalog_page(query)
    params = request.GET.copy()
    params.pop("page", None)
    parent = tree.get(node.parent_id) if node and node.parent_id else None
    return render(
        request,
        "catalog/list.html",
        {
            "form": form,
            "page": page,
            "node": node,
            "parent": parent,
            "roots": selectors.roots(tree),
            "tree": tree,
            "children": [tree[c] for c in node.children] if node else [],
            "querystring": params.urlencode(),
        },
    )


@public
def product_detail(request, pk: int):
    product = selectors.product_for_buyer(pk=pk)
    if product is None:
        raise Http404
    # The price check per SKU, the comparison links, the category's index and the supplier's
    # ratings are read by the template tags of pricing (price_panels) and orders (order_panels).
    return render(request, "catalog/product.html", {"product": product, "skus": list(product.skus.all())})


@public
def trace_batch(request, code):
    batch = selectors.trace_batch_public(code=code)
    if batch is None:
        raise Http404
    return render(request, "catalog/trace.html", {"batch": batch, "product": batch.product})


@public
@cache_control(max_age=86400, public=True)
def trace_qr(request, code):
    """An SVG QR code pointing at the batch's public page."""
    import qrcode
    import qrcode.image.svg

    batch = selectors.trace_batch_public(code=code)
    if batch is None:
        raise Http404
    url = request.build_absolute_uri(reverse("catalog:trace", args=[batch.code]))
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=12, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return HttpResponse(buffer.getvalue(), content_type="image/svg+xml")


@public
def test_report_file(request, pk: int):
    report = selectors.test_report_for_download(user=request.user, pk=pk)
    if report is None:
        raise Http404
    return private_file_response(
        report.file,
        content_type=report.file_type,
        filename=f"{report.report_number}{Path(report.file.name).suffix}",
    )


@public
@cache_control(max_age=7 * 86400, public=True)
def media(request, path: str):
    """Product images (public). Production puts a web server or CDN in front of MEDIA_ROOT."""
    if not path.startswith("products/") or ".." in Path(path).parts:
        raise Http404
    full = Path(settings.MEDIA_ROOT) / path
    try:
        handle = full.open("rb") if full.is_file() else None
    except (OSError, ValueError):  # a name the file system cannot look up: too long, a NUL byte
        handle = None
    if handle is None:
        raise Http404
    content_type = mimetypes.guess_type(full.name)[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Suppliers ------------------------------------------------------------------------------------


def _supplier(request):
    return request.user.supplier


def _own_product(request, pk: int) -> Product:
    product = selectors.supplier_product(supplier=_supplier(request), pk=pk)
    if product is None:
        raise Http404
    return product


@roles(Role.SUPPLIER)
def my_products(request):
    supplier = _supplier(request)
    products = list(selectors.supplier_products(supplier=supplier))
    rows = [(p, services.product_precheck(p)) for p in products]
    return render(
        request,
        "catalog/my_products.html",
        {"rows": rows, "supplier": supplier, "import_form": StockImportForm()},
    )


def _sku_rows(formset) -> list[dict]:
    rows = []
    for form in formset.forms:
        if not form.has_changed() and not form.cleaned_data.get("id"):
            continue
        data = dict(form.cleaned_data)
        data["delete"] = data.pop("DELETE", False)
        rows.append(data)
    return rows


@roles(Role.SUPPLIER)
def product_edit(request, pk: int | None = None):
    supplier = _supplier(request)
    product = _own_product(request, pk) if pk else None
    if product is not None and not product.is_editable:
        messages.info(
            request,
            _(
                "This product is “%(status)s”: change prices and stock below, or take it off sale to "
                "edit the rest."
            )
            % {"status": product.get_status_display()},
        )
        return redirect("catalog:my_product", pk=product.pk)
    if request.method == "POST":
        form = ProductForm(request.POST)
        formset = SkuFormSet(request.POST, prefix="sku")
        if form.is_valid() and formset.is_valid():
            try:
                product = services.product_save(
                    supplier=supplier,
                    by=request.user,
                    product=product,
                    data=form.cleaned_data,
                    skus=_sku_rows(formset),
                )
            except ValidationError as exc:
                _apply_product_errors(form, formset, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("catalog:my_product", pk=product.pk)
    else:
        initial = {}
        skus = []
        if product is not None:
            initial = {f: getattr(product, f) for f in services.CONTENT_FIELDS}
            skus = [{f: getattr(s, f) for f in ("id", *services.SKU_FIELDS)} for s in product.skus.all()]
        form = ProductForm(initial=initial)
        formset = SkuFormSet(initial=skus, prefix="sku")
    return render(
        request, "catalog/product_form.html", {"form": form, "formset": formset, "product": product}
    )


def _apply_product_errors(form, formset, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    fields = exc.fields if isinstance(exc, services.ProductInvalid) else exc.message_dict
    if isinstance(exc, services.ProductInvalid):
        # Rows were numbered as submitted: the forms that were filled in, in order.
        kept = [f for f in formset.forms if f.has_changed() or f.cleaned_data.get("id")]
        for index, row_errors in exc.sku_rows.items():
            target = kept[index] if index < len(kept) else formset.forms[0]
            for field, errors in row_errors.items():
                target.add_error(field if field in target.fields else None, errors)
    for key, errors in fields.items():
        form.add_error(key if key in form.fields else None, errors)


@roles(Role.SUPPLIER)
def my_product(request, pk: int):
    product = _own_product(request, pk)
    problems = services.product_precheck(product)
    return render(
        request,
        "catalog/my_product.html",
        {
            "product": product,
            "problems": problems,
            "image_form": ImageForm(),
            "report_form": TestReportForm(),
            "batch_form": TraceBatchForm(product=product),
            "events": product.events.all(),
            "actions": _supplier_actions(product, blocked=bool(problems)),
        },
    )


def _supplier_actions(product: Product, *, blocked: bool) -> list[tuple[str, str]]:
    """The workflow buttons the supplier may press now (submit waits for a clean pre-check)."""
    gated = {ProductAction.SUBMIT, ProductAction.PUT_ON_SALE}
    return [
        (t.action, ProductAction(t.action).label)
        for t in TRANSITIONS.values()
        if SUPPLIER in t.actors
        and product.status in t.sources
        and t.action != ProductAction.EDIT
        and not (blocked and t.action in gated)
    ]


@roles(Role.SUPPLIER)
@require_POST
def my_product_action(request, pk: int):
    product = _own_product(request, pk)
    action = request.POST.get("action", "")
    try:
        services.product_transition(product=product, action=action, by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    except PermissionDenied as exc:
        raise Http404 from exc
    else:
        messages.success(request, _("Done: %(action)s.") % {"action": ProductAction(action).label})
    return redirect("catalog:my_product", pk=product.pk)


@roles(Role.SUPPLIER)
@require_POST
def my_product_upload(request, pk: int, kind: str):
    """Add an image, a test report or a trace batch; errors come back on the product page's form."""
    product = _own_product(request, pk)
    forms = {"image": ImageForm, "report": TestReportForm, "batch": TraceBatchForm}
    if kind not in forms:
        raise Http404
    kwargs = {"product": product} if kind == "batch" else {}
    form = forms[kind](request.POST, request.FILES, **kwargs)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if kind == "image":
                services.product_image_add(
                    product=product, by=request.user, upload=data["image"], make_main=data["make_main"]
                )
            elif kind == "report":
                services.test_report_add(
                    product=product,
                    by=request.user,
                    lab=data["lab"],
                    report_number=data["report_number"],
                    report_date=data["report_date"],
                    result=data["result"],
                    upload=data["file"],
                )
            else:
                services.trace_batch_add(
                    product=product,
                    by=request.user,
                    batch_number=data["batch_number"],
                    produced_on=data["produced_on"],
                    base=data["base"],
                    quantity=data.get("quantity") or "",
                    test_report=data.get("test_report"),
                )
        except ValidationError as exc:
            apply_to_form(form, exc)
        else:
            messages.success(request, _("Added."))
            return redirect("catalog:my_product", pk=product.pk)
    context = {
        "product": product,
        "problems": services.product_precheck(product),
        "image_form": ImageForm(),
        "report_form": TestReportForm(),
        "batch_form": TraceBatchForm(product=product),
        "events": product.events.all(),
        "actions": _supplier_actions(product, blocked=True),
        f"{kind}_form": form,
    }
    return render(request, "catalog/my_product.html", context, status=400)


@roles(Role.SUPPLIER)
@require_POST
def my_sku_update(request, pk: int, sku_id: int):
    product = _own_product(request, pk)
    sku = next((s for s in product.skus.all() if s.pk == sku_id), None)
    if sku is None:
        raise Http404
    form = SkuQuickForm(request.POST)
    if form.is_valid():
        try:
            services.sku_update(
                sku=sku, by=request.user, price=form.cleaned_data["price"], stock=form.cleaned_data["stock"]
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, f"{sku.spec}: {message}")
        else:
            messages.success(request, _("%(spec)s updated.") % {"spec": sku.spec})
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, f"{sku.spec}: {message}")
    return redirect("catalog:my_product", pk=product.pk)


@roles(Role.SUPPLIER)
@require_POST
def stock_import(request):
    form = StockImportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            n = services.stock_import_csv(
                supplier=_supplier(request), by=request.user, file=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            messages.error(request, _("Nothing was changed. Fix these lines and upload again:"))
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Stock updated for %(n)d SKUs.") % {"n": n})
    else:
        messages.error(request, _("Choose a CSV file."))
    return redirect("catalog:my_products")


@roles(Role.SUPPLIER)
def stock_template(request):
    """A CSV of the supplier's SKUs with their current stock and price, to edit and upload again; streamed
    (a supplier may have many SKUs), names and specs neutralised against formulas by core.exports."""
    skus = (
        Sku.objects.filter(product__supplier=_supplier(request))
        .select_related("product")
        .order_by("product_id", "id")
        .iterator(chunk_size=1000)
    )
    return csv_response(
        filename="stock.csv",
        header=["sku_id", "stock", "price", "product", "spec"],
        rows=([sku.pk, sku.stock, sku.price, sku.product.name, sku.spec] for sku in skus),
        stream=True,
    )
