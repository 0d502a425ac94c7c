"""Demo pricing data, after the catalogue: price histories for the SKUs that lack one, the
published index, comparison links on the hand-made listings (through the service, with
screenshots), every SKU's price verdict, and one ops request to adjust a flagged price. Each step
is a function of its own, run in order by ``seed``.

Idempotent: only SKUs without any price change get a generated history, the index and verdicts are
rebuilt from whatever data exists, references are added only to SKUs that have none, and the ops
request is made only while no price review exists.
"""

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import User
from catalog import services as catalog_services
from catalog.models import Sku
from demo import DemoContext, demo_scan_png
from demo.price_history import generate_price_history
from pricing import services
from pricing.models import FLAGGED, Frequency, PriceEvidence, PriceReview, PriceVerdict, ReviewState, Verdict
from pricing.published_index import build_index
from pricing.verdicts import refresh_all_verdicts

HISTORY_MONTHS = 12


def price_history(ctx: DemoContext) -> None:
    """A year of plausible price changes for the SKUs the bulk generator made (they have none)."""
    # Drawn even when nothing is generated, so later seeders see the same random stream.
    seed = ctx.rng.randint(0, 2**31)
    rows = generate_price_history(months=HISTORY_MONTHS, seed=seed)
    if rows:
        ctx.count("price changes", rows)


def price_index(ctx: DemoContext) -> None:
    """The monthly and weekly index, as the nightly task builds them."""
    for frequency in (Frequency.MONTH, Frequency.WEEK):
        result = build_index(frequency=frequency)
        ctx.count(f"index points ({frequency})", result.points)


# Hand-made listings' references: (product name, SKU spec) -> (shop link, same product?, price seen,
# spec seen, net quantity, unit, days ago). The bulk-generated products get none, as most listings
# on a real platform have none at first; the model judges those against their peers.
REFERENCES = {
    ("巴东富硒绿茶 明前特级", "250g/罐"): (
        "https://item.jd.com/100034826511.html",
        "same",
        "108.00",
        "250g",
        "250",
        "g",
        6,
    ),
    ("巴东富硒绿茶 明前特级", "500g/礼盒"): (
        "https://detail.tmall.com/item.htm?id=674512093321",
        "same",
        "199.00",
        "500g礼盒",
        "500",
        "g",
        11,
    ),
    ("巴东高山工夫红茶", "200g/袋"): (
        "https://item.jd.com/100021937764.html",
        "same",
        "56.00",
        "200g",
        "200",
        "g",
        4,
    ),
    ("巴东高山工夫红茶", "100g×3袋"): (
        "https://mobile.yangkeduo.com/goods.html?goods_id=38911207",
        "similar",
        "79.00",
        "100g×3",
        "100",
        "g",
        9,
    ),
    ("秭归脐橙 当季现摘", "5kg/箱"): (
        "https://item.jd.com/100048611239.html",
        "same",
        "52.80",
        "5kg",
        "5",
        "kg",
        3,
    ),
    ("秭归血橙 精品礼盒", "5kg/礼盒"): (
        "https://item.jd.com/100052207718.html",
        "same",
        "56.00",
        "5kg",
        "5",
        "kg",
        5,
    ),
    ("秭归脐橙 家庭装", "10斤装"): (
        "https://item.jd.com/100048611239.html",
        "same",
        "52.80",
        "5kg",
        "5",
        "kg",
        3,
    ),
    ("秭归脐橙 当季现摘", "10kg/箱"): (
        "https://detail.tmall.com/item.htm?id=702295514470",
        "same",
        "99.00",
        "10kg",
        "10",
        "kg",
        45,
    ),
}


def price_evidence(ctx: DemoContext) -> None:
    """Comparison links with screenshots on the hand-made listings, through the service."""
    today = timezone.localdate()
    for (name, spec), (url, match, price, spec_seen, qty, unit, days) in REFERENCES.items():
        sku = Sku.objects.select_related("product").filter(product__name=name, spec=spec).first()
        if sku is None or PriceEvidence.objects.filter(sku=sku).exists():
            continue
        user = User.objects.filter(supplier_id=sku.product.supplier_id, is_active=True).order_by("pk").first()
        shot = demo_scan_png(title="SHOP PAGE", lines=[url[:40], f"RMB {price}", spec_seen], seed=sku.pk)
        services.evidence_add(
            sku=sku,
            by=user,
            url=url,
            match=match,
            observed_price=Decimal(price),
            spec=spec_seen,
            net_quantity=Decimal(qty),
            unit=unit,
            pack_count=1,
            seen_on=today - datetime.timedelta(days=days),
            screenshot=SimpleUploadedFile("shop.png", shot, content_type="image/png"),
        )
        ctx.count("price references")


OUTLIERS = (Verdict.VERY_HIGH, Verdict.LOW)
CORRECTION_ROUNDS = 4


def _outliers():
    from demo.catalog import MEANT_TO_FAIL

    return (
        PriceVerdict.objects.filter(verdict__in=OUTLIERS, sku__product__is_visible=True)
        .exclude(sku__product__name__in=[m.name for m in MEANT_TO_FAIL])
        .exclude(peer_median=None)
        .select_related("sku__product")
        .order_by("sku_id")
    )


def price_corrections(ctx: DemoContext) -> None:
    """Generated prices are drawn at random, so a few land far from their peers (very high or
    suspiciously low). Their suppliers correct them to about the peer median, through the service
    (recorded as price changes), until only the demo's deliberate price findings (demo.catalog's
    MEANT_TO_FAIL) remain: the nightly sweep then finds those and no accidental ones."""
    for _round in range(CORRECTION_ROUNDS):
        outliers = list(_outliers())
        if not outliers:
            return
        users = {
            u.supplier_id: u
            for u in User.objects.filter(
                supplier_id__in={v.sku.product.supplier_id for v in outliers}, is_active=True
            ).order_by("-pk")
        }
        for verdict in outliers:
            sku = verdict.sku
            factor = verdict.peer_median / sku.unit_price * Decimal(ctx.rng.uniform(0.9, 1.1))
            price = max(Decimal("0.50"), (sku.price * factor).quantize(Decimal("0.1")))
            catalog_services.sku_update(
                sku=sku, by=users[sku.product.supplier_id], price=price, source="demo"
            )
            ctx.count("price corrections")
        refresh_all_verdicts()


def price_verdicts(ctx: DemoContext) -> None:
    """Every SKU judged, as the nightly task does (with accidental outliers corrected); ops ask for
    one flagged price to be adjusted so the supplier portal shows a request."""
    result = refresh_all_verdicts()
    ctx.count("price verdicts", result.judged)
    price_corrections(ctx)
    ops = User.objects.filter(username="ops-control").first()
    flagged = (
        PriceVerdict.objects.filter(
            verdict__in=FLAGGED, review_state=ReviewState.NONE, sku__product__is_visible=True
        )
        .select_related("sku__product")
        .order_by("-severity", "sku_id")
        .first()
    )
    if ops is None or flagged is None or PriceReview.objects.exists():
        return
    services.price_review(
        sku=flagged.sku,
        by=ops,
        action=PriceReview.Action.ADJUST,
        note="该规格单价明显高于同类商品，请核实价格或补充比价材料。",
    )
    ctx.count("price reviews")


STEPS = [price_history, price_index, price_evidence, price_verdicts]


def seed(ctx: DemoContext) -> None:
    for step in STEPS:
        step(ctx)
