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
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from orders.models import Payment, PaymentMethod

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
        bad = ValidationError(_("The notification cannot be read."), code="bad_payload")
        try:
            data = json.loads(body)
            event = ProviderEvent(
                event_id=str(data["id"]),
                reference=str(data["reference"]),
                status=str(data["status"]),
                amount=Decimal(str(data["amount"])),
                payload=data,
            )
        except (ValueError, KeyError, TypeError, InvalidOperation):
            raise bad from None
        if not event.event_id or not event.reference or event.status not in ("paid", "failed"):
            raise bad
        return event


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
