"""Price index benchmark on PostgreSQL: a year of price history for a million SKUs, then the index.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fengshou python -m bench.pricing_index_bench

Uses the catalogue benchmark's database (``--database``, default ``fengshou_bench``; created,
migrated and filled up to ``--skus`` SKUs by ``bench.catalog_bench`` helpers, kept between runs),
then:

1. writes ``--months`` months of price history (``demo.price_history.generate_price_history``) for
   every SKU that has none, timed (a no-op on later runs, as the history is kept, unless
   ``--regenerate-history`` deletes the generated rows first);
2. times ``pricing.published_index.build_index`` for the monthly and the weekly index, ``--repeat`` times
   each after a warm-up, with its own split into reading, computing and writing;
3. times the **baseline**: streaming the very rows ``build_index`` reads — the same two queries
   through the same Django iterator — and doing nothing with them. No implementation that reads
   the history this way can be faster, so ``build / stream`` says what the index computation adds
   on top of merely reading its input (1.0 would be free).

Target: the monthly index in under 60 s on a 2-core machine. Results are printed and written to
bench/results/pricing-index-<date>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

from bench.catalog_bench import _fail, _load, _prepare_database

RESULTS = Path(__file__).resolve().parent / "results"
TARGET_SECONDS = 60.0


def _stream_baseline(frequency: str) -> dict:
    """Read every row build_index reads, through the same queries and iterator, and drop it."""
    from django.utils import timezone

    from pricing import published_index

    starts = published_index.period_starts(frequency, timezone.localdate())
    ends = published_index._period_ends(frequency, starts)
    started = time.perf_counter()
    rows = 0
    for _row in published_index.price_change_rows(ends):
        rows += 1
    for _row in published_index.unrecorded_sku_rows(ends):
        rows += 1
    return {"rows": rows, "seconds": time.perf_counter() - started}


def _median(values: list[float]) -> float:
    return round(statistics.median(values), 2)


def _environment() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
        settings = {}
        for name in ("shared_buffers", "work_mem", "effective_cache_size", "jit"):
            cursor.execute(f"SHOW {name}")
            settings[name] = cursor.fetchone()[0]
        cursor.execute(
            "SELECT (SELECT count(*) FROM catalog_product), (SELECT count(*) FROM catalog_sku),"
            " (SELECT count(*) FROM catalog_skupricechange),"
            " pg_size_pretty(pg_total_relation_size('catalog_skupricechange'))"
        )
        products, skus, changes, size = cursor.fetchone()
    return {
        "postgres": version,
        "settings": settings,
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "products": products,
        "skus": skus,
        "price_changes": changes,
        "price_change_table_size": size,
    }


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--skus", type=int, default=1_000_000, help="load the catalogue up to this many SKUs")
    parser.add_argument("--database", default="fengshou_bench", help="database to use (created if missing)")
    parser.add_argument("--rebuild", action="store_true", help="drop the bench database and load it again")
    parser.add_argument("--months", type=int, default=12, help="months of generated price history")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each build")
    parser.add_argument(
        "--regenerate-history",
        action="store_true",
        help="delete the generated history (source demo) first, so its generation is timed again",
    )
    parser.add_argument("--seed", type=int, default=832)
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        help="JSON file (default bench/results/pricing-index-<date>.json)",
    )
    return parser


def _time_builds(frequency: str, repeat: int) -> dict:
    """The index built `repeat` times after a warm-up, each run next to the stream baseline: medians."""
    from pricing.published_index import build_index

    print(f"{frequency}ly index:", flush=True)
    build_index(frequency=frequency)  # warm-up (and the stored index the pages read)
    _stream_baseline(frequency)
    builds, streams = [], []
    for i in range(repeat):
        stream = _stream_baseline(frequency)
        streams.append(stream["seconds"])
        build = build_index(frequency=frequency).as_dict()
        builds.append(build)
        print(
            f"  run {i + 1}: build {build['seconds']:6.2f} s (read {build['read_seconds']:.2f}, compute "
            f"{build['compute_seconds']:.2f}, write {build['write_seconds']:.2f}) | stream baseline "
            f"{stream['seconds']:6.2f} s for {stream['rows']:,} rows",
            flush=True,
        )
    build_s = [b["seconds"] for b in builds]
    last = builds[-1]
    row = {
        "build_seconds_median": _median(build_s),
        "build_seconds_max": round(max(build_s), 2),
        "read_seconds_median": _median([b["read_seconds"] for b in builds]),
        "compute_seconds_median": _median([b["compute_seconds"] for b in builds]),
        "write_seconds_median": _median([b["write_seconds"] for b in builds]),
        "stream_seconds_median": _median(streams),
        "ratio_build_to_stream": round(statistics.median(build_s) / statistics.median(streams), 2),
        "skus_priced": last["skus"],
        "change_rows": last["change_rows"],
        "series": last["series"],
        "points": last["points"],
        "published_points": last["published_points"],
        "periods": f"{last['first_period']} … {last['last_period']}",
    }
    if frequency == "month":
        row["target_seconds"] = TARGET_SECONDS
        row["meets_target"] = max(build_s) < TARGET_SECONDS
    return row


def _print_summary(result: dict, *, history_rows: int, lacking: int, history_seconds: float) -> None:
    print("\nPrice index on PostgreSQL")
    print(
        f"  history: {history_rows:,} rows for {lacking:,} SKUs in {history_seconds:.1f} s"
        f" ({result['environment']['price_changes']:,} price changes in all)"
    )
    header = f"  {'index':<8}{'build s':>9}{'max s':>8}{'stream s':>10}{'× stream':>10}{'points':>9}{'published':>11}"
    print(header)
    for frequency, row in result["builds"].items():
        print(
            f"  {frequency:<8}{row['build_seconds_median']:>9.2f}{row['build_seconds_max']:>8.2f}"
            f"{row['stream_seconds_median']:>10.2f}{row['ratio_build_to_stream']:>10.2f}"
            f"{row['points']:>9,}{row['published_points']:>11,}"
        )
    month = result["builds"]["month"]
    print(
        f"  monthly target < {TARGET_SECONDS:.0f} s: {'met' if month['meets_target'] else 'NOT MET'}"
        f" (worst run {month['build_seconds_max']:.1f} s on {os.cpu_count()} CPUs)"
    )


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        _fail("The price index benchmark needs PostgreSQL: set DATABASE_URL=postgres://user@host:5432/name.")
    os.environ["DATABASE_URL"] = _prepare_database(url, args.database, rebuild=args.rebuild)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    os.environ.setdefault("DJANGO_ENV", "test")  # no DEBUG: no query log growing over millions of rows

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Exists, OuterRef
    from django.utils import timezone

    from catalog.models import Sku, SkuPriceChange
    from demo.price_history import generate_price_history
    from pricing.models import PriceIndexPoint

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    load = _load(args.skus, args.seed)
    print(f"Catalogue ready ({load}).", flush=True)

    if args.regenerate_history:
        t0 = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM catalog_skupricechange WHERE source = 'demo'")
            deleted = cursor.rowcount
            cursor.execute("VACUUM (ANALYZE) catalog_skupricechange")
        print(f"Deleted {deleted:,} generated price changes in {time.perf_counter() - t0:.1f} s.", flush=True)
    lacking = Sku.objects.filter(~Exists(SkuPriceChange.objects.filter(sku_id=OuterRef("pk")))).count()
    print(f"Generating {args.months} months of price history for {lacking:,} SKUs without any…", flush=True)
    t0 = time.perf_counter()
    history_rows = generate_price_history(months=args.months, seed=args.seed)
    history_seconds = time.perf_counter() - t0
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) catalog_skupricechange")
    print(f"  {history_rows:,} price changes written in {history_seconds:.1f} s.", flush=True)

    result: dict = {
        "date": timezone.now().isoformat(timespec="seconds"),
        "command": "python -m bench.pricing_index_bench "
        + " ".join(argv if argv is not None else sys.argv[1:]),
        "timing_method": "perf_counter around the whole call, median of --repeat runs after one warm-up",
        "baseline": (
            "stream: the two queries build_index reads (price changes joined to category and province, "
            "ordered by SKU and time; SKUs without history), through the same Django iterator, rows dropped"
        ),
        "repeat": args.repeat,
        "load": load,
        "history": {"skus": lacking, "rows": history_rows, "seconds": round(history_seconds, 2)},
        "environment": _environment(),
        "builds": {},
    }
    for frequency in ("month", "week"):
        result["builds"][frequency] = _time_builds(frequency, args.repeat)
    result["published_monthly_leaves"] = PriceIndexPoint.objects.filter(
        frequency="month", province=None, published=True, link__isnull=False, category__parent__isnull=False
    ).count()
    result["seconds"] = round(time.perf_counter() - started, 1)

    _print_summary(result, history_rows=history_rows, lacking=lacking, history_seconds=history_seconds)
    output = args.output or RESULTS / f"pricing-index-{timezone.localdate().isoformat()}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"\nWritten to {output} ({result['seconds']:.0f} s in all).")


if __name__ == "__main__":
    main()
