"""The order lifecycle and the after-sales steps, declared once.

Orders (``orders.services.order_transition`` enforces this table and is the only code that
changes ``Order.status``)::

    placed ──confirm (supplier)──▶ confirmed ──ship (supplier: carrier, tracking no.)──▶ shipped
      │                               │                                                    │
      │ cancel (buyer, or supplier    │ cancel (supplier, with a reason)     receive (buyer, or the
      │ with a reason)                ▼                                      platform after
      └──────────────────────────▶ cancelled                                 ORDER_AUTO_RECEIPT_DAYS)
                                                                                           ▼
                                           completed ◀──complete (platform, once paid)── received

Completion rule: an order is completed when it is both received and paid (its payment settled).
Government units pay by official card when ordering or by bank transfer after the goods arrive,
so neither order of the two events is assumed: whichever comes second completes the order. An
order received but not yet paid stays "received" (ops see it as awaiting payment).

After-sales (``orders.services.after_sale_*``)::

    open ──accept (supplier)──▶ accepted (refund recorded)
      └──refuse (supplier, reason)──▶ refused ──dispute (buyer, reason)──▶ disputed
                                                      arbitrate (customer service, reason) ──▶ arbitrated
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.workflow import Actor, Workflow, step
from orders.models import AfterSaleEvent, OrderEvent
from orders.models import AfterSaleStatus as A
from orders.models import OrderStatus as S


class OrderAction(models.TextChoices):
    PLACE = "place", _("Place the order")
    CONFIRM = "confirm", _("Confirm the order")
    SHIP = "ship", _("Ship")
    RECEIVE = "receive", _("Confirm receipt")
    COMPLETE = "complete", _("Complete")
    CANCEL = "cancel", _("Cancel the order")
    # Recorded in the history, but they do not change the order's status.
    PAYMENT_RECEIVED = "payment_received", _("Payment received")
    REFUNDED = "refunded", _("Refund")


# The normal path, in order.
PIPELINE = (S.PLACED, S.CONFIRMED, S.SHIPPED, S.RECEIVED, S.COMPLETED)

PAST_SHIPPING = {S.SHIPPED, S.RECEIVED, S.COMPLETED}
SHIPPED_CANNOT_CANCEL = _(
    "A shipped order cannot be cancelled; once it arrives, a refund or return can be requested."
)

# What ``ship`` needs, checked by orders.services.lifecycle with the order's own wording.
SHIP_DETAILS = ("carrier", "tracking_number")
DETAIL_LABELS = {"carrier": _("carrier"), "tracking_number": _("tracking number")}

ORDER_WORKFLOW = Workflow(
    name="order",
    transitions=(
        step(
            OrderAction.CONFIRM,
            {S.PLACED},
            S.CONFIRMED,
            {Actor.SUPPLIER},
            refusals=[
                ({S.CONFIRMED, *PAST_SHIPPING}, _("This order is no longer waiting for confirmation."))
            ],
        ),
        step(
            OrderAction.SHIP,
            {S.CONFIRMED},
            S.SHIPPED,
            {Actor.SUPPLIER},
            refusals=[
                ({S.PLACED}, _("An order can be shipped only after the supplier confirms it.")),
                (PAST_SHIPPING, _("This order has already been shipped.")),
            ],
        ),
        step(
            OrderAction.RECEIVE,
            {S.SHIPPED},
            S.RECEIVED,
            {Actor.BUYER, Actor.SYSTEM},
            refusals=[
                ({S.PLACED, S.CONFIRMED}, _("An order can be received only after the supplier ships it.")),
                ({S.RECEIVED, S.COMPLETED}, _("This order has already been received.")),
            ],
        ),
        step(
            OrderAction.COMPLETE,
            {S.RECEIVED},
            S.COMPLETED,
            {Actor.SYSTEM},
            refusals=[
                (
                    {S.PLACED, S.CONFIRMED, S.SHIPPED},
                    _("An order is completed only after the buyer receives it."),
                )
            ],
        ),
        step(
            OrderAction.CANCEL,
            {S.PLACED},
            S.CANCELLED,
            {Actor.BUYER},
            refusals=[
                (
                    {S.CONFIRMED},
                    _(
                        "The supplier has already confirmed this order, so it can no longer be cancelled "
                        "here: ask the supplier to cancel it."
                    ),
                ),
                (PAST_SHIPPING, SHIPPED_CANNOT_CANCEL),
            ],
        ),
        step(
            OrderAction.CANCEL,
            {S.PLACED, S.CONFIRMED},
            S.CANCELLED,
            {Actor.SUPPLIER},
            reason_required=True,
            refusals=[(PAST_SHIPPING, SHIPPED_CANNOT_CANCEL)],
        ),
    ),
    actions=OrderAction,
    event_model=OrderEvent,
    event_fk="order",
    reason_message=_("Give a reason: the buyer will read it."),
    final_states={S.CANCELLED: _("This order has been cancelled.")},
    refusal_message=_("“%(action)s” is not possible while the order is “%(status)s”."),
    denied_message=_("“%(action)s” is not for you to do on this order."),
)


# --- After-sales ------------------------------------------------------------------------------------


class AfterSaleAction(models.TextChoices):
    OPEN = "open", _("Open a request")
    ACCEPT = "accept", _("Accept")
    REFUSE = "refuse", _("Refuse")
    DISPUTE = "dispute", _("Ask customer service to decide")
    ARBITRATE = "arbitrate", _("Decide")


AFTER_SALE_WORKFLOW = Workflow(
    name="after_sale",
    transitions=(
        step(AfterSaleAction.ACCEPT, {A.OPEN}, A.ACCEPTED, {Actor.SUPPLIER}),
        step(AfterSaleAction.REFUSE, {A.OPEN}, A.REFUSED, {Actor.SUPPLIER}, reason_required=True),
        step(AfterSaleAction.DISPUTE, {A.REFUSED}, A.DISPUTED, {Actor.BUYER}, reason_required=True),
        step(AfterSaleAction.ARBITRATE, {A.DISPUTED}, A.ARBITRATED, {Actor.OPS}, reason_required=True),
    ),
    actions=AfterSaleAction,
    event_model=AfterSaleEvent,
    event_fk="request",
    reason_message=_("Give a reason: the other side will read it."),
    refusal_message=_("“%(action)s” is not possible while the request is “%(status)s”."),
)
