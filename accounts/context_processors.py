from accounts.models import Role


def roles(request):
    """Role names for templates ({% if user.role == ROLE.BUYER %})."""
    return {"ROLE": Role}
