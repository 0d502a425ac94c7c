"""One world for the authorization matrix: two tenants of every kind (A and B), the five ops teams and a
superuser, each with a logged-in test client. Every object a URL names belongs to tenant A, so the
matrix can check that tenant B is refused (404) what tenant A sees."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.test import Client
from django.utils import timezone

from accounts.roles import OpsTeam
from accounts.services import api_token_create
from catalog import services as catalog_services
from inspections.services import phases as phase_services
from inspections.services import reports as report_services
from orders import services as order_services
from orders.models import AfterSaleRequest, Payment
from pricing import services as pricing_services
from regions.models import County
from tests.catalog.conftest import Listings, jpeg_upload
from tests.factories import CountyOfficerFactory, UserFactory
from tests.orders.conftest import Shop, completed
from tests.pricing.test_evidence import screenshot

OPS_ROLES = {
    "content": OpsTeam.CONTENT,
    "internal": OpsTeam.INTERNAL_CONTROL,
    "data": OpsTeam.DATA,
    "demand": OpsTeam.DEMAND,
    "service": OpsTeam.CUSTOMER_SERVICE,
}
ROLES = (
    "anon",
    "buyer_a",
    "buyer_b",
    "supplier_a",
    "supplier_b",
    "county_a",
    "county_b",
    *OPS_ROLES,
    "superuser",
)


@dataclass
class World:
    users: dict = field(default_factory=dict)
    clients: dict = field(default_factory=dict)
    objects: dict = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.objects[name]
        except KeyError:
            raise AttributeError(name) from None


def _people(shop: Shop) -> dict:
    from tests.factories import OpsFactory

    county_b = (
        County.objects.filter(is_eligible=True).exclude(pk=shop.onboarding.county.pk).order_by("code")[0]
    )
    users = {
        "buyer_a": shop.buyer(),
        "buyer_b": shop.buyer(),
        "supplier_a": shop.user2,
        "supplier_b": shop.user,
        "county_a": shop.onboarding.officer,  # the county of every supplier made here
        "county_b": CountyOfficerFactory(county_office__county=county_b),
        "superuser": UserFactory(username="root", role="ops", is_staff=True, is_superuser=True),
    }
    for role, team in OPS_ROLES.items():
        users[role] = OpsFactory(teams=[team])
    return users


def _orders(shop: Shop, buyer) -> dict:
    placed = shop.order(buyer)  # supplier A's, placed and unpaid
    done = completed(shop, shop.order(buyer))
    request = order_services.after_sale_open(
        order=done, by=buyer, kind="refund", reason="霉变", amount=Decimal("10.00"), photos=[jpeg_upload()]
    )
    disputed = completed(shop, shop.order(buyer))
    refused = order_services.after_sale_open(
        order=disputed, by=buyer, kind="refund", reason="破损", amount=Decimal("5.00")
    )
    return {
        "order": placed,
        "payment": Payment.objects.get(order=placed),
        "completed": done,
        "after_sale": request,
        "photo": request.photos.get(),
        "disputed": disputed,
        "refused": AfterSaleRequest.objects.get(pk=refused.pk),
    }


def _catalogue(shop: Shop) -> dict:
    product = shop.on_sale(
        supplier=shop.supplier2, user=shop.user2, report=True, skus=[Listings.sku()], name="巴东富硒绿茶"
    )
    sku = product.skus.order_by("position").first()
    report = product.test_reports.get()
    batch = catalog_services.trace_batch_add(
        product=product,
        by=shop.user2,
        batch_number="2026-05-01",
        produced_on=report.report_date,
        base="巴东县茶店子镇基地",
        quantity="800 kg",
        test_report=report,
    )
    evidence = pricing_services.evidence_add(
        sku=sku,
        by=shop.user2,
        url="https://item.jd.com/100012345678.html",
        match="same",
        observed_price=Decimal("59.90"),
        spec="5斤装",
        net_quantity=Decimal("2.5"),
        unit="kg",
        pack_count=1,
        seen_on=timezone.localdate() - datetime.timedelta(days=3),
        screenshot=screenshot(),
    )
    return {
        "product": product,
        "sku": sku,
        "report": report,
        "batch": batch,
        "evidence": evidence,
        "image": product.images.first(),
        "qualification": shop.supplier2.qualifications.first(),
        "supplier": shop.supplier2,
    }


def _spot_check(world: World) -> dict:
    """A check of supplier A's listing, in a rectification round with the reviewer's photo."""
    from inspections.models import SpotCheck
    from inspections.services.checks import Evidence, check_decide

    product, reviewer = world.objects["product"], world.users["internal"]
    check = SpotCheck.objects.create(
        kind=SpotCheck.Kind.TARGETED,
        product=product,
        supplier_id=product.supplier_id,
        category_id=product.category_id,
        reviewer=reviewer,
    )
    check = check_decide(
        check=check,
        by=reviewer,
        action="rectify",
        items=["listing"],
        finding="规格不符",
        evidence=Evidence(photos=[jpeg_upload()]),
        deadline=timezone.localdate() + datetime.timedelta(days=7),
    )
    return {"spot_check": check, "check_evidence": check.evidence.get()}


def _closed_phase(by):
    """A phase drawn over the catalogue and closed (published), for the phase pages."""
    phase = phase_services.phase_create(
        name="2026 第二期",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + datetime.timedelta(days=55),
        budget=2,
        by=by,
    )
    phase_services.phase_open(phase=phase, by=by, seed=2026)
    return phase_services.phase_close(phase=phase, by=by)


def build() -> World:
    shop = Shop()
    world = World(users=_people(shop))
    world.objects.update(_catalogue(shop))
    world.objects.update(_orders(shop, world.users["buyer_a"]))
    world.objects["cart_item"] = order_services.cart_add(
        user=world.users["buyer_a"], sku=world.objects["sku"], quantity=1
    )
    applicant, applicant_user = shop.onboarding.draft()
    world.objects["application"] = shop.onboarding.to(applicant, applicant_user, "submitted")
    world.objects["buyer_unit"] = world.users["buyer_a"].buyer_unit
    world.objects["county"] = shop.onboarding.county
    complaint = report_services.report_file(
        kind="quality",
        description="标称5kg实际不足4kg。",
        product=world.objects["product"],
        reporter=world.users["buyer_a"],
        photos=[jpeg_upload()],
    )
    world.objects["complaint"] = complaint
    world.objects["complaint_photo"] = complaint.photos.get()
    world.objects["phase"] = _closed_phase(world.users["internal"])
    token, _key = api_token_create(user=world.users["buyer_a"])
    world.objects["token"] = token
    world.objects.update(_spot_check(world))
    for role in ROLES:
        client = Client(raise_request_exception=False)
        if role != "anon":
            client.force_login(world.users[role])
        world.clients[role] = client
    return world
