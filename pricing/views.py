"""Price pages: a supplier's price page per SKU (verdict, evidence, adding a comparison) and the
private download of a comparison's screenshot."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import roles, signed_in
from accounts.models import Role
from core.downloads import private_file_response
from core.errors import apply_to_form
from pricing import selectors, services
from pricing.explain import explain
from pricing.forms import EvidenceForm
from pricing.models import PriceEvidence, ReviewState


@roles(Role.SUPPLIER)
def sku_prices(request, pk: int, sku_id: int):
    """One SKU's price as the model judges it, the numbers behind the verdict, its comparison links,
    and the form to add one. Only the product's supplier sees it (404 for anyone else's SKU)."""
    page = selectors.sku_price_page(supplier=request.user.supplier, product_id=pk, sku_id=sku_id)
    if page is None:
        raise Http404
    sku = page.sku
    shops = selectors.recognised_shop_names()
    if request.method == "POST":
        form = EvidenceForm(request.POST, request.FILES, shops=shops)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.evidence_add(
                    sku=sku,
                    by=request.user,
                    url=data["url"],
                    match=data["match"],
                    observed_price=data["observed_price"],
                    spec=data["spec"],
                    net_quantity=data["net_quantity"],
                    unit=data["unit"],
                    pack_count=data["pack_count"],
                    seen_on=data["seen_on"],
                    screenshot=data["screenshot"],
                )
            except ValidationError as exc:
                apply_to_form(form, exc)
            except PermissionDenied as exc:
                raise Http404 from exc
            else:
                messages.success(
                    request,
                    _("Comparison added. The price check is recomputed in a moment with it."),
                )
                return redirect("pricing:sku_prices", pk=sku.product_id, sku_id=sku.pk)
    else:
        form = EvidenceForm(
            initial={"unit": sku.unit, "pack_count": 1, "seen_on": timezone.localdate()}, shops=shops
        )
    verdict = page.verdict
    return render(
        request,
        "pricing/sku_prices.html",
        {
            "product": sku.product,
            "sku": sku,
            "page": page,
            "verdict": verdict,
            "explanation": explain(verdict) if verdict is not None else "",
            "asked_to_adjust": verdict is not None and verdict.review_state == ReviewState.ADJUST,
            "form": form,
            "max_age": settings.PRICE_EVIDENCE_MAX_AGE_DAYS,
        },
        status=400 if form.is_bound else 200,
    )


@signed_in
def screenshot(request, pk: int):
    """The proof of a price reference: its supplier and ops only, always as a download."""
    user = request.user
    evidence = PriceEvidence.objects.select_related("sku__product").filter(pk=pk).first()
    allowed = evidence is not None and (
        (user.supplier_id and user.supplier_id == evidence.sku.product.supplier_id)
        or (user.is_ops and user.has_perm("pricing.view_priceevidence"))
    )
    if not allowed:
        raise Http404
    return private_file_response(evidence.screenshot)
