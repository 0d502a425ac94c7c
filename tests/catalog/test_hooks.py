"""The explicit hooks between the catalogue and the apps around it: connected at start-up, and the
behaviour they carry still happens (no upward import does it any more)."""

import io
from decimal import Decimal

import pytest

from catalog import services
from catalog.hooks import SKU_PRICES_CHANGED
from catalog.models import ProductStatus
from pricing import tasks as pricing_tasks
from suppliers import services as supplier_services
from suppliers.hooks import SUPPLIER_STATUS_CHANGED
from suppliers.workflow import Action

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued_verdicts(monkeypatch):
    """The SKU ids handed to the verdict job (the Celery edge), one list per job."""
    jobs: list[list[int]] = []
    monkeypatch.setattr(pricing_tasks.refresh_verdicts, "delay", lambda ids: jobs.append(list(ids)))
    return jobs


def test_the_catalogue_listens_to_supplier_status_changes():
    assert services.supplier_listing_visibility_sync in SUPPLIER_STATUS_CHANGED.receivers


def test_price_control_listens_to_sku_price_changes():
    assert pricing_tasks.refresh_verdicts_on_commit in SKU_PRICES_CHANGED.receivers


def test_suspending_a_supplier_hides_its_listings_through_the_hook(listings):
    product = listings.on_sale()
    other = listings.on_sale(name="秭归脐橙 第二款")
    supplier_services.supplier_transition(
        supplier=listings.supplier, action=Action.SUSPEND, by=listings.onboarding.ops, reason="抽检不合格"
    )
    for p in (product, other):
        p.refresh_from_db()
        assert p.status == ProductStatus.ON_SALE and not p.is_visible


def test_a_price_change_re_judges_the_sku_once_committed(
    listings, queued_verdicts, django_capture_on_commit_callbacks
):
    product = listings.on_sale()
    sku = product.skus.order_by("position").first()
    with django_capture_on_commit_callbacks(execute=True):
        services.sku_update(sku=sku, by=listings.user, price=Decimal("45.00"))
    assert queued_verdicts == [[sku.pk]]


def test_a_stock_only_change_judges_nothing(listings, queued_verdicts, django_capture_on_commit_callbacks):
    product = listings.on_sale()
    sku = product.skus.order_by("position").first()
    with django_capture_on_commit_callbacks(execute=True):
        services.sku_update(sku=sku, by=listings.user, stock=7)
    assert queued_verdicts == []


def test_a_csv_file_re_judges_its_repriced_skus_in_one_job(
    listings, queued_verdicts, django_capture_on_commit_callbacks
):
    product = listings.on_sale()
    first, second = product.skus.order_by("position")
    csv = f"sku_id,stock,price\n{first.pk},10,40.00\n{second.pk},5,\n".encode()
    with django_capture_on_commit_callbacks(execute=True):
        services.stock_import_csv(supplier=listings.supplier, by=listings.user, file=io.BytesIO(csv))
    assert queued_verdicts == [[first.pk]]
