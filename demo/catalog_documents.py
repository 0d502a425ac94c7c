"""What the generated catalogue (demo.catalog_bulk) needs to pass the platform's own checks, written
in bulk like the products themselves: a recent passing test report for every product of a category
that requires one, and the documents a supplier needs for what it was given to sell.

The test reports are dated a few weeks to ten months back (never later than today, never older than
the category allows), from a handful of provincial laboratories, and share one stand-in scan per
run. Documents are added only to a supplier that holds *none* of a required kind: a supplier whose
licence lapsed (the demo's ``supplier-expired``) keeps its story. Their validity starts before the
oldest generated listing went on sale (two years back) and ends years from now.
"""

from __future__ import annotations

import datetime
import hashlib
import random
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db.models import Q

from catalog.models import Category, TestReport
from core.storage import private_storage
from demo import demo_scan_png
from suppliers.models import Qualification, QualificationStatus, Supplier
from suppliers.rules import QualificationType, required_qualifications

LABS = (
    "湖北省农产品质量安全检测中心",
    "湖南省食品质量监督检验研究院",
    "四川省食品检验研究院",
    "江西省检验检测认证总院",
    "重庆市食品药品检验检测研究院",
    "国家茶叶质量监督检验中心",
)
REPORT_FILE = "reports/demo/test-report.png"
LICENCE_FILE = "qualifications/demo/licence.png"
# Oldest generated listing: demo.catalog_bulk.SPAN (730 days) back; documents start before that.
VALID_FROM_DAYS = (760, 1500)
VALID_FOR_DAYS = (400, 1500)
REPORT_MIN_AGE_DAYS = 15
REPORT_MAX_AGE_DAYS = 300


@dataclass(frozen=True)
class ReportPlan:
    lab: str
    report_number: str
    report_date: datetime.date


def report_max_age_days(category: Category) -> int:
    """The oldest a generated report may be in ``category``: its own limit (or the platform's), with
    a month to spare, and no more than ten months."""
    months = category.test_report_max_age_months or settings.INSPECTIONS["TEST_REPORT_MAX_AGE_MONTHS"]
    return max(REPORT_MIN_AGE_DAYS, min(REPORT_MAX_AGE_DAYS, months * 30 - 31))


def plan_report(rng: random.Random, category: Category, *, today: datetime.date) -> ReportPlan | None:
    """A passing report for a product of ``category``, or None where the category needs none."""
    if not category.requires_test_report:
        return None
    age = rng.randint(REPORT_MIN_AGE_DAYS, report_max_age_days(category))
    date = today - datetime.timedelta(days=age)
    number = f"JC{date:%Y%m}{rng.randint(0, 9_999_999):07d}"
    return ReportPlan(lab=rng.choice(LABS), report_number=number, report_date=date)


def report_file() -> str:
    """The stand-in scan every generated report points at (written once)."""
    if not private_storage.exists(REPORT_FILE):
        png = demo_scan_png(title="TEST REPORT", lines=["GENERATED DEMO REPORT", "RESULT: PASS"])
        private_storage.save(REPORT_FILE, ContentFile(png))
    return REPORT_FILE


def report_objects(rows: list[tuple[int, ReportPlan]], file_name: str) -> list[TestReport]:
    return [
        TestReport(
            product_id=product_id,
            lab=plan.lab,
            report_number=plan.report_number,
            report_date=plan.report_date,
            result=TestReport.Result.PASS,
            file=file_name,
            file_type="image/png",
        )
        for product_id, plan in rows
    ]


def _needed(supplier: Supplier, groups: set[frozenset[str]]) -> list[frozenset[str]]:
    """Every document group the supplier must hold: its product lines' and its categories'."""
    wanted = {r.types for r in required_qualifications(supplier.product_lines or [])} | groups
    # A production licence also satisfies "production or operation".
    return sorted(wanted, key=lambda g: (len(g), sorted(g)))


def _number(kind: str, supplier: Supplier, rng: random.Random) -> str:
    if kind == QualificationType.BUSINESS_LICENCE and supplier.uscc:
        return supplier.uscc
    code = supplier.county.code if supplier.county_id else "000000"
    prefix = "JY" if kind == QualificationType.FOOD_OPERATION else "SC"
    return f"{prefix}1{code}{rng.randint(0, 9_999_999):07d}"


def ensure_documents(*, categories_by_supplier: dict[int, set[int]], today: datetime.date, seed: int) -> int:
    """Give each supplier the documents its product lines and the categories it was given require,
    where it holds none of a kind. Returns how many were added."""
    if not categories_by_supplier:
        return 0
    rng = random.Random(seed)
    groups_of = {
        c.pk: {frozenset(g) for g in c.required_qualifications or []}
        for c in Category.objects.filter(pk__in=set().union(*categories_by_supplier.values()))
    }
    suppliers = Supplier.objects.filter(pk__in=categories_by_supplier).select_related("county").order_by("pk")
    held: dict[int, set[str]] = defaultdict(set)
    for supplier_id, kind in Qualification.objects.filter(supplier__in=suppliers).values_list(
        "supplier_id", "type"
    ):
        held[supplier_id].add(kind)
    added = []
    for supplier in suppliers:
        groups = set().union(*(groups_of.get(c, set()) for c in categories_by_supplier[supplier.pk]))
        for group in _needed(supplier, groups):
            if group & held[supplier.pk]:
                continue
            kind = (
                QualificationType.FOOD_PRODUCTION
                if QualificationType.FOOD_PRODUCTION in group
                else min(group)
            )
            held[supplier.pk].add(kind)
            added.append((supplier, kind))
    if not added:
        return 0
    png = demo_scan_png(title="LICENCE", lines=["GENERATED DEMO DOCUMENT"])
    if not private_storage.exists(LICENCE_FILE):
        private_storage.save(LICENCE_FILE, ContentFile(png))
    sha, size = hashlib.sha256(png).hexdigest(), len(png)
    rows = []
    for supplier, kind in added:
        long_term = kind == QualificationType.BUSINESS_LICENCE
        rows.append(
            Qualification(
                supplier=supplier,
                type=kind,
                number=_number(kind, supplier, rng),
                issuer=f"{supplier.county.name if supplier.county_id else ''}市场监督管理局",
                valid_from=today - datetime.timedelta(days=rng.randint(*VALID_FROM_DAYS)),
                valid_until=None
                if long_term
                else today + datetime.timedelta(days=rng.randint(*VALID_FOR_DAYS)),
                long_term=long_term,
                file=LICENCE_FILE,
                file_type="image/png",
                file_sha256=sha,
                file_size=size,
                status=QualificationStatus.CURRENT,
            )
        )
    Qualification.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def holders(supplier_ids: list[int], today: datetime.date) -> dict[int, set[str]]:
    """Per supplier: the document types it holds, current and valid today."""
    held: dict[int, set[str]] = defaultdict(set)
    valid = Q(long_term=True) | Q(valid_until__gte=today)
    rows = Qualification.objects.filter(
        valid, supplier_id__in=supplier_ids, status=QualificationStatus.CURRENT
    )
    for supplier_id, kind in rows.values_list("supplier_id", "type"):
        held[supplier_id].add(kind)
    return held
