"""Ops review products in the admin: bulk approve, reject with a reason, delist."""

import pytest

from catalog import services
from catalog.models import ProductEvent, ProductStatus
from catalog.workflow import ProductAction
from tests.factories import OpsFactory

pytestmark = pytest.mark.django_db
URL = "/admin/catalog/product/"


def _submitted(listings, **kw):
    product = listings.product(**kw)
    services.product_transition(product=product, action=ProductAction.SUBMIT, by=listings.user)
    return product


def _post(client, action, products, **extra):
    return client.post(
        URL, {"action": action, "_selected_action": [p.pk for p in products], **extra}, follow=True
    )


def test_bulk_approve(client, listings):
    a, b = _submitted(listings, name="脐橙一"), _submitted(listings, name="脐橙二")
    client.force_login(listings.ops)
    page = client.get(URL + "?status__exact=submitted")
    assert {p.pk for p in page.context["cl"].result_list} == {a.pk, b.pk}
    _post(client, "do_approve", [a, b])
    for p in (a, b):
        p.refresh_from_db()
        assert p.status == ProductStatus.APPROVED
    assert ProductEvent.objects.filter(action="approve", actor=listings.ops).count() == 2


def test_reject_asks_for_the_reason_the_supplier_reads(client, listings):
    product = _submitted(listings)
    client.force_login(listings.ops)
    page = _post(client, "do_reject", [product])
    assert page.templates[0].name == "admin/action_reason.html"
    product.refresh_from_db()
    assert product.status == ProductStatus.SUBMITTED
    page = _post(client, "do_reject", [product], confirm="1", reason="")
    assert page.context["form"].errors
    _post(client, "do_reject", [product], confirm="1", reason="主图模糊，请更换")
    product.refresh_from_db()
    assert product.status == ProductStatus.REJECTED
    assert ProductEvent.objects.get(action="reject").reason == "主图模糊，请更换"
    assert listings.user.notifications.filter(body__contains="主图模糊").exists()


def test_mixed_states_change_nothing(client, listings):
    submitted, draft = _submitted(listings, name="脐橙一"), listings.product(name="脐橙二")
    client.force_login(listings.ops)
    _post(client, "do_approve", [submitted, draft])
    submitted.refresh_from_db()
    assert submitted.status == ProductStatus.SUBMITTED


def test_delist_hides_a_product_on_sale(client, listings):
    product = listings.on_sale()
    client.force_login(listings.ops)
    _post(client, "do_delist", [product], confirm="1", reason="抽检不合格")
    product.refresh_from_db()
    assert product.status == ProductStatus.DELISTED and not product.is_visible


def test_ops_without_catalogue_rights_cannot_approve(client, listings):
    product = _submitted(listings)
    client.force_login(OpsFactory(teams=["customer_service"]))
    assert client.get(URL).status_code == 403
    _post(client, "do_approve", [product])
    product.refresh_from_db()
    assert product.status == ProductStatus.SUBMITTED
