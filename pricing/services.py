"""Writes of price evidence: recorded by the supplier, checked by ops."""

import datetime
from decimal import Decimal
from urllib.parse import SplitResult, urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.notifications import notify
from catalog.models import Product, Sku
from catalog.services import product_transition
from catalog.services.cleaning import unit_price_fits, unit_price_too_large
from catalog.units import PriceBasis, Unit, UnitMismatch, unit_price
from catalog.workflow import ProductAction
from core.numbers import INT32_MAX, decimal_limit, fits_decimal, parse_int
from core.uploads import CleanUpload, clean_image
from pricing.explain import explain
from pricing.models import EvidenceStatus, Match, PriceEvidence, PriceReview, PriceVerdict, ReviewState, Shop
from pricing.tasks import refresh_verdicts_on_commit

SCREENSHOT_MAX_SIDE = 2000


def _split(url: str) -> SplitResult | None:
    """The parts of a link, or None if urllib cannot split it (an unclosed IPv6 bracket, a host that
    is no address, characters that turn into a separator under NFKC: it raises ValueError)."""
    try:
        return urlsplit(url)
    except ValueError:
        return None


def shop_for_url(url: str) -> Shop | None:
    """The recognised shop a link belongs to, from its host name (sub-domains included)."""
    parts = _split(url)
    host = ((parts and parts.hostname) or "").lower().rstrip(".")
    if not host:
        return None
    for shop in Shop.objects.filter(is_active=True):
        if any(host == h or host.endswith("." + h) for h in shop.hosts):
            return shop
    return None


def _check_url(url: str, errors: dict[str, list[str]]) -> Shop | None:
    """The recognised shop of a full link; otherwise the error is put on ``url``."""
    parts = _split(url)
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        errors["url"] = [_("Enter the full link, starting with https://.")]
        return None
    shop = shop_for_url(url)
    if shop is None:
        names = "、".join(Shop.objects.filter(is_active=True).values_list("name", flat=True))
        errors["url"] = [
            _("%(host)s is not a recognised shop. Links are accepted from: %(shops)s.")
            % {"host": parts.hostname, "shops": names}
        ]
    return shop


def _check_observation(
    errors: dict[str, list[str]],
    *,
    match: str,
    observed_price: Decimal,
    spec: str,
    net_quantity: Decimal,
    pack_count: int,
    seen_on: datetime.date,
) -> None:
    """What the supplier says it saw in the shop: each wrong field gets its message."""
    if match not in Match.values:
        errors["match"] = [_("Say whether it is the same product or a similar one.")]
    _check_columns(errors, observed_price=observed_price, net_quantity=net_quantity, pack_count=pack_count)
    if "observed_price" not in errors and (observed_price is None or observed_price <= 0):
        errors["observed_price"] = [_("The price seen must be more than ¥0.00.")]
    if not (spec or "").strip():
        errors["spec"] = [_("Copy the specification shown in the shop.")]
    if "net_quantity" not in errors and (net_quantity is None or net_quantity <= 0):
        errors["net_quantity"] = [_("The net quantity must be more than zero.")]
    if "pack_count" not in errors and (not pack_count or pack_count < 1):
        errors["pack_count"] = [_("A pack holds at least one piece.")]
    if seen_on and seen_on > timezone.localdate():
        errors["seen_on"] = [_("The date seen cannot be in the future.")]


def _check_columns(errors: dict[str, list[str]], **numbers) -> None:
    """Numbers the PriceEvidence columns cannot hold (core.numbers), whoever sent them (form or API)."""
    for field, (digits, places) in (("observed_price", (10, 2)), ("net_quantity", (10, 3))):
        value = numbers[field]
        if value is not None and not fits_decimal(value, max_digits=digits, decimal_places=places):
            limit = decimal_limit(max_digits=digits, decimal_places=places)
            errors[field] = [_("Enter a number no more than %(limit)s.") % {"limit": limit}]
    if numbers["pack_count"] is not None:
        try:
            parse_int(numbers["pack_count"], min_value=None, max_value=INT32_MAX)
        except ValidationError as exc:
            errors["pack_count"] = exc.messages


def _reference_unit_price(
    errors: dict[str, list[str]],
    *,
    basis: str,
    observed_price: Decimal,
    net_quantity: Decimal,
    unit: str,
    pack_count: int,
) -> Decimal | None:
    """The reference's unit price on the product's price basis, when its fields allow one."""
    if unit not in Unit.values:
        errors["unit"] = [_("Choose a unit.")]
        return None
    if set(errors) & {"observed_price", "net_quantity", "pack_count"}:
        return None
    try:
        value = unit_price(
            price=observed_price, net_quantity=net_quantity, unit=unit, pack_count=pack_count, basis=basis
        )
    except UnitMismatch:
        errors["unit"] = [
            _("This product is compared %(basis)s: a reference in %(unit)s cannot be converted.")
            % {"basis": PriceBasis(basis).label, "unit": Unit(unit).label}
        ]
        return None
    if not unit_price_fits(value):  # PriceEvidence.observed_unit_price is as wide as Sku.unit_price
        errors["observed_price"] = [unit_price_too_large()]
        return None
    return value


def _check_screenshot(screenshot, product: Product, errors: dict[str, list[str]]) -> CleanUpload | None:
    """The cleaned screenshot, unless it is missing, unreadable or the proof for another product."""
    if screenshot is None:
        errors["screenshot"] = [_("Upload a screenshot of the shop page as proof.")]
        return None
    try:
        clean = clean_image(screenshot, max_side=SCREENSHOT_MAX_SIDE)
    except ValidationError as exc:
        errors["screenshot"] = exc.messages
        return None
    reused = PriceEvidence.objects.filter(screenshot_sha256=clean.sha256).exclude(sku__product=product)
    # Name the other product only when it is the same supplier's: another supplier's product, name
    # or very existence is none of this supplier's business.
    own = reused.filter(sku__product__supplier_id=product.supplier_id).select_related("sku__product").first()
    if own is not None:
        errors["screenshot"] = [
            _("This screenshot is already the proof for another product (“%(name)s”).")
            % {"name": own.sku.product.name}
        ]
    elif reused.exists():
        errors["screenshot"] = [
            _(
                "This screenshot is already used as proof elsewhere. Upload your own screenshot of the shop page."
            )
        ]
    return clean


@transaction.atomic
def evidence_add(
    *,
    sku: Sku,
    by: User,
    url: str,
    match: str,
    observed_price: Decimal,
    spec: str,
    net_quantity: Decimal,
    unit: str,
    pack_count: int,
    seen_on: datetime.date,
    screenshot,
) -> PriceEvidence:
    """Record a comparison for one of the supplier's SKUs. Every wrong field is reported at once,
    on its field, and nothing is saved. A screenshot already used as proof for another product is
    refused: the same picture cannot stand for two products unnoticed."""
    product = sku.product
    if not (by.is_active and by.role == Role.SUPPLIER and by.supplier_id == product.supplier_id):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    url = (url or "").strip()
    shop = _check_url(url, errors)
    _check_observation(
        errors,
        match=match,
        observed_price=observed_price,
        spec=spec,
        net_quantity=net_quantity,
        pack_count=pack_count,
        seen_on=seen_on,
    )
    reference_unit_price = _reference_unit_price(
        errors,
        basis=product.category.price_basis,
        observed_price=observed_price,
        net_quantity=net_quantity,
        unit=unit,
        pack_count=pack_count,
    )
    clean = _check_screenshot(screenshot, product, errors)
    if errors:
        raise ValidationError(errors)
    evidence = PriceEvidence(
        sku=sku,
        shop=shop,
        url=url,
        match=match,
        observed_price=observed_price,
        spec=spec.strip(),
        net_quantity=net_quantity,
        unit=unit,
        pack_count=pack_count,
        observed_unit_price=reference_unit_price,
        seen_on=seen_on,
        screenshot_sha256=clean.sha256,
        created_by=by,
    )
    evidence.screenshot.save(clean.content.name, clean.content, save=False)
    try:
        evidence.save()
    except Exception:
        evidence.screenshot.storage.delete(evidence.screenshot.name)
        raise
    refresh_verdicts_on_commit([sku.pk])
    return evidence


@transaction.atomic
def evidence_review(*, evidence: PriceEvidence, by: User, verified: bool, reason: str = "") -> PriceEvidence:
    """Ops mark a reference as verified, or reject it with the reason the supplier reads."""
    if not (by.is_ops and by.has_perm("pricing.change_priceevidence")):
        raise PermissionDenied
    reason = reason.strip()
    if not verified and not reason:
        raise ValidationError({"reason": _("Give a reason: the supplier will read it.")})
    evidence = PriceEvidence.objects.select_for_update().get(pk=evidence.pk)
    evidence.status = EvidenceStatus.VERIFIED if verified else EvidenceStatus.REJECTED
    evidence.review_reason = reason
    evidence.reviewed_by = by
    evidence.reviewed_at = timezone.now()
    evidence.save(update_fields=["status", "review_reason", "reviewed_by", "reviewed_at"])
    refresh_verdicts_on_commit([evidence.sku_id])
    return evidence


def _ask_to_adjust(*, sku: Sku, verdict: PriceVerdict, note: str) -> None:
    """Tell the supplier's users, each in their own language, that ops want the price adjusted."""
    product = sku.product
    notify(
        users=User.objects.filter(supplier_id=product.supplier_id, is_active=True),
        subject=lambda: (
            _("Please adjust the price of “%(name)s” (%(spec)s)") % {"name": product.name, "spec": sku.spec}
        ),
        body=lambda: f"{note}\n\n{explain(verdict)}",
        link=reverse("pricing:sku_prices", args=[product.pk, sku.pk]),
    )


@transaction.atomic
def price_review(*, sku: Sku, by: User, action: str, note: str) -> PriceReview:
    """Ops decide about a flagged price: accept it with a note, ask the supplier to adjust it (the
    supplier reads the note and the model's explanation in its portal), or delist the product.

    The review holds for the unit price it was made on: once the price changes, the next verdict
    stands on its own (an accepted price that changes comes back to the queue if still flagged).
    """
    if not (by.is_active and by.is_ops and by.has_perm("pricing.change_priceverdict")):
        raise PermissionDenied
    note = (note or "").strip()
    if action not in PriceReview.Action.values:
        raise ValidationError({"action": _("Choose accept, adjust or delist.")})
    if not note:
        raise ValidationError({"note": _("Write a note: the supplier reads it with the explanation.")})
    verdict = (
        PriceVerdict.objects.select_for_update(of=("self",))
        .select_related("peer_category")
        .filter(sku=sku)
        .first()
    )
    if verdict is None or not verdict.is_flagged:
        raise ValidationError(_("Only a price the model flagged can be reviewed."))
    product = sku.product
    with translation.override(settings.LANGUAGE_CODE):
        explanation = explain(verdict)
    if action == PriceReview.Action.DELIST:
        product_transition(product=product, action=ProductAction.DELIST, by=by, reason=note)
    state = {
        PriceReview.Action.ACCEPT: ReviewState.ACCEPTED,
        PriceReview.Action.ADJUST: ReviewState.ADJUST,
        PriceReview.Action.DELIST: ReviewState.DELISTED,
    }[action]
    verdict.review_state = state
    verdict.review_note = note
    verdict.review_unit_price = verdict.unit_price
    verdict.reviewed_by = by
    verdict.reviewed_at = timezone.now()
    verdict.save(
        update_fields=["review_state", "review_note", "review_unit_price", "reviewed_by", "reviewed_at"]
    )
    review = PriceReview.objects.create(
        sku=sku,
        action=action,
        note=note,
        verdict=verdict.verdict,
        unit_price=verdict.unit_price,
        explanation=explanation,
        by=by,
    )
    if action == PriceReview.Action.ADJUST:
        _ask_to_adjust(sku=sku, verdict=verdict, note=note)
    return review
