import pytest
from django.core.management import call_command

from accounts.models import Role, User
from buyers.models import BuyerUnit
from catalog.models import Product, ProductStatus
from core.uscc import is_valid_uscc
from demo import DEMO_PASSWORD
from demo.catalog import LISTINGS, MEANT_TO_FAIL
from demo.suppliers import NAMED
from inspections.models import CheckPhase, Report, Sanction, SpotCheck, SweepRun
from regions.models import CountyOffice
from suppliers.models import Supplier, SupplierEvent, SupplierStatus

pytestmark = pytest.mark.django_db


def _snapshot():
    return (
        sorted(User.objects.values_list("username", "role")),
        sorted(BuyerUnit.objects.values_list("name", "uscc")),
        sorted(Supplier.objects.values_list("legal_name", "uscc", "county__code", "status")),
        sorted(CountyOffice.objects.values_list("county__code", flat=True)),
        sorted(Product.objects.values_list("name", "supplier__legal_name", "min_price")),
    )


def test_seed_creates_an_account_for_every_role_with_the_demo_password():
    call_command("seed_demo", "--suppliers", "4", "--products", "10")
    roles = set(User.objects.values_list("role", flat=True))
    assert roles == set(Role.values)
    for user in User.objects.all():
        assert user.check_password(DEMO_PASSWORD), user.username
    ops_teams = {
        g
        for u in User.objects.filter(username__startswith="ops-")
        for g in u.groups.values_list("name", flat=True)
    }
    assert len(ops_teams) == 5
    assert Supplier.objects.count() == 4 + len(NAMED)  # generated + the named demo suppliers
    assert all(s.county.is_eligible for s in Supplier.objects.select_related("county"))
    assert all(is_valid_uscc(code) for code in Supplier.objects.values_list("uscc", flat=True))
    # the hand-made listings went through review and are on sale; the rest were generated
    assert Product.objects.filter(status=ProductStatus.ON_SALE).count() == 10
    # all visible but the two the nightly sweep froze (demo.catalog.MEANT_TO_FAIL, frozen=True)
    assert Product.objects.filter(is_visible=True).count() == 10 - len([m for m in MEANT_TO_FAIL if m.frozen])
    assert Product.objects.filter(events__action="approve").distinct().count() == len(LISTINGS)
    # every state was reached through the workflow, so each has its history
    assert not Supplier.objects.exclude(status=SupplierStatus.DRAFT).filter(events__isnull=True).exists()
    assert all(is_valid_uscc(code) for code in BuyerUnit.objects.values_list("uscc", flat=True))
    assert set(Supplier.objects.values_list("status", flat=True)) == set(SupplierStatus.values)


def test_seed_is_idempotent():
    call_command("seed_demo", "--suppliers", "2", "--products", "0")
    first = _snapshot()
    call_command("seed_demo", "--suppliers", "2", "--products", "0")
    assert _snapshot() == first


def test_same_seed_same_data():
    # Without order history, so every row can be deleted and made again (orders protect what they bought;
    # tests/orders/test_demo.py checks the order history's own idempotency).
    call_command("seed_demo", "--seed", "7", "--suppliers", "3", "--products", "6", "--orders-months", "0")
    first = _snapshot()
    # the spot checks protect what they name: remove them first (demo.inspections makes them again)
    Sanction.objects.all().delete()
    SpotCheck.objects.all().delete()
    Report.objects.all().delete()
    CheckPhase.objects.all().delete()
    SweepRun.objects.all().delete()
    Product.objects.all().delete()
    SupplierEvent.objects.all().delete()
    User.objects.all().delete()
    Supplier.objects.all().delete()
    BuyerUnit.objects.all().delete()
    CountyOffice.objects.all().delete()
    call_command("seed_demo", "--seed", "7", "--suppliers", "3", "--products", "6", "--orders-months", "0")
    assert _snapshot() == first


def test_if_empty_leaves_a_populated_database_alone():
    call_command("seed_demo", "--suppliers", "1", "--products", "0", "--orders-months", "0")
    User.objects.filter(username="ops-demand").delete()  # (the buyer is protected by its report)
    call_command("seed_demo", "--if-empty")
    assert not User.objects.filter(username="ops-demand").exists()
