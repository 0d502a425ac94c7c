"""Reports (举报): buyers and anonymous visitors report a listing or a supplier; customer service and
internal control take them up, confirm or dismiss them (REPORT workflow), and may open a targeted check.

Anonymous filing is rate-limited per client address, signed-in buyers per user, in the cache
(no captcha). Photos go through the shared upload checks (core.uploads) and private storage, and are
all checked before anything is written, so a refusal leaves no row and no file.
"""

from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.actors import actor_of
from accounts.models import Role, User
from accounts.notifications import notify
from catalog.models import Product
from core.uploads import CleanUpload, clean_image
from core.workflow import Actor, Change, record, transition
from inspections.models import Report, ReportPhoto, ReportState, SpotCheck
from inspections.services import checks as check_services
from inspections.workflow import REPORT, ReportAction
from suppliers.models import Supplier, SupplierStatus

DESCRIPTION_MIN_CHARS = 8
DESCRIPTION_MAX_CHARS = 2000
PHOTO_MAX_SIDE = 1600
RATE_WINDOW_SECONDS = 3600
CHANGE_PERMISSION = "inspections.change_report"
OPEN_CHECK_PERMISSION = "inspections.add_spotcheck"


# --- Filing ----------------------------------------------------------------------------------------


def _rate_key(reporter: User | None, address: str | None) -> tuple[str, int]:
    """The cache key counting this reporter's reports in the current hour, and its limit."""
    hour = int(timezone.now().timestamp() // RATE_WINDOW_SECONDS)
    limits = settings.INSPECTIONS
    if reporter is not None:
        return f"inspections:reports:user:{reporter.pk}:{hour}", limits["REPORTS_PER_HOUR_SIGNED_IN"]
    return f"inspections:reports:ip:{address or 'unknown'}:{hour}", limits["REPORTS_PER_HOUR"]


def report_rate_limited(*, reporter: User | None, address: str | None) -> bool:
    """Whether this reporter (or, anonymous, this client address) has used up this hour's reports."""
    key, limit = _rate_key(reporter, address)
    return (cache.get(key) or 0) >= limit


def _count_one(reporter: User | None, address: str | None) -> None:
    key, _limit = _rate_key(reporter, address)
    if cache.add(key, 1, RATE_WINDOW_SECONDS):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add() and incr(), or the cache is unreachable
        cache.set(key, 1, RATE_WINDOW_SECONDS)


def _subject_errors(product: Product | None, supplier: Supplier | None) -> dict[str, list[str]]:
    if product is None and supplier is None:
        return {"product": [_("Choose the listing or the supplier you are reporting.")]}
    if product is not None:
        if not product.is_visible:
            return {
                "product": [_("This listing is not on sale: only listings buyers can see can be reported.")]
            }
        if supplier is not None and supplier.pk != product.supplier_id:
            return {"supplier": [_("This listing is not sold by this supplier.")]}
        return {}
    if supplier.status != SupplierStatus.ACTIVE:
        return {"supplier": [_("This supplier is not active on the platform: it cannot be reported.")]}
    return {}


def _cleaned_photos(photos: list) -> tuple[list[CleanUpload], list[str]]:
    limit = settings.INSPECTIONS["REPORT_MAX_PHOTOS"]
    if len(photos) > limit:
        return [], [_("At most %(n)d photos; you sent %(sent)d.") % {"n": limit, "sent": len(photos)}]
    cleaned, errors = [], []
    for upload in photos:
        try:
            cleaned.append(clean_image(upload, max_side=PHOTO_MAX_SIDE))
        except ValidationError as exc:
            name = getattr(upload, "name", "") or _("a photo")
            errors.extend(f"{name}: {message}" for message in exc.messages)
    return cleaned, errors


def _checked_report(*, kind: str, description: str, product, supplier, photos: list) -> list[CleanUpload]:
    """The cleaned photos, or every problem of the report at once (on the fields they concern)."""
    errors = _subject_errors(product, supplier)
    if kind not in Report.Kind.values:
        errors["kind"] = [_("Choose what the report is about: price, quality, qualifications or other.")]
    if len(description) < DESCRIPTION_MIN_CHARS:
        errors["description"] = [
            _("Describe what is wrong in at least %(n)d characters: staff act on what you write.")
            % {"n": DESCRIPTION_MIN_CHARS}
        ]
    elif len(description) > DESCRIPTION_MAX_CHARS:
        errors["description"] = [_("At most %(n)d characters.") % {"n": DESCRIPTION_MAX_CHARS}]
    cleaned, photo_errors = _cleaned_photos(photos)
    if photo_errors:
        errors["photos"] = photo_errors
    if errors:
        raise ValidationError(errors)
    return cleaned


def report_file(
    *,
    kind: str,
    description: str,
    product: Product | None = None,
    supplier: Supplier | None = None,
    photos: Iterable = (),
    reporter: User | None = None,
    contact: str = "",
    address: str | None = None,
) -> Report:
    """File a report about a listing buyers can see (its supplier is recorded too) or an active supplier.

    ``reporter`` is the signed-in buyer, None for an anonymous visitor (whose ``contact`` is kept and
    whose client ``address`` counts against the hourly limit). Nothing is written on any refusal.
    """
    if reporter is not None and reporter.role != Role.BUYER:
        raise PermissionDenied(_("Reports are filed by buyers and visitors."))
    if report_rate_limited(reporter=reporter, address=address):
        raise ValidationError(
            _("You have filed the most reports allowed in an hour. Please try again later."),
            code="rate_limited",
        )
    description = (description or "").strip()
    cleaned = _checked_report(
        kind=kind, description=description, product=product, supplier=supplier, photos=list(photos or [])
    )
    contact = "" if reporter is not None else (contact or "").strip()[:100]
    stored: list[str] = []
    try:
        with transaction.atomic():
            report = Report.objects.create(
                kind=kind,
                product=product,
                supplier_id=product.supplier_id if product is not None else supplier.pk,
                description=description,
                reporter=reporter,
                contact=contact,
            )
            for clean in cleaned:
                photo = ReportPhoto(report=report, sha256=clean.sha256)
                photo.image.save(clean.content.name, clean.content, save=False)
                stored.append(photo.image.name)
                photo.save()
            record(
                REPORT,
                report,
                action=ReportAction.FILE,
                previous="",
                by=reporter,
                actor=Actor.BUYER if reporter is not None else "",
            )
    except BaseException:
        # The rows are rolled back; the files are not, so remove them too.
        for name in stored:
            ReportPhoto._meta.get_field("image").storage.delete(name)
        raise
    _count_one(reporter, address)
    return report


# --- Triage ----------------------------------------------------------------------------------------


def _supplier_members(supplier_id: int):
    return User.objects.filter(supplier_id=supplier_id, role=Role.SUPPLIER, is_active=True)


def _open_targeted_check(report: Report, *, by: User, reason: str) -> SpotCheck:
    """The confirmed report's targeted check (inspections.services.checks opens it); refused, with
    the report left as it was, when the report names no listing or no reviewer may take it."""
    product = report.product
    if product is None:
        raise ValidationError(
            {"open_check": _("A check is made on a listing; this report is about a supplier only.")}
        )
    if not check_services.eligible_reviewers(product).exists():
        raise ValidationError(
            {"open_check": _("No internal-control reviewer who did not approve this listing is available.")}
        )
    why = _("Confirmed report (%(kind)s): %(reason)s") % {"kind": report.get_kind_display(), "reason": reason}
    return check_services.check_open_targeted(product=product, by=by, reason=why, report=report)


def _notify(change: Change) -> None:
    report: Report = change.obj
    if report.reporter_id is not None:
        notify(
            users=User.objects.filter(pk=report.reporter_id),
            subject=lambda: _("Your report: %(state)s") % {"state": report.get_state_display()},
            body=lambda: report.decision_note or report.get_state_display(),
            link=reverse("inspections:report_track", args=[report.code]),
        )
    if report.state != ReportState.CONFIRMED:
        return
    # The supplier learns what was confirmed, never who reported it.
    subject_name = report.product.name if report.product_id else report.supplier.legal_name
    notify(
        users=_supplier_members(report.supplier_id),
        subject=lambda: _("A report about “%(name)s” was confirmed") % {"name": subject_name},
        body=lambda: (
            _("About: %(kind)s. Finding: %(note)s")
            % {"kind": report.get_kind_display(), "note": report.decision_note}
        ),
        link=(
            reverse("catalog:my_product", args=[report.product_id])
            if report.product_id
            else reverse("suppliers:portal")
        ),
    )


@transaction.atomic
def report_decide(
    *, report: Report, by: User, action: str, reason: str = "", open_check: bool = False
) -> Report:
    """Take the report up (TRIAGE), CONFIRM or DISMISS it (a reason the reporter reads is required).

    A confirmation may open a targeted check on the listing (``open_check``; needs the permission to add
    checks). The reporter (signed in) is told of every change, the supplier only of a confirmation.
    """
    actor = actor_of(by, ops_permission=CHANGE_PERMISSION)
    if open_check:
        if action != ReportAction.CONFIRM:
            raise ValidationError({"open_check": _("A check is opened only when the report is confirmed.")})
        if not by.has_perm(OPEN_CHECK_PERMISSION):
            raise PermissionDenied(_("Only internal control opens checks."))

    def apply(obj: Report, _step) -> list[str]:
        obj.handled_by = by
        if action == ReportAction.TRIAGE:
            return ["handled_by"]
        obj.decision_note = (reason or "").strip()
        obj.decided_at = timezone.now()
        return ["handled_by", "decision_note", "decided_at"]

    def after(change: Change) -> None:
        if open_check:
            _open_targeted_check(change.obj, by=by, reason=(reason or "").strip())
        _notify(change)

    change = transition(
        REPORT,
        report,
        action=action,
        by=by,
        actor=actor,
        reason=reason,
        details={"open_check": "yes"} if open_check else None,
        apply=apply,
        after=after,
    )
    return change.obj
