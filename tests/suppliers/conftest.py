"""Builders that take a supplier to a given state through the real services."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from accounts.models import Role
from accounts.services import user_create
from demo import DEMO_PASSWORD
from regions.models import County
from suppliers import services
from suppliers.models import Supplier
from suppliers.rules import ProductLine, QualificationType
from suppliers.workflow import Action
from tests.factories import CountyOfficerFactory, OpsFactory, valid_uscc

BADONG = "422823"


def png_upload(name: str = "scan.png", size=(60, 40)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 180, 120)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def application_data(county: County, **overrides) -> dict:
    data = {
        "legal_name": "巴东县测试茶叶专业合作社",
        "uscc": valid_uscc("93", county.code),
        "legal_representative": "谭春燕",
        "contact_name": "谭春燕",
        "contact_phone": "13972001234",
        "address": "湖北省恩施州巴东县信陵镇1号",
        "county": county,
        "business_scope": "茶叶种植、加工、销售",
        "product_lines": [ProductLine.FRESH_PRODUCE],
        "bank_name": "中国农业银行巴东支行",
        "bank_account_name": "巴东县测试茶叶专业合作社",
        "bank_account_number": "6228480012345678901",
    }
    data.update(overrides)
    return data


class Onboarding:
    """Make suppliers and the people who act on them."""

    def __init__(self):
        self.county = County.objects.get(code=BADONG)
        self.officer = CountyOfficerFactory(county_office__county=self.county)
        self.ops = OpsFactory(teams=["internal_control"])
        self._n = 0

    def draft(self, *, complete: bool = True, **application):
        self._n += 1
        supplier = Supplier.objects.create(legal_name=f"测试供应商{self._n}")
        user = user_create(
            username=f"sup{self._n}",
            password=DEMO_PASSWORD,
            role=Role.SUPPLIER,
            supplier=supplier,
            email=f"sup{self._n}@example.com",
        )
        if complete:
            data = application_data(self.county, legal_name=f"巴东县测试合作社{self._n}", **application)
            supplier = services.application_update(supplier=supplier, by=user, data=data)
            self.add_licence(supplier, user)
        return supplier, user

    def add_licence(self, supplier, user, **overrides):
        today = timezone.localdate()
        kwargs = {
            "type": QualificationType.BUSINESS_LICENCE,
            "number": supplier.uscc,
            "issuer": "巴东县市场监督管理局",
            "valid_from": today - datetime.timedelta(days=400),
            "valid_until": None,
            "long_term": True,
            "upload": png_upload(),
        }
        kwargs.update(overrides)
        return services.qualification_add(supplier=supplier, by=user, **kwargs)

    def to(self, supplier, user, state: str):
        steps = {
            "submitted": [(Action.SUBMIT, user)],
            "endorsed": [(Action.SUBMIT, user), (Action.ENDORSE, self.officer)],
            "active": [(Action.SUBMIT, user), (Action.ENDORSE, self.officer), (Action.APPROVE, self.ops)],
        }[state]
        for action, actor in steps:
            supplier = services.supplier_transition(supplier=supplier, action=action, by=actor, reason="ok")
        return supplier


@pytest.fixture
def onboarding(db):
    return Onboarding()
