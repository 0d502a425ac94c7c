"""API token authentication: django-rest-knox's, refusing what cannot be a token before any query."""

import re

from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication
from knox.settings import knox_settings
from rest_framework.exceptions import AuthenticationFailed

# What knox issues: its prefix, then AUTH_TOKEN_CHARACTER_LENGTH hexadecimal digits.
_TOKEN = re.compile(
    re.escape(knox_settings.TOKEN_PREFIX).encode()
    + rb"[0-9a-f]{%d}" % knox_settings.AUTH_TOKEN_CHARACTER_LENGTH
)


class ApiTokenAuthentication(TokenAuthentication):
    """knox's TokenAuthentication, answering 401 (not 500) to any header that cannot hold a token.

    knox decodes the header as UTF-8 before checking it (any other byte raised), and PostgreSQL refuses
    a NUL in a query: such a header is refused here first.
    """

    def authenticate(self, request):
        try:
            return super().authenticate(request)
        except UnicodeError as exc:  # the header could not even be read as bytes
            raise AuthenticationFailed(_("Invalid token.")) from exc

    def authenticate_credentials(self, token: bytes):
        if not _TOKEN.fullmatch(token):
            raise AuthenticationFailed(_("Invalid token."))
        return super().authenticate_credentials(token)


class ApiTokenScheme(KnoxTokenScheme):
    """The OpenAPI security scheme: knox's (``Authorization: Token <token>``), for our subclass."""

    target_class = "accounts.authentication.ApiTokenAuthentication"
