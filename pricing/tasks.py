"""Background work of price control: verdicts after a change and nightly, and the published index."""

from collections.abc import Iterable

from celery import shared_task

from core.background import send_after_commit
from pricing.models import Frequency


@shared_task(soft_time_limit=600, time_limit=660)
def refresh_verdicts(sku_ids: list[int]) -> int:
    """Re-judge these SKUs after their price or their evidence changed."""
    from pricing.verdicts import refresh_verdicts as refresh

    return refresh(sku_ids)


def refresh_verdicts_on_commit(sku_ids: Iterable[int]) -> None:
    """Queue a re-judgement once the transaction that changed these SKUs' prices or evidence commits."""
    ids = sorted(set(sku_ids))
    if ids:
        send_after_commit(
            refresh_verdicts,
            ids,
            what=f"re-judging SKUs {ids[:20]}",
            made_up_by="the nightly refresh_all_verdicts judges them again",
        )


@shared_task(soft_time_limit=3000, time_limit=3300)
def refresh_all_verdicts() -> dict:
    """Nightly: every SKU of the catalogue judged again (peers and evidence age move every day)."""
    from pricing.verdicts import refresh_all_verdicts as refresh_all

    result = refresh_all()
    return {"judged": result.judged, "removed": result.removed, "seconds": round(result.seconds, 1)}


@shared_task(soft_time_limit=1800, time_limit=2000)
def build_price_index() -> dict[str, dict]:
    """Rebuild the published price index, monthly then weekly (nightly, see CELERY_BEAT_SCHEDULE).

    Each frequency is replaced in its own transaction, so a failure of the weekly run leaves the
    new monthly index in place. Idempotent: running it twice gives the same points.
    """
    from pricing.published_index import build_index

    return {frequency: build_index(frequency=frequency).as_dict() for frequency in Frequency.values}
