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

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from orders.models import AfterSaleStatus as A
from orders.models import OrderStatus as S


class Actor(models.TextChoices):
    BUYER = "buyer", _("the buyer")
    SUPPLIER = "supplier", _("the supplier")
    OPS = "ops", _("customer service")
    SYSTEM = "system", _("the platform")


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


@dataclass(frozen=True)
class Transition:
    action: str
    actor: str
    sources: frozenset[str]
    target: str
    reason_required: bool = False
    details_required: tuple[str, ...] = ()
    # What to tell someone who tries this step while the order is in one of these other states.
    refusals: tuple[tuple[frozenset[str], Promise], ...] = ()


def _t(action, actor, sources, target, refusals=(), **kwargs) -> Transition:
    refusals = tuple((frozenset(states), message) for states, message in refusals)
    return Transition(action, actor, frozenset(sources), target, refusals=refusals, **kwargs)


PAST_SHIPPING = {S.SHIPPED, S.RECEIVED, S.COMPLETED}
SHIPPED_CANNOT_CANCEL = _(
    "A shipped order cannot be cancelled; once it arrives, a refund or return can be requested."
)

# (action, actor) -> Transition: the same action may be open to several actors on different terms.
TRANSITIONS: dict[tuple[str, str], Transition] = {
    (t.action, t.actor): t
    for t in [
        _t(
            OrderAction.CONFIRM,
            Actor.SUPPLIER,
            {S.PLACED},
            S.CONFIRMED,
            refusals=[
                ({S.CONFIRMED, *PAST_SHIPPING}, _("This order is no longer waiting for confirmation."))
            ],
        ),
        _t(
            OrderAction.SHIP,
            Actor.SUPPLIER,
            {S.CONFIRMED},
            S.SHIPPED,
            details_required=("carrier", "tracking_number"),
            refusals=[
                ({S.PLACED}, _("An order can be shipped only after the supplier confirms it.")),
                (PAST_SHIPPING, _("This order has already been shipped.")),
            ],
        ),
        _t(
            OrderAction.RECEIVE,
            Actor.BUYER,
            {S.SHIPPED},
            S.RECEIVED,
            refusals=[
                ({S.PLACED, S.CONFIRMED}, _("An order can be received only after the supplier ships it.")),
                ({S.RECEIVED, S.COMPLETED}, _("This order has already been received.")),
            ],
        ),
        _t(OrderAction.RECEIVE, Actor.SYSTEM, {S.SHIPPED}, S.RECEIVED),
        _t(
            OrderAction.COMPLETE,
            Actor.SYSTEM,
            {S.RECEIVED},
            S.COMPLETED,
            refusals=[
                (
                    {S.PLACED, S.CONFIRMED, S.SHIPPED},
                    _("An order is completed only after the buyer receives it."),
                )
            ],
        ),
        _t(
            OrderAction.CANCEL,
            Actor.BUYER,
            {S.PLACED},
            S.CANCELLED,
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
        _t(
            OrderAction.CANCEL,
            Actor.SUPPLIER,
            {S.PLACED, S.CONFIRMED},
            S.CANCELLED,
            reason_required=True,
            refusals=[(PAST_SHIPPING, SHIPPED_CANNOT_CANCEL)],
        ),
    ]
}

DETAIL_LABELS = {"carrier": _("carrier"), "tracking_number": _("tracking number")}


def allowed_order_actions(status: str, actor: str) -> list[str]:
    """Actions ``actor`` may take on an order in ``status`` (for buttons and admin actions)."""
    return [t.action for t in TRANSITIONS.values() if t.actor == actor and status in t.sources]


def refusal(transition: Transition, status: str) -> Promise | None:
    """What to say when ``transition`` is tried on an order in ``status`` (None: say it generically)."""
    if status == S.CANCELLED:
        return _("This order has been cancelled.")
    for states, message in transition.refusals:
        if status in states:
            return message
    return None


# --- After-sales ------------------------------------------------------------------------------------


class AfterSaleAction(models.TextChoices):
    OPEN = "open", _("Open a request")
    ACCEPT = "accept", _("Accept")
    REFUSE = "refuse", _("Refuse")
    DISPUTE = "dispute", _("Ask customer service to decide")
    ARBITRATE = "arbitrate", _("Decide")


@dataclass(frozen=True)
class AfterSaleStep:
    action: str
    actor: str
    sources: frozenset[str]
    target: str
    reason_required: bool


AFTER_SALE_STEPS: dict[str, AfterSaleStep] = {
    s.action: s
    for s in [
        AfterSaleStep(AfterSaleAction.ACCEPT, Actor.SUPPLIER, frozenset({A.OPEN}), A.ACCEPTED, False),
        AfterSaleStep(AfterSaleAction.REFUSE, Actor.SUPPLIER, frozenset({A.OPEN}), A.REFUSED, True),
        AfterSaleStep(AfterSaleAction.DISPUTE, Actor.BUYER, frozenset({A.REFUSED}), A.DISPUTED, True),
        AfterSaleStep(AfterSaleAction.ARBITRATE, Actor.OPS, frozenset({A.DISPUTED}), A.ARBITRATED, True),
    ]
}
