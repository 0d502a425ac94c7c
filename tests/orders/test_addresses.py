"""Delivery addresses (buyers.services): complete, in the right region, one default per unit."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from buyers.models import DeliveryAddress
from buyers.services import delivery_address_add, delivery_address_delete, delivery_address_update
from regions.models import County
from tests.factories import BuyerFactory, SupplierUserFactory
from tests.orders.conftest import JIANGAN, Shop

pytestmark = pytest.mark.django_db


def test_the_first_address_is_the_default_and_a_new_default_takes_the_mark():
    buyer = BuyerFactory()
    first = Shop.address(buyer)
    assert first.is_default
    assert first.full_address == "湖北省 武汉市 江岸区 沿江大道188号3楼301室"
    second = Shop.address(buyer, recipient="王强", is_default=True)
    first.refresh_from_db()
    assert second.is_default and not first.is_default
    assert DeliveryAddress.objects.filter(buyer_unit=buyer.buyer_unit, is_default=True).count() == 1


def test_missing_parts_are_named_field_by_field_and_nothing_is_saved():
    buyer = BuyerFactory()
    with pytest.raises(ValidationError) as info:
        delivery_address_add(
            by=buyer, recipient=" ", phone="", province=None, city=None, county=None, detail=""
        )
    assert info.value.message_dict == {
        "recipient": ["Enter the recipient's name."],
        "phone": ["Enter the recipient's phone number."],
        "province": ["Choose the province."],
        "city": ["Choose the city."],
        "county": ["Choose the county or district."],
        "detail": ["Enter the street address (street, building and room)."],
    }
    assert not DeliveryAddress.objects.exists()


@pytest.mark.parametrize(
    "phone,stored",
    [
        ("13912345678", "13912345678"),
        ("139 1234 5678", "13912345678"),
        ("027-85551234", "027-85551234"),
        ("0719－8123456", "0719-8123456"),
        ("0719-8123456-801", "0719-8123456-801"),
    ],
)
def test_mainland_mobile_and_landline_numbers_are_accepted(phone, stored):
    address = Shop.address(BuyerFactory(), phone=phone)
    assert address.phone == stored


@pytest.mark.parametrize("phone", ["1391234567", "12912345678", "+8613912345678", "85551234", "abc"])
def test_other_phone_numbers_are_refused(phone):
    with pytest.raises(ValidationError) as info:
        Shop.address(BuyerFactory(), phone=phone)
    assert list(info.value.message_dict) == ["phone"]
    assert info.value.message_dict["phone"][0].startswith("Enter a mainland mobile number")


def test_the_regions_must_nest_and_the_postcode_has_six_digits():
    wuhan = County.objects.get(code=JIANGAN)
    elsewhere = County.objects.exclude(province=wuhan.province).first()
    with pytest.raises(ValidationError) as info:
        Shop.address(BuyerFactory(), city=elsewhere.city, postcode="4300")
    assert info.value.message_dict == {
        "city": ["This city is not in the chosen province."],
        "county": ["This county or district is not in the chosen city."],
        "postcode": ["A postcode has six digits."],
    }


def test_update_and_delete_are_scoped_to_the_buyers_unit():
    owner, stranger = BuyerFactory(), BuyerFactory()
    address = Shop.address(owner)
    with pytest.raises(PermissionDenied):
        delivery_address_update(address=address, by=stranger, recipient="张三")
    with pytest.raises(PermissionDenied):
        delivery_address_delete(address=address, by=stranger)
    address.refresh_from_db()
    assert address.recipient == "李静"
    updated = delivery_address_update(address=address, by=owner, recipient="张三", phone="027-85551234")
    assert (updated.recipient, updated.phone) == ("张三", "027-85551234")
    with pytest.raises(ValidationError) as info:
        delivery_address_update(address=address, by=owner, detail="")
    assert list(info.value.message_dict) == ["detail"]


def test_deleting_the_default_hands_the_mark_to_another_address():
    buyer = BuyerFactory()
    first = Shop.address(buyer)
    second = Shop.address(buyer, recipient="王强")
    delivery_address_delete(address=first, by=buyer)
    second.refresh_from_db()
    assert second.is_default


def test_only_buyers_keep_an_address_book():
    with pytest.raises(PermissionDenied):
        Shop.address(SupplierUserFactory())
