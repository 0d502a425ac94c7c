"""One way to turn what a service refused into what the person sees.

Services raise Django's ``ValidationError`` (naming the field where they can) or ``PermissionDenied``.
Forms get the messages on the fields they name (``apply_to_form``); the admin and flash messages get
them as text (``messages_of``); the API gets them from one DRF exception handler (``api_exception_handler``,
set as ``REST_FRAMEWORK["EXCEPTION_HANDLER"]``), so an API view lets a service's ``ValidationError``
propagate instead of translating it itself.
"""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import exceptions as drf_exceptions
from rest_framework.views import exception_handler as drf_exception_handler

NON_FIELD = "non_field_errors"


def apply_to_form(form, exc: DjangoValidationError, *, hidden_to_form: bool = True) -> None:
    """Put a service's messages on the visible fields of ``form`` it names, the rest on the form itself."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.message_dict.items():
        target = form.fields.get(field)
        visible = target is not None and not (hidden_to_form and target.widget.is_hidden)
        form.add_error(field if visible else None, errors)


def messages_of(exc: DjangoValidationError | PermissionDenied) -> list[str]:
    """Every message of a refusal, as text (a bare PermissionDenied says "You may not do this.")."""
    if isinstance(exc, DjangoValidationError):
        return list(exc.messages)
    return [str(exc) or _("You may not do this.")]


def as_drf(exc: DjangoValidationError, *, key: str = NON_FIELD) -> drf_exceptions.ValidationError:
    """A service's ValidationError as DRF's: per field where it named one, else under ``key``."""
    if hasattr(exc, "error_dict"):
        return drf_exceptions.ValidationError(exc.message_dict)
    return drf_exceptions.ValidationError({key: exc.messages})


def api_exception_handler(exc, context):
    """DRF's handler, which also answers a service's ValidationError with 400 and its messages."""
    if isinstance(exc, DjangoValidationError):
        exc = as_drf(exc)
    return drf_exception_handler(exc, context)
