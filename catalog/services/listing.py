"""The listing workflow (catalog.workflow.LISTING) with its automatic pre-check."""

from collections.abc import Collection
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.actors import actor_of
from accounts.models import User
from accounts.notifications import notify
from catalog.models import Product, ProductStatus, TestReport
from catalog.selectors import leaf_ids
from catalog.services._common import lock_product
from catalog.services.summary import product_refresh_summary
from catalog.units import UnitMismatch, unit_price
from catalog.workflow import LISTING, OPS, ProductAction
from core import workflow
from core.workflow import Actor
from suppliers.models import QualificationStatus, SupplierStatus
from suppliers.rules import QualificationType


@dataclass(frozen=True)
class Problem:
    """One pre-check problem: the form field it concerns, its message in the active language, and a
    stable ``code`` with its ``params`` (JSON-safe) for those that store it and render it later."""

    field: str
    message: str
    code: str = ""
    params: dict = field(default_factory=dict, compare=False, hash=False)


def product_precheck(product: Product, *, leaves: Collection[int] | None = None) -> list[Problem]:
    """What is missing or wrong before a person reviews the product. Empty means clean. A caller checking
    many products passes the leaf category ids once (``leaves``) instead of reading the tree each time."""
    problems: list[Problem] = []
    category = product.category
    if category.pk not in (leaves if leaves is not None else leaf_ids()):  # the cached tree: no query
        problems.append(
            Problem("category", _("Choose the most specific category."), code="listing.category_not_leaf")
        )
    for name, label, code in (
        ("description", _("a description"), "listing.no_description"),
        ("shelf_life_days", _("the shelf life"), "listing.no_shelf_life"),
        ("storage", _("the storage condition"), "listing.no_storage"),
    ):
        if not getattr(product, name):
            problems.append(Problem(name, _("Add %(what)s.") % {"what": label}, code=code))
    skus = [s for s in product.skus.all() if s.is_active]
    if not skus:
        problems.append(Problem("skus", _("Add at least one SKU."), code="listing.no_sku"))
    for sku in skus:
        try:
            unit_price(
                price=sku.price,
                net_quantity=sku.net_quantity,
                unit=sku.unit,
                pack_count=sku.pack_count,
                basis=category.price_basis,
            )
        except (UnitMismatch, ValueError):
            problems.append(
                Problem(
                    "skus",
                    _("SKU “%(spec)s”: its unit does not fit the category's price basis.")
                    % {"spec": sku.spec},
                    code="listing.sku_unit_basis",
                    params={"spec": sku.spec, "unit": sku.unit, "basis": category.price_basis},
                )
            )
    if not any(i.is_main for i in product.images.all()):
        problems.append(Problem("images", _("Upload a main image."), code="listing.no_main_image"))
    if category.requires_test_report and not any(
        r.result == TestReport.Result.PASS for r in product.test_reports.all()
    ):
        problems.append(
            Problem(
                "test_reports",
                _("This category requires a passed test report."),
                code="listing.no_passed_test_report",
            )
        )
    supplier = product.supplier
    if supplier.status != SupplierStatus.ACTIVE:
        problems.append(
            Problem(
                "supplier",
                _("Your supplier account is not active."),
                code="supplier.inactive",
                params={"status": supplier.status},
            )
        )
    today = timezone.localdate()
    held = {
        q.type
        for q in supplier.qualifications.all()
        if q.status == QualificationStatus.CURRENT and (q.long_term or q.valid_until >= today)
    }
    names = dict(QualificationType.choices)
    for group in category.required_qualifications or []:
        if not set(group) & held:
            label = _(" or ").join(str(names.get(t, t)) for t in group)
            problems.append(
                Problem(
                    "supplier",
                    _("This category requires a valid %(document)s.") % {"document": label},
                    code="qualification.category_requires",
                    params={"types": sorted(group)},
                )
            )
    return problems


def _precheck_before(product: Product, transition) -> None:
    if transition.action in (ProductAction.SUBMIT, ProductAction.PUT_ON_SALE):
        problems = product_precheck(product)
        if problems:
            raise ValidationError([p.message for p in problems], code="precheck")


def _set_published_at(product: Product, transition) -> list[str]:
    if transition.target == ProductStatus.ON_SALE and product.published_at is None:
        product.published_at = product.status_changed_at
    return ["published_at"]


def _after_transition(change: workflow.Change) -> None:
    product = change.obj
    product_refresh_summary(product)
    if change.actor != OPS:
        return
    name, action, reason = product.name, change.action, change.reason

    def body() -> str:
        text = _("“%(name)s” is now “%(status)s”.") % {"name": name, "status": product.get_status_display()}
        if reason:
            text += "\n" + _("Reason: %(reason)s") % {"reason": reason}
        return text

    notify(
        users=User.objects.filter(supplier_id=product.supplier_id, is_active=True),
        subject=lambda: _("%(action)s: %(name)s") % {"action": ProductAction(action).label, "name": name},
        body=body,
        link=reverse("catalog:my_product", args=[product.pk]),
    )


@transaction.atomic
def product_transition(*, product: Product, action: str, by: User, reason: str = "") -> Product:
    """Move a product along its listing workflow (catalog.workflow.LISTING), recorded with who, in
    which role, when and why; the supplier hears of what ops decided."""
    if not LISTING.knows(action) or action == ProductAction.EDIT:
        raise ValidationError(_("Unknown action."))
    product = lock_product(product)
    actor = actor_of(by, supplier_id=product.supplier_id, ops_permission="catalog.change_product")
    change = workflow.transition(
        LISTING,
        product,
        action=action,
        by=by,
        actor=actor,
        reason=reason,
        locked=True,
        before=_precheck_before,
        apply=_set_published_at,
        after=_after_transition,
    )
    return change.obj


def product_edited_while_off_sale(product: Product, *, by: User) -> None:
    """An off-sale product whose content changed goes back to draft: it needs review again.
    Call inside the transaction holding the product's lock (product_save)."""
    workflow.transition(
        LISTING,
        product,
        action=ProductAction.EDIT,
        by=by,
        actor=Actor.SUPPLIER,
        reason=_("Edited while off sale: needs review again."),
        locked=True,
    )
