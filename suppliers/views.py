"""Supplier portal (registration, application wizard, documents) and the county office's pages."""

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.access import public, roles, signed_in
from accounts.models import Role
from core.downloads import private_file_response
from core.errors import apply_to_form
from regions.selectors import cities_of, counties_of
from regions.views import picker_options
from suppliers import selectors, services
from suppliers.forms import (
    BusinessForm,
    CompanyForm,
    LocationForm,
    QualificationForm,
    ReasonForm,
    RegistrationForm,
)
from suppliers.models import QualificationStatus, SupplierStatus
from suppliers.rules import required_qualifications
from suppliers.workflow import Action

STEPS = [
    ("company", gettext_lazy("Company")),
    ("location", gettext_lazy("County")),
    ("business", gettext_lazy("Business and bank")),
    ("documents", gettext_lazy("Qualifications")),
    ("review", gettext_lazy("Review and submit")),
]
STEP_NAMES = [s for s, _label in STEPS]


def _own_supplier(request):
    supplier = selectors.supplier_dossier(user=request.user, pk=request.user.supplier_id)
    if supplier is None:
        raise Http404
    return supplier


# --- Registration --------------------------------------------------------------------------------


@public
def register(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.supplier_register(
                username=data["username"],
                password=data["password1"],
                email=data["email"],
                phone=data["phone"],
                legal_name=data["legal_name"],
                contact_name=data["contact_name"],
            )
        except ValidationError as exc:
            apply_to_form(form, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Your account is ready. Fill in the application step by step."))
            return redirect("suppliers:apply_step", step="company")
    return render(request, "suppliers/register.html", {"form": form})


# --- Portal --------------------------------------------------------------------------------------


@roles(Role.SUPPLIER)
def portal(request):
    supplier = _own_supplier(request)
    return render(
        request,
        "suppliers/portal.html",
        {
            "supplier": supplier,
            "problems": services.application_problems(supplier) if supplier.is_editable else [],
            "events": supplier.events.all(),
            "documents": supplier.qualifications.all(),
            "credit_entries": supplier.credit_entries.all()[:20],
        },
    )


# --- Application wizard ----------------------------------------------------------------------------


def _step_context(supplier, step: str, **extra) -> dict:
    index = STEP_NAMES.index(step)
    return {
        "supplier": supplier,
        "steps": STEPS,
        "step": step,
        "step_index": index,
        "next_step": STEP_NAMES[index + 1] if index + 1 < len(STEPS) else None,
        "previous_step": STEP_NAMES[index - 1] if index > 0 else None,
        "editable": supplier.is_editable,
        **extra,
    }


@roles(Role.SUPPLIER)
def apply(request):
    """Resume the application at the first step that still needs something."""
    supplier = _own_supplier(request)
    if not supplier.is_editable:
        return redirect("suppliers:portal")
    if not (supplier.uscc and supplier.legal_representative and supplier.address):
        step = "company"
    elif not supplier.county_id:
        step = "location"
    elif not (supplier.product_lines and supplier.bank_account_number):
        step = "business"
    else:
        step = "documents" if services.application_problems(supplier) else "review"
    return redirect("suppliers:apply_step", step=step)


FORMS = {"company": CompanyForm, "location": LocationForm, "business": BusinessForm}


def _initial(supplier, step: str) -> dict:
    if step == "location":
        county = supplier.county
        return {"province": county.province_id, "city": county.city_id, "county": county.pk} if county else {}
    return {name: getattr(supplier, name) for name in FORMS[step].base_fields if hasattr(supplier, name)}


@roles(Role.SUPPLIER)
def apply_step(request, step: str):
    if step == "documents":
        return redirect("suppliers:documents")
    if step == "review":
        return review(request)
    if step not in FORMS:
        raise Http404
    supplier = _own_supplier(request)
    form_class = FORMS[step]
    kwargs = {"supplier": supplier} if form_class is CompanyForm else {}
    if request.method == "POST" and supplier.is_editable:
        form = form_class(request.POST, **kwargs)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k not in ("province", "city")}
            try:
                services.application_update(supplier=supplier, by=request.user, data=data)
            except ValidationError as exc:
                apply_to_form(form, exc)
            else:
                if "save_exit" in request.POST:
                    messages.success(request, _("Saved. You can continue the application at any time."))
                    return redirect("suppliers:portal")
                index = STEP_NAMES.index(step)
                return redirect("suppliers:apply_step", step=STEP_NAMES[index + 1])
    else:
        form = form_class(initial=_initial(supplier, step), **kwargs)
    if not supplier.is_editable:
        for field in form.fields.values():
            field.disabled = True
    template = "suppliers/apply_location.html" if step == "location" else "suppliers/apply_form.html"
    return render(request, template, _step_context(supplier, step, form=form))


@public
def city_options(request):
    """htmx: the cities of a province that have eligible counties."""
    return picker_options(
        request,
        parent=request.GET.get("province"),
        options=lambda province_id: cities_of(province_id=province_id, with_eligible_counties=True),
        placeholder=_("Choose a city"),
    )


@public
def county_options(request):
    """htmx: the eligible counties of a city."""
    return picker_options(
        request,
        parent=request.GET.get("city"),
        options=lambda city_id: counties_of(city_id=city_id, eligible_only=True),
        placeholder=_("Choose a county"),
    )


@roles(Role.SUPPLIER)
def documents(request):
    """Qualification documents: added while applying, renewed later."""
    supplier = _own_supplier(request)
    form = QualificationForm()
    if request.method == "POST":
        form = QualificationForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.qualification_add(
                    supplier=supplier,
                    by=request.user,
                    type=data["type"],
                    title=data["title"],
                    number=data["number"],
                    issuer=data["issuer"],
                    valid_from=data["valid_from"],
                    valid_until=data["valid_until"],
                    long_term=data["long_term"],
                    upload=data["file"],
                )
            except ValidationError as exc:
                apply_to_form(form, exc)
            else:
                messages.success(request, _("Document added."))
                return redirect("suppliers:documents")
    held = {q.type for q in supplier.qualifications.all() if q.status == QualificationStatus.CURRENT}
    requirements = [
        {"label": r.label(), "met": bool(r.types & held)}
        for r in required_qualifications(supplier.product_lines)
    ]
    context = _step_context(
        supplier,
        "documents",
        form=form,
        documents=supplier.qualifications.all(),
        requirements=requirements,
        can_add=supplier.status in services.QUALIFICATION_EDITABLE_STATES,
    )
    return render(request, "suppliers/apply_documents.html", context)


@roles(Role.SUPPLIER)
@require_POST
def document_delete(request, pk: int):
    supplier = _own_supplier(request)
    qualification = supplier.qualifications.filter(pk=pk).first()
    if qualification is None:
        raise Http404
    try:
        services.qualification_delete(qualification=qualification, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Document removed."))
    return redirect("suppliers:documents")


@roles(Role.SUPPLIER)
def review(request):
    supplier = _own_supplier(request)
    problems = services.application_problems(supplier) if supplier.is_editable else []
    if request.method == "POST" and supplier.is_editable:
        try:
            services.supplier_transition(supplier=supplier, action=Action.SUBMIT, by=request.user)
        except ValidationError as exc:
            problems = exc.messages
        else:
            messages.success(request, _("Application submitted. Your county office will check it first."))
            return redirect("suppliers:portal")
    return render(
        request,
        "suppliers/apply_review.html",
        _step_context(supplier, "review", problems=problems, documents=supplier.qualifications.all()),
    )


# --- Private documents -----------------------------------------------------------------------------


@signed_in
def document_file(request, pk: int):
    """A qualification scan, for the supplier, its county office and ops only; always a download."""
    qualification = selectors.qualification_for_download(user=request.user, pk=pk)
    if qualification is None:
        raise Http404
    extension = qualification.file.name.rsplit(".", 1)[-1]
    return private_file_response(
        qualification.file,
        content_type=qualification.file_type,
        filename=f"{qualification.get_type_display()}-{qualification.number}.{extension}",
    )


# --- County office -------------------------------------------------------------------------------


@roles(Role.COUNTY_OFFICER)
def county_applications(request):
    office = request.user.county_office
    return render(
        request,
        "suppliers/county_list.html",
        {
            "office": office,
            "pending": selectors.suppliers_awaiting_endorsement(office=office),
            "suppliers": selectors.county_suppliers(office=office),
        },
    )


@roles(Role.COUNTY_OFFICER)
def county_application(request, pk: int):
    supplier = selectors.supplier_dossier(user=request.user, pk=pk)
    if supplier is None:
        raise Http404
    form = ReasonForm(request.POST or None)
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in (Action.ENDORSE, Action.RETURN):
            raise PermissionDenied
        if form.is_valid():
            try:
                services.supplier_transition(
                    supplier=supplier, action=action, by=request.user, reason=form.cleaned_data["reason"]
                )
            except ValidationError as exc:
                apply_to_form(form, exc)
            else:
                if action == Action.ENDORSE:
                    done = _("Endorsed: %(name)s") % {"name": supplier.legal_name}
                else:
                    done = _("Returned to the applicant: %(name)s") % {"name": supplier.legal_name}
                messages.success(request, done)
                return redirect(reverse("suppliers:county_applications"))
    return render(
        request,
        "suppliers/county_detail.html",
        {
            "supplier": supplier,
            "form": form,
            "can_decide": supplier.status == SupplierStatus.SUBMITTED,
            "events": supplier.events.all(),
            "documents": supplier.qualifications.all(),
            "requirements": required_qualifications(supplier.product_lines),
        },
    )
