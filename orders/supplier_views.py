"""The supplier's order pages: the list with filters and status tabs, the CSV export, and one order
with the steps the workflow allows now. Every step is a call to orders.services; a refused step
shows the service's message on the form field it names, or on the page."""

from collections.abc import Iterator

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import roles
from accounts.models import Role
from core.downloads import private_file_response
from core.errors import apply_to_form, messages_of
from core.exports import csv_response, fixed
from core.workflow import Actor
from orders import selectors, services
from orders.models import AfterSaleStatus, Order, OrderStatus
from orders.supplier_forms import (
    AfterSaleAnswerForm,
    CancelForm,
    ReviewReplyForm,
    ShipForm,
    SupplierOrderFilterForm,
)
from orders.workflow import ORDER_WORKFLOW, OrderAction

PER_PAGE = 25
FILTER_FIELDS = ("status", "placed_from", "placed_to", "buyer", "number")


def _supplier_id(request) -> int | None:
    return request.user.supplier_id


def _own_order(request, number: str) -> Order:
    order = selectors.supplier_order_detail(supplier_id=_supplier_id(request), number=number)
    if order is None:
        raise Http404
    return order


def _filters(request) -> tuple[SupplierOrderFilterForm, selectors.SupplierOrderFilter]:
    form = SupplierOrderFilterForm(request.GET or None)
    if form.is_bound:
        form.is_valid()
    return form, form.to_filter()


# --- The list and the export -----------------------------------------------------------------------


@roles(Role.SUPPLIER)
def order_list(request):
    form, filters = _filters(request)
    supplier_id = _supplier_id(request)
    counts = selectors.supplier_order_counts(supplier_id=supplier_id, filters=filters)
    paginator = Paginator(selectors.supplier_orders(supplier_id=supplier_id, filters=filters), PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    # The tabs keep the other filters; the pager keeps them all.
    others = request.GET.copy()
    others.pop("page", None)
    querystring = others.urlencode()
    others.pop("status", None)
    tab_base = others.urlencode()
    tabs = [
        {"status": "", "label": _("All"), "count": sum(counts.values())},
        *({"status": value, "label": label, "count": counts[value]} for value, label in OrderStatus.choices),
    ]
    return render(
        request,
        "orders/supplier_list.html",
        {
            "form": form,
            "page": page,
            "orders": page.object_list,
            "tabs": tabs,
            "current_status": filters.status,
            "tab_base": tab_base,
            "querystring": querystring,
            "pages": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        },
    )


def _csv_header() -> list[str]:
    return [
        _("Order number"),
        _("Placed at"),
        _("Status"),
        _("Buyer unit"),
        _("Province"),
        _("Delivery address"),
        _("Recipient"),
        _("Phone"),
        _("Product"),
        _("Specification"),
        _("Unit price (¥)"),
        _("Quantity"),
        _("Line total (¥)"),
        _("Order total (¥)"),
        _("Carrier"),
        _("Tracking number"),
    ]


def _csv_rows(lines, *, status_labels: dict[str, str]) -> Iterator[list]:
    """One row per order line, read as it is written. Runs after the view has returned (outside the
    request's language), so every translated text is passed in already translated; core.exports
    neutralises formula-leading text."""
    for line in lines:
        order = line.order
        yield [
            order.number,
            timezone.localtime(order.placed_at).strftime("%Y-%m-%d %H:%M:%S"),
            status_labels.get(order.status, order.status),
            order.buyer_unit.name,
            order.delivery_province.name,
            order.address,
            order.recipient,
            order.phone,
            line.product_name,
            line.spec,
            fixed(line.price, 2),
            line.quantity,
            fixed(line.line_total, 2),
            fixed(order.total, 2),
            order.carrier,
            order.tracking_number,
        ]


@roles(Role.SUPPLIER)
def order_export(request):
    """The filtered orders as CSV, one row per order line, streamed (an export may be large)."""
    _form, filters = _filters(request)
    lines = selectors.supplier_order_export_lines(supplier_id=_supplier_id(request), filters=filters)
    labels = {value: str(label) for value, label in OrderStatus.choices}
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return csv_response(
        filename=f"orders-{stamp}.csv",
        header=_csv_header(),
        rows=_csv_rows(lines, status_labels=labels),
        stream=True,
    )


# --- One order -----------------------------------------------------------------------------------


def _timeline(order: Order) -> list[dict]:
    labels = dict(OrderAction.choices)
    roles_ = dict(Actor.choices)
    return [
        {
            "when": event.created_at,
            "action": labels.get(event.action, event.action),
            "to_status": event.get_to_status_display(),
            "who": event.actor.display_name if event.actor else _("the platform"),
            "role": roles_.get(event.actor_role, event.actor_role),
            "reason": event.reason,
            "details": event.details or {},
        }
        for event in order.events.all()
    ]


def _review(order: Order):
    try:
        return order.review
    except Order.review.RelatedObjectDoesNotExist:
        return None


def _render_detail(request, order: Order, *, status: int = 200, **forms):
    actions = ORDER_WORKFLOW.allowed(order.status, Actor.SUPPLIER)
    review = _review(order)
    after_sales = list(order.after_sales.all())
    answer_forms = forms.pop("answer_forms", {})
    context = {
        "order": order,
        "lines": list(order.lines.all()),
        "payment": order.current_payment,
        "timeline": _timeline(order),
        "can_confirm": OrderAction.CONFIRM in actions,
        "can_ship": OrderAction.SHIP in actions,
        "can_cancel": OrderAction.CANCEL in actions,
        "ship_form": forms.get("ship_form") or ShipForm(),
        "cancel_form": forms.get("cancel_form") or CancelForm(),
        "after_sales": [
            (
                request_,
                answer_forms.get(request_.pk) or AfterSaleAnswerForm()
                if request_.status == AfterSaleStatus.OPEN
                else None,
            )
            for request_ in after_sales
        ],
        "review": review,
        "reply_form": forms.get("reply_form") or ReviewReplyForm(),
    }
    return render(request, "orders/supplier_detail.html", context, status=status)


@roles(Role.SUPPLIER)
def order_detail(request, number: str):
    return _render_detail(request, _own_order(request, number))


def _refused(request, order: Order, exc: ValidationError | PermissionDenied):
    """A step the service refused as a whole (not allowed now): its message, on the order's page."""
    for message in messages_of(exc):
        messages.error(request, message)
    return redirect("supplier_orders:detail", number=order.number)


ACTION_FORMS = {OrderAction.CONFIRM: None, OrderAction.SHIP: ShipForm, OrderAction.CANCEL: CancelForm}


@roles(Role.SUPPLIER)
@require_POST
def order_action(request, number: str, action: str):
    """Confirm, ship (carrier and tracking number) or cancel (with a reason) one of the supplier's orders."""
    if action not in ACTION_FORMS:
        raise Http404
    order = _own_order(request, number)
    form_class = ACTION_FORMS[action]
    form = form_class(request.POST) if form_class else None
    kwargs = {}
    if form is not None:
        form.is_valid()  # the fields are optional: the service says what is missing
        kwargs = {name: form.cleaned_data.get(name, "") for name in form.fields}
    try:
        services.order_transition(order=order, action=action, by=request.user, **kwargs)
    except ValidationError as exc:
        if form is None or not hasattr(exc, "error_dict"):
            return _refused(request, order, exc)
        apply_to_form(form, exc, hidden_to_form=False)
        return _render_detail(request, order, status=400, **{f"{action}_form": form})
    except PermissionDenied as exc:
        return _refused(request, order, exc)
    done = {
        OrderAction.CONFIRM: _("Order confirmed. Ship it when it is ready."),
        OrderAction.SHIP: _("Order shipped. The buyer has been told the tracking number."),
        OrderAction.CANCEL: _("Order cancelled. The stock is back and the buyer has been told."),
    }
    messages.success(request, done[action])
    return redirect("supplier_orders:detail", number=order.number)


@roles(Role.SUPPLIER)
@require_POST
def after_sale_answer(request, number: str, pk: int):
    """Accept (the refund is recorded at once) or refuse, with a reason, a refund or return request."""
    order = _own_order(request, number)
    request_ = next((r for r in order.after_sales.all() if r.pk == pk), None)
    if request_ is None:
        raise Http404
    form = AfterSaleAnswerForm(request.POST)
    form.is_valid()
    decision = form.cleaned_data.get("decision") or ""
    if decision not in ("accept", "refuse"):
        form.add_error("decision", _("Choose to accept or refuse."))
        return _render_detail(request, order, status=400, answer_forms={pk: form})
    try:
        services.after_sale_respond(
            request=request_,
            by=request.user,
            accept=decision == "accept",
            reason=form.cleaned_data.get("reason", ""),
        )
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            return _refused(request, order, exc)
        apply_to_form(form, exc, hidden_to_form=False)
        return _render_detail(request, order, status=400, answer_forms={pk: form})
    except PermissionDenied as exc:
        return _refused(request, order, exc)
    messages.success(
        request,
        _("Request accepted: the refund is recorded.") if decision == "accept" else _("Request refused."),
    )
    return redirect("supplier_orders:detail", number=order.number)


@roles(Role.SUPPLIER)
@require_POST
def review_reply(request, number: str):
    """Answer the buyer's review of this order, once."""
    order = _own_order(request, number)
    review = _review(order)
    if review is None:
        raise Http404
    form = ReviewReplyForm(request.POST)
    form.is_valid()
    try:
        services.review_reply(review=review, by=request.user, text=form.cleaned_data.get("text", ""))
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            return _refused(request, order, exc)
        apply_to_form(form, exc, hidden_to_form=False)
        return _render_detail(request, order, status=400, reply_form=form)
    except PermissionDenied as exc:
        return _refused(request, order, exc)
    messages.success(request, _("Reply published."))
    return redirect("supplier_orders:detail", number=order.number)


@roles(Role.SUPPLIER)
def after_sale_photo(request, number: str, photo_id: int):
    """A photo of an after-sales request on one of the supplier's orders (uploads are not public)."""
    order = _own_order(request, number)
    photo = next((p for r in order.after_sales.all() for p in r.photos.all() if p.pk == photo_id), None)
    if photo is None or not photo.image.storage.exists(photo.image.name):
        raise Http404
    content_type = "image/png" if photo.image.name.lower().endswith(".png") else "image/jpeg"
    # From private storage, like every private file: an attachment no shared cache keeps (an <img>
    # still shows it; a browser tab opening it directly downloads it instead of rendering it).
    return private_file_response(photo.image, content_type=content_type)
