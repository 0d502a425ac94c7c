from celery import shared_task

from catalog.search import product_index_update


@shared_task(soft_time_limit=3000, time_limit=3300)
def refresh_search_index() -> int:
    """Nightly: recompute search vectors whose inputs changed outside the services (e.g. sales
    counts bumped by orders), so ranking does not drift. Skips rows that are already current."""
    return product_index_update()
