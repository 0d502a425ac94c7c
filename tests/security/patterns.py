"""Every URL pattern of the project, found by walking the resolver (the admin's and the API's included)."""

from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver


def all_patterns(patterns=None, prefix=""):
    """(route as the resolver spells it with its prefixes joined, pattern name) for every endpoint."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from all_patterns(entry.url_patterns, route)
        else:
            assert isinstance(entry, URLPattern)
            yield route, entry.name


def admin_models():
    """'app_label.model' for each model registered with the admin site."""
    return sorted(f"{m._meta.app_label}.{m._meta.model_name}" for m in admin.site._registry)


def admin_model_of(route: str, name: str | None) -> str | None:
    """The registered model an admin pattern belongs to (its name is ``<app>_<model>_<view>``), if any."""
    for label in admin_models():
        if route.startswith(f"admin/{label.replace('.', '/')}/"):
            return label
    return None
