"""Security headers (issue 17): a Content-Security-Policy with no inline script but the request's
nonce, no framing and a Referrer-Policy on every HTML page, the admin and the API docs included."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from tests.factories import BuyerFactory, OpsFactory

pytestmark = pytest.mark.django_db

NONCE = re.compile(r"'nonce-([A-Za-z0-9_\-]+)'")
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"""\s(on[a-z]+|hx-on[:\-][^\s=]*)\s*=\s*["']""", re.IGNORECASE)


def _policy(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.wsgi_request.path}"
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def _nonce(response) -> str:
    match = NONCE.search(" ".join(_policy(response)["script-src"]))
    assert match, "script-src has no nonce"
    return match.group(1)


def _assert_secure_html(response) -> None:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/html")
    policy = _policy(response)
    scripts = policy["script-src"]
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
    assert "*" not in scripts and not any(s.startswith(("http:", "https:", "data:")) for s in scripts)
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert response["Referrer-Policy"] in {"same-origin", "strict-origin-when-cross-origin", "no-referrer"}
    assert response["X-Frame-Options"] == "DENY"
    # Every inline script on the page carries this response's nonce; the rest load from our origin.
    nonce = _nonce(response)
    html = response.content.decode()
    for attributes in SCRIPT_TAG.findall(html):
        if "src=" not in attributes and 'type="application/json"' not in attributes:
            assert f'nonce="{nonce}"' in attributes, f"inline <script{attributes}> without the nonce"
    assert not EVENT_HANDLER.search(html), EVENT_HANDLER.search(html).group(0)


def test_a_public_page_has_the_headers(client):
    _assert_secure_html(client.get(reverse("home")))
    _assert_secure_html(client.get(reverse("accounts:login")))


def test_a_signed_in_page_has_the_headers(client):
    client.force_login(BuyerFactory())
    _assert_secure_html(client.get(reverse("home")))
    _assert_secure_html(client.get(reverse("orders:list")))


def test_the_admin_has_the_headers(client):
    _assert_secure_html(client.get(reverse("admin:login")))
    client.force_login(OpsFactory())
    _assert_secure_html(client.get(reverse("admin:index")))


def test_the_api_docs_start_swagger_ui_with_the_nonce(client):
    response = client.get(reverse("api-docs"))
    _assert_secure_html(response)
    html = response.content.decode()
    # Swagger UI's start-up is inline: it must run, so it carries the nonce the header allows.
    assert f'<script nonce="{_nonce(response)}">' in html
    assert "SwaggerUIBundle(" in html
    assert "swagger-ui-bundle.js" in html


def test_the_nonce_differs_per_request(client):
    nonces = {_nonce(client.get(reverse("home"))) for _ in range(3)}
    assert len(nonces) == 3
    assert all(len(n) >= 22 for n in nonces)  # at least 128 bits


def test_htmx_may_not_evaluate_code_or_inject_styles(client):
    html = client.get(reverse("home")).content.decode()
    assert (
        """<meta name="htmx-config" content='{"allowEval": false, "includeIndicatorStyles": false}'>"""
        in html
    )


def test_a_response_with_its_own_policy_keeps_it():
    """A private file's sandbox (core.downloads) is not replaced by the page policy."""
    from marketplace.middleware import ContentSecurityPolicyMiddleware

    def view(request):
        response = HttpResponse("x", content_type="text/html")
        response["Content-Security-Policy"] = "sandbox"
        return response

    response = ContentSecurityPolicyMiddleware(view)(RequestFactory().get("/"))
    assert response["Content-Security-Policy"] == "sandbox"


def _templates() -> list[Path]:
    base = Path(settings.BASE_DIR)
    skip = {".venv", "node_modules", "staticfiles", ".git"}
    return [
        path
        for path in base.rglob("templates/**/*.html")
        if not skip.intersection(path.relative_to(base).parts)
    ]


def test_no_template_has_an_inline_script_or_event_handler():
    """Inline code runs only with the nonce: a template's <script> loads a file or carries it."""
    templates = _templates()
    assert len(templates) > 20
    offenders = []
    for path in templates:
        text = path.read_text(encoding="utf-8")
        for attributes in SCRIPT_TAG.findall(text):
            if "src=" not in attributes and 'nonce="{{ csp_nonce }}"' not in attributes:
                offenders.append(f"{path}: <script{attributes}>")
        offenders += [f"{path}: {m.group(0).strip()}" for m in EVENT_HANDLER.finditer(text)]
        if "javascript:" in text:
            offenders.append(f"{path}: javascript: URL")
    assert not offenders, "\n".join(offenders)
