"""The listing lifecycle, declared once (catalog.services.product_transition enforces it).

draft ─submit─▶ submitted ─approve─▶ approved ─put on sale─▶ on sale ⇄ off sale
  ▲                 │                                          │          │
  └─(edit)─ rejected ◀┘reject                                 delist (ops, reason) ─▶ delisted
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models import ProductStatus as P


class ProductAction(models.TextChoices):
    SUBMIT = "submit", _("Submit for review")
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")
    PUT_ON_SALE = "put_on_sale", _("Put on sale")
    TAKE_OFF_SALE = "take_off_sale", _("Take off sale")
    DELIST = "delist", _("Delist")
    EDIT = "edit", _("Edit")


SUPPLIER, OPS = "supplier", "ops"


@dataclass(frozen=True)
class ProductTransition:
    action: str
    sources: frozenset[str]
    target: str
    actor: str
    reason_required: bool


TRANSITIONS: dict[str, ProductTransition] = {
    t.action: t
    for t in [
        ProductTransition(
            ProductAction.SUBMIT, frozenset({P.DRAFT, P.REJECTED}), P.SUBMITTED, SUPPLIER, False
        ),
        ProductTransition(ProductAction.APPROVE, frozenset({P.SUBMITTED}), P.APPROVED, OPS, False),
        ProductTransition(ProductAction.REJECT, frozenset({P.SUBMITTED}), P.REJECTED, OPS, True),
        ProductTransition(
            ProductAction.PUT_ON_SALE, frozenset({P.APPROVED, P.OFF_SALE}), P.ON_SALE, SUPPLIER, False
        ),
        ProductTransition(ProductAction.TAKE_OFF_SALE, frozenset({P.ON_SALE}), P.OFF_SALE, SUPPLIER, False),
        ProductTransition(
            ProductAction.DELIST, frozenset({P.APPROVED, P.ON_SALE, P.OFF_SALE}), P.DELISTED, OPS, True
        ),
        # Changing the content of an off-sale product sends it back to draft: it needs review again.
        ProductTransition(ProductAction.EDIT, frozenset({P.OFF_SALE}), P.DRAFT, SUPPLIER, False),
    ]
}
