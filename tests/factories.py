"""factory_boy factories. Organisations are built through their services' rules (valid codes, eligible counties)."""

import random

import factory
from django.contrib.auth.models import Group

from accounts.models import Role, User
from buyers.models import BuyerUnit
from demo import DEMO_PASSWORD, make_uscc
from regions.models import County, CountyOffice, Province
from suppliers.models import Supplier, SupplierStatus

_rng = random.Random(2026)


def eligible_county(index: int = 0) -> County:
    return County.objects.filter(is_eligible=True).order_by("code")[index]


def valid_uscc(prefix: str = "91", division: str = "422823") -> str:
    return make_uscc(_rng, authority_and_type=prefix, division_code=division)


class BuyerUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BuyerUnit

    name = factory.Sequence(lambda n: f"测试采购单位{n}")
    uscc = factory.LazyFunction(lambda: valid_uscc("11", "420102"))
    kind = BuyerUnit.Kind.GOVERNMENT_AGENCY
    province = factory.LazyFunction(lambda: Province.objects.get(code="42"))


class CountyOfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CountyOffice

    county = factory.LazyFunction(eligible_county)
    name = factory.LazyAttribute(lambda o: f"{o.county.name}乡村振兴局")


class SupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supplier

    legal_name = factory.Sequence(lambda n: f"测试农业专业合作社{n}")
    uscc = factory.LazyAttribute(lambda o: valid_uscc("93", o.county.code))
    county = factory.LazyFunction(eligible_county)
    status = SupplierStatus.ACTIVE


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", DEMO_PASSWORD)

    @factory.post_generation
    def save_password(self, create, extracted, **kwargs):
        if create:
            self.save()


class BuyerFactory(UserFactory):
    role = Role.BUYER
    buyer_unit = factory.SubFactory(BuyerUnitFactory)


class SupplierUserFactory(UserFactory):
    role = Role.SUPPLIER
    supplier = factory.SubFactory(SupplierFactory)


class CountyOfficerFactory(UserFactory):
    role = Role.COUNTY_OFFICER
    county_office = factory.SubFactory(CountyOfficeFactory)


class OpsFactory(UserFactory):
    role = Role.OPS
    is_staff = True

    @factory.post_generation
    def teams(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.set(Group.objects.filter(name__in=extracted))
