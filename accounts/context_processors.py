from django.utils.functional import SimpleLazyObject

from accounts.models import Notification, Role


def roles(request):
    """Role names for templates, and the unread inbox count (one query, only when a page shows it)."""
    user = getattr(request, "user", None)

    def unread() -> int:
        if user is None or not user.is_authenticated:
            return 0
        return Notification.objects.filter(user=user, read_at__isnull=True).count()

    return {"ROLE": Role, "unread_notifications": SimpleLazyObject(unread)}
