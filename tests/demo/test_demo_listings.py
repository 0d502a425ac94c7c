"""The demo's listings pass or fail for real reasons: after seed_demo, every listing buyers can see
passes ``catalog.services.product_precheck`` and the facts the nightly spot-check sweep looks at,
except the ones in ``demo.catalog.MEANT_TO_FAIL``, and each of those fails exactly the check it names.

The sweep's own items live in inspections/; these are the same rules written out plainly over the
seeded rows, so the demo stays honest whatever the sweep's code looks like.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from catalog.models import Product, ProductStatus
from catalog.models import TestReport as LabReport
from catalog.services import product_precheck
from catalog.units import UNIT_SIZE
from demo.catalog import MEANT_TO_FAIL
from pricing.models import PriceVerdict, Verdict
from suppliers.models import QualificationStatus, SupplierStatus
from suppliers.rules import required_qualifications

pytestmark = pytest.mark.django_db

# A quantity written in a spec text, in grams, millilitres or pieces.
MENTION = re.compile(r"(\d+(?:\.\d+)?)\s*(kg|公斤|g|克|斤|ml|L|升|枚|盒|套|只|瓶|罐|袋)")
MENTION_SIZE = {
    "kg": ("mass", 1000),
    "公斤": ("mass", 1000),
    "g": ("mass", 1),
    "克": ("mass", 1),
    "斤": ("mass", 500),
    "ml": ("volume", 1),
    "L": ("volume", 1000),
    "升": ("volume", 1000),
}


def spec_agrees(spec: str, net_quantity: Decimal, unit: str, pack_count: int) -> bool:
    """Whether the spec text states the SKU's net quantity (any one of its figures)."""
    dimension, size = UNIT_SIZE[unit]
    net = net_quantity * size
    for figure, word in MENTION.findall(spec):
        value = Decimal(figure)
        if word in MENTION_SIZE:
            mention_dimension, mention_size = MENTION_SIZE[word]
            if mention_dimension == dimension and value * mention_size == net:
                return True
        elif dimension == "count" and value in (net, net * pack_count):
            return True
    return False


@pytest.mark.parametrize(
    ("spec", "qty", "unit", "pack", "agrees"),
    [
        ("5kg/箱", "5", "kg", 1, True),
        ("5kg/箱", "2.5", "kg", 1, False),
        ("10斤装", "5", "kg", 1, True),
        ("带箱10斤（净重4.5kg）", "4.5", "kg", 1, True),
        ("12枚装（约1.5kg）", "1.5", "kg", 1, True),
        ("500g×4袋", "500", "g", 4, True),
        ("250ml×12瓶", "250", "ml", 12, True),
        ("30枚/盒", "30", "piece", 1, True),
        ("6盒/箱", "1", "piece", 6, True),
        ("250g/罐", "125", "g", 1, False),
        ("1L/瓶", "500", "ml", 1, False),
    ],
)
def test_spec_agrees(spec, qty, unit, pack, agrees):
    assert spec_agrees(spec, Decimal(qty), unit, pack) is agrees


def _max_report_age(category) -> datetime.timedelta:
    months = category.test_report_max_age_months or settings.INSPECTIONS["TEST_REPORT_MAX_AGE_MONTHS"]
    return datetime.timedelta(days=months * 365 // 12)


def _valid_types(supplier, today) -> set[str]:
    return {
        q.type
        for q in supplier.qualifications.all()
        if q.status == QualificationStatus.CURRENT and (q.long_term or q.valid_until >= today)
    }


def _qualification_findings(product, today) -> set[str]:
    held = _valid_types(product.supplier, today)
    groups = [set(g) for g in product.category.required_qualifications or []]
    groups += [set(r.types) for r in required_qualifications(product.supplier.product_lines or [])]
    issued_after_sale = any(
        q.valid_from > product.published_at.date() for q in product.supplier.qualifications.all()
    )
    return {"qualification"} if any(not g & held for g in groups) or issued_after_sale else set()


def _report_findings(product, today) -> set[str]:
    reports = product.test_reports.all()
    if any(r.report_date > today for r in reports) or any(
        b.produced_on > today for b in product.trace_batches.all()
    ):
        return {"dates"}
    if not product.category.requires_test_report:
        return set()
    fresh = [
        r
        for r in reports
        if r.result == LabReport.Result.PASS and today - r.report_date <= _max_report_age(product.category)
    ]
    return set() if fresh else {"test_report"}


def findings(product, verdicts: dict[int, str], today) -> set[str]:
    """What the sweep's items would find on this listing (empty: it passes)."""
    found = {"precheck"} if product_precheck(product) else set()
    found |= _qualification_findings(product, today)
    found |= _report_findings(product, today)
    skus = [s for s in product.skus.all() if s.is_active]
    if not all(spec_agrees(s.spec, s.net_quantity, s.unit, s.pack_count) for s in skus):
        found.add("spec")
    if not product.origin_county.is_eligible or product.origin_county_id != product.supplier.county_id:
        found.add("origin")
    if any(verdicts.get(s.pk) in (Verdict.VERY_HIGH, Verdict.LOW) for s in skus):
        found.add("price")
    return found


def test_visible_demo_listings_fail_only_where_the_demo_means_them_to():
    call_command("seed_demo", "--orders-months", "0")
    today = timezone.localdate()
    # on sale, frozen or not: the sweep seed_demo runs hides the MEANT_TO_FAIL listings whose finding blocks
    visible = (
        Product.objects.filter(status=ProductStatus.ON_SALE, supplier__status=SupplierStatus.ACTIVE)
        .select_related("category", "supplier", "origin_county")
        .prefetch_related("skus", "images", "test_reports", "trace_batches", "supplier__qualifications")
    )
    verdicts = dict(PriceVerdict.objects.values_list("sku_id", "verdict"))
    failing = {p.name: findings(p, verdicts, today) for p in visible}
    failing = {name: found for name, found in failing.items() if found}

    assert len(visible) >= 120
    assert failing == {m.name: {m.check} for m in MEANT_TO_FAIL}
    # the `supplier` demo account: one frozen-to-be listing among clean ones
    own = [p for p in visible if p.supplier.legal_name == "巴东县金果茶叶专业合作社"]
    assert len(own) > 3
    assert [p.name for p in own if p.name in failing] == ["巴东玉露 明前一级"]
    # and the listings that need one show a report (not 暂无检测报告)
    assert all(p.test_reports.all() for p in own)


def test_meant_to_fail_names_one_real_check_each():
    assert 4 <= len(MEANT_TO_FAIL) <= 8
    assert len({m.name for m in MEANT_TO_FAIL}) == len(MEANT_TO_FAIL)
    assert {m.check for m in MEANT_TO_FAIL} <= {"qualification", "spec", "test_report", "price", "origin"}
    assert [m.name for m in MEANT_TO_FAIL if m.supplier == "supplier"] == ["巴东玉露 明前一级"]
