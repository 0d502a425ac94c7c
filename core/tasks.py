"""The kernel's periodic job: the transactional outbox's drain (``core.background``)."""

from celery import shared_task


@shared_task(soft_time_limit=240, time_limit=300)
def drain_outbox() -> dict[str, int]:
    """Send again what the broker could not take at commit, and prune old sent rows. Idempotent: each
    row is sent until marked sent, and rows are locked while sent."""
    from core.background import outbox_drain

    return outbox_drain()
