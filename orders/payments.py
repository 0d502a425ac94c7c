"""Payment providers: how the platform starts a payment, learns that it was paid and gives money back.

``PaymentProvider`` is the interface; ``SandboxProvider`` (the default, ``PAYMENT_PROVIDER=sandbox``)
moves no money: an official-card payment is "paid" when the buyer confirms it on the simulated card
page, and a bank transfer when ops confirm that it arrived. A real provider subclasses
``PaymentProvider`` (usually with ``HmacSignedNotifications``), registers in ``PROVIDERS`` and is
chosen by the setting.

Providers only talk to the outside world; every change to ``Payment`` rows is made by
``orders.services`` (``payment_start``, ``sandbox_card_pay``, ``payment_confirm_transfer``,
``payment_notification_handle``). A real provider's calls go over the network, so the services
make them outside the transactions that hold order or stock locks where they can (``payment_start``).
"""

import hashlib
import hmac
import json
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.numbers import parse_int, parse_money
from orders.models import MONEY, Payment, PaymentMethod

SIGNATURE_HEADER = "X-Fengshou-Signature"
TIMESTAMP_HEADER = "X-Fengshou-Timestamp"
# A signed notification older (or newer) than this is refused even with a good signature, so a
# captured one cannot be replayed later; within it, replays are caught by the event id.
SIGNATURE_TOLERANCE_SECONDS = 300


@dataclass(frozen=True)
class PaymentStart:
    """What the buyer needs to pay: the provider's reference, and a page to pay on (card) or
    where to send the money (transfer)."""

    reference: str
    redirect_url: str = ""
    instructions: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ProviderEvent:
    """A verified notification: ``status`` is "paid" or "failed"."""

    event_id: str
    reference: str
    status: str
    amount: Decimal
    payload: dict


class PaymentProvider(ABC):
    code: str = ""

    @abstractmethod
    def create_payment(self, payment: Payment) -> PaymentStart:
        """Register the payment with the provider; return its reference and how to pay."""

    @abstractmethod
    def verify_notification(self, headers: Mapping[str, str], body: bytes) -> ProviderEvent:
        """Check a notification's authenticity and parse it. Raises ValidationError
        (code "bad_signature" or "bad_payload") for anything not proven to come from the provider."""

    @abstractmethod
    def refund(self, payment: Payment, amount: Decimal) -> str:
        """Give ``amount`` of a paid payment back; returns the provider's refund reference."""


class HmacSignedNotifications:
    """Notifications signed with HMAC-SHA256 over ``"<timestamp>." + body`` with a shared secret,
    sent as ``X-Fengshou-Signature: sha256=<hex>`` and ``X-Fengshou-Timestamp: <unix seconds>``."""

    @staticmethod
    def secret() -> bytes:
        return settings.PAYMENT_WEBHOOK_SECRET.encode()

    @classmethod
    def sign(cls, body: bytes, timestamp: int) -> str:
        secret = cls.secret()
        if not secret:
            raise ValueError("PAYMENT_WEBHOOK_SECRET is not set")
        digest = hmac.new(secret, str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
        return f"sha256={digest}"

    @classmethod
    def signed_headers(cls, body: bytes, timestamp: int | None = None) -> dict[str, str]:
        timestamp = int(time.time()) if timestamp is None else timestamp
        return {SIGNATURE_HEADER: cls.sign(body, timestamp), TIMESTAMP_HEADER: str(timestamp)}

    @classmethod
    def check_signature(cls, headers: Mapping[str, str], body: bytes) -> None:
        bad = ValidationError(_("The notification's signature is not valid."), code="bad_signature")
        if not cls.secret():
            raise bad  # without a configured secret nothing can be trusted
        lowered = {k.lower(): v for k, v in headers.items()}
        given = lowered.get(SIGNATURE_HEADER.lower(), "")
        raw_timestamp = lowered.get(TIMESTAMP_HEADER.lower(), "")
        try:
            timestamp = int(raw_timestamp)
        except ValueError:
            raise bad from None
        if abs(time.time() - timestamp) > SIGNATURE_TOLERANCE_SECONDS:
            raise ValidationError(_("The notification is too old to be trusted."), code="bad_signature")
        expected = cls.sign(body, timestamp)
        # Constant time, so the signature cannot be guessed byte by byte from response times.
        if not hmac.compare_digest(expected.encode(), given.encode()):
            raise bad

    @staticmethod
    def parse(body: bytes) -> ProviderEvent:
        """The event of a verified body. A signature proves who sent it, not that it is sane: the body
        is bounded in size and depth, its ids fit their columns, and its amount is read by
        core.numbers (no ``Infinity``, ``NaN`` or exponent, an amount the money column holds).
        Anything else raises ValidationError with code "bad_payload"."""
        bad = ValidationError(_("The notification cannot be read."), code="bad_payload")
        if len(body) > MAX_NOTIFICATION_BYTES:
            raise bad
        try:
            data = json.loads(body, parse_constant=_refuse_constant)
        except (ValueError, RecursionError):
            raise bad from None
        if not isinstance(data, dict) or _depth(data) > MAX_PAYLOAD_DEPTH:
            raise bad
        try:
            event = ProviderEvent(
                event_id=_identifier(data.get("id")),
                reference=_identifier(data.get("reference")),
                status=_identifier(data.get("status")),
                amount=parse_money(data.get("amount"), max_digits=MONEY["max_digits"], min_value=0),
                payload=data,
            )
        except ValidationError:
            raise bad from None
        if event.status not in ("paid", "failed"):
            raise bad
        return event


# What a provider's notification may be: a small, flat JSON object whose ids fit their columns
# (PaymentNotification.event_id, Payment.provider_reference).
MAX_NOTIFICATION_BYTES = 64 * 1024
MAX_PAYLOAD_DEPTH = 8
MAX_IDENTIFIER_LENGTH = 100


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a number")  # NaN, Infinity, -Infinity: JSON has no such numbers


def _depth(value) -> int:
    """How deeply ``value`` nests, counted without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
    return deepest


def _identifier(value) -> str:
    """An id or status as text of 1 to 100 characters (a string or a whole number in the JSON)."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValidationError("not an identifier")
    text = value if isinstance(value, str) else str(parse_int(value, min_value=0, max_value=None))
    if not text or len(text) > MAX_IDENTIFIER_LENGTH:
        raise ValidationError("not an identifier")
    return text


class SandboxProvider(HmacSignedNotifications, PaymentProvider):
    """Moves no money. Card payments are paid on the simulated card page
    (``orders.services.sandbox_card_pay``), transfers when ops confirm them
    (``orders.services.payment_confirm_transfer``); signed notifications work as a real
    provider's would, for tests and the demo."""

    code = "sandbox"
    # Shown as where to send a bank transfer; the memo ties the money to the order.
    TRANSFER_ACCOUNT = {
        "account_name": "丰收采购平台（演示）",
        "bank": "中国农业银行武汉分行（演示）",
        "account_number": "6228 4800 0000 0000 000",
    }

    def create_payment(self, payment: Payment) -> PaymentStart:
        reference = f"SBX-{uuid.uuid4().hex[:20].upper()}"
        if payment.method == PaymentMethod.BANK_TRANSFER:
            return PaymentStart(
                reference=reference,
                instructions={
                    **self.TRANSFER_ACCOUNT,
                    "amount": str(payment.amount_due),
                    "memo": payment.order.number,
                },
            )
        # The simulated card page is built by the web layer; it calls sandbox_card_pay.
        return PaymentStart(reference=reference, redirect_url=f"/orders/pay/{payment.pk}/")

    def verify_notification(self, headers: Mapping[str, str], body: bytes) -> ProviderEvent:
        self.check_signature(headers, body)
        return self.parse(body)

    def refund(self, payment: Payment, amount: Decimal) -> str:
        return f"SBX-R-{uuid.uuid4().hex[:20].upper()}"

    @classmethod
    def notification(
        cls, *, payment: Payment, event_id: str, status: str = "paid", amount: Decimal | None = None
    ) -> tuple[dict[str, str], bytes]:
        """A signed notification as the provider would send it (headers, body): for tests and the demo."""
        body = json.dumps(
            {
                "id": event_id,
                "reference": payment.provider_reference,
                "status": status,
                "amount": str(payment.amount_due if amount is None else amount),
            }
        ).encode()
        return cls.signed_headers(body), body


PROVIDERS: dict[str, type[PaymentProvider]] = {SandboxProvider.code: SandboxProvider}


def get_provider(code: str | None = None) -> PaymentProvider:
    """The provider registered as ``code`` (default: the PAYMENT_PROVIDER setting)."""
    code = code or settings.PAYMENT_PROVIDER
    try:
        return PROVIDERS[code]()
    except KeyError:
        raise ValidationError(
            _("Unknown payment provider “%(code)s”.") % {"code": code}, code="unknown_provider"
        ) from None
