"""Catalogue fixtures: an active supplier (with a food production licence) and listings made through services."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from catalog import services
from catalog.models import Category, TestReport
from catalog.workflow import ProductAction
from suppliers.rules import QualificationType
from tests.factories import OpsFactory
from tests.suppliers.conftest import Onboarding, png_upload


def jpeg_upload(name="photo.jpg", size=(640, 480), colour=(230, 140, 30), exif: bytes | None = None):
    buffer = io.BytesIO()
    kwargs = {"exif": exif} if exif else {}
    Image.new("RGB", size, colour).save(buffer, "JPEG", **kwargs)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


class Listings:
    def __init__(self):
        self.onboarding = Onboarding()
        self.ops = OpsFactory(teams=["content_ops"])
        self.supplier, self.user = self.active_supplier()

    def active_supplier(self, product_lines=("tea", "fresh_produce")):
        supplier, user = self.onboarding.draft(product_lines=list(product_lines))
        self.onboarding.add_licence(
            supplier,
            user,
            type=QualificationType.FOOD_PRODUCTION,
            number="SC10642282300123",
            long_term=False,
            valid_until=timezone.localdate() + datetime.timedelta(days=700),
            upload=png_upload(size=(50, 50)),
        )
        supplier = self.onboarding.to(supplier, user, "active")
        return supplier, user

    def data(self, slug="citrus", **overrides):
        data = {
            "category": Category.objects.get(slug=slug),
            "name": "秭归脐橙 当季现摘",
            "brand": "橙乡",
            "origin_county": None,
            "description": "高山脐橙，产地直发。",
            "shelf_life_days": 20,
            "storage": "cool",
            "certifications": [],
        }
        data.update(overrides)
        return data

    @staticmethod
    def sku(spec="5kg/箱", qty="5", unit="kg", price="49.90", stock=100, packs=1, **extra):
        return {
            "spec": spec,
            "net_quantity": Decimal(qty),
            "unit": unit,
            "pack_count": packs,
            "price": Decimal(price),
            "stock": stock,
            "weight_grams": None,
            **extra,
        }

    def product(
        self, *, slug="citrus", skus=None, image=True, report=False, supplier=None, user=None, **data
    ):
        supplier, user = supplier or self.supplier, user or self.user
        product = services.product_save(
            supplier=supplier,
            by=user,
            data=self.data(slug, **data),
            skus=skus or [self.sku(), self.sku("10kg/箱", "10", price="89.00", stock=50)],
        )
        if image:
            services.product_image_add(product=product, by=user, upload=jpeg_upload())
        if report:
            services.test_report_add(
                product=product,
                by=user,
                lab="湖北省农产品质量安全检测中心",
                report_number="HB2026001",
                report_date=timezone.localdate() - datetime.timedelta(days=10),
                result=TestReport.Result.PASS,
                upload=png_upload(),
            )
        return product

    def on_sale(self, **kwargs):
        product = self.product(**kwargs)
        user = kwargs.get("user") or self.user
        services.product_transition(product=product, action=ProductAction.SUBMIT, by=user)
        services.product_transition(product=product, action=ProductAction.APPROVE, by=self.ops)
        return services.product_transition(product=product, action=ProductAction.PUT_ON_SALE, by=user)


@pytest.fixture
def listings(db):
    return Listings()
