"""The audit log: one structured entry for every login, failed login, logout, permission denial, export
and state change, with who acted (user id, username, role, client address) and on what (type, id, action).

``audit(kind=..., ...)`` is the one writer. Each entry becomes

- one JSON line (UTC timestamp) on the ``fengshou.audit`` logger, written once the transaction commits,
  so a state change that rolls back is never claimed; ``JsonFormatter`` is its formatter;
- one row that ops search in the admin, stored by the receiver connected to ``AUDIT_RECORDED``
  (``accounts`` stores ``AuditEntry``; ``core`` imports no app), in the caller's transaction: one INSERT.

Who acts and from where come from the request being served: the access middleware binds it with
``bind_request()`` for the length of the request, so services deep below (the workflow kernel, the CSV
writer) need no request argument. Outside a request (a task, a command) the actor is the user given, or
the platform. Never pass secrets (passwords, tokens) in ``details``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.client_ip import client_ip
from core.hooks import Hook

logger = logging.getLogger("fengshou.audit")

_request: ContextVar[Any] = ContextVar("fengshou_audit_request", default=None)


class Kind(models.TextChoices):
    LOGIN = "login", _("login")
    LOGIN_FAILED = "login_failed", _("failed login")
    LOGOUT = "logout", _("logout")
    PERMISSION_DENIED = "permission_denied", _("permission denied")
    EXPORT = "export", _("export")
    STATE_CHANGE = "state_change", _("state change")


# Column widths of the stored entry: longer text is cut to fit, never refused.
LIMITS = {"username": 150, "role": 20, "object_type": 100, "object_id": 64, "action": 64, "path": 300}


def _utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Entry:
    kind: str
    at: datetime
    user_id: int | None
    username: str
    role: str
    client_ip: str | None
    object_type: str
    object_id: str
    action: str
    path: str
    details: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> str:
        data = asdict(self)
        data["at"] = _utc_text(self.at)
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


AUDIT_RECORDED = Hook(
    "AUDIT_RECORDED",
    "An audit entry was made (``entry``: core.audit.Entry); the receiver stores it, in the caller's "
    "transaction.",
)


@contextmanager
def bind_request(request) -> Iterator[None]:
    """Make ``request`` the one audit entries take their actor and address from, while it is served."""
    token = _request.set(request)
    try:
        yield
    finally:
        _request.reset(token)


def current_request():
    return _request.get()


# ``audit(user=...)``'s default: the user signed in on the request being served (None is "nobody").
REQUEST_USER: Any = object()


def _user_of(request, user):
    if user is not REQUEST_USER:
        return user
    found = getattr(request, "user", None) if request is not None else None
    return found if found is not None and found.is_authenticated else None


def _cut(name: str, value: Any) -> str:
    return str(value or "")[: LIMITS[name]]


def audit(
    *,
    kind: str,
    user=REQUEST_USER,
    username: str = "",
    object_type: str = "",
    object_id: Any = "",
    action: str = "",
    details: Mapping[str, Any] | None = None,
    request=None,
) -> Entry:
    """Record one audit entry. ``user`` defaults to the request's signed-in user (pass None for the
    platform acting by itself); ``username`` names someone who is not a user (the name a failed login
    tried)."""
    request = request if request is not None else current_request()
    user = _user_of(request, user)
    entry = Entry(
        kind=str(kind),
        at=timezone.now(),
        user_id=user.pk if user is not None else None,
        username=_cut("username", user.get_username() if user is not None else username),
        role=_cut("role", getattr(user, "role", "")),
        client_ip=client_ip(request) if request is not None else None,
        object_type=_cut("object_type", object_type),
        object_id=_cut("object_id", object_id),
        action=_cut("action", action),
        path=_cut("path", request.path if request is not None else ""),
        details={str(k): str(v)[:500] for k, v in (details or {}).items()},
    )
    AUDIT_RECORDED(entry=entry)
    line = entry.as_json()
    transaction.on_commit(lambda: logger.info(line), robust=True)
    return entry


class JsonFormatter(logging.Formatter):
    """One JSON object a line: an audit entry's line as it is, any other record as time, level, logger
    and message (UTC)."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.name == logger.name:
            return message
        data = {
            "at": _utc_text(datetime.fromtimestamp(record.created, tz=UTC)),
            "level": record.levelname,
            "logger": record.name,
            "message": message,
        }
        return json.dumps(data, ensure_ascii=False)
