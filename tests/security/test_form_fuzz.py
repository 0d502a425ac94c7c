"""Hostile input on every web form and query parameter: no 5xx, and no NUL byte reaches the database.

Driven by the authorization matrix: each URL pattern of its table (tests/security/urls_table.py) is taken
by a role the table lets in (a signed-in one where it can). Its page is fetched and every ``<form>`` on it
is read (action, method, fields and their rendered values); each example then sends the form with some
fields replaced by hostile values: numbers (huge, negative, exponent notation, NaN), dates (year 9999,
30 February), ids (of nothing, of another tenant), unicode (NUL, RTL marks, emoji, full-width digits,
very long strings). A POST-only pattern no page links a form to is sent the fields of its app's
``forms.py`` classes instead. GET forms and every page also get hostile query parameters.

Each request runs in a savepoint rolled back after it, so the matrix's world stays as built.
The API is schemathesis' (tests/marketplace/test_schemathesis.py), not this file's.
"""

import importlib
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django import forms as django_forms
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.nul import nul_sent_to_the_database
from tests.security.test_authorization_matrix import EXPECT
from tests.security.urls_table import URLS

EXAMPLES = 6
# Roles to sign in as, in order of preference: a signed-in role that the table lets in, else anonymous.
PREFERENCE = ("buyer_a", "supplier_a", "county_a", "internal", "data", "demand", "content", "service")
PREFERENCE += ("superuser", "anon")
# Not fuzzed: signing out ends the client's session (every later example would be anonymous).
SKIP = {"accounts/logout/"}

ODD = [
    "",
    " ",
    "\x00",
    "1\x00",
    "\u200f",  # RIGHT-TO-LEFT MARK
    "\u202e2026-01-01",  # RIGHT-TO-LEFT OVERRIDE
    "🍊🍊",
    "１２",  # full-width digits
    "-1",
    "0",
    "1e999999",
    "-1e-999999",
    "NaN",
    "Infinity",
    "0x1F",
    str(2**31),
    str(2**63),
    "9" * 300,
    "a" * 5000,
    "9999-12-31",
    "0001-01-01",
    "10000-01-01",
    "2026-02-30",
    "2026-13-01",
    "-2026-01-01",
    "2026-1-1",
    "http://[::1",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "'; DROP TABLE x; --",
]

hostile = st.one_of(
    st.sampled_from(ODD),
    st.text(max_size=40),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.dates().map(lambda d: d.isoformat()),
    st.text(alphabet=st.sampled_from("\x00\u200f\u202e🍊9a-٣"), min_size=250, max_size=600),
)


def _pick_role(route: str) -> str | None:
    pairs = dict(part.split("=") for part in EXPECT[route].split())
    for role in PREFERENCE:
        if pairs.get(role, pairs["*"]) in {"200", "405"}:
            return role
    return None


def _routes() -> list[str]:
    return [r for r in EXPECT if r in URLS and not r.startswith("api/") and r not in SKIP and _pick_role(r)]


# --- Reading the forms of a page -----------------------------------------------------------------


class _Forms(HTMLParser):
    """Every form of a page: action, method, and its fields as (name, rendered value, type)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "option" and self._select and self._form:
            self._option(attrs)
        elif tag == "form":
            self._form = {
                "action": a.get("action", ""),
                "method": a.get("method", "get").lower(),
                "fields": [],
            }
            self.forms.append(self._form)
        elif self._form is None or not a.get("name"):
            return
        elif tag == "input" and a.get("type", "text") not in {"submit", "button", "image", "reset"}:
            if a.get("type") in {"checkbox", "radio"} and "checked" not in a:
                return
            self._form["fields"].append((a["name"], a.get("value", ""), a.get("type", "text")))
        elif tag in {"button"} and a.get("value"):
            self._form["fields"].append((a["name"], a["value"], "button"))
        elif tag == "select":
            self._select = a["name"]
            self._form["fields"].append((a["name"], "", "select"))
        elif tag == "textarea":
            self._textarea = a["name"]
            self._form["fields"].append((a["name"], "", "textarea"))

    def handle_data(self, data):
        if self._textarea and self._form:
            name, value, kind = self._form["fields"][-1]
            self._form["fields"][-1] = (name, value + data, kind)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def _option(self, attrs) -> None:
        """The selected option of a select (else its first) is its rendered value."""
        a = {k: v or "" for k, v in attrs}
        name, value, kind = self._form["fields"][-1]
        if kind == "select" and (not value or "selected" in a):
            self._form["fields"][-1] = (name, a.get("value", ""), "select")


def page_forms(html: str, page_path: str) -> list[dict]:
    parser = _Forms()
    parser.feed(html)
    for form in parser.forms:
        form["action"] = urlsplit(form["action"]).path or page_path
    return parser.forms


def _route_of(path: str) -> str | None:
    try:
        return resolve(path).route
    except Resolver404:
        return None


def _forms_py_fields(view) -> list[str]:
    """The field names of every form class in the ``forms.py`` of the app that serves ``view``."""
    try:
        module = importlib.import_module(f"{view.__module__.split('.')[0]}.forms")
    except ImportError:
        return []
    names: set[str] = set()
    for value in vars(module).values():
        if isinstance(value, type) and issubclass(value, django_forms.BaseForm):
            names.update(getattr(value, "base_fields", {}))
    return sorted(names)


# --- The fuzzing -----------------------------------------------------------------------------------


def _payloads(fields: list[tuple[str, str, str]]):
    """Each field keeps its rendered value or takes a hostile one (at least one field does)."""
    sendable = [(n, v) for n, v, kind in fields if kind != "file" and n != "csrfmiddlewaretoken"]
    if not sendable:
        return st.just({})
    choices = {n: st.one_of(st.just(v), hostile) for n, v in sendable}
    return st.fixed_dictionaries(choices).filter(lambda d: any(d[n] != v for n, v in sendable))


def _queries(names: list[str]):
    return st.fixed_dictionaries({}, optional=dict.fromkeys(names, hostile)).filter(bool)


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _send(client: Client, method: str, path: str, data: dict):
    with nul_sent_to_the_database() as sent, transaction.atomic():
        response = client.post(path, data) if method == "post" else client.get(path, data)
        _body(response)  # a streamed response reads the database only now
        transaction.set_rollback(True)
    return response, sent


def _fuzz(client: Client, method: str, path: str, strategy) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much],
    )
    @given(data=strategy)
    def check(data):
        response, sent = _send(client, method, path, data)
        assert response.status_code < 500, (method, path, data, response.status_code)
        assert sent == [], (method, path, data)

    check()


@pytest.fixture(scope="module")
def fuzz_clients(world):
    clients = {}
    for role, user in [("anon", None), *world.users.items()]:
        client = Client(raise_request_exception=True)
        if user is not None:
            client.force_login(user)
        clients[role] = client
    return clients


# Pages whose forms the table's own URLs do not show: a completed order (after-sales, review) and a
# disputed one, to the buyer and to the supplier.
EXTRA_PAGES = [
    ("buyer_a", lambda w: reverse("orders:detail", args=[w.completed.number])),
    ("buyer_a", lambda w: reverse("orders:detail", args=[w.disputed.number])),
    ("supplier_a", lambda w: reverse("supplier_orders:detail", args=[w.completed.number])),
    ("supplier_a", lambda w: reverse("supplier_orders:detail", args=[w.disputed.number])),
]


@pytest.fixture(scope="module")
def posted_forms(world, fuzz_clients) -> dict[str, list]:
    """Route of a form's action -> [(role that saw it, the form)], over every page of the table."""
    found: dict[str, list] = {}
    pages = [(_pick_role(route), URLS[route]) for route in _routes()] + EXTRA_PAGES
    for role, url in pages:
        path = url(world)
        response = fuzz_clients[role].get(path)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        for form in page_forms(response.content.decode(), urlsplit(path).path):
            action_route = _route_of(form["action"])
            if form["method"] == "post" and action_route:
                found.setdefault(action_route, []).append((role, form))
    return found


@pytest.mark.parametrize("route", _routes())
def test_no_form_or_query_parameter_makes_a_server_error(world, db, fuzz_clients, posted_forms, route):
    role = _pick_role(route)
    client = fuzz_clients[role]
    url = URLS[route](world)
    path, query = urlsplit(url).path, urlsplit(url).query
    page = client.get(url)
    assert page.status_code < 500
    forms = []
    if page.status_code == 200 and "html" in page.get("Content-Type", ""):
        forms = page_forms(page.content.decode(), path)

    # This page's own query parameters: those of its GET forms, and the usual ones.
    names = {n for f in forms if f["method"] == "get" for n, _v, _k in f["fields"]}
    names |= {"page", "q", "status", "sort", "next"} | {kv.split("=")[0] for kv in query.split("&") if kv}
    _fuzz(client, "get", path, _queries(sorted(names)))

    # The POST forms that send to this pattern (from any page), or, with none, its app's form fields.
    targets = posted_forms.get(route, [])[:2]
    for target_role, form in targets:
        _fuzz(fuzz_clients[target_role], "post", form["action"], _payloads(form["fields"]))
    if not targets and page.status_code == 405:
        fields = [(name, "", "text") for name in _forms_py_fields(resolve(path).func)]
        if fields:
            _fuzz(client, "post", path, _payloads(fields))
