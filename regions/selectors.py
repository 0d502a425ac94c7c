from django.db.models import Count, Q, QuerySet

from regions.models import City, County

# The ids are BigAutoField: 18 digits always fit, and no more is ever needed.
ID_MAX_DIGITS = 18


def picker_id(raw: str | None) -> int | None:
    """The parent id a picker sent: None for no choice (absent or empty). Raises ValueError for
    anything else that is not ASCII digits short enough for the column (a sign, an exponent,
    full-width digits, a NUL byte, 300 nines), so nothing unparseable reaches a query."""
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit() and len(raw) <= ID_MAX_DIGITS):
        raise ValueError(f"not a division id: {raw[:40]!r}")
    return int(raw)


def cities_of(*, province_id: int | None, with_eligible_counties: bool = False) -> QuerySet[City]:
    """The cities of a province (none without one), optionally only those with an eligible county."""
    if province_id is None:
        return City.objects.none()
    cities = City.objects.filter(province_id=province_id)
    if with_eligible_counties:
        cities = cities.filter(counties__is_eligible=True).distinct()
    return cities


def counties_of(*, city_id: int | None, eligible_only: bool = False) -> QuerySet[County]:
    """The counties of a city (none without one), optionally only the eligible ones."""
    if city_id is None:
        return County.objects.none()
    counties = County.objects.filter(city_id=city_id)
    return counties.filter(is_eligible=True) if eligible_only else counties


def eligible_county_summary() -> dict[str, int]:
    return County.objects.aggregate(counties=Count("id"), eligible=Count("id", filter=Q(is_eligible=True)))
