"""Pages of reports (举报): the form (buyers and visitors), the tracking page, a buyer's own reports, and
the ops triage queue with its detail page (decisions on the page) and the private photo view."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.access import ops_only, public, roles
from accounts.models import Role
from core.client_ip import client_ip
from core.downloads import private_file_response
from core.errors import apply_to_form, messages_of
from core.numbers import IntegerField
from inspections.models import Report, ReportState
from inspections.selectors import reports as selectors
from inspections.services import reports as services
from inspections.workflow import REPORT, ReportAction

VIEW_PERMISSION = "inspections.view_report"
ID_MAX = 2**63 - 1
QUEUE_PAGE_SIZE = 50


class ReportForm(forms.Form):
    """The photos come as ``photos`` in request.FILES; the service counts and re-encodes them."""

    product = IntegerField(min_value=1, max_value=ID_MAX, required=False, widget=forms.HiddenInput)
    supplier = IntegerField(min_value=1, max_value=ID_MAX, required=False, widget=forms.HiddenInput)
    kind = forms.ChoiceField(
        label=gettext_lazy("What is wrong?"), choices=Report.Kind.choices, widget=forms.RadioSelect
    )
    description = forms.CharField(
        label=gettext_lazy("Describe it"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text=gettext_lazy("What you saw, when, and how staff can check it (order number, prices)."),
    )
    contact = forms.CharField(
        label=gettext_lazy("Contact (optional)"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("A phone number or e-mail, if staff may ask you more. Only staff see it."),
    )


class DecisionForm(forms.Form):
    action = forms.ChoiceField(
        choices=[(a, a) for a in (ReportAction.TRIAGE, ReportAction.CONFIRM, ReportAction.DISMISS)]
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason (the reporter and, if confirmed, the supplier read it)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    open_check = forms.BooleanField(required=False)


def _id(value) -> int | None:
    field = IntegerField(min_value=1, max_value=ID_MAX, required=False)
    try:
        return field.clean(value)
    except ValidationError:
        return None


def _may_file(user) -> None:
    if user.is_authenticated and user.role != Role.BUYER:
        raise PermissionDenied(_("Reports are filed by buyers and visitors."))


@public
def report_new(request):
    """GET: the form for the listing (``?product=``) or supplier (``?supplier=``) named; POST: file it."""
    _may_file(request.user)
    source = request.POST if request.method == "POST" else request.GET
    product, supplier = selectors.report_subject(
        product_id=_id(source.get("product")), supplier_id=_id(source.get("supplier"))
    )
    status = 200
    if request.method == "POST":
        form = ReportForm(request.POST)
        if form.is_valid():
            reporter = request.user if request.user.is_authenticated else None
            try:
                report = services.report_file(
                    kind=form.cleaned_data["kind"],
                    description=form.cleaned_data["description"],
                    product=product,
                    supplier=None if product is not None else supplier,
                    photos=request.FILES.getlist("photos"),
                    reporter=reporter,
                    contact=form.cleaned_data["contact"],
                    address=client_ip(request),
                )
            except ValidationError as exc:
                apply_to_form(form, exc)
                status = 429 if getattr(exc, "code", None) == "rate_limited" else 200
            else:
                messages.success(request, _("Thank you: your report is received."))
                return redirect("inspections:report_track", code=report.code)
    else:
        if (product is None or not product.is_visible) and supplier is None:
            raise Http404
        form = ReportForm(
            initial={
                "product": product.pk if product else None,
                "supplier": supplier.pk if supplier else None,
            }
        )
    return render(
        request,
        "inspections/report_form.html",
        {
            "form": form,
            "product": product,
            "supplier": product.supplier if product is not None else supplier,
            "max_photos": settings.INSPECTIONS["REPORT_MAX_PHOTOS"],
        },
        status=status,
    )


@public
def report_track(request, code):
    """What the holder of the tracking code may know: the state and the public part of the decision."""
    report = selectors.report_by_code(code=code)
    if report is None:
        raise Http404
    return render(request, "inspections/report_track.html", {"report": report})


@roles(Role.BUYER)
def my_reports(request):
    return render(
        request, "inspections/my_reports.html", {"reports": selectors.reports_of(reporter=request.user)}
    )


def _require(request, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


@ops_only
def ops_reports(request):
    """The triage queue: filters by state and kind, counts per state, oldest waiting first."""
    _require(request, VIEW_PERMISSION)
    state = request.GET.get("state", "waiting")
    state = state if state in ("waiting", "", *ReportState.values) else "waiting"
    kind = request.GET.get("kind", "")
    kind = kind if kind in Report.Kind.values else ""
    page = Paginator(selectors.reports_queue(state=state, kind=kind), QUEUE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    counts = selectors.report_state_counts()
    return render(
        request,
        "inspections/ops_reports.html",
        {
            "page": page,
            "state": state,
            "kind": kind,
            "counts": [(value, label, counts[value]) for value, label in ReportState.choices],
            "waiting": counts[ReportState.NEW] + counts[ReportState.TRIAGED],
            "kinds": Report.Kind.choices,
        },
    )


def _ops_report(request, pk: int) -> Report:
    _require(request, VIEW_PERMISSION)
    report = selectors.report_for_ops(pk=pk)
    if report is None:
        raise Http404
    return report


def _render_ops_report(request, report: Report, form: DecisionForm | None = None, status: int = 200):
    may_decide = request.user.has_perm(services.CHANGE_PERMISSION)
    allowed = REPORT.allowed(report.state, "ops") if may_decide else []
    return render(
        request,
        "inspections/ops_report.html",
        {
            "report": report,
            "history": [(event, REPORT.action_label(event.action)) for event in report.events.all()],
            "form": form or DecisionForm(),
            "may_triage": ReportAction.TRIAGE in allowed,
            "may_decide": ReportAction.CONFIRM in allowed,
            "may_open_check": request.user.has_perm(services.OPEN_CHECK_PERMISSION)
            and report.product_id is not None,
        },
        status=status,
    )


@ops_only
def ops_report(request, pk: int):
    return _render_ops_report(request, _ops_report(request, pk))


@ops_only
@require_POST
def ops_report_decide(request, pk: int):
    report = _ops_report(request, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _render_ops_report(request, report, form, status=400)
    try:
        services.report_decide(
            report=report,
            by=request.user,
            action=form.cleaned_data["action"],
            reason=form.cleaned_data["reason"],
            open_check=form.cleaned_data["open_check"],
        )
    except ValidationError as exc:
        apply_to_form(form, exc)
        return _render_ops_report(request, report, form, status=400)
    except PermissionDenied as exc:
        messages.error(request, " ".join(messages_of(exc)))
        return redirect("inspections:ops_report", pk=pk)
    messages.success(request, _("Report #%(id)d: done.") % {"id": report.pk})
    return redirect("inspections:ops_report", pk=pk)


@ops_only
def ops_report_photo(request, pk: int, photo_id: int):
    """One photo of a report, for ops who may view reports (the admin links here too)."""
    _require(request, VIEW_PERMISSION)
    photo = selectors.report_photo(report_id=pk, photo_id=photo_id)
    if photo is None or not photo.image.storage.exists(photo.image.name):
        raise Http404
    return private_file_response(photo.image)
