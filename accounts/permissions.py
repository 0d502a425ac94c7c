"""DRF permissions shared by the apps' APIs. Querysets are scoped per user as well (see each api.py)."""

from rest_framework.permissions import BasePermission

from accounts.models import Role


class HasRole(BasePermission):
    """Allow signed-in users whose role is in ``view.allowed_roles``."""

    message = "Your role may not use this endpoint."

    def has_permission(self, request, view) -> bool:
        user = request.user
        allowed = getattr(view, "allowed_roles", ())
        if not (user and user.is_authenticated and user.is_active):
            return False
        if user.role == Role.OPS and not user.is_staff:
            return False
        return user.role in allowed


class OpsModelPermission(BasePermission):
    """Ops staff need the model's view permission to read through the API (deny by default)."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.role == Role.OPS and user.is_staff):
            return True  # not ops: other permissions and queryset scoping decide
        model = view.get_queryset().model
        return user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}")
