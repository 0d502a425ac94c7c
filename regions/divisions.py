"""Load the official division codes from data/divisions/ into the registry.

Used by the data migration (with historical models) and by ``manage.py load_divisions``.
Loading is an upsert by code, so running it again changes nothing; the eligibility flags
are only set from the shipped list when asked, so ops' corrections in the admin survive.
"""

import csv
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

DATA_DIR = Path(settings.BASE_DIR) / "data" / "divisions"


@dataclass(frozen=True)
class LoadResult:
    provinces: int
    cities: int
    counties: int
    eligible: int


def _rows(name: str) -> list[dict[str, str]]:
    with open(DATA_DIR / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def eligible_codes() -> dict[str, str]:
    """County code → note, from the shipped list of poverty-alleviation counties."""
    path = DATA_DIR / "eligible_counties.csv"
    if not path.exists():
        return {}
    with open(path, encoding="utf-8", newline="") as fh:
        return {row["code"]: (row.get("note") or "").strip() for row in csv.DictReader(fh) if row.get("code")}


def _upsert(model, rows: list[dict], key: str = "code") -> dict[str, object]:
    existing = {obj.code: obj for obj in model.objects.all()}
    new, changed = [], []
    fields = [f for f in rows[0] if f != key] if rows else []
    for row in rows:
        obj = existing.get(row[key])
        if obj is None:
            new.append(model(**row))
        elif any(getattr(obj, f) != row[f] for f in fields):
            for f in fields:
                setattr(obj, f, row[f])
            changed.append(obj)
    model.objects.bulk_create(new, batch_size=1000)
    if changed:
        model.objects.bulk_update(changed, fields, batch_size=1000)
    return {obj.code: obj for obj in model.objects.all()}


def load_divisions(province_model, city_model, county_model, *, apply_eligibility: bool) -> LoadResult:
    provinces = _upsert(
        province_model, [{"code": r["code"], "name": r["name"]} for r in _rows("provinces.csv")]
    )
    cities = _upsert(
        city_model,
        [
            {"code": r["code"], "name": r["name"], "province": provinces[r["provinceCode"]]}
            for r in _rows("cities.csv")
        ],
    )
    counties = _upsert(
        county_model,
        [
            {
                "code": r["code"],
                "name": r["name"],
                "city": cities[r["cityCode"]],
                "province": provinces[r["provinceCode"]],
            }
            for r in _rows("areas.csv")
        ],
    )
    if apply_eligibility:
        eligible = eligible_codes()
        unknown = sorted(set(eligible) - set(counties))
        if unknown:
            raise ValueError(f"eligible_counties.csv names codes that are not in areas.csv: {unknown[:10]}")
        county_model.objects.exclude(code__in=eligible).update(is_eligible=False, eligibility_note="")
        by_note: dict[str, list[str]] = {}
        for code, note in eligible.items():
            by_note.setdefault(note[:200], []).append(code)
        for note, codes in by_note.items():
            county_model.objects.filter(code__in=codes).update(is_eligible=True, eligibility_note=note)
    return LoadResult(
        provinces=len(provinces),
        cities=len(cities),
        counties=len(counties),
        eligible=county_model.objects.filter(is_eligible=True).count(),
    )
