"""Where the audit log (``core.audit``) meets accounts: the table that stores each entry, and the edge
where Django's authentication reports logins, failed logins and logouts.

The auth framework announces these only through its signals (``user_logged_in``, ``user_login_failed``,
``user_logged_out``), so they are received here and turned straight into one audit call each; nothing
else hangs on them. Connected in ``AccountsConfig.ready()``.
"""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from accounts.models import AuditEntry
from core.audit import AUDIT_RECORDED, Entry, Kind, audit


def store_entry(*, entry: Entry) -> None:
    """``AUDIT_RECORDED`` receiver: the entry as one row (one INSERT, in the caller's transaction)."""
    AuditEntry.objects.create(
        kind=entry.kind,
        created_at=entry.at,
        user_id=entry.user_id,
        username=entry.username,
        role=entry.role,
        client_ip=entry.client_ip,
        object_type=entry.object_type,
        object_id=entry.object_id,
        action=entry.action,
        path=entry.path,
        details=entry.details,
    )


def _on_login(sender, request=None, user=None, **kwargs) -> None:
    audit(kind=Kind.LOGIN, user=user, request=request, object_type="session", action="login")


def _on_logout(sender, request=None, user=None, **kwargs) -> None:
    audit(kind=Kind.LOGOUT, user=user, request=request, object_type="session", action="logout")


def _on_login_failed(sender, credentials=None, request=None, **kwargs) -> None:
    # Only the name tried: never the password or any other credential.
    username = str((credentials or {}).get("username") or "")
    audit(
        kind=Kind.LOGIN_FAILED,
        user=None,
        username=username,
        request=request,
        object_type="session",
        action="login",
    )


def connect() -> None:
    AUDIT_RECORDED.connect(store_entry)
    user_logged_in.connect(_on_login, dispatch_uid="accounts.audit.login")
    user_logged_out.connect(_on_logout, dispatch_uid="accounts.audit.logout")
    user_login_failed.connect(_on_login_failed, dispatch_uid="accounts.audit.login_failed")
