"""Spot checks in the demo (滚动核查), made only through inspections' services:

- last night's sweep over every listing on sale, run here batch by batch (nothing queued, so it is the
  same with or without a worker): it freezes exactly the ``MEANT_TO_FAIL`` listings whose finding blocks;
- this quarter's phase, opened by ``ops-control`` with its sample and reviewers drawn from a seed taken
  from ``ctx.rng`` (so ``--seed`` reproduces it), and a few outcomes recorded by each check's reviewer:
  two passes on clean listings, a rectification the supplier has not answered, one it answered (waiting
  for the re-check), and a confirmed violation its supplier appealed (waiting for another reviewer);
- two reports: a buyer's about the very-high-priced orange, confirmed with a targeted check, and an
  anonymous one left new.

Each part looks for what it made before (the nightly run, the phase ops-control created, each report)
and makes nothing twice.
"""

import datetime
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from accounts.models import User
from catalog.models import Product, ProductStatus
from demo import DemoContext, demo_scan_png
from inspections.models import CheckPhase, CheckState, ListingStanding, Outcome, Report, SpotCheck, SweepRun
from inspections.selectors.sweep import listing_findings
from inspections.services import check_appeals, checks, phases, reports, sweep
from inspections.services.checks import Evidence, ReviewItem
from inspections.workflow import CheckAction, ReportAction

PHASE_BUDGET = 12
PHASE_WEEKS = 8
RECTIFY_DAYS = 7
QUARTERS = "一二三四"
PASS_ITEMS = [ReviewItem.QUALIFICATION, ReviewItem.LISTING, ReviewItem.PRICE, ReviewItem.SAMPLE]
ANONYMOUS_ADDRESS = "203.0.113.7"  # TEST-NET-3: the anonymous reporter's address, for the hourly limit


@dataclass(frozen=True)
class Finding:
    """What a reviewer records on one of the demo's failing listings (all true of the seeded data)."""

    listing: str  # a demo.catalog.MEANT_TO_FAIL name
    items: tuple[str, ...]
    finding: str
    scan: tuple[str, ...]  # the lines of the evidence photo


SPEC = Finding(
    "巴东玉露 明前一级",
    (ReviewItem.LISTING, ReviewItem.SAMPLE),
    "规格“250g/罐”与净含量不符：罐内实为125 g，价格也按125 g定。请更正规格文字或净含量。",
    ("巴东玉露 明前一级", "SPEC: 250g/罐", "NET QUANTITY: 125 g"),
)
LOW_PRICE = Finding(
    "秭归脐橙 家庭装",
    (ReviewItem.PRICE,),
    "10斤装售价¥19.90，仅为京东同款（¥52.80）的0.38倍，价格异常偏低：请说明理由或调整价格。",
    ("秭归脐橙 家庭装", "PRICE: 19.90 / 5 kg", "JD: 52.80 / 5 kg"),
)
OLD_REPORT = Finding(
    "罗田土蜂蜜 成熟蜜",
    (ReviewItem.LISTING,),
    "唯一的检测报告已出具460天，超过蜂蜜类目12个月的有效期，在售商品无有效检测报告。",
    ("罗田土蜂蜜 成熟蜜", "TEST REPORT: 460 DAYS OLD", "VALID: 12 MONTHS"),
)
RESPONSE = "10斤装为当季清仓促销价，已附进货单据与促销说明，促销结束后恢复原价，请复核。"
APPEAL = "新的检测报告已送检，本周内上传；在售批次与原报告为同一批蜂蜜，请求撤销冻结。"
HIGH_PRICE_LISTING = "秭归血橙 精品礼盒"


def _users(*usernames: str) -> dict[str, User]:
    return {u.username: u for u in User.objects.filter(username__in=usernames)}


def _listing(name: str) -> Product | None:
    return Product.objects.filter(name=name, status=ProductStatus.ON_SALE).order_by("pk").first()


def _photo(lines: tuple[str, ...], seed: int) -> SimpleUploadedFile:
    scan = demo_scan_png(title="SPOT CHECK", lines=list(lines), seed=seed)
    return SimpleUploadedFile("evidence.png", scan, content_type="image/png")


# --- Last night's sweep --------------------------------------------------------------------------------


def _sweep(ctx: DemoContext) -> None:
    if SweepRun.objects.filter(trigger=SweepRun.Trigger.NIGHTLY).exists():
        return
    run = sweep.sweep_start(trigger=SweepRun.Trigger.NIGHTLY, queue=False)
    for batch_id in run.batches.order_by("number").values_list("pk", flat=True):
        sweep.sweep_run_batch(batch_id=batch_id)
    ctx.count("sweep runs")
    ctx.count("listings checked", run.total)
    frozen = ListingStanding.objects.filter(result__run=run, frozen_by_sweep=True).count()
    ctx.count("listings frozen by the sweep", frozen)


# --- The phase and its outcomes ------------------------------------------------------------------------


def _phase(ctx: DemoContext, control: User) -> CheckPhase:
    starts = timezone.localdate() - datetime.timedelta(days=1)
    phase = phases.phase_create(
        name=f"{starts.year} 第{QUARTERS[(starts.month - 1) // 3]}期",
        starts_on=starts,
        ends_on=starts + datetime.timedelta(weeks=PHASE_WEEKS),
        budget=PHASE_BUDGET,
        by=control,
    )
    phases.phase_open(phase=phase, by=control, seed=ctx.rng.randrange(2**62))
    ctx.count("check phases")
    ctx.count("drawn checks", phase.checks.count())
    return phase


def _check_on(phase: CheckPhase, product: Product, control: User) -> SpotCheck:
    """The phase's drawn check of this listing, or a targeted one when the draw missed it."""
    drawn = phase.checks.filter(product=product, state=CheckState.ASSIGNED).first()
    if drawn is not None:
        return drawn
    with translation.override("zh-hans"):
        found = "；".join(message for _code, _severity, message in listing_findings(product))
    return checks.check_open_targeted(product=product, by=control, reason=f"滚动核查发现：{found}专项核查。")


def _decide(check: SpotCheck, action: str, found: Finding | None, **extra) -> SpotCheck:
    lines = found.scan if found else (check.product.name, "RESULT: PASS")
    return checks.check_decide(
        check=check,
        by=check.reviewer,
        action=action,
        items=list(found.items) if found else PASS_ITEMS,
        finding=found.finding if found else "",
        evidence=Evidence(photos=[_photo(lines, check.pk)]),
        **extra,
    )


def _supplier_user(check: SpotCheck) -> User | None:
    return checks.supplier_users(check.supplier_id).order_by("pk").first()


def _failing(ctx: DemoContext, phase: CheckPhase, control: User, found: Finding) -> SpotCheck | None:
    product = _listing(found.listing)
    if product is None:
        return None
    check = _check_on(phase, product, control)
    if check.reviewer_id is None:
        return None
    if found is OLD_REPORT:
        check = _decide(check, CheckAction.SANCTION, found)
        ctx.count("confirmed violations")
        supplier = _supplier_user(check)
        if supplier is not None:
            check_appeals.check_appeal(check=check, by=supplier, reason=APPEAL)
            ctx.count("appeals")
        return check
    deadline = timezone.localdate() + datetime.timedelta(days=RECTIFY_DAYS)
    check = _decide(check, CheckAction.RECTIFY, found, deadline=deadline)
    ctx.count("rectifications")
    supplier = _supplier_user(check)
    if found is LOW_PRICE and supplier is not None:
        scan = ("进货单 / PURCHASE NOTE", "秭归脐橙 10斤装", "PROMOTION")
        checks.check_respond(
            check=check, by=supplier, text=RESPONSE, evidence=Evidence(photos=[_photo(scan, check.pk)])
        )
    return check


def _passes(ctx: DemoContext, phase: CheckPhase, skip: set[int], n: int = 2) -> None:
    clean = ListingStanding.objects.filter(outcome=Outcome.PASS).values("product_id")
    drawn = (
        phase.checks.filter(state=CheckState.ASSIGNED, product_id__in=clean, reviewer__isnull=False)
        .exclude(product_id__in=skip)
        .select_related("product", "reviewer")
        .order_by("pk")
    )
    for check in drawn[:n]:
        _decide(check, CheckAction.PASS, None)
        ctx.count("passed checks")


def _outcomes(ctx: DemoContext, phase: CheckPhase, control: User) -> None:
    decided = [_failing(ctx, phase, control, found) for found in (SPEC, LOW_PRICE, OLD_REPORT)]
    _passes(ctx, phase, skip={c.product_id for c in decided if c is not None})


# --- Reports -------------------------------------------------------------------------------------------


def _buyer_report(ctx: DemoContext, users: dict[str, User]) -> None:
    buyer, service, control = users.get("buyer"), users.get("ops-service"), users.get("ops-control")
    product = _listing(HIGH_PRICE_LISTING)
    if None in (buyer, service, control, product) or Report.objects.filter(reporter=buyer).exists():
        return
    report = reports.report_file(
        kind=Report.Kind.PRICE,
        description="5kg礼盒标价¥99.00，京东同款同规格约¥56.00，价格明显偏高，请核实。",
        product=product,
        reporter=buyer,
    )
    reports.report_decide(report=report, by=service, action=ReportAction.TRIAGE)
    reports.report_decide(
        report=report,
        by=control,
        action=ReportAction.CONFIRM,
        reason="经核实，该商品单价为京东同款的1.77倍，已开启专项核查。",
        open_check=True,
    )
    ctx.count("reports")
    ctx.count("targeted checks")


def _anonymous_report(ctx: DemoContext) -> None:
    product = _listing(LOW_PRICE.listing)
    if product is None or not product.is_visible or Report.objects.filter(reporter__isnull=True).exists():
        return
    reports.report_file(
        kind=Report.Kind.QUALITY,
        description="10斤装只卖19.9元，远低于市场价，担心是次果或分量不足。",
        product=product,
        address=ANONYMOUS_ADDRESS,
    )
    ctx.count("reports")


def seed(ctx: DemoContext) -> None:
    users = _users("ops-control", "ops-service", "buyer")
    control = users.get("ops-control")
    if control is None:
        return
    _sweep(ctx)
    if not CheckPhase.objects.filter(created_by=control).exists():
        _outcomes(ctx, _phase(ctx, control), control)
    _buyer_report(ctx, users)
    _anonymous_report(ctx)
