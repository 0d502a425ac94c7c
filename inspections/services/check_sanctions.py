"""What a confirmed violation does (the ladder's rung, inspections.sanctions), what an overturned appeal
undoes, and what becomes of a sanction once it is final. Called by inspections.services.checks inside
the transaction that holds the check's lock (then the supplier's: that order, always)."""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog import services as catalog_services
from catalog.models import Product, ProductStatus
from catalog.workflow import ProductAction
from inspections import sanctions
from inspections.models import ListingStanding, Sanction, SanctionStep, SpotCheck
from suppliers import services as supplier_services
from suppliers.models import Supplier, SupplierStatus, SuspensionCause
from suppliers.workflow import Action as SupplierAction

log = logging.getLogger(__name__)

CREDIT_SOURCE = "spot_check"


def lock_supplier(supplier_id: int) -> Supplier:
    return Supplier.objects.select_for_update().get(pk=supplier_id)


def rung_for(check: SpotCheck) -> tuple[sanctions.Rung, dict[str, str]]:
    """The rung this check's violation lands on and what imposing it will do, as event details.
    Call holding the check's and the supplier's locks (the count must not change underneath)."""
    supplier = lock_supplier(check.supplier_id)
    rung = sanctions.next_sanction(sanctions.confirmed_violations(supplier_id=supplier.pk))
    details = {"sanction": rung.step, "rung": str(rung.number)}
    if rung.points:
        details["points"] = str(rung.points)
    if check.product.frozen_at is None:
        details["froze"] = "1"
    if rung.step in (SanctionStep.SUSPEND, SanctionStep.EXIT) and supplier.status == SupplierStatus.ACTIVE:
        details["suspended"] = "1"
    return rung, details


def impose(check: SpotCheck, *, rung: sanctions.Rung, by, reason: str) -> Sanction:
    """Record the sanction and apply what is reversible now (the freeze, the points, the suspension)."""
    sanction = Sanction.objects.create(
        supplier_id=check.supplier_id,
        check_ref=check,
        step=rung.step,
        points=rung.points,
        reason=reason,
        by=by,
    )
    catalog_services.listings_freeze(product_ids=[check.product_id], reason=reason)
    if rung.points:
        catalog_credit_reason = _("Spot check #%(id)s: %(reason)s") % {"id": check.pk, "reason": reason}
        supplier_services.credit_adjust(
            supplier=check.supplier,
            delta=-rung.points,
            reason=catalog_credit_reason,
            by=by,
            source=CREDIT_SOURCE,
        )
    if rung.step in (SanctionStep.SUSPEND, SanctionStep.EXIT):
        supplier = Supplier.objects.get(pk=check.supplier_id)
        if supplier.status == SupplierStatus.ACTIVE:
            supplier_services.supplier_transition(
                supplier=supplier,
                action=SupplierAction.SUSPEND,
                by=by,
                reason=reason,
                cause=SuspensionCause.OPS,
            )
    return sanction


def lift_freeze(check: SpotCheck) -> bool:
    """Lift the freeze this check put on its listing (not one the sweep put there for its own finding)."""
    made_by_check = check.events.filter(details__froze="1").exists()
    by_sweep = ListingStanding.objects.filter(product_id=check.product_id, frozen_by_sweep=True).exists()
    if not made_by_check or by_sweep:
        return False
    return catalog_services.listings_unfreeze(product_ids=[check.product_id]) > 0


def revoke(check: SpotCheck, *, by, reason: str) -> list[Sanction]:
    """Undo the check's sanctions (an overturned appeal): the freeze lifted, the points given back by a
    positive credit entry, a suspension this check made reinstated."""
    revoked = list(check.sanctions.filter(revoked_at__isnull=True))
    if not revoked:
        return []
    now = timezone.now()
    Sanction.objects.filter(pk__in=[s.pk for s in revoked]).update(revoked_at=now, final=False)
    lift_freeze(check)
    points = sum(s.points for s in revoked)
    if points:
        supplier_services.credit_adjust(
            supplier=check.supplier,
            delta=points,
            reason=_("Spot check #%(id)s overturned on appeal: %(reason)s")
            % {"id": check.pk, "reason": reason},
            by=by,
            source=CREDIT_SOURCE,
        )
    suspended_here = check.events.filter(details__suspended="1").exists()
    supplier = Supplier.objects.get(pk=check.supplier_id)
    if (
        suspended_here
        and supplier.status == SupplierStatus.SUSPENDED
        and supplier.suspension_cause == SuspensionCause.OPS
    ):
        supplier_services.supplier_transition(
            supplier=supplier, action=SupplierAction.REINSTATE, by=by, reason=reason
        )
    return revoked


def make_final(check: SpotCheck) -> int:
    """The check's sanctions can no longer change: mark them final and take the irreversible steps
    (delist the listing; terminate the supplier). Returns how many became final."""
    pending = list(check.sanctions.filter(revoked_at__isnull=True, final=False).select_related("by"))
    for sanction in pending:
        if sanction.step == SanctionStep.DELIST:
            _delist(check.product_id, by=sanction.by, reason=sanction.reason)
        elif sanction.step == SanctionStep.EXIT:
            _terminate(check.supplier_id, by=sanction.by, reason=sanction.reason)
    return Sanction.objects.filter(pk__in=[s.pk for s in pending]).update(final=True)


def _delist(product_id: int, *, by, reason: str) -> None:
    product = Product.objects.get(pk=product_id)
    delistable = {ProductStatus.APPROVED, ProductStatus.ON_SALE, ProductStatus.OFF_SALE}
    if product.status in delistable:
        catalog_services.product_transition(
            product=product, action=ProductAction.DELIST, by=by, reason=reason
        )


def _terminate(supplier_id: int, *, by, reason: str) -> None:
    supplier = Supplier.objects.get(pk=supplier_id)
    if supplier.status in (SupplierStatus.ACTIVE, SupplierStatus.SUSPENDED):
        supplier_services.supplier_transition(
            supplier=supplier, action=SupplierAction.TERMINATE, by=by, reason=reason
        )


def finalize_due(*, now=None) -> int:
    """Sanctions whose appeal window passed without an appeal become final (the periodic watch). Each
    check in its own transaction: one that cannot be finalised (its reviewer lost the right to delist)
    is logged and left for the next run, without stopping the others."""
    now = now or timezone.now()
    cutoff = now - sanctions.appeal_window()
    due = (
        SpotCheck.objects.filter(
            sanctions__final=False,
            sanctions__revoked_at__isnull=True,
            decided_at__lt=cutoff,
            appeal__isnull=True,
        )
        .distinct()
        .order_by("pk")
    )
    done = 0
    for check in due:
        try:
            with transaction.atomic():
                locked = SpotCheck.objects.select_for_update().get(pk=check.pk)
                done += make_final(locked)
        except (ValidationError, PermissionDenied):
            log.exception("spot check %s: its sanction could not be made final", check.pk)
    return done
