"""Login throttling: django-axes' lockout per (username, address), plus a limit per address alone.

The lockout per (username, address) means five wrong passwords from one address lock that username
out from that address only: nobody can lock out an account they do not own, as long as the address
is the client's own (``core.client_ip``, behind a trusted proxy). The limit per address alone
(``LOGIN_ADDRESS_FAILURE_LIMIT`` failures in the cool-off time, across every username) stops one
address from guessing its way through many accounts. Both count the failures axes already records
(``AccessAttempt``), so ``axes_reset`` lifts both, and neither depends on the cache.

Wired in as ``AXES_HANDLER``: axes' backend asks ``is_locked`` before every authentication, its
middleware answers a locked-out request with the lockout page (HTTP 429).
"""

from __future__ import annotations

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum

# No account's username is longer than its column (150); axes stores the username a failed login
# tried in a column of 255, which a longer one would overflow (a 500 on PostgreSQL).
USERNAME_MAX_LENGTH = 150


def login_username(request, credentials: dict | None = None) -> str:
    """The username a login tried, as axes records and locks it (``AXES_USERNAME_CALLABLE``): axes' own
    reading, cut to the longest username an account can have."""
    field = settings.AXES_USERNAME_FORM_FIELD
    username = (credentials or {}).get(field) if credentials else request.POST.get(field)
    return (username or "")[:USERNAME_MAX_LENGTH] if isinstance(username, str) else username


def address_failures(request) -> int:
    """Failed logins from the request's address within the cool-off time, over every username."""
    address = getattr(request, "axes_ip_address", None)
    if not address:
        return 0
    attempts = AccessAttempt.objects.filter(ip_address=address)
    if settings.AXES_COOLOFF_TIME:
        attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


def address_locked_out(request) -> bool:
    limit = settings.LOGIN_ADDRESS_FAILURE_LIMIT
    return bool(limit) and address_failures(request) >= limit


class LoginLimitHandler(AxesDatabaseHandler):
    """axes' database handler, which also refuses an address over its own failure limit."""

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        if super().is_locked(request, credentials):
            return True
        if address_locked_out(request):
            request.axes_address_locked_out = True
            return True
        return False

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or request.axes_locked_out:
            return
        if address_locked_out(request):  # the failure that reached the limit already gets the lockout page
            request.axes_locked_out = True
            request.axes_address_locked_out = True
            request.axes_credentials = credentials
