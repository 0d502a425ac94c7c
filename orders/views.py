"""The buyer's order pages: cart, checkout, the unit's orders and what can be done with one.

Views are thin: every write is a call to ``orders.services`` (or ``buyers.services`` for a new
address) and every order is read scoped to the buyer's unit (``orders.selectors``); another unit's
order, cart item or payment is simply not found (404)."""

import datetime
import uuid

from django.conf import settings
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
from buyers.services import delivery_address_add
from catalog.models import Sku
from core.errors import apply_to_form, messages_of
from core.workflow import Actor
from orders import selectors, services
from orders.forms import (
    AddressForm,
    AddToCartForm,
    AfterSaleForm,
    CancelForm,
    CardForm,
    CartQuantityForm,
    CheckoutForm,
    DisputeForm,
    ReviewForm,
)
from orders.models import (
    AfterSaleRequest,
    AfterSaleStatus,
    CartItem,
    OrderStatus,
    Payment,
    PaymentStatus,
)
from orders.workflow import ORDER_WORKFLOW, OrderAction
from regions.selectors import cities_of, counties_of
from regions.views import picker_options

buyer_only = roles(Role.BUYER)
ORDERS_PER_PAGE = 20
ADDRESS_PREFIX = "new"


def _say(request, exc: ValidationError | PermissionDenied) -> None:
    for message in messages_of(exc):
        messages.error(request, message)


# --- Cart -----------------------------------------------------------------------------------------


@buyer_only
def cart(request):
    """The cart grouped by supplier, every amount computed now from current prices."""
    preview = services.checkout_preview(user=request.user)
    return render(request, "orders/buyer_cart.html", {"preview": preview})


@buyer_only
@require_POST
def cart_add(request):
    """Add a SKU from the product page; back to that page with what happened."""
    raw = request.POST.get("sku", "")
    sku = Sku.objects.select_related("product").filter(pk=int(raw)).first() if raw.isdigit() else None
    if sku is None:
        messages.error(request, _("This product is no longer offered."))
        return redirect("catalog:index")
    back = redirect("catalog:product", sku.product_id)
    form = AddToCartForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return back
    quantity = form.cleaned_data["quantity"]
    try:
        services.cart_add(user=request.user, sku=sku, quantity=quantity)
    except ValidationError as exc:
        _say(request, exc)
    else:
        messages.success(
            request,
            _("Added %(n)d × “%(item)s” to your cart.")
            % {"n": quantity, "item": f"{sku.product.name} {sku.spec}"},
        )
    return back


@buyer_only
@require_POST
def cart_item(request, item_id: int):
    """Change the quantity of one line of the cart, or take it out (``action=remove``)."""
    item = CartItem.objects.filter(pk=item_id, cart__user=request.user).first()
    if item is None:
        raise Http404
    try:
        if request.POST.get("action") == "remove":
            services.cart_remove(user=request.user, item=item)
        else:
            form = CartQuantityForm(request.POST)
            if not form.is_valid():
                for errors in form.errors.values():
                    for error in errors:
                        messages.error(request, error)
                return redirect("orders:cart")
            services.cart_update(user=request.user, item=item, quantity=form.cleaned_data["quantity"])
    except ValidationError as exc:
        _say(request, exc)
    return redirect("orders:cart")


# --- Checkout -------------------------------------------------------------------------------------


@buyer_only
def checkout(request):
    """Address, invoice, payment method and note; the totals from the server; the buyer confirms.

    Two forms post here: ``action=address`` saves a new address of the unit (then comes back with
    it chosen); ``action=place`` places the orders."""
    user = request.user
    unit = user.buyer_unit
    action = request.POST.get("action") if request.method == "POST" else None
    form = CheckoutForm(request.POST if action == "place" else None, unit_id=unit.pk)
    address_form = AddressForm(request.POST if action == "address" else None, prefix=ADDRESS_PREFIX)
    if action == "place" and form.is_valid():
        data = form.cleaned_data
        try:
            orders = services.place_orders(
                user=user,
                address=data["address"],
                invoice_type=data["invoice_type"],
                note=data["note"],
                fingerprint=data["fingerprint"],
                idempotency_key=data["idempotency_key"],
                payment_method=data["payment_method"],
            )
        except services.PricesChanged as exc:
            apply_to_form(form, exc)
        except ValidationError as exc:
            apply_to_form(form, exc)
        else:
            messages.success(
                request,
                _("Your orders are placed: %(numbers)s. Each supplier will confirm its order.")
                % {"numbers": ", ".join(o.number for o in orders)},
            )
            return redirect("orders:list")
    elif action == "address" and address_form.is_valid():
        try:
            address = delivery_address_add(by=user, **address_form.cleaned_data)
        except ValidationError as exc:
            apply_to_form(address_form, exc)
        else:
            messages.success(request, _("The address is saved."))
            return redirect(f"{request.path}?address={address.pk}")

    preview = services.checkout_preview(user=user)
    if not preview.groups and not form.is_bound:
        messages.info(request, _("Your cart is empty."))
        return redirect("orders:cart")
    if not form.is_bound:
        addresses = list(form.fields["address"].queryset)
        chosen = request.GET.get("address", "")
        default = next((a for a in addresses if str(a.pk) == chosen), None) or next(
            (a for a in addresses if a.is_default), None
        )
        form.initial["address"] = default.pk if default else None
    # What the buyer confirms now: the current totals, and a fresh key for this rendering.
    form.data = form.data.copy() if form.is_bound else form.data
    if form.is_bound:
        form.data["fingerprint"] = preview.fingerprint
        form.data["idempotency_key"] = uuid.uuid4().hex
    else:
        form.initial.update(fingerprint=preview.fingerprint, idempotency_key=uuid.uuid4().hex)
    return render(
        request,
        "orders/buyer_checkout.html",
        {"form": form, "address_form": address_form, "preview": preview, "unit": unit},
    )


@buyer_only
def city_options(request):
    """htmx: the cities of a province (any county may receive goods)."""
    return picker_options(
        request,
        parent=request.GET.get(f"{ADDRESS_PREFIX}-province"),
        options=lambda province_id: cities_of(province_id=province_id),
        placeholder=_("Choose a city"),
    )


@buyer_only
def county_options(request):
    return picker_options(
        request,
        parent=request.GET.get(f"{ADDRESS_PREFIX}-city"),
        options=lambda city_id: counties_of(city_id=city_id),
        placeholder=_("Choose a county or district"),
    )


# --- The unit's orders ----------------------------------------------------------------------------


@buyer_only
def order_list(request):
    """The unit's orders, newest first, filtered by status; constant queries per page."""
    status = request.GET.get("status", "")
    orders = selectors.orders_for(user=request.user)
    if status in OrderStatus.values:
        orders = orders.filter(status=status)
    else:
        status = ""
    page = Paginator(orders, ORDERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "orders/buyer_orders.html",
        {"page": page, "status": status, "statuses": OrderStatus.choices},
    )


def _own_order(request, number: str):
    order = selectors.order_detail(user=request.user, number=number)
    if order is None:
        raise Http404
    return order


def _after_sales_open_until(order) -> datetime.datetime | None:
    if order.received_at is None or order.status not in (OrderStatus.RECEIVED, OrderStatus.COMPLETED):
        return None
    return order.received_at + datetime.timedelta(days=settings.ORDER_AFTER_SALES_DAYS)


def _detail_context(order) -> dict:
    payment = order.current_payment
    after_sales = selectors.order_after_sales(order=order)
    open_until = _after_sales_open_until(order)
    pending = any(r.status in (AfterSaleStatus.OPEN, AfterSaleStatus.DISPUTED) for r in after_sales)
    review = selectors.order_review(order=order) if order.status == OrderStatus.COMPLETED else None
    action_labels, actor_labels = dict(OrderAction.choices), dict(Actor.choices)
    timeline = [
        (e, action_labels.get(e.action, e.action), actor_labels.get(e.actor_role, e.actor_role))
        for e in order.events.all()
    ]
    return {
        "order": order,
        "timeline": timeline,
        "actions": ORDER_WORKFLOW.allowed(order.status, Actor.BUYER),
        "payment": payment,
        "can_pay": payment is not None
        and payment.status == PaymentStatus.PENDING
        and order.status != OrderStatus.CANCELLED,
        "after_sales": after_sales,
        "after_sales_until": open_until,
        "can_ask": open_until is not None and timezone.now() <= open_until and not pending,
        "after_sale_form": AfterSaleForm(initial={"amount": order.total}),
        "dispute_form": DisputeForm(),
        "review": review,
        "review_form": ReviewForm() if order.status == OrderStatus.COMPLETED and review is None else None,
        "cancel_form": CancelForm(),
    }


@buyer_only
def order_detail(request, number: str):
    return render(request, "orders/buyer_order.html", _detail_context(_own_order(request, number)))


def _detail_with(request, order, **forms):
    """The detail page again, with a form that has errors in place of the empty one (status 400)."""
    context = _detail_context(order)
    context.update(forms)
    return render(request, "orders/buyer_order.html", context, status=400)


@buyer_only
@require_POST
def order_action(request, number: str):
    """Cancel (before confirmation) or confirm receipt (once shipped)."""
    order = _own_order(request, number)
    action = request.POST.get("action")
    if action not in (OrderAction.CANCEL, OrderAction.RECEIVE):
        raise Http404
    form = CancelForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("reason", []):
            messages.error(request, error)
        return redirect("orders:detail", number)
    reason = form.cleaned_data["reason"] if action == OrderAction.CANCEL else ""
    try:
        order = services.order_transition(order=order, action=action, by=request.user, reason=reason)
    except (ValidationError, PermissionDenied) as exc:
        _say(request, exc)
    else:
        messages.success(
            request,
            _("Order %(number)s is now “%(status)s”.")
            % {"number": order.number, "status": order.get_status_display()},
        )
    return redirect("orders:detail", number)


@buyer_only
@require_POST
def order_pay(request, number: str):
    """Start paying: the card page for an official card, the transfer details for a bank transfer."""
    order = _own_order(request, number)
    try:
        start = services.payment_start(order=order, by=request.user)
    except (ValidationError, PermissionDenied) as exc:
        _say(request, exc)
        return redirect("orders:detail", number)
    if start.redirect_url:
        return redirect(start.redirect_url)
    return redirect("orders:detail", number)


@buyer_only
def sandbox_pay(request, payment_id: int):
    """The sandbox's simulated official-card page: the buyer "pays" and the order is paid."""
    payment = (
        Payment.objects.select_related("order__supplier")
        .filter(pk=payment_id, order__buyer_unit_id=request.user.buyer_unit_id)
        .first()
    )
    if payment is None:
        raise Http404
    form = CardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.sandbox_card_pay(payment=payment, by=request.user)
        except (ValidationError, PermissionDenied) as exc:
            _say(request, exc)
        else:
            messages.success(request, _("Payment received. Thank you."))
        return redirect("orders:detail", payment.order.number)
    return render(
        request, "orders/buyer_pay.html", {"payment": payment, "order": payment.order, "form": form}
    )


def _run_order_form(request, form, number: str, action, *, success: str):
    """Run a service for a form on the order page. A refusal about a field goes on the form (None
    is returned, and the page is shown again); one about the order itself, or a permission, is said
    on the order page; success says so there too."""
    try:
        action()
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            apply_to_form(form, exc)
            return None
        _say(request, exc)
    except PermissionDenied as exc:
        _say(request, exc)
    else:
        messages.success(request, success)
    return redirect("orders:detail", number)


@buyer_only
@require_POST
def after_sale_open(request, number: str):
    order = _own_order(request, number)
    form = AfterSaleForm(request.POST)
    if form.is_valid():
        done = _run_order_form(
            request,
            form,
            number,
            lambda: services.after_sale_open(
                order=order,
                by=request.user,
                kind=form.cleaned_data["kind"],
                reason=form.cleaned_data["reason"],
                amount=form.cleaned_data["amount"],
                photos=request.FILES.getlist("photos"),
            ),
            success=_("Your request is sent to the supplier."),
        )
        if done:
            return done
    return _detail_with(request, order, after_sale_form=form)


@buyer_only
@require_POST
def after_sale_dispute(request, number: str, request_id: int):
    order = _own_order(request, number)
    after_sale = AfterSaleRequest.objects.filter(pk=request_id, order=order).first()
    if after_sale is None:
        raise Http404
    form = DisputeForm(request.POST)
    form.is_valid()
    try:
        services.after_sale_dispute(
            request=after_sale, by=request.user, reason=form.cleaned_data.get("reason", "")
        )
    except (ValidationError, PermissionDenied) as exc:
        _say(request, exc)
    else:
        messages.success(request, _("Customer service will look at your request and decide."))
    return redirect("orders:detail", number)


@buyer_only
@require_POST
def review_add(request, number: str):
    order = _own_order(request, number)
    form = ReviewForm(request.POST)
    if form.is_valid():
        done = _run_order_form(
            request,
            form,
            number,
            lambda: services.review_add(order=order, by=request.user, **form.cleaned_data),
            success=_("Thank you for your review."),
        )
        if done:
            return done
    return _detail_with(request, order, review_form=form)
