"""Login lockout behind a TLS proxy (issue 17, defect 10) and the limit per client address.

Behind the proxy every request comes from the proxy's address; before the fix the lockout, keyed on
(username, address), then locked an account out for everyone after five wrong passwords from anyone.
"""

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory
from django.urls import reverse

from core.client_ip import client_ip
from demo import DEMO_PASSWORD
from tests.factories import BuyerFactory, OpsFactory

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"
CLIENT_A = "203.0.113.5"
CLIENT_B = "198.51.100.7"


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]


def _login(client, username, password, *, remote, forwarded=None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post("/accounts/login/", {"username": username, "password": password}, **headers)


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_behind_the_proxy_one_clients_failures_do_not_lock_the_admin_out_for_another(
    client, settings, behind_proxy
):
    admin = OpsFactory(username="admin", is_superuser=True)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "admin", "guess", remote=PROXY, forwarded=CLIENT_A)
    response = _login(client, "admin", DEMO_PASSWORD, remote=PROXY, forwarded=CLIENT_A)
    assert response.status_code == 429 and "该账户在此网络上已被锁定" in response.content.decode()

    response = _login(client, "admin", DEMO_PASSWORD, remote=PROXY, forwarded=CLIENT_B)
    assert response.status_code == 302 and _signed_in(client)
    assert client.session["_auth_user_id"] == str(admin.pk)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {CLIENT_A}


def test_behind_the_proxy_a_forged_header_does_not_dodge_the_lockout(client, settings, behind_proxy):
    """The client writes what it likes to the left of the hop the proxy appends; only that hop counts."""
    buyer = BuyerFactory()
    for n in range(settings.AXES_FAILURE_LIMIT):
        _login(client, buyer.username, "guess", remote=PROXY, forwarded=f"192.0.2.{n}, {CLIENT_A}")
    response = _login(
        client, buyer.username, DEMO_PASSWORD, remote=PROXY, forwarded=f"192.0.2.99, {CLIENT_A}"
    )
    assert response.status_code == 429 and not _signed_in(client)


@pytest.mark.parametrize("proxies", [[], ["10.0.0.0/24"]])
def test_a_direct_client_cannot_forge_x_forwarded_for_to_dodge_its_own_lockout(client, settings, proxies):
    settings.TRUSTED_PROXIES = proxies
    buyer = BuyerFactory()
    for n in range(settings.AXES_FAILURE_LIMIT):
        _login(client, buyer.username, "guess", remote=CLIENT_A, forwarded=f"192.0.2.{n}")
    response = _login(client, buyer.username, DEMO_PASSWORD, remote=CLIENT_A, forwarded=CLIENT_B)
    assert response.status_code == 429 and not _signed_in(client)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {CLIENT_A}


def test_one_address_guessing_across_many_usernames_is_stopped(client, settings, behind_proxy):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 8
    users = [BuyerFactory() for _ in range(4)]
    for user in users:  # two wrong passwords each: never the five that lock one account
        for _ in range(2):
            _login(client, user.username, "guess", remote=PROXY, forwarded=CLIENT_A)
    for n in range(3):  # and names that do not exist count too
        _login(client, f"nobody{n}", "guess", remote=PROXY, forwarded=CLIENT_A)

    fresh = BuyerFactory()
    response = _login(client, fresh.username, DEMO_PASSWORD, remote=PROXY, forwarded=CLIENT_A)
    assert response.status_code == 429 and not _signed_in(client)
    page = response.content.decode()
    assert "来自此网络的登录失败次数过多" in page and "该账户在此网络上已被锁定" not in page

    # Another address is not held back by it.
    response = _login(client, fresh.username, DEMO_PASSWORD, remote=PROXY, forwarded=CLIENT_B)
    assert response.status_code == 302 and _signed_in(client)


def test_under_the_address_limit_logins_from_the_address_work(client, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 8
    users = [BuyerFactory() for _ in range(3)]
    for user in users:
        for _ in range(2):
            _login(client, user.username, "guess", remote=CLIENT_A)
    response = _login(client, users[0].username, DEMO_PASSWORD, remote=CLIENT_A)
    assert response.status_code == 302 and _signed_in(client)


def _address(settings, remote, forwarded=None, proxies=("10.0.0.0/24", "2001:db8::/32")):
    settings.TRUSTED_PROXIES = list(proxies)
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **meta))


@pytest.mark.parametrize(
    "remote,forwarded,expected",
    [
        (CLIENT_A, CLIENT_B, CLIENT_A),  # not from a trusted proxy: the header is ignored
        (PROXY, None, PROXY),  # from the proxy without a header: the proxy itself
        (PROXY, "", PROXY),
        (PROXY, CLIENT_A, CLIENT_A),
        (PROXY, f"{CLIENT_B}, {CLIENT_A}", CLIENT_A),  # right-most untrusted hop
        (PROXY, f"{CLIENT_B}, {CLIENT_A}, 10.0.0.7", CLIENT_A),  # a chain of trusted proxies is skipped
        (PROXY, "10.0.0.9, 10.0.0.7", "10.0.0.9"),  # all trusted: the left-most
        (PROXY, "not-an-address", PROXY),  # garbage: no further than the proxy vouches
        (PROXY, f"{CLIENT_B}, junk, {CLIENT_A}", CLIENT_A),
        (PROXY, f"{CLIENT_A}:51234", CLIENT_A),  # a port is dropped
        (PROXY, "[2001:db9::1]:443", "2001:db9::1"),
        ("2001:db8::2", "2001:DB9:0:0::1", "2001:db9::1"),  # IPv6 proxy, written in canonical form
        (PROXY, f"::ffff:{CLIENT_A}", CLIENT_A),  # an IPv4-mapped address is the IPv4 address
        ("", CLIENT_A, None),
    ],
)
def test_client_address(settings, remote, forwarded, expected):
    assert _address(settings, remote, forwarded) == expected


def test_without_trusted_proxies_the_header_is_never_read(settings):
    assert _address(settings, PROXY, CLIENT_A, proxies=()) == PROXY


def test_a_username_longer_than_any_account_is_refused_on_the_form_not_with_a_server_error(client):
    """Form fuzzing found it on PostgreSQL: axes recorded the tried username in a 255-character column."""
    response = client.post(reverse("accounts:login"), {"username": "9" * 300, "password": "x"})
    assert response.status_code == 200
    [attempt] = AccessAttempt.objects.all()
    assert attempt.username == "9" * 150
