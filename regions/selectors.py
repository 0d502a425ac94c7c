from django.db.models import Count, Q

from regions.models import County


def eligible_county_summary() -> dict[str, int]:
    return County.objects.aggregate(counties=Count("id"), eligible=Count("id", filter=Q(is_eligible=True)))
