"""Every write to suppliers: registration, the application, qualifications, the lifecycle, credit."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.actors import actor_of
from accounts.models import Role, User
from accounts.notifications import notify
from accounts.services import user_create
from core import workflow
from core.uploads import clean_document
from core.uscc import normalize_uscc
from core.workflow import Actor
from regions.models import County
from suppliers.hooks import SUPPLIER_STATUS_CHANGED
from suppliers.models import (
    CreditEntry,
    Qualification,
    QualificationStatus,
    Supplier,
    SupplierStatus,
    SuspensionCause,
)
from suppliers.rules import (
    ProductLine,
    QualificationType,
    normalize_number,
    required_qualifications,
    validate_number,
)
from suppliers.workflow import SUPPLIER_LIFECYCLE, Action

# Fields the supplier fills in the wizard (and may change while the application is a draft).
APPLICATION_FIELDS = (
    "legal_name",
    "uscc",
    "legal_representative",
    "contact_name",
    "contact_phone",
    "address",
    "county",
    "business_scope",
    "product_lines",
    "bank_name",
    "bank_account_name",
    "bank_account_number",
)
# Every field of the application is needed before it can be submitted.
REQUIRED_APPLICATION_FIELDS = APPLICATION_FIELDS


# --- Registration and the application --------------------------------------------------------------


@transaction.atomic
def supplier_register(
    *, username: str, password: str, email: str, phone: str, legal_name: str, contact_name: str
) -> User:
    """A new supplier signs up: a draft application and the account that fills it in."""
    supplier = Supplier(legal_name=legal_name.strip(), contact_name=contact_name.strip(), contact_phone=phone)
    supplier.full_clean()
    supplier.save()
    return user_create(
        username=username,
        password=password,
        role=Role.SUPPLIER,
        supplier=supplier,
        email=email,
        phone=phone,
        last_name=contact_name.strip(),
    )


@transaction.atomic
def supplier_create(
    *,
    legal_name: str,
    county: County,
    uscc: str | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    **application,
) -> Supplier:
    """Create a draft application directly (ops import, demo data)."""
    if not county.is_eligible:
        raise ValidationError(
            {"county": _("%(county)s is not an eligible county.") % {"county": county.name}}
        )
    supplier = Supplier(
        legal_name=legal_name.strip(),
        county=county,
        uscc=normalize_uscc(uscc) if uscc else None,
        contact_name=contact_name,
        contact_phone=contact_phone,
        **{k: v for k, v in application.items() if k in APPLICATION_FIELDS},
    )
    supplier.full_clean()
    supplier.save()
    return supplier


def _lock(supplier: Supplier) -> Supplier:
    return Supplier.objects.select_for_update(of=("self",)).select_related("county").get(pk=supplier.pk)


@transaction.atomic
def application_update(*, supplier: Supplier, by: User, data: dict) -> Supplier:
    """Save part of the application (one wizard step). Only a draft can change, only by its supplier."""
    if actor_of(by, supplier_id=supplier.pk) != Actor.SUPPLIER:
        raise PermissionDenied
    supplier = _lock(supplier)
    if not supplier.is_editable:
        raise ValidationError(
            _("The application cannot be changed while it is “%(status)s”.")
            % {"status": supplier.get_status_display()}
        )
    unknown = set(data) - set(APPLICATION_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown application fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    if data.get("uscc"):
        data["uscc"] = normalize_uscc(data["uscc"])
    if "product_lines" in data:
        bad = set(data["product_lines"]) - set(ProductLine.values)
        if bad:
            raise ValidationError({"product_lines": _("Unknown product category.")})
        data["product_lines"] = sorted(set(data["product_lines"]))
    county = data.get("county")
    if county is not None and not county.is_eligible:
        raise ValidationError(
            {"county": _("%(county)s is not one of the eligible counties.") % {"county": county.name}}
        )
    for field, value in data.items():
        setattr(supplier, field, value)
    supplier.full_clean()
    try:
        with transaction.atomic():
            supplier.save()
    except IntegrityError as exc:  # two applications raced for the same code
        raise ValidationError({"uscc": _("Another supplier is already registered with this code.")}) from exc
    return supplier


def application_problems(supplier: Supplier, *, today: datetime.date | None = None) -> list[str]:
    """What stops this application from being submitted (or approved). Empty means complete."""
    today = today or timezone.localdate()
    problems = []
    labels = {f.name: f.verbose_name for f in Supplier._meta.fields}
    labels["product_lines"] = Supplier._meta.get_field("product_lines").verbose_name
    missing = [
        str(labels[f])
        for f in REQUIRED_APPLICATION_FIELDS
        if not getattr(supplier, f if f != "county" else "county_id")
    ]
    if missing:
        problems.append(_("Fill in: %(fields)s.") % {"fields": "、".join(missing)})
    if supplier.county_id and not supplier.county.is_eligible:
        problems.append(_("%(county)s is not an eligible county.") % {"county": supplier.county.name})
    current = [
        q
        for q in supplier.qualifications.all()
        if q.status == QualificationStatus.CURRENT and (q.long_term or q.valid_until >= today)
    ]
    held = {q.type for q in current}
    for requirement in required_qualifications(supplier.product_lines or []):
        if not requirement.types & held:
            problems.append(_("Upload a valid %(document)s.") % {"document": requirement.label()})
    for q in current:
        if q.type == QualificationType.BUSINESS_LICENCE and supplier.uscc and q.number != supplier.uscc:
            problems.append(
                _(
                    "The business licence number (%(number)s) differs from the unified social credit code (%(uscc)s)."
                )
                % {"number": q.number, "uscc": supplier.uscc}
            )
    return problems


# --- Lifecycle -----------------------------------------------------------------------------------


def _application_complete(supplier: Supplier, transition) -> None:
    if transition.action in (Action.SUBMIT, Action.APPROVE):
        problems = application_problems(supplier)
        if problems:
            raise ValidationError(problems, code="incomplete")


def _after_transition(change: workflow.Change) -> None:
    supplier = change.obj
    # Buyers stop (or start again) seeing its products in the same transaction.
    SUPPLIER_STATUS_CHANGED(supplier_id=supplier.pk)
    _notify_transition(supplier=supplier, action=change.action, reason=change.reason)


@transaction.atomic
def supplier_transition(
    *, supplier: Supplier, action: str, by: User | None, reason: str = "", cause: str = SuspensionCause.OPS
) -> Supplier:
    """Move a supplier along its lifecycle (suppliers.workflow.SUPPLIER_LIFECYCLE), record it and tell
    those concerned.

    ``by`` is None when the platform acts by itself (the expiry watch).
    """

    def set_cause(obj: Supplier, transition) -> list[str]:
        obj.suspension_cause = cause if transition.target == SupplierStatus.SUSPENDED else ""
        return ["suspension_cause"]

    if not SUPPLIER_LIFECYCLE.knows(action):
        raise ValidationError(_("Unknown action “%(action)s”.") % {"action": action})
    supplier = _lock(supplier)
    change = workflow.transition(
        SUPPLIER_LIFECYCLE,
        supplier,
        action=action,
        by=by,
        actor=actor_of(
            by,
            supplier_id=supplier.pk,
            county_id=supplier.county_id,
            ops_permission="suppliers.change_supplier",
        ),
        reason=reason,
        locked=True,
        before=_application_complete,
        apply=set_cause,
        after=_after_transition,
    )
    return change.obj


def _members(supplier: Supplier):
    return User.objects.filter(supplier=supplier, is_active=True)


def _notify_transition(*, supplier: Supplier, action: str, reason: str) -> None:
    name = supplier.legal_name
    if action == Action.SUBMIT:
        officers = User.objects.filter(
            role=Role.COUNTY_OFFICER, county_office__county_id=supplier.county_id, is_active=True
        )
        notify(
            users=officers,
            subject=lambda: _("New application to endorse: %(name)s") % {"name": name},
            body=lambda: (
                _(
                    "%(name)s applied to sell on Fengshou as a supplier of your county. Please confirm it is local."
                )
                % {"name": name}
            ),
            link=reverse("suppliers:county_application", args=[supplier.pk]),
        )
        return

    def body() -> str:
        text = _("Your supplier status is now “%(status)s”.") % {"status": supplier.get_status_display()}
        if reason:
            text += "\n" + _("Reason: %(reason)s") % {"reason": reason}
        return text

    notify(
        users=_members(supplier),
        subject=lambda: _("%(action)s: %(name)s") % {"action": Action(action).label, "name": name},
        body=body,
        link=reverse("suppliers:portal"),
    )


# --- Qualifications ------------------------------------------------------------------------------

# A document may be added while applying (draft) and, to renew, while selling or suspended.
QUALIFICATION_EDITABLE_STATES = {SupplierStatus.DRAFT, SupplierStatus.ACTIVE, SupplierStatus.SUSPENDED}


def _validity_errors(
    *, valid_from: datetime.date, valid_until: datetime.date | None, long_term: bool, today: datetime.date
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if valid_from and valid_from > today:
        errors["valid_from"] = [_("The validity cannot start in the future.")]
    if long_term and valid_until:
        errors["valid_until"] = [_("Leave “valid until” empty for a long-term document.")]
    elif not long_term and not valid_until:
        errors["valid_until"] = [_("Enter the last day of validity, or tick “long-term”.")]
    elif valid_until and valid_from and valid_until < valid_from:
        errors["valid_until"] = [_("“Valid until” is before “valid from”.")]
    elif valid_until and valid_until < today:
        errors["valid_until"] = [_("This document has already expired: upload the renewed one.")]
    return errors


def _document_errors(
    supplier: Supplier, *, type: str, number: str, issuer: str, title: str
) -> dict[str, list[str]]:
    """What is wrong with the document's type, number (already normalised), issuer and title."""
    errors: dict[str, list[str]] = {}
    if type not in QualificationType.values:
        errors["type"] = [_("Choose a document type.")]
    try:
        validate_number(type, number)
    except ValidationError as exc:
        errors["number"] = exc.messages
    if (
        type == QualificationType.BUSINESS_LICENCE
        and "number" not in errors
        and supplier.uscc
        and number != supplier.uscc
    ):
        errors["number"] = [
            _("The business licence number must be your unified social credit code (%(uscc)s).")
            % {"uscc": supplier.uscc}
        ]
    if not issuer.strip():
        errors["issuer"] = [_("Enter the issuing authority.")]
    if type == QualificationType.OTHER and not title.strip():
        errors["title"] = [_("Say what this document is.")]
    return errors


def _renewal_reinstates(supplier: Supplier, qualification: Qualification) -> None:
    """Renewing the document whose expiry suspended the supplier reinstates it (when nothing else lacks)."""
    suspended_for_expiry = (
        supplier.status == SupplierStatus.SUSPENDED
        and supplier.suspension_cause == SuspensionCause.QUALIFICATION_EXPIRED
    )
    if suspended_for_expiry and not application_problems(supplier):
        supplier_transition(
            supplier=supplier,
            action=Action.REINSTATE,
            by=None,
            reason=_("The expired qualification was renewed: %(doc)s valid until %(until)s.")
            % {"doc": qualification.get_type_display(), "until": qualification.valid_until or _("long-term")},
        )


@transaction.atomic
def qualification_add(
    *,
    supplier: Supplier,
    by: User,
    type: str,
    number: str,
    issuer: str,
    valid_from: datetime.date,
    valid_until: datetime.date | None,
    long_term: bool,
    upload,
    title: str = "",
) -> Qualification:
    """Add a qualification document. A newer document of the same type replaces the current one;
    renewing the document whose expiry suspended the supplier reinstates it."""
    if actor_of(by, supplier_id=supplier.pk) != Actor.SUPPLIER:
        raise PermissionDenied
    supplier = _lock(supplier)
    if supplier.status not in QUALIFICATION_EDITABLE_STATES:
        raise ValidationError(
            _("Documents cannot be added while the supplier is “%(status)s”.")
            % {"status": supplier.get_status_display()}
        )
    number = normalize_number(type, number)
    errors = _document_errors(supplier, type=type, number=number, issuer=issuer, title=title)
    errors |= _validity_errors(
        valid_from=valid_from, valid_until=valid_until, long_term=long_term, today=timezone.localdate()
    )
    if upload is None:
        errors["file"] = [_("Upload a scan of the document.")]
    else:
        try:
            clean = clean_document(upload)
        except ValidationError as exc:
            errors["file"] = exc.messages
    if errors:
        raise ValidationError(errors)

    qualification = Qualification(
        supplier=supplier,
        type=type,
        title=title.strip(),
        number=number,
        issuer=issuer.strip(),
        valid_from=valid_from,
        valid_until=None if long_term else valid_until,
        long_term=long_term,
        file_type=clean.content_type,
        file_sha256=clean.sha256,
        file_size=clean.size,
    )
    qualification.file.save(clean.content.name, clean.content, save=False)
    try:
        qualification.save()
    except Exception:
        # Do not leave the scan behind when its row cannot be written.
        qualification.file.storage.delete(qualification.file.name)
        raise

    if type != QualificationType.OTHER:
        Qualification.objects.filter(
            supplier=supplier, type=type, status=QualificationStatus.CURRENT
        ).exclude(pk=qualification.pk).update(status=QualificationStatus.SUPERSEDED)
    _renewal_reinstates(supplier, qualification)
    return qualification


@transaction.atomic
def qualification_delete(*, qualification: Qualification, by: User) -> None:
    """A draft application may drop a document it no longer needs."""
    supplier = _lock(qualification.supplier)
    if actor_of(by, supplier_id=supplier.pk) != Actor.SUPPLIER:
        raise PermissionDenied
    if not supplier.is_editable:
        raise ValidationError(_("Documents can be removed only while the application is a draft."))
    name = qualification.file.name
    storage = qualification.file.storage
    qualification.delete()
    transaction.on_commit(lambda: storage.delete(name))


@dataclass(frozen=True)
class ExpiryWatchResult:
    warned: int
    expired: int
    suspended: int


def _warn_before_expiry(*, today: datetime.date) -> int:
    """Tell suppliers of documents lapsing within the warning period (once per validity end)."""
    horizon = today + datetime.timedelta(days=settings.SUPPLIER_EXPIRY_WARNING_DAYS)
    watched = [
        SupplierStatus.ACTIVE,
        SupplierStatus.SUSPENDED,
        SupplierStatus.ENDORSED,
        SupplierStatus.SUBMITTED,
    ]
    warned = 0
    to_warn = (
        Qualification.objects.filter(
            status=QualificationStatus.CURRENT,
            valid_until__gte=today,
            valid_until__lte=horizon,
            supplier__status__in=watched,
        )
        .exclude(expiry_warning_sent_for=F("valid_until"))
        .select_related("supplier")
        .order_by("id")
    )
    for q in to_warn.iterator(chunk_size=500):
        with transaction.atomic():
            updated = (
                Qualification.objects.filter(pk=q.pk, status=QualificationStatus.CURRENT)
                .exclude(expiry_warning_sent_for=q.valid_until)
                .update(expiry_warning_sent_for=q.valid_until)
            )
            if not updated:
                continue  # another run got there first
            days = (q.valid_until - today).days
            notify(
                users=_members(q.supplier),
                subject=lambda q=q, days=days: (
                    _("%(doc)s expires in %(days)d days") % {"doc": q.get_type_display(), "days": days}
                ),
                body=lambda q=q: (
                    _(
                        "Your %(doc)s (%(number)s) is valid until %(until)s. Upload the renewed document before then, "
                        "or your products may be taken off sale."
                    )
                    % {"doc": q.get_type_display(), "number": q.number, "until": q.valid_until.isoformat()}
                ),
                link=reverse("suppliers:documents"),
            )
            warned += 1
    return warned


def _expire(q: Qualification, *, today: datetime.date) -> tuple[bool, bool]:
    """Mark one lapsed document expired, tell its supplier and suspend it when it lost a mandatory one.
    Returns (expired now, suspended now)."""
    with transaction.atomic():
        updated = Qualification.objects.filter(pk=q.pk, status=QualificationStatus.CURRENT).update(
            status=QualificationStatus.EXPIRED, expired_at=timezone.now()
        )
        if not updated:
            return False, False
        supplier = q.supplier
        notify(
            users=_members(supplier),
            subject=lambda: _("%(doc)s has expired") % {"doc": q.get_type_display()},
            body=lambda: (
                _("Your %(doc)s (%(number)s) expired on %(until)s. Upload the renewed document.")
                % {"doc": q.get_type_display(), "number": q.number, "until": q.valid_until.isoformat()}
            ),
            link=reverse("suppliers:documents"),
        )
        supplier.refresh_from_db()
        if supplier.status != SupplierStatus.ACTIVE or not application_problems(supplier, today=today):
            return True, False
        supplier_transition(
            supplier=supplier,
            action=Action.SUSPEND,
            by=None,
            cause=SuspensionCause.QUALIFICATION_EXPIRED,
            reason=_(
                "Sales suspended: the %(doc)s (%(number)s) expired on %(until)s. "
                "Upload the renewed document to resume."
            )
            % {"doc": q.get_type_display(), "number": q.number, "until": q.valid_until.isoformat()},
        )
        return True, True


def qualifications_watch_expiry(*, today: datetime.date | None = None) -> ExpiryWatchResult:
    """The daily expiry watch. Warn before a document lapses, mark lapsed ones expired and suspend
    suppliers that lost a mandatory document. Running it again the same day changes nothing."""
    today = today or timezone.localdate()
    warned = _warn_before_expiry(today=today)
    expired = suspended = 0
    lapsed = Qualification.objects.filter(status=QualificationStatus.CURRENT, valid_until__lt=today).order_by(
        "id"
    )
    for q in lapsed.select_related("supplier").iterator(chunk_size=500):
        was_expired, was_suspended = _expire(q, today=today)
        expired += was_expired
        suspended += was_suspended
    return ExpiryWatchResult(warned=warned, expired=expired, suspended=suspended)


# --- Credit --------------------------------------------------------------------------------------


@transaction.atomic
def credit_adjust(
    *, supplier: Supplier, delta: int, reason: str, by: User | None, source: str = "manual"
) -> CreditEntry:
    """Add a penalty (negative) or restoration (positive) to the supplier's credit ledger."""
    if delta == 0:
        raise ValidationError(
            {"delta": _("A credit entry changes the score: enter a non-zero number of points.")}
        )
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason: the supplier will read it.")})
    Supplier.objects.filter(pk=supplier.pk).update(credit_score=F("credit_score") + delta)
    balance = Supplier.objects.values_list("credit_score", flat=True).get(pk=supplier.pk)
    entry = CreditEntry.objects.create(
        supplier=supplier, delta=delta, balance_after=balance, reason=reason.strip(), source=source, actor=by
    )
    supplier.credit_score = balance
    notify(
        users=_members(supplier),
        subject=lambda: _("Credit score %(delta)+d: now %(score)d") % {"delta": delta, "score": balance},
        body=reason.strip(),
        link=reverse("suppliers:portal"),
    )
    return entry
