"""Helpers of the sweep's tests: a listing's facts, judged prices, reports and batches."""

import datetime

from django.utils import timezone

from catalog import services
from catalog.models import TestReport
from inspections.facts import gather_facts, listing_queryset
from pricing.models import PriceVerdict, Verdict
from tests.suppliers.conftest import png_upload


def facts_for(product):
    [facts] = gather_facts(listing_queryset().filter(pk=product.pk))
    return facts


def judge(product, verdict=Verdict.REASONABLE, **fields):
    """A stored price verdict for each of the product's SKUs, computed now."""
    for sku in product.skus.all():
        PriceVerdict.objects.update_or_create(
            sku=sku,
            defaults={
                "verdict": verdict,
                "unit_price": sku.unit_price,
                "basis": product.category.price_basis,
                "model_version": "test",
                "computed_at": timezone.now(),
                **fields,
            },
        )


def add_report(listings, product, *, days_old=10, result=TestReport.Result.PASS, number="HB2026002"):
    return services.test_report_add(
        product=product,
        by=listings.user,
        lab="湖北省农产品质量安全检测中心",
        report_number=number,
        report_date=timezone.localdate() - datetime.timedelta(days=days_old),
        result=result,
        upload=png_upload(),
    )


def add_batch(listings, product, *, number="B001", days_ago=5, report=None):
    return services.trace_batch_add(
        product=product,
        by=listings.user,
        batch_number=number,
        produced_on=timezone.localdate() - datetime.timedelta(days=days_ago),
        base="秭归县郭家坝镇基地",
        quantity="1,200 kg",
        test_report=report,
    )
