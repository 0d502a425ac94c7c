import secrets

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


class ChineseFirstLocaleMiddleware:
    """Chinese unless the visitor chose another language with the switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language; Fengshou serves
    Chinese first and only changes when a person asks (the language cookie set by set_language).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response


class ContentSecurityPolicyMiddleware:
    """A Content-Security-Policy on every HTML page, with a fresh script nonce per request.

    Django 5.2 has no CSP of its own. The policy is ``settings.CONTENT_SECURITY_POLICY``; the source
    ``'nonce'`` in it becomes ``'nonce-<this request's nonce>'``. Templates reach the nonce as
    ``{{ csp_nonce }}`` (the ``csp_nonce`` context processor below) and put it on the few inline
    scripts we cannot move into static files (the API docs' Swagger UI start-up). A response that
    already carries a policy (a private file's sandbox, core.downloads) keeps its own.
    """

    header = "Content-Security-Policy"

    def __init__(self, get_response):
        self.get_response = get_response
        self.directives = settings.CONTENT_SECURITY_POLICY

    def __call__(self, request):
        request.csp_nonce = secrets.token_urlsafe(18)
        response = self.get_response(request)
        content_type = response.headers.get("Content-Type", "")
        if self.header not in response.headers and content_type.startswith("text/html"):
            response.headers[self.header] = self.policy(request.csp_nonce)
        return response

    def policy(self, nonce: str) -> str:
        parts = []
        for directive, sources in self.directives.items():
            values = [f"'nonce-{nonce}'" if source == "'nonce'" else source for source in sources]
            parts.append(" ".join([directive, *values]))
        return "; ".join(parts)


def csp_nonce(request) -> dict[str, str]:
    """Context processor: ``{{ csp_nonce }}``, the nonce the page's inline scripts must carry."""
    return {"csp_nonce": getattr(request, "csp_nonce", "")}
