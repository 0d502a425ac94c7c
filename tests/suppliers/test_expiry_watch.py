"""The daily expiry watch, with the clock frozen: warn, expire, suspend, reinstate — and nothing twice."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from accounts.models import Notification
from suppliers import services
from suppliers.models import QualificationStatus, SupplierEvent, SupplierStatus, SuspensionCause
from suppliers.rules import QualificationType
from suppliers.tasks import watch_qualification_expiry
from tests.suppliers.conftest import png_upload

pytestmark = pytest.mark.django_db
START = datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.UTC)


def _honey_supplier(onboarding, *, licence_until: datetime.date):
    """An active honey supplier whose food production licence runs until ``licence_until``."""
    supplier, user = onboarding.draft(product_lines=["honey"])
    licence = onboarding.add_licence(
        supplier,
        user,
        type=QualificationType.FOOD_PRODUCTION,
        number="SC10642282300123",
        long_term=False,
        valid_until=licence_until,
    )
    supplier = onboarding.to(supplier, user, "active")
    return supplier, user, licence


def _state(supplier, licence):
    supplier.refresh_from_db()
    licence.refresh_from_db()
    return supplier.status, supplier.suspension_cause, licence.status


def test_a_licence_expiring_within_30_days_is_warned_about_once(
    onboarding, django_capture_on_commit_callbacks
):
    with time_machine.travel(START, tick=False):
        supplier, user, licence = _honey_supplier(onboarding, licence_until=datetime.date(2026, 3, 20))
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            result = services.qualifications_watch_expiry()
        assert (result.warned, result.expired, result.suspended) == (1, 0, 0)
        inbox = Notification.objects.filter(user=user, subject__contains="19")
        assert inbox.count() == 1  # "expires in 19 days"
        assert len(mail.outbox) == 1 and mail.outbox[0].to == [user.email]
        # Twice the same day: nothing new.
        assert services.qualifications_watch_expiry() == services.ExpiryWatchResult(0, 0, 0)
    with time_machine.travel(START + datetime.timedelta(days=5), tick=False):
        # Days later, still within the window: not warned again for the same date.
        assert services.qualifications_watch_expiry().warned == 0
    assert Notification.objects.filter(user=user, subject__contains="天").count() == 1
    assert _state(supplier, licence) == (SupplierStatus.ACTIVE, "", QualificationStatus.CURRENT)


def test_a_licence_outside_the_window_is_left_alone(onboarding):
    with time_machine.travel(START, tick=False):
        _supplier, _user, _licence = _honey_supplier(onboarding, licence_until=datetime.date(2026, 4, 15))
        assert services.qualifications_watch_expiry() == services.ExpiryWatchResult(0, 0, 0)


def test_a_lapsed_mandatory_licence_suspends_sales_once(onboarding):
    with time_machine.travel(START, tick=False):
        supplier, _user, licence = _honey_supplier(onboarding, licence_until=datetime.date(2026, 3, 10))
    with time_machine.travel(datetime.datetime(2026, 3, 11, 1, 30, tzinfo=datetime.UTC), tick=False):
        result = watch_qualification_expiry.delay().get()  # the Celery task, run eagerly
        assert result == {"warned": 0, "expired": 1, "suspended": 1}
        assert _state(supplier, licence) == (
            SupplierStatus.SUSPENDED,
            SuspensionCause.QUALIFICATION_EXPIRED,
            QualificationStatus.EXPIRED,
        )
        event = SupplierEvent.objects.filter(supplier=supplier).latest("id")
        assert (event.action, event.actor, event.actor_role) == ("suspend", None, "system")
        assert "SC10642282300123" in event.reason and "2026-03-10" in event.reason
        events_before = SupplierEvent.objects.count()
        notes_before = Notification.objects.count()
        assert watch_qualification_expiry.delay().get() == {"warned": 0, "expired": 0, "suspended": 0}
        assert SupplierEvent.objects.count() == events_before
        assert Notification.objects.count() == notes_before


def test_renewing_the_licence_lifts_the_suspension(onboarding):
    with time_machine.travel(START, tick=False):
        supplier, user, _licence = _honey_supplier(onboarding, licence_until=datetime.date(2026, 3, 10))
    with time_machine.travel(datetime.datetime(2026, 3, 12, 9, 0, tzinfo=datetime.UTC), tick=False):
        services.qualifications_watch_expiry()
        supplier.refresh_from_db()
        assert supplier.status == SupplierStatus.SUSPENDED
        onboarding.add_licence(
            supplier,
            user,
            type=QualificationType.FOOD_PRODUCTION,
            number="SC10642282300999",
            long_term=False,
            valid_from=timezone.localdate(),
            valid_until=datetime.date(2031, 3, 11),
            upload=png_upload(size=(70, 70)),
        )
        supplier.refresh_from_db()
        assert (supplier.status, supplier.suspension_cause) == (SupplierStatus.ACTIVE, "")
        event = SupplierEvent.objects.filter(supplier=supplier).latest("id")
        assert (event.action, event.actor_role) == ("reinstate", "system")


def test_an_optional_certificate_lapsing_does_not_suspend(onboarding):
    with time_machine.travel(START, tick=False):
        supplier, user, _licence = _honey_supplier(onboarding, licence_until=datetime.date(2027, 3, 10))
        green = onboarding.add_licence(
            supplier,
            user,
            type=QualificationType.GREEN_FOOD,
            number="LB-18-2101051234A",
            long_term=False,
            valid_until=datetime.date(2026, 3, 5),
            upload=png_upload(size=(30, 30)),
        )
    with time_machine.travel(datetime.datetime(2026, 3, 6, 9, 0, tzinfo=datetime.UTC), tick=False):
        assert services.qualifications_watch_expiry() == services.ExpiryWatchResult(0, 1, 0)
        green.refresh_from_db()
        supplier.refresh_from_db()
        assert green.status == QualificationStatus.EXPIRED and supplier.status == SupplierStatus.ACTIVE
