"""The htmx region pickers' one response; the buyer's and the supplier's pages each route to it
with their own parameter names and their own selection (orders/views.py, suppliers/views.py)."""

from collections.abc import Callable

from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import render

from regions.selectors import picker_id

OPTIONS_TEMPLATE = "suppliers/partials/options.html"


def picker_options(
    request, *, parent: str | None, options: Callable[[int | None], QuerySet], placeholder: str
) -> HttpResponse:
    """The <option>s under the parent the picker sent (``parent``, the raw query value): only the
    placeholder for no choice or an unknown id; a 400 with only the placeholder for what is not an id."""
    try:
        parent_id = picker_id(parent)
    except ValueError:
        context = {"options": [], "placeholder": placeholder}
        return render(request, OPTIONS_TEMPLATE, context, status=400)
    return render(request, OPTIONS_TEMPLATE, {"options": options(parent_id), "placeholder": placeholder})
