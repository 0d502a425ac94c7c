"""Every web view states who may use it, and a view that does not is refused."""

import pytest
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.access import AccessPolicyMiddleware, is_self_guarded, policy_of
from tests.factories import BuyerFactory, OpsFactory, SupplierUserFactory


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            if p.namespace == "admin":
                continue  # admin_view guards every admin page
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.callback


def test_every_view_declares_its_policy():
    undeclared = [
        route
        for route, view in _walk(get_resolver().url_patterns)
        if policy_of(view) is None and not is_self_guarded(view)
    ]
    assert undeclared == []


def test_a_view_without_a_policy_is_refused():
    def secret_view(request):  # pragma: no cover - must never run
        raise AssertionError("ran")

    request = RequestFactory().get("/secret")
    request.resolver_match = None
    request.user = object()
    middleware = AccessPolicyMiddleware(lambda r: None)
    with pytest.raises(Exception) as info:
        middleware.process_view(request, secret_view, (), {})
    assert type(info.value).__name__ == "PermissionDenied"


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_login_from_signed_in_pages(client):
    response = client.get("/accounts/password/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/accounts/password/")


@pytest.mark.django_db
def test_role_decorator_refuses_other_roles():
    from django.http import HttpResponse

    from accounts.access import roles
    from accounts.models import Role

    @roles(Role.BUYER)
    def buyer_page(request):
        return HttpResponse("ok")

    middleware = AccessPolicyMiddleware(lambda r: None)
    for user, allowed in [(BuyerFactory(), True), (SupplierUserFactory(), False), (OpsFactory(), False)]:
        request = RequestFactory().get("/x")
        request.resolver_match = None
        request.user = user
        if allowed:
            assert middleware.process_view(request, buyer_page, (), {}) is None
        else:
            with pytest.raises(Exception) as info:
                middleware.process_view(request, buyer_page, (), {})
            assert type(info.value).__name__ == "PermissionDenied"


@pytest.mark.django_db
def test_non_staff_users_cannot_open_the_admin(client):
    client.force_login(BuyerFactory())
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
