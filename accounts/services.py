"""Writes to users, their organisation links and their API tokens."""

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from knox.models import AuthToken

from accounts.models import Role, User
from accounts.roles import OpsTeam


def _check_organisation(*, role: str, buyer_unit, supplier, county_office, teams: Iterable[str]) -> None:
    expected = {Role.BUYER: "buyer_unit", Role.SUPPLIER: "supplier", Role.COUNTY_OFFICER: "county_office"}
    given = {"buyer_unit": buyer_unit, "supplier": supplier, "county_office": county_office}
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role “%(role)s”.") % {"role": role}})
    wanted = expected.get(role)
    for field, value in given.items():
        if field == wanted and value is None:
            raise ValidationError({field: _("A user in this role must belong to one.")})
        if field != wanted and value is not None:
            raise ValidationError({field: _("A user in this role cannot belong to one.")})
    unknown = set(teams) - set(OpsTeam.values)
    if unknown:
        raise ValidationError(
            {"groups": _("Unknown operations team: %(teams)s") % {"teams": ", ".join(sorted(unknown))}}
        )
    if teams and role != Role.OPS:
        raise ValidationError({"groups": _("Only operations staff join operations teams.")})


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None,
    role: str,
    buyer_unit=None,
    supplier=None,
    county_office=None,
    teams: Iterable[str] = (),
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    phone: str = "",
    is_superuser: bool = False,
) -> User:
    """Create a user acting for one organisation (or an ops staff member in some teams)."""
    teams = list(teams)
    _check_organisation(
        role=role, buyer_unit=buyer_unit, supplier=supplier, county_office=county_office, teams=teams
    )
    if is_superuser and role != Role.OPS:
        raise ValidationError({"is_superuser": _("Only operations staff can be superusers.")})
    user = User(
        username=username,
        role=role,
        buyer_unit=buyer_unit,
        supplier=supplier,
        county_office=county_office,
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone,
        is_staff=role == Role.OPS,
        is_superuser=is_superuser,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    if teams:
        user.groups.set(Group.objects.filter(name__in=teams))
    return user


def user_set_language(*, user: User, language: str) -> None:
    """Remember the language ``user`` reads, so notifications are written in it."""
    if language in dict(settings.LANGUAGES) and user.language != language:
        user.language = language
        user.save(update_fields=["language"])


# --- API tokens (django-rest-knox: only a hash is stored; each token ends at its expiry) ----------

# A script that signs in on every run must not pile up rows: past this many, the oldest go.
MAX_API_TOKENS_PER_USER = 10


@transaction.atomic
def api_token_create(*, user: User) -> tuple[AuthToken, str]:
    """Issue an API token for ``user``, ending API_TOKEN_TTL_HOURS from now.

    Returns the row and the token text, which is shown once: only its hash is kept. The user's
    expired tokens are deleted, and the oldest live ones beyond MAX_API_TOKENS_PER_USER revoked.
    """
    list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))  # one at a time
    AuthToken.objects.filter(user=user, expiry__lte=timezone.now()).delete()
    surplus = list(
        AuthToken.objects.filter(user=user)
        .order_by("-created")
        .values_list("digest", flat=True)[MAX_API_TOKENS_PER_USER - 1 :]
    )
    if surplus:
        AuthToken.objects.filter(digest__in=surplus).delete()
    return AuthToken.objects.create(user=user)


def api_token_revoke(*, user: User, prefix: str) -> bool:
    """Revoke ``user``'s token starting with ``prefix`` (its listed prefix); False if none is theirs."""
    deleted, _rows = AuthToken.objects.filter(user=user, token_key=prefix).delete()
    return deleted > 0


def api_tokens_revoke_all(*, user: User) -> int:
    """Revoke every API token of ``user`` (sign-out everywhere, password change, deactivation)."""
    deleted, _rows = AuthToken.objects.filter(user=user).delete()
    return deleted


@transaction.atomic
def user_password_changed(*, user: User) -> None:
    """Call once ``user``'s new password is saved: every API token issued before it ends.

    (Browser sessions end by themselves: Django ties them to the password hash.)
    """
    api_tokens_revoke_all(user=user)


@transaction.atomic
def user_deactivate(*, user: User) -> User:
    """Deactivate ``user`` and revoke their API tokens, so reactivating them revives none."""
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
    api_tokens_revoke_all(user=user)
    return user
