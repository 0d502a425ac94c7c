"""A world for the human checks: on-sale listings of one supplier (through the real services), two
internal-control reviewers, and checks made directly (the phase draw and reports make them elsewhere)."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Notification
from inspections.models import SpotCheck
from inspections.services import checks as services
from inspections.services.checks import Evidence
from inspections.workflow import CheckAction
from tests.catalog.conftest import Listings, jpeg_upload
from tests.factories import OpsFactory

ITEMS = ["listing", "price"]
FINDING = "规格标注5kg，实测净含量2.5kg"


def in_days(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def not_an_image() -> SimpleUploadedFile:
    return SimpleUploadedFile("x.jpg", b"MZ\x90\x00 this is a program", content_type="image/jpeg")


class CheckWorld:
    def __init__(self, listings: Listings):
        self.listings = listings
        self.supplier, self.user = listings.supplier, listings.user
        self.reviewer = OpsFactory(teams=["internal_control"])
        self.second = OpsFactory(teams=["internal_control"])
        self.product = listings.on_sale()
        # Notifications are rendered in their reader's language: the tests read English.
        type(self.user).objects.filter(pk__in=[self.user.pk, self.reviewer.pk, self.second.pk]).update(
            language="en"
        )
        for person in (self.user, self.reviewer, self.second):
            person.language = "en"

    def check(self, product=None, *, reviewer="default", **fields) -> SpotCheck:
        product = product or self.product
        return SpotCheck.objects.create(
            kind=fields.pop("kind", SpotCheck.Kind.TARGETED),
            product=product,
            supplier_id=product.supplier_id,
            category_id=product.category_id,
            reviewer=self.reviewer if reviewer == "default" else reviewer,
            **fields,
        )

    def photo(self) -> Evidence:
        return Evidence(photos=[jpeg_upload()])

    def rectify(self, check, *, days=7, freeze=False) -> SpotCheck:
        return services.check_decide(
            check=check,
            by=self.reviewer,
            action=CheckAction.RECTIFY,
            items=ITEMS,
            finding=FINDING,
            evidence=self.photo(),
            deadline=in_days(days),
            freeze=freeze,
        )

    def sanction(self, check) -> SpotCheck:
        return services.check_decide(
            check=check,
            by=self.reviewer,
            action=CheckAction.SANCTION,
            items=ITEMS,
            finding=FINDING,
            evidence=Evidence(test_purchase="2026-05-02 试买一箱，实重2.5kg"),
        )

    def respond(self, check, text="已更正规格为2.5kg/箱") -> SpotCheck:
        return services.check_respond(check=check, by=self.user, text=text)

    def notes(self, user) -> list[Notification]:
        return list(Notification.objects.filter(user=user).order_by("id"))
