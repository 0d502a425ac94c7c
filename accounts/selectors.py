from django.db.models import Q, QuerySet
from django.utils import timezone
from knox.models import AuthToken

from accounts.models import User


def user_with_organisation(*, user_id: int) -> User:
    """The signed-in user with the organisation and its county joined (one query)."""
    return User.objects.select_related(
        "buyer_unit__province",
        "buyer_unit__county",
        "supplier__county__city",
        "supplier__county__province",
        "county_office__county__city",
        "county_office__county__province",
    ).get(pk=user_id)


def api_tokens_of(*, user: User) -> QuerySet[AuthToken]:
    """``user``'s API tokens that still work, newest first."""
    return AuthToken.objects.filter(
        Q(expiry__gt=timezone.now()) | Q(expiry__isnull=True), user=user
    ).order_by("-created")
