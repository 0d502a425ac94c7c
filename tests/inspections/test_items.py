"""The check items: each passes a clean listing and finds what is wrong, with its code, severity,
evidence and message."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from catalog.models import Category, Product, SkuPriceChange, TestReport
from inspections import items
from inspections.items import ITEMS, Finding, Sanction, item_for, outcome_of, render, run_items
from inspections.models import Outcome, Severity
from pricing.models import PriceEvidence, ReviewState, Verdict
from regions.models import County
from suppliers.models import QualificationStatus
from tests.inspections.sweep_helpers import add_batch, add_report, facts_for, judge

TODAY = timezone.localdate


def en(finding: Finding) -> str:
    with translation.override("en"):
        return render(finding)


# --- The registry --------------------------------------------------------------------------------------


def test_every_item_is_registered_once_with_a_consistent_sanction():
    codes = [item.code for item in ITEMS]
    assert len(codes) == len(set(codes))
    sanction = {
        Severity.BLOCKING: Sanction.FREEZE,
        Severity.MAJOR: Sanction.RECTIFY,
        Severity.MINOR: Sanction.WARN,
    }
    for item in ITEMS:
        assert item.sanction == sanction[item.severity], item.code
        for code in item.messages:
            assert item_for(code) is item


def test_an_item_refuses_a_sanction_that_does_not_fit_its_severity():
    with pytest.raises(ValueError):
        items.Item(
            code="price.x",
            group="price",
            severity=Severity.MINOR,
            sanction=Sanction.FREEZE,
            check=lambda facts: [],
            messages={},
            fix="",
        )


def test_render_in_both_languages_and_an_unknown_code():
    finding = Finding("listing.county_ineligible", "blocking", {"county": "某县", "county_code": "420000"})
    assert en(finding) == "The origin county 某县 is not one of the eligible counties (脱贫县)."
    with translation.override("zh-hans"):
        assert "某县" in render(finding)
    assert render(Finding("gone.away", "minor", {})) == "gone.away"


def test_outcome_is_the_gravest_severity():
    assert outcome_of([]) == Outcome.PASS
    assert outcome_of([Finding("a", "minor"), Finding("b", "major")]) == Outcome.MAJOR
    assert outcome_of([Finding("a", "blocking"), Finding("b", "minor")]) == Outcome.BLOCKING


def test_a_clean_listing_has_no_finding(listings):
    product = listings.on_sale(
        slug="green-tea", report=True, skus=[listings.sku("250g/罐", "250", "g", "98.00")]
    )
    judge(product)
    assert run_items(facts_for(product)) == []


# --- Qualifications ------------------------------------------------------------------------------------


@pytest.fixture
def tea(listings):
    product = listings.on_sale(
        slug="green-tea", report=True, skus=[listings.sku("250g/罐", "250", "g", "98.00")]
    )
    judge(product)
    return product


def test_qualification_missing(listings, tea):
    tea.supplier.qualifications.filter(type="food_production").delete()
    [finding] = items.check_qualifications(facts_for(tea))
    assert finding == Finding("qualification.missing", "blocking", {"types": ["food_production"]})
    assert en(finding) == "A valid Food production licence (食品生产许可证) is required; none is on file."


def test_qualification_lapsed(listings, tea):
    lapsed = TODAY() - datetime.timedelta(days=1)
    tea.supplier.qualifications.filter(type="food_production").update(valid_until=lapsed)
    [finding] = items.check_qualifications(facts_for(tea))
    assert finding.code == "qualification.expired" and finding.severity == Severity.BLOCKING
    assert finding.evidence == {
        "types": ["food_production"],
        "type": "food_production",
        "number": "SC10642282300123",
        "valid_until": lapsed.isoformat(),
        "status": "current",
    }
    assert en(finding) == (
        f"Your Food production licence (食品生产许可证) no. SC10642282300123 lapsed on {lapsed.isoformat()}."
    )


def test_qualification_not_in_force(listings, tea):
    tea.supplier.qualifications.filter(type="food_production").update(status=QualificationStatus.SUPERSEDED)
    [finding] = items.check_qualifications(facts_for(tea))
    assert finding.code == "qualification.not_current"
    assert en(finding) == (
        "Your Food production licence (食品生产许可证) no. SC10642282300123 is not in force "
        "(Replaced by a newer document)."
    )


def test_the_supplier_product_lines_count_even_where_the_category_asks_nothing(listings):
    product = listings.on_sale()  # citrus requires no document; the supplier's tea line requires a licence
    judge(product)
    assert items.check_qualifications(facts_for(product)) == []
    product.supplier.qualifications.filter(type="food_production").delete()
    assert [f.code for f in items.check_qualifications(facts_for(product))] == ["qualification.missing"]


# --- Listing -------------------------------------------------------------------------------------------


def test_precheck_problems_become_major_findings_except_those_covered_elsewhere(listings, tea):
    Product.objects.filter(pk=tea.pk).update(description="", storage="")
    tea.supplier.qualifications.filter(type="food_production").delete()
    TestReport.objects.filter(product=tea).delete()
    findings = items.check_precheck(facts_for(tea))
    assert findings == [
        Finding("listing.no_description", "major", {}),
        Finding("listing.no_storage", "major", {}),
    ]
    assert [en(f) for f in findings] == ["Add a description.", "Add the storage condition."]


def test_precheck_sku_unit_carries_its_params(listings):
    product = listings.on_sale()
    product.skus.filter(spec="5kg/箱").update(unit="L")
    [finding] = items.check_precheck(facts_for(product))
    assert finding == Finding(
        "listing.sku_unit_basis", "major", {"spec": "5kg/箱", "unit": "L", "basis": "500g"}
    )
    assert en(finding) == "SKU “5kg/箱”: its unit does not fit the category's price basis."


def test_spec_quantity(listings):
    product = listings.on_sale(
        skus=[
            listings.sku("5kg/箱", "2.5", "kg"),
            listings.sku("500g×2袋", "1", "kg", price="19.90"),
            listings.sku("大果", "3", "kg", price="29.90"),
        ]
    )
    [finding] = items.check_spec_quantity(facts_for(product))
    sku = product.skus.get(spec="5kg/箱")
    assert finding == Finding(
        "listing.spec_quantity_mismatch",
        "blocking",
        {
            "sku": sku.pk,
            "spec": "5kg/箱",
            "stated_quantity": "5",
            "stated_unit": "kg",
            "stated_packs": 1,
            "declared_quantity": "2.500",
            "declared_unit": "kg",
            "declared_packs": 1,
        },
    )
    assert en(finding) == "SKU “5kg/箱”: the specification states 5 kg but the SKU is set to 2.5 kg."


def test_origin_county(listings):
    product = listings.on_sale()
    assert items.check_origin_county(facts_for(product)) == []
    County.objects.filter(pk=product.origin_county_id).update(is_eligible=False)
    [finding] = items.check_origin_county(facts_for(product))
    county = product.origin_county
    assert finding == Finding(
        "listing.county_ineligible", "blocking", {"county": county.name, "county_code": county.code}
    )


def test_test_report_missing_and_failed(listings, tea):
    TestReport.objects.filter(product=tea).delete()
    [missing] = items.check_test_report(facts_for(tea))
    category = Category.objects.get(slug="green-tea")
    assert missing == Finding("listing.test_report_missing", "blocking", {"category": category.name})
    add_report(listings, tea, days_old=3, result=TestReport.Result.FAIL, number="F-1")
    [failed] = items.check_test_report(facts_for(tea))
    assert failed == Finding(
        "listing.test_report_failed",
        "blocking",
        {"number": "F-1", "date": (TODAY() - datetime.timedelta(days=3)).isoformat()},
    )
    assert en(failed).startswith("The test report no. F-1 of ")


def test_test_report_not_required_by_the_category(listings):
    product = listings.on_sale()  # citrus
    assert items.check_test_report(facts_for(product)) == []
    assert items.check_test_report_age(facts_for(product)) == []


def test_test_report_age_uses_the_newest_passed_report_and_the_category_limit(listings, tea):
    old = TODAY().replace(day=1) - datetime.timedelta(days=400)
    TestReport.objects.filter(product=tea).update(report_date=old)
    facts = facts_for(tea)
    [finding] = items.check_test_report_age(facts)
    age = items._months_between(old, TODAY())
    assert age >= 13
    assert finding == Finding(
        "listing.test_report_too_old",
        "blocking",
        {"number": "HB2026001", "date": old.isoformat(), "age_months": age, "limit_months": 12},
    )
    assert items.check_test_report(facts) == []  # passed, only too old
    Category.objects.filter(slug="green-tea").update(test_report_max_age_months=age + 1)
    assert items.check_test_report_age(facts_for(tea)) == []
    Category.objects.filter(slug="green-tea").update(test_report_max_age_months=None)
    add_report(listings, tea, days_old=30)
    assert items.check_test_report_age(facts_for(tea)) == []


def test_months_between():
    assert items._months_between(datetime.date(2025, 1, 31), datetime.date(2026, 1, 30)) == 11
    assert items._months_between(datetime.date(2025, 1, 31), datetime.date(2026, 1, 31)) == 12


# --- Price ---------------------------------------------------------------------------------------------


def test_price_verdicts(listings, tea):
    sku = tea.skus.get()
    judge(tea, Verdict.VERY_HIGH)
    [finding] = items.check_price_verdict(facts_for(tea))
    assert finding == Finding(
        "price.very_high",
        "major",
        {"sku": sku.pk, "spec": "250g/罐", "unit_price": str(sku.unit_price), "verdict": "very_high"},
    )
    assert en(finding) == f"SKU “250g/罐”: its unit price ¥{sku.unit_price} is judged very high."
    judge(tea, Verdict.LOW)
    assert [f.code for f in items.check_price_verdict(facts_for(tea))] == ["price.suspiciously_low"]
    judge(tea, Verdict.HIGH)
    assert items.check_price_verdict(facts_for(tea)) == []


def test_a_price_ops_accepted_at_that_price_is_no_finding(listings, tea):
    sku = tea.skus.get()
    judge(tea, Verdict.VERY_HIGH, review_state=ReviewState.ACCEPTED, review_unit_price=sku.unit_price)
    assert items.check_price_verdict(facts_for(tea)) == []
    judge(tea, Verdict.VERY_HIGH, review_state=ReviewState.ACCEPTED, review_unit_price=sku.unit_price - 1)
    assert [f.code for f in items.check_price_verdict(facts_for(tea))] == ["price.very_high"]


def test_price_freshness(listings, tea):
    sku = tea.skus.get()
    tea.skus.get().verdict.delete()
    [none] = items.check_price_freshness(facts_for(tea))
    assert none == Finding("price.no_verdict", "minor", {"sku": sku.pk, "spec": "250g/罐"})
    assert en(none) == "SKU “250g/罐”: its price has not been checked yet."

    judge(tea, stale_references=2, stale_seen_on=datetime.date(2025, 1, 5))
    [stale] = items.check_price_freshness(facts_for(tea))
    assert stale.code == "price.evidence_stale"
    assert stale.evidence == {
        "sku": sku.pk,
        "spec": "250g/罐",
        "stale_references": 2,
        "seen_on": "2025-01-05",
    }
    judge(tea, stale_references=2, references_used=[7])
    assert items.check_price_freshness(facts_for(tea)) == []

    computed = timezone.now() - datetime.timedelta(days=2)
    judge(tea, computed_at=computed)
    changed = SkuPriceChange.objects.filter(sku=sku).latest("created_at").created_at
    [outdated] = items.check_price_freshness(facts_for(tea))
    assert outdated == Finding(
        "price.verdict_outdated",
        "minor",
        {
            "sku": sku.pk,
            "spec": "250g/罐",
            "computed_at": computed.isoformat(),
            "changed_at": changed.isoformat(),
        },
    )


def test_a_verdict_older_than_new_evidence_is_outdated(listings, tea):
    judge(tea)
    assert items.check_price_freshness(facts_for(tea)) == []
    later = timezone.now() + datetime.timedelta(minutes=5)
    sku = tea.skus.get()
    PriceEvidence.objects.bulk_create(
        [
            PriceEvidence(
                sku=sku,
                shop=_shop(),
                url="https://item.jd.com/1.html",
                match="same",
                observed_price=Decimal("90.00"),
                spec="250g",
                net_quantity=Decimal("250"),
                unit="g",
                observed_unit_price=Decimal("180.00"),
                seen_on=TODAY(),
                screenshot="x.png",
                created_by=listings.user,
                created_at=later,
            )
        ]
    )
    [finding] = items.check_price_freshness(facts_for(tea))
    assert finding.code == "price.verdict_outdated" and finding.evidence["changed_at"] == later.isoformat()


def _shop():
    from pricing.models import Shop

    return Shop.objects.get_or_create(code="jd", defaults={"name": "京东", "hosts": ["jd.com"]})[0]


# --- Trace ---------------------------------------------------------------------------------------------


def test_trace_batches(listings):
    product = listings.on_sale()
    assert items.check_trace(facts_for(product)) == []  # no batches: nothing claimed
    report = add_report(listings, product, days_old=10)
    add_batch(listings, product, number="B1", days_ago=5, report=report)  # report before production
    assert [f.code for f in items.check_trace(facts_for(product))] == ["trace.report_before_batch"]
    product.trace_batches.update(test_report=None)
    assert items.check_trace(facts_for(product)) == []
    future = TODAY() + datetime.timedelta(days=3)
    product.trace_batches.update(produced_on=future)
    [finding] = items.check_trace(facts_for(product))
    assert finding == Finding(
        "trace.batch_in_future", "major", {"batch": "B1", "produced_on": future.isoformat()}
    )
    assert en(finding) == f"Batch B1 is dated {future.isoformat()}, in the future."


def test_trace_newest_batch_past_shelf_life(listings):
    product = listings.on_sale()  # shelf life 20 days
    add_batch(listings, product, number="OLD", days_ago=40)
    add_batch(listings, product, number="NEW", days_ago=21)
    [finding] = items.check_trace(facts_for(product))
    produced = (TODAY() - datetime.timedelta(days=21)).isoformat()
    assert finding == Finding(
        "trace.batch_expired", "major", {"batch": "NEW", "produced_on": produced, "shelf_life_days": 20}
    )
    assert en(finding) == f"The newest batch NEW (produced {produced}) is past the 20-day shelf life."
    add_batch(listings, product, number="FRESH", days_ago=20)
    assert items.check_trace(facts_for(product)) == []


EVERY_PARAM = {
    "types": ["food_production"],
    "type": "food_production",
    "number": "SC10642282300123",
    "valid_until": "2026-01-01",
    "status": "expired",
    "spec": "5kg/箱",
    "unit": "kg",
    "basis": "500g",
    "sku": 1,
    "stated_quantity": "5",
    "stated_unit": "kg",
    "stated_packs": 1,
    "declared_quantity": "2.5",
    "declared_unit": "kg",
    "declared_packs": 2,
    "county": "某县",
    "county_code": "420000",
    "category": "绿茶",
    "date": "2025-01-01",
    "age_months": 13,
    "limit_months": 12,
    "unit_price": "12.30",
    "verdict": "low",
    "computed_at": "2026-01-01T00:00:00+08:00",
    "changed_at": "2026-01-02T00:00:00+08:00",
    "stale_references": 1,
    "seen_on": "2025-06-01",
    "batch": "B1",
    "produced_on": "2026-01-01",
    "report_date": "2025-12-01",
    "shelf_life_days": 20,
    "message": "Something else.",
}


@pytest.mark.parametrize("code", items.FINDING_CODES)
def test_every_code_renders_in_english_and_chinese(code):
    finding = Finding(code, str(item_for(code).severity), EVERY_PARAM)
    english = en(finding)
    assert english != code and "%(" not in english
    with translation.override("zh-hans"):
        chinese = render(finding)
    assert chinese and "%(" not in chinese
    assert items.fix_for(finding)
