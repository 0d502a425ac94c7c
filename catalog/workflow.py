"""The listing lifecycle, declared once (catalog.services.product_transition enforces it through
core.workflow).

draft ─submit─▶ submitted ─approve─▶ approved ─put on sale─▶ on sale ⇄ off sale
  ▲                 │                                          │          │
  └─(edit)─ rejected ◀┘reject                                 delist (ops, reason) ─▶ delisted
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models import ProductEvent
from catalog.models import ProductStatus as P
from core.workflow import Actor, Workflow, step


class ProductAction(models.TextChoices):
    SUBMIT = "submit", _("Submit for review")
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")
    PUT_ON_SALE = "put_on_sale", _("Put on sale")
    TAKE_OFF_SALE = "take_off_sale", _("Take off sale")
    DELIST = "delist", _("Delist")
    EDIT = "edit", _("Edit")


SUPPLIER, OPS = Actor.SUPPLIER, Actor.OPS

LISTING = Workflow(
    name="listing",
    transitions=(
        step(ProductAction.SUBMIT, {P.DRAFT, P.REJECTED}, P.SUBMITTED, {SUPPLIER}),
        step(ProductAction.APPROVE, {P.SUBMITTED}, P.APPROVED, {OPS}),
        step(ProductAction.REJECT, {P.SUBMITTED}, P.REJECTED, {OPS}, reason_required=True),
        step(ProductAction.PUT_ON_SALE, {P.APPROVED, P.OFF_SALE}, P.ON_SALE, {SUPPLIER}),
        step(ProductAction.TAKE_OFF_SALE, {P.ON_SALE}, P.OFF_SALE, {SUPPLIER}),
        step(
            ProductAction.DELIST, {P.APPROVED, P.ON_SALE, P.OFF_SALE}, P.DELISTED, {OPS}, reason_required=True
        ),
        # Changing the content of an off-sale product sends it back to draft: it needs review again.
        step(ProductAction.EDIT, {P.OFF_SALE}, P.DRAFT, {SUPPLIER}),
    ),
    actions=ProductAction,
    event_model=ProductEvent,
    event_fk="product",
    reason_message=_("Give a reason: the supplier will read it."),
    refusal_message=_("“%(action)s” is not possible while the product is “%(status)s”."),
    denied_message=_("You may not do this to this product."),
)

# The table by action (each listing action has one row), for pages and admin actions.
TRANSITIONS = {t.action: t for t in LISTING.transitions}
