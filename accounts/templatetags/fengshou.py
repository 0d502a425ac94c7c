from datetime import timedelta

from django import template
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def timeuntil_delta(value: timedelta | None) -> str:
    """A lockout's cool-off period in words ("15 minutes")."""
    if not value:
        return ""
    minutes = max(1, round(value.total_seconds() / 60))
    if minutes < 120:
        return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    hours = round(minutes / 60)
    return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}


@register.filter
def get_item(mapping, key):
    """{{ mapping|get_item:key }} for dict lookups with a variable key."""
    return mapping.get(key) if mapping else None
