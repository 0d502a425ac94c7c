from celery import shared_task

from orders.services import order_auto_receive

AUTO_RECEIPT_BATCH = 500


@shared_task(soft_time_limit=540, time_limit=600)
def auto_receive_orders() -> int:
    """Hourly: shipped orders past ORDER_AUTO_RECEIPT_DAYS count as received. Runs in batches; a full
    batch queues the next one. Idempotent: only orders still shipped are touched."""
    done = order_auto_receive(batch=AUTO_RECEIPT_BATCH)
    if done == AUTO_RECEIPT_BATCH:
        auto_receive_orders.delay()
    return done
