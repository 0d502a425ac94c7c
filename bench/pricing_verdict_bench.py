"""Price model benchmark on PostgreSQL: verdicts for the whole catalogue (target: under 10 minutes
for 1,000,000 SKUs on the 2-core machine).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fengshou python -m bench.pricing_verdict_bench

Uses the catalogue benchmark's database (``fengshou_bench``, filled to ``--skus`` SKUs by
bench.catalog_bench's loader and kept between runs), adds bench fixtures the model reads — a
year of price history (demo.price_history) and a fresh or stale same-product reference on one SKU
in ``--evidence-every`` — then times, in the same run:

* **nightly**: ``refresh_all_verdicts()`` over the whole catalogue (the figure the target is for);
* **floor**: streaming the rows that run reads (SKUs, peers' unit prices, references, history)
  without judging or writing anything — no implementation can be faster than reading its input;
* **per-SKU path**: ``refresh_verdicts([id])`` one SKU at a time, the way a price change is
  handled, on ``--sample`` random SKUs, extrapolated to the catalogue — what "one query per SKU"
  would cost for the nightly run.

Prints the times and the ratios nightly/floor and per-SKU/nightly; writes
bench/results/pricing-verdicts-<date>.json.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

from bench.catalog_bench import _environment, _fail, _load, _prepare_database
from core.money import CENT

RESULTS = Path(__file__).resolve().parent / "results"
TARGET_SECONDS = 600.0


def _ensure_evidence(every: int, seed: int) -> int:
    """One same-product JD reference on every ``every``-th SKU (bench fixtures: no screenshot
    file; the model reads only the numbers). Two in three are fresh, one stale."""
    from django.utils import timezone

    from accounts.models import User
    from catalog.models import Sku
    from pricing.models import Match, PriceEvidence, Shop

    if PriceEvidence.objects.exists():
        return PriceEvidence.objects.count()
    user, _ = User.objects.get_or_create(
        username="bench-evidence", defaults={"is_active": False, "role": "ops", "is_staff": True}
    )
    shop = Shop.objects.get(code="jd")
    rng = random.Random(seed)
    today = timezone.localdate()
    batch: list[PriceEvidence] = []
    made = 0
    rows = Sku.objects.values_list("pk", "unit_price", "net_quantity", "unit", "pack_count", "price")
    for pk, unit_price, qty, unit, packs, price in rows.order_by("pk").iterator(chunk_size=20000):
        if pk % every:
            continue
        factor = Decimal(rng.choice(["0.85", "0.95", "1.0", "1.05", "1.0", "0.7", "1.3"]))
        batch.append(
            PriceEvidence(
                sku_id=pk,
                shop=shop,
                url=f"https://item.jd.com/{10_000_000 + pk}.html",
                match=Match.SAME,
                observed_price=max((price * factor).quantize(CENT), CENT),
                spec="bench",
                net_quantity=qty,
                unit=unit,
                pack_count=packs,
                observed_unit_price=max((unit_price * factor).quantize(CENT), CENT),
                seen_on=today - datetime.timedelta(days=rng.choice([1, 5, 12, 20, 28, 45])),
                screenshot=f"evidence/bench/{pk}.jpg",
                screenshot_sha256=hashlib.sha256(str(pk).encode()).hexdigest(),
                created_by=user,
            )
        )
        if len(batch) >= 10_000:
            PriceEvidence.objects.bulk_create(batch)
            made += len(batch)
            batch = []
    PriceEvidence.objects.bulk_create(batch)
    return made + len(batch)


def _floor() -> tuple[float, int]:
    """Read what the nightly run reads (the same four queries) and nothing else."""
    from catalog.models import Sku, SkuPriceChange
    from pricing.models import Match, PriceEvidence
    from pricing.verdicts import Params, _judged_skus

    params = Params.from_settings()
    since = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=params.history_days)
    started = time.perf_counter()
    rows = 0
    for query in (
        _judged_skus().values_list("pk", "product__category_id", "unit_price").order_by(),
        Sku.objects.filter(is_active=True, product__is_visible=True).values_list(
            "product__category_id", "unit_price"
        ),
        PriceEvidence.objects.filter(match=Match.SAME).values_list(
            "sku_id", "id", "shop__name", "observed_unit_price", "seen_on"
        ),
        SkuPriceChange.objects.filter(created_at__gte=since, old_unit_price__isnull=False).values_list(
            "sku_id", "old_unit_price"
        ),
    ):
        for _row in query.iterator(chunk_size=20000):
            rows += 1
    return time.perf_counter() - started, rows


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--skus", type=int, default=1_000_000)
    parser.add_argument("--database", default="fengshou_bench")
    parser.add_argument("--seed", type=int, default=832)
    parser.add_argument("--evidence-every", type=int, default=10, help="a reference on one SKU in N")
    parser.add_argument("--sample", type=int, default=200, help="SKUs timed through the per-SKU path")
    parser.add_argument("--output", type=Path, default=None)
    return parser


def _time_per_sku(sample: int, seed: int) -> list[float]:
    """Seconds for each of `sample` random SKUs judged one at a time (the path a saved product takes)."""
    from pricing.models import PriceVerdict
    from pricing.verdicts import refresh_verdicts

    rng = random.Random(seed)
    ids = list(PriceVerdict.objects.values_list("sku_id", flat=True).order_by("?")[:sample])
    rng.shuffle(ids)
    per_sku = []
    for pk in ids:
        t0 = time.perf_counter()
        refresh_verdicts([pk])
        per_sku.append(time.perf_counter() - t0)
    return per_sku


def _result(argv, *, load, skus: int, history, evidence: int, floor, nightly, per_sku: list[float]) -> dict:
    from django.utils import timezone

    history_rows, history_seconds = history
    floor_seconds, floor_rows = floor
    single_p50 = statistics.median(per_sku)
    extrapolated = sum(per_sku) / len(per_sku) * nightly.judged
    return {
        "date": timezone.now().isoformat(timespec="seconds"),
        "command": "python -m bench.pricing_verdict_bench "
        + " ".join(argv if argv is not None else sys.argv[1:]),
        "environment": _environment(),
        "load": load,
        "skus": skus,
        "history_rows_written": history_rows,
        "history_seconds": round(history_seconds, 1),
        "references": evidence,
        "floor_seconds": round(floor_seconds, 1),
        "floor_rows": floor_rows,
        "nightly_seconds": round(nightly.seconds, 1),
        "nightly_judged": nightly.judged,
        "nightly_by_verdict": nightly.by_verdict,
        "target_seconds": TARGET_SECONDS,
        "nightly_vs_target": round(nightly.seconds / TARGET_SECONDS, 3),
        "nightly_vs_floor": round(nightly.seconds / floor_seconds, 2),
        "per_sku_p50_ms": round(single_p50 * 1000, 1),
        "per_sku_extrapolated_seconds": round(extrapolated, 0),
        "per_sku_vs_nightly": round(extrapolated / nightly.seconds, 1),
    }


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        _fail("The price model benchmark needs PostgreSQL: set DATABASE_URL=postgres://user@host:5432/name.")
    os.environ["DATABASE_URL"] = _prepare_database(url, args.database, rebuild=False)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    os.environ.setdefault("DJANGO_ENV", "test")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from catalog.models import Sku
    from demo.price_history import generate_price_history
    from pricing.verdicts import refresh_all_verdicts

    call_command("migrate", verbosity=0, interactive=False)
    load = _load(args.skus, args.seed)
    started = time.perf_counter()
    history_rows = generate_price_history(months=12, seed=args.seed)
    history_seconds = time.perf_counter() - started
    started = time.perf_counter()
    evidence = _ensure_evidence(args.evidence_every, args.seed)
    evidence_seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute(
            "VACUUM (ANALYZE) catalog_product, catalog_sku, catalog_skupricechange, pricing_priceevidence, "
            "pricing_priceverdict"
        )
    skus = Sku.objects.count()
    print(
        f"Catalogue: {skus:,} SKUs; history rows written now: {history_rows:,} ({history_seconds:.0f} s); "
        f"references: {evidence:,} ({evidence_seconds:.0f} s).",
        flush=True,
    )

    floor_seconds, floor_rows = _floor()
    print(f"Floor (read the model's input only): {floor_seconds:.1f} s for {floor_rows:,} rows", flush=True)

    nightly = refresh_all_verdicts()
    print(
        f"Nightly verdicts: {nightly.judged:,} SKUs in {nightly.seconds:.1f} s "
        f"({nightly.judged / nightly.seconds:,.0f} SKUs/s; target < {TARGET_SECONDS:.0f} s) — {nightly.by_verdict}",
        flush=True,
    )

    per_sku = _time_per_sku(args.sample, args.seed)
    single_p50 = statistics.median(per_sku)
    extrapolated = sum(per_sku) / len(per_sku) * nightly.judged
    print(
        f"Per-SKU path: p50 {single_p50 * 1000:.0f} ms, mean {sum(per_sku) / len(per_sku) * 1000:.0f} ms; "
        f"× {nightly.judged:,} SKUs ≈ {extrapolated / 3600:.1f} h",
        flush=True,
    )
    result = _result(
        argv,
        load=load,
        skus=skus,
        history=(history_rows, history_seconds),
        evidence=evidence,
        floor=(floor_seconds, floor_rows),
        nightly=nightly,
        per_sku=per_sku,
    )
    print(
        f"\nNightly {nightly.seconds:.1f} s = {result['nightly_vs_target']:.2f}× the 600 s target, "
        f"{result['nightly_vs_floor']:.1f}× the floor of reading its input; the per-SKU path would take "
        f"{result['per_sku_vs_nightly']:.0f}× as long."
    )
    output = args.output or RESULTS / f"pricing-verdicts-{timezone.localdate().isoformat()}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"Written to {output}.")


if __name__ == "__main__":
    main()
