"""API tokens end: at their expiry, on a password change, on deactivation, and when their owner revokes them."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts.services import MAX_API_TOKENS_PER_USER, api_token_create, user_deactivate
from demo import DEMO_PASSWORD
from tests.factories import BuyerFactory, OpsFactory, SupplierUserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "harvest-2027-tea"


def _sign_in(user, password: str = DEMO_PASSWORD):
    return APIClient().post("/api/v1/auth/token/", {"username": user.username, "password": password})


def _token(user) -> str:
    response = _sign_in(user)
    assert response.status_code == 200, response.content
    return response.json()["token"]


def _with(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def _me_status(token: str) -> int:
    return _with(token).get("/api/v1/me/").status_code


def _admin():
    return OpsFactory(is_superuser=True)


# --- Issuing and expiry -----------------------------------------------------------------------------


def test_the_token_endpoint_answers_the_token_and_its_expiry():
    user = SupplierUserFactory()
    start = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        body = _sign_in(user).json()
    assert set(body) == {"token", "expiry"}
    expected = start + timedelta(hours=settings.API_TOKEN_TTL_HOURS)
    assert datetime.fromisoformat(body["expiry"]) == expected
    # Only a hash is stored: the token itself is in no column.
    row = AuthToken.objects.get(user=user)
    assert body["token"] not in (row.digest, row.token_key)
    assert row.expiry == expected


def test_a_token_stops_working_after_its_expiry():
    user = BuyerFactory()
    ttl = timedelta(hours=settings.API_TOKEN_TTL_HOURS)
    with time_machine.travel(datetime(2026, 5, 1, 8, 0, tzinfo=UTC), tick=False) as clock:
        token = _token(user)
        assert _me_status(token) == 200
        clock.shift(ttl - timedelta(minutes=1))
        assert _me_status(token) == 200
        clock.shift(timedelta(minutes=2))
        assert _me_status(token) == 401
    assert not AuthToken.objects.filter(user=user).exists()  # the expired row is gone too


def test_wrong_credentials_issue_no_token():
    user = SupplierUserFactory()
    response = _sign_in(user, password="wrong")
    assert response.status_code == 400
    assert "token" not in response.json()
    assert not AuthToken.objects.exists()


def test_a_user_keeps_at_most_so_many_tokens():
    user = SupplierUserFactory()
    first, _ = api_token_create(user=user)
    for _ in range(MAX_API_TOKENS_PER_USER):
        api_token_create(user=user)
    assert AuthToken.objects.filter(user=user).count() == MAX_API_TOKENS_PER_USER
    assert not AuthToken.objects.filter(digest=first.digest).exists()  # the oldest went


# --- Password change and deactivation -------------------------------------------------------------


def test_after_a_password_change_the_old_token_answers_401(client):
    user = SupplierUserFactory()
    old = _token(user)
    other_user_token = _token(BuyerFactory())
    client.force_login(user)
    response = client.post(
        "/accounts/password/",
        {"old_password": DEMO_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert _me_status(old) == 401
    assert _me_status(other_user_token) == 200  # nobody else's token ends
    assert _me_status(_token_with(user, NEW_PASSWORD)) == 200


def _token_with(user, password: str) -> str:
    response = _sign_in(user, password)
    assert response.status_code == 200
    return response.json()["token"]


def test_a_refused_password_change_keeps_the_tokens(client):
    user = SupplierUserFactory()
    token = _token(user)
    client.force_login(user)
    response = client.post(
        "/accounts/password/",
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200  # the form again, with its error
    assert _me_status(token) == 200


def test_a_password_set_in_the_admin_ends_the_tokens(client):
    user = SupplierUserFactory()
    token = _token(user)
    client.force_login(_admin())
    response = client.post(
        f"/admin/accounts/user/{user.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert _me_status(token) == 401


def test_after_deactivation_the_token_answers_401_and_reactivation_revives_none():
    user = BuyerFactory()
    token = _token(user)
    user_deactivate(user=user)
    assert _me_status(token) == 401
    user.is_active = True
    user.save(update_fields=["is_active"])
    assert _me_status(token) == 401
    assert not AuthToken.objects.filter(user=user).exists()


def test_deactivating_in_the_admin_change_form_revokes_the_tokens(client):
    user = SupplierUserFactory()
    token = _token(user)
    client.force_login(_admin())
    page = client.get(f"/admin/accounts/user/{user.pk}/change/")
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update(
        {
            "is_active": "",
            "date_joined_0": user.date_joined.date().isoformat(),
            "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        }
    )
    data.pop("date_joined", None)
    data.pop("last_login", None)
    data = {k: v for k, v in data.items() if v not in (False, None)}
    response = client.post(f"/admin/accounts/user/{user.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    user.refresh_from_db()
    assert not user.is_active
    assert not AuthToken.objects.filter(user=user).exists()
    user.is_active = True
    user.save(update_fields=["is_active"])
    assert _me_status(token) == 401


def test_the_admin_action_deactivates_and_revokes(client):
    user, bystander = SupplierUserFactory(), BuyerFactory()
    token, kept = _token(user), _token(bystander)
    client.force_login(_admin())
    response = client.post("/admin/accounts/user/", {"action": "deactivate", "_selected_action": [user.pk]})
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.is_active
    assert _me_status(token) == 401
    assert _me_status(kept) == 200


def test_the_admin_lists_tokens_without_the_token(client):
    user = SupplierUserFactory()
    token = _token(user)
    row = AuthToken.objects.get(user=user)
    client.force_login(_admin())
    page = client.get("/admin/knox/authtoken/").content.decode()
    assert row.token_key in page and user.username in page
    assert token not in page  # (its hash is the row's key, in the links: it does not authenticate)
    assert client.get("/admin/knox/authtoken/add/").status_code == 403


# --- Listing and revoking ----------------------------------------------------------------------------


def test_a_user_lists_their_tokens_and_revokes_one():
    user = SupplierUserFactory()
    first, second = _token(user), _token(user)
    _token(BuyerFactory())  # someone else's, never listed
    response = _with(second).get("/api/v1/auth/tokens/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["prefix"] for row in rows] == [second[:15], first[:15]]
    assert [row["current"] for row in rows] == [True, False]
    assert set(rows[0]) == {"prefix", "created", "expiry", "current"}
    assert first not in response.content.decode() and second not in response.content.decode()

    assert _with(second).delete(f"/api/v1/auth/tokens/{first[:15]}/").status_code == 204
    assert _me_status(first) == 401
    assert _me_status(second) == 200


def test_another_users_token_cannot_be_revoked():
    owner, intruder = SupplierUserFactory(), SupplierUserFactory()
    victim = _token(owner)
    response = _with(_token(intruder)).delete(f"/api/v1/auth/tokens/{victim[:15]}/")
    assert response.status_code == 404
    assert _me_status(victim) == 200


def test_anonymous_cannot_list_or_revoke():
    token = _token(SupplierUserFactory())
    assert APIClient().get("/api/v1/auth/tokens/").status_code == 401
    assert APIClient().delete(f"/api/v1/auth/tokens/{token[:15]}/").status_code == 401
    assert _me_status(token) == 200


def test_logout_revokes_the_token_in_use_and_logoutall_every_one():
    user = BuyerFactory()
    first, second, third = _token(user), _token(user), _token(user)
    assert _with(first).post("/api/v1/auth/logout/").status_code == 204
    assert (_me_status(first), _me_status(second)) == (401, 200)
    assert _with(second).post("/api/v1/auth/logoutall/").status_code == 204
    assert (_me_status(second), _me_status(third)) == (401, 401)


def test_a_signed_in_browser_can_revoke_every_token():
    user = BuyerFactory()
    token = _token(user)
    client = APIClient()
    client.force_authenticate(user)
    assert client.post("/api/v1/auth/logoutall/").status_code == 204
    assert _me_status(token) == 401


def test_failed_token_requests_count_toward_the_lockout():
    user = SupplierUserFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        assert _sign_in(user, password="wrong").status_code == 400
    # Locked out: even the right password gets no token (Django's authenticate() refuses it).
    response = _sign_in(user)
    assert response.status_code == 400
    assert "token" not in response.json()
    assert not AuthToken.objects.exists()


@pytest.mark.parametrize(
    "header",
    [
        "Token \xff\xfe",  # not UTF-8: knox's decode raised
        "Token \u2603",  # not even Latin-1
        "Token " + "a" * 63 + "\x00",  # a NUL, which PostgreSQL refuses in a query
        "Token " + "a" * 5000,
        "Token not-a-token",
    ],
)
def test_a_header_that_cannot_hold_a_token_answers_401(header):
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
