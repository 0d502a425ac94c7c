import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import Role, User
from accounts.roles import TEAM_PERMISSIONS, OpsTeam, sync_ops_groups
from accounts.services import user_create
from tests.factories import BuyerUnitFactory, SupplierFactory

pytestmark = pytest.mark.django_db


def test_five_ops_groups_exist_with_their_permissions():
    groups = {g.name: g for g in Group.objects.prefetch_related("permissions__content_type")}
    assert set(groups) == set(OpsTeam.values)
    control = {
        f"{p.content_type.app_label}.{p.codename}" for p in groups[OpsTeam.INTERNAL_CONTROL].permissions.all()
    }
    assert {"suppliers.change_supplier", "regions.change_county", "accounts.view_user"} <= control
    assert "suppliers.delete_supplier" not in control
    demand = {p.codename for p in groups[OpsTeam.DEMAND].permissions.all()}
    assert "change_buyerunit" in demand and "change_supplier" not in demand


def test_sync_is_idempotent_and_restores_drift():
    group = Group.objects.get(name=OpsTeam.CUSTOMER_SERVICE)
    group.permissions.clear()
    first = sync_ops_groups()
    second = sync_ops_groups()
    assert first == second
    assert group.permissions.count() == first[OpsTeam.CUSTOMER_SERVICE] > 0
    assert set(TEAM_PERMISSIONS) == set(OpsTeam.values)


def test_user_create_binds_a_buyer_to_its_unit():
    unit = BuyerUnitFactory()
    user = user_create(username="li", password="s3cret-pass", role=Role.BUYER, buyer_unit=unit)
    assert user.is_buyer and user.organisation == unit and not user.is_staff
    assert user.check_password("s3cret-pass")


def test_user_create_refuses_a_role_without_its_organisation():
    with pytest.raises(ValidationError) as info:
        user_create(username="x", password="p", role=Role.SUPPLIER)
    assert "supplier" in info.value.message_dict
    assert not User.objects.filter(username="x").exists()


def test_user_create_refuses_two_organisations():
    with pytest.raises(ValidationError) as info:
        user_create(
            username="x",
            password="p",
            role=Role.BUYER,
            buyer_unit=BuyerUnitFactory(),
            supplier=SupplierFactory(),
        )
    assert "supplier" in info.value.message_dict
    assert not User.objects.filter(username="x").exists()


def test_ops_staff_are_staff_in_their_teams():
    user = user_create(username="ops1", password="p", role=Role.OPS, teams=[OpsTeam.DATA])
    assert user.is_staff and user.is_ops
    assert list(user.groups.values_list("name", flat=True)) == [OpsTeam.DATA]
    assert user.has_perm("regions.change_county")
    assert not user.has_perm("buyers.change_buyerunit")


def test_teams_are_for_ops_only():
    with pytest.raises(ValidationError):
        user_create(
            username="b", password="p", role=Role.BUYER, buyer_unit=BuyerUnitFactory(), teams=[OpsTeam.DATA]
        )


def test_database_refuses_a_role_that_does_not_match_the_organisation():
    unit = BuyerUnitFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="bad", role=Role.SUPPLIER, buyer_unit=unit)
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="bad2", role=Role.BUYER, buyer_unit=unit, is_staff=True)


def test_createsuperuser_makes_an_ops_user():
    user = User.objects.create_superuser("root", "root@example.com", "pw")
    assert user.role == Role.OPS and user.is_staff and user.is_superuser
