"""Who may use each page: every web view declares it, and undeclared views are refused.

Decorate a view function (or ``View.as_view()``) with one of:

- ``@public`` — anyone, signed in or not;
- ``@signed_in`` — any active signed-in user;
- ``@roles(Role.BUYER, ...)`` — signed-in users in one of these roles;
- ``@ops_only`` — operations staff (the Django admin checks its own permissions on top).

``AccessPolicyMiddleware`` enforces the declaration before the view runs. A view without one
is refused with 403 (deny by default) — except the Django admin and DRF views, which carry
their own checks (``admin_view`` and ``permission_classes``, IsAuthenticated by default).
"""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from accounts.models import Role
from core.audit import Kind, audit, bind_request

POLICY_ATTR = "access_policy"


class Policy:
    def __init__(self, name: str, allowed_roles: frozenset[str] | None, login: bool):
        self.name = name
        self.allowed_roles = allowed_roles
        self.login = login

    def __repr__(self) -> str:
        return f"<Policy {self.name}>"

    def allows(self, user) -> bool:
        if not self.login:
            return True
        if not (user.is_authenticated and user.is_active):
            return False
        if self.allowed_roles is None:
            return True
        if Role.OPS in self.allowed_roles and user.role == Role.OPS and not user.is_staff:
            return False
        return user.role in self.allowed_roles


def _mark(policy: Policy) -> Callable:
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            return view(request, *args, **kwargs)

        setattr(wrapped, POLICY_ATTR, policy)
        return wrapped

    return decorator


public = _mark(Policy("public", None, login=False))
signed_in = _mark(Policy("signed in", None, login=True))
ops_only = _mark(Policy("ops", frozenset({Role.OPS}), login=True))


def roles(*allowed: str) -> Callable:
    if not allowed:
        raise ValueError("roles() needs at least one role; use @signed_in for any signed-in user.")
    return _mark(Policy("roles: " + ", ".join(allowed), frozenset(allowed), login=True))


def policy_of(view) -> Policy | None:
    return getattr(view, POLICY_ATTR, None)


def is_self_guarded(view) -> bool:
    """Views that enforce access themselves: the Django admin and DRF API views."""
    if getattr(view, "cls", None) is not None and hasattr(view.cls, "permission_classes"):
        return True  # DRF APIView/ViewSet
    module = getattr(view, "__module__", "") or ""
    return module.startswith(("django.contrib.admin", "django.views.static", "django.contrib.staticfiles"))


class AccessPolicyMiddleware:
    """Enforces each view's declared policy, and audits every refusal.

    It also binds the request for the audit log (``core.audit.bind_request``), so entries written while
    it is served (state changes, exports) name its user and address. Every 403 answered inside it is
    audited once, here: this policy's own refusals, a view's ``PermissionDenied``, the admin's, CSRF's
    and the API's (DRF's 403s, from ``core.errors.api_exception_handler``, are responses that pass
    through here too; the user an API token authenticated is then on the request).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with bind_request(request):
            response = self.get_response(request)
            if response.status_code == 403:
                _audit_denial(request)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is not None and match.namespace == "admin":
            return None  # admin_view() guards every admin page
        policy = policy_of(view_func)
        if policy is None:
            if is_self_guarded(view_func):
                return None
            raise PermissionDenied("This page does not declare who may use it.")
        if policy.allows(request.user):
            return None
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        raise PermissionDenied


def _audit_denial(request) -> None:
    match = request.resolver_match
    audit(
        kind=Kind.PERMISSION_DENIED,
        request=request,
        object_type="url",
        object_id=match.view_name if match is not None else "",
        action=request.method,
    )
