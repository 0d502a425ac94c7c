from django.http import FileResponse, Http404

from accounts.access import signed_in
from pricing.models import PriceEvidence


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
    response = FileResponse(evidence.screenshot.open("rb"), as_attachment=True, content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    return response
