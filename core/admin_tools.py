"""Pieces the ops screens of several apps share: the waiting-time filter, the reason form, the page that
asks for the reason of a state change, the one runner of admin actions, read-only tables."""

import datetime
from collections.abc import Callable, Sequence

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import messages_of


class WaitingFilter(admin.SimpleListFilter):
    """How long an object has been in its current state (``status_changed_at``)."""

    title = _("waiting time")
    parameter_name = "waiting"
    OPTIONS = (
        ("1", _("over 1 day")),
        ("3", _("over 3 days")),
        ("7", _("over 7 days")),
        ("30", _("over 30 days")),
    )

    def lookups(self, request, model_admin):
        return self.OPTIONS

    def queryset(self, request, queryset):
        if self.value() in dict(self.OPTIONS):
            cutoff = timezone.now() - datetime.timedelta(days=int(self.value()))
            return queryset.filter(status_changed_at__lt=cutoff)
        return queryset


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (the supplier reads this)"), widget=forms.Textarea(attrs={"rows": 4, "cols": 80})
    )


def ask_reason(model_admin, request, *, objects, action: str, title, form, problems=None) -> TemplateResponse:
    """The intermediate page of an admin action: the selected objects and the reason to give."""
    opts = model_admin.model._meta
    return TemplateResponse(
        request,
        "admin/action_reason.html",
        {
            **model_admin.admin_site.each_context(request),
            "title": title,
            "action": action,
            "objects": objects,
            "form": form,
            "opts": opts,
            "changelist_url": f"admin:{opts.app_label}_{opts.model_name}_changelist",
            "problems": problems or {},
        },
    )


class ReadOnlyInline(admin.TabularInline):
    """A history or detail table on an object's admin page: shown, never edited there
    (changes go through the services). Set ``fields``; they are all read-only."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written only by the services (histories, ledgers): shown, never added, changed or deleted here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def refuse(model_admin, request, message) -> None:
    """Tell the ops user an action did nothing, and why."""
    model_admin.message_user(request, message, messages.ERROR)


def refuse_wrong_state(model_admin, request, *, label, names: Sequence[str]) -> None:
    """Some selected objects are not in a state the action starts from: say which, change nothing."""
    refuse(
        model_admin,
        request,
        _("“%(action)s” is not possible for: %(names)s (wrong state). Nothing was changed.")
        % {"action": label, "names": "、".join(names[:5])},
    )


def run_action(
    model_admin,
    request,
    queryset,
    *,
    action: str,
    title,
    each: Callable[[object, str], object],
    done: Callable[[list], str],
    ask: bool = True,
    form_class: type[forms.Form] = ReasonForm,
    problems: Callable[[], dict] | None = None,
):
    """The one runner of admin actions that call a service for each selected object.

    With ``ask``, the first call shows the page asking for the reason (``form_class``; its ``reason``
    field; ``problems()`` lists, per object, what stands in the way) and the confirmation runs the action. ``each(obj, reason)`` calls the service; all objects
    change in one transaction, so one refusal leaves every one as it was and the page says
    "Nothing was changed: …" with the service's words. ``done(objects)`` is the success message.
    """
    reason = ""
    if ask:
        form = form_class(request.POST if "confirm" in request.POST else None)
        if not form.is_valid():
            return ask_reason(
                model_admin,
                request,
                objects=queryset,
                action=action,
                title=title,
                form=form,
                problems=problems() if problems else None,
            )
        reason = form.cleaned_data["reason"]
    objects = list(queryset)
    try:
        with transaction.atomic():
            for obj in objects:
                each(obj, reason)
    except (ValidationError, PermissionDenied) as exc:
        refuse(
            model_admin, request, _("Nothing was changed: %(error)s") % {"error": " ".join(messages_of(exc))}
        )
        return None
    model_admin.message_user(request, done(objects))
    return None
