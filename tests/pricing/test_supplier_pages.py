"""The supplier's price pages: one SKU's verdict, its evidence and the form to add a comparison link;
the price check on the product page; the adjustment requests in the portal."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pricing import services
from pricing.models import EvidenceStatus, PriceEvidence, PriceReview, ReviewState, Verdict
from pricing.verdicts import refresh_verdicts
from tests.catalog.conftest import Listings
from tests.factories import BuyerFactory, OpsFactory
from tests.pricing.test_evidence import screenshot

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture(autouse=True)
def _english(client, settings):
    """Pages in English, so messages are checked against their msgids whatever is translated."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def listings(db):
    return Listings()


@pytest.fixture
def sku(listings):
    """5 kg of oranges at ¥49.90: ¥4.99/500 g (a draft product: it is judged, not yet on sale)."""
    product = listings.product(image=False, skus=[listings.sku()])
    return product.skus.get()


def _url(sku) -> str:
    return f"/suppliers/products/{sku.product_id}/skus/{sku.pk}/prices/"


def _reference(listings, sku, *, price="22.00", qty="2.5", days=3, **extra) -> PriceEvidence:
    """A JD reference: ¥22.00 for 2.5 kg = ¥4.40/500 g, seen three days ago."""
    kwargs = {
        "url": "https://item.jd.com/100012345678.html",
        "match": "same",
        "observed_price": D(price),
        "spec": "5斤装",
        "net_quantity": D(qty),
        "unit": "kg",
        "pack_count": 1,
        "seen_on": timezone.localdate() - datetime.timedelta(days=days),
        "screenshot": screenshot(),
    }
    kwargs.update(extra)
    return services.evidence_add(sku=sku, by=listings.user, **kwargs)


def _form(**overrides) -> dict:
    data = {
        "url": "https://item.jd.com/100012345678.html",
        "match": "same",
        "observed_price": "22.00",
        "spec": "5斤装",
        "net_quantity": "2.5",
        "unit": "kg",
        "pack_count": "1",
        "seen_on": (timezone.localdate() - datetime.timedelta(days=2)).isoformat(),
        "screenshot": screenshot(colour=(20, 90, 200)),
    }
    data.update(overrides)
    return data


# --- Who may open it ------------------------------------------------------------------------------


def test_only_the_products_supplier_opens_the_price_page(client, listings, sku):
    url = _url(sku)
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")

    client.force_login(BuyerFactory())
    assert client.get(url).status_code == 403  # a buyer opens no supplier page at all

    _other, other_user = listings.active_supplier()
    client.force_login(other_user)
    assert client.get(url).status_code == 404
    assert client.post(url, _form()).status_code == 404
    assert not PriceEvidence.objects.exists()

    client.force_login(listings.user)
    assert client.get(url).status_code == 200
    # A SKU of the supplier's product under another of its products' ids: not found either.
    other_product = listings.product(name="秭归夏橙", image=False)
    assert client.get(f"/suppliers/products/{other_product.pk}/skus/{sku.pk}/prices/").status_code == 404


# --- Adding evidence ------------------------------------------------------------------------------


def test_a_supplier_adds_a_comparison_link_and_sees_it_listed(client, listings, sku):
    client.force_login(listings.user)
    response = client.post(_url(sku), _form())
    assert response.status_code == 302 and response["Location"] == _url(sku)
    evidence = PriceEvidence.objects.get()
    assert (evidence.sku, evidence.shop.code, evidence.observed_unit_price, evidence.status) == (
        sku,
        "jd",
        D("4.40"),
        EvidenceStatus.PENDING,
    )
    page = client.get(_url(sku))
    assert [m.level_tag for m in page.context["messages"]] == ["success"]
    html = page.content.decode()
    row = html[html.index(f'data-testid="evidence-{evidence.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "京东" in row and "¥22.00" in row and "¥4.40" in row and "5斤装" in row
    assert evidence.seen_on.isoformat() in row
    assert f'href="/pricing/evidence/{evidence.pk}/screenshot/"' in row
    assert (
        '<a href="https://item.jd.com/100012345678.html" target="_blank" rel="noopener noreferrer nofollow">'
        in row
    )
    assert 'data-testid="stale"' not in row


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("url", "jd 上 59.9 元", "Enter the full link"),
        ("url", "https://www.example.com/item/1", "www.example.com is not a recognised shop"),
        ("unit", "L", "cannot be converted"),
        ("screenshot", "not-an-image", None),  # the upload checker's own message
        ("seen_on", "tomorrow", "cannot be in the future"),
        ("observed_price", "0", "more than ¥0.00"),
    ],
)
def test_each_wrong_input_is_reported_on_its_field_and_nothing_is_saved(
    client, listings, sku, field, value, message
):
    client.force_login(listings.user)
    if value == "not-an-image":
        value = SimpleUploadedFile("shot.png", b"%PDF-1.4 not a picture", content_type="image/png")
    elif value == "tomorrow":
        value = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = client.post(_url(sku), _form(**{field: value}))
    assert response.status_code == 400
    form = response.context["form"]
    assert list(form.errors) == [field]
    if field != "screenshot":
        assert message in form.errors[field][0]
    assert not PriceEvidence.objects.exists()
    html = response.content.decode()
    # The error is shown under its own field, and what was typed is kept (the file must be chosen again).
    field_html = html[html.index(f'name="{field}"') :]
    assert "field-error" in field_html[: field_html.index("</div>")]
    assert 'value="5斤装"' in html
    if field != "url":
        assert 'value="https://item.jd.com/100012345678.html"' in html


def test_the_screenshot_error_says_what_is_wrong(client, listings, sku):
    client.force_login(listings.user)
    bad = SimpleUploadedFile("shot.png", b"plain text, not a picture", content_type="image/png")
    response = client.post(_url(sku), _form(screenshot=bad))
    errors = response.context["form"].errors
    assert list(errors) == ["screenshot"] and errors["screenshot"][0]
    assert not PriceEvidence.objects.exists()


def test_several_wrong_inputs_are_reported_together(client, listings, sku):
    client.force_login(listings.user)
    response = client.post(
        _url(sku),
        _form(
            url="https://shop.example.cn/1",
            observed_price="0",
            seen_on=(timezone.localdate() + datetime.timedelta(days=3)).isoformat(),
        ),
    )
    assert set(response.context["form"].errors) == {"url", "observed_price", "seen_on"}
    assert not PriceEvidence.objects.exists()


# --- The verdict and what stands behind it --------------------------------------------------------


def test_the_page_shows_the_verdict_its_explanation_and_numbers(client, listings, sku):
    reference = _reference(listings, sku)  # ¥4.40/500 g: ours, ¥4.99, is 1.13× → high
    refresh_verdicts([sku.pk])
    client.force_login(listings.user)
    page = client.get(_url(sku))
    verdict = page.context["verdict"]
    assert verdict.verdict == Verdict.HIGH and verdict.reference_id == reference.pk
    html = page.content.decode()
    assert 'class="badge verdict verdict-high" data-testid="verdict"' in html
    explanation = page.context["explanation"]
    assert "¥4.99/500 g" in explanation and "1.13×" in explanation and "¥4.40/500 g" in explanation
    assert "3 days old" in explanation
    assert explanation in html.replace("&#x27;", "'")
    assert verdict.model_version in html and "¥4.99/500 g" in html  # the SKU's unit price with its basis
    numbers = html[html.index('data-testid="verdict-numbers"') :]
    assert "京东 ¥4.40/500 g" in numbers[: numbers.index("</dl>")]
    assert 'data-testid="recomputing"' not in html
    assert "reference used" in html


def test_the_page_says_the_verdict_is_being_recomputed_after_a_change(client, listings, sku):
    _reference(listings, sku)
    refresh_verdicts([sku.pk])
    client.force_login(listings.user)
    assert not client.get(_url(sku)).context["page"].recomputing
    # A second link is added; in this test the queued re-judgement does not run (no commit).
    _reference(listings, sku, price="25.00", screenshot=screenshot(colour=(1, 2, 3)))
    page = client.get(_url(sku))
    assert page.context["page"].recomputing
    assert 'data-testid="recomputing"' in page.content.decode()


def test_a_sku_without_a_verdict_yet(client, listings, sku):
    client.force_login(listings.user)
    page = client.get(_url(sku))
    assert page.context["verdict"] is None and page.context["page"].judged
    # Creating the SKU queued its first judgement (run after the commit, which a test does not make).
    assert 'data-testid="recomputing"' in page.content.decode()
    sku.is_active = False
    sku.save(update_fields=["is_active"])
    page = client.get(_url(sku))
    assert not page.context["page"].judged and 'data-testid="recomputing"' not in page.content.decode()


def test_stale_and_rejected_evidence_are_marked(client, listings, sku):
    old = _reference(listings, sku, days=45)
    wrong = _reference(listings, sku, price="10.00", screenshot=screenshot(colour=(9, 9, 9)))
    services.evidence_review(
        evidence=wrong,
        by=OpsFactory(teams=["internal_control"]),
        verified=False,
        reason="规格不符：不是5斤装",
    )
    client.force_login(listings.user)
    html = client.get(_url(sku)).content.decode()
    old_row = html[html.index(f'data-testid="evidence-{old.pk}"') :]
    assert 'data-testid="stale"' in old_row[: old_row.index("</tr>")]
    wrong_row = html[html.index(f'data-testid="evidence-{wrong.pk}"') :]
    wrong_row = wrong_row[: wrong_row.index("</tr>")]
    assert "evidence-rejected" in wrong_row and "规格不符：不是5斤装" in wrong_row


def test_the_price_page_costs_the_same_with_more_evidence(client, listings, sku):
    client.force_login(listings.user)
    _reference(listings, sku)
    refresh_verdicts([sku.pk])
    client.get(_url(sku))

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(_url(sku)).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for n in range(4):
        _reference(listings, sku, price=f"2{n}.50", screenshot=screenshot(colour=(n, 50, 50)))
    assert count() == few


# --- Ops asked to adjust: on the SKU page, the product page and the portal -------------------------


def _asked_to_adjust(listings, sku):
    _reference(listings, sku, price="18.00")  # ¥3.60/500 g: ours is 1.39× → very high
    refresh_verdicts([sku.pk])
    control = OpsFactory(teams=["internal_control"])
    return services.price_review(
        sku=sku, by=control, action=PriceReview.Action.ADJUST, note="请参照京东同款价格下调至4元/斤以内"
    )


def test_an_adjustment_request_is_shown_prominently_on_the_price_page(client, listings, sku):
    _asked_to_adjust(listings, sku)
    client.force_login(listings.user)
    html = client.get(_url(sku)).content.decode()
    alert = html[html.index('data-testid="adjust-request"') :]
    alert = alert[: alert.index("</section>")]
    assert "请参照京东同款价格下调至4元/斤以内" in alert and "¥4.99/500 g" in alert
    assert timezone.localdate().isoformat() in alert
    assert "verdict-very_high" in html


def test_an_accepted_price_shows_the_review_and_its_note(client, listings, sku):
    _reference(listings, sku)
    refresh_verdicts([sku.pk])
    services.price_review(
        sku=sku,
        by=OpsFactory(teams=["internal_control"]),
        action=PriceReview.Action.ACCEPT,
        note="礼盒包装成本较高",
    )
    client.force_login(listings.user)
    html = client.get(_url(sku)).content.decode()
    assert 'data-testid="adjust-request"' not in html
    assert 'class="badge review-accepted" data-testid="review-state">Accepted by ops<' in html
    note = html[html.index('data-testid="review-note"') :]
    note = note[: note.index("</p>")]
    assert "礼盒包装成本较高" in note and timezone.localdate().isoformat() in note


def test_the_product_page_shows_a_badge_and_a_link_per_sku(client, listings):
    product = listings.product(image=False)  # two SKUs
    first, second = product.skus.order_by("position")
    _reference(listings, first)
    refresh_verdicts([first.pk])
    client.force_login(listings.user)
    html = client.get(f"/suppliers/products/{product.pk}/").content.decode()
    assert f'class="badge verdict verdict-high" data-testid="verdict-{first.pk}"' in html
    assert f'data-testid="verdict-{second.pk}"' in html  # "not judged yet"
    for sku in (first, second):
        assert f'href="{_url(sku)}"' in html


def test_the_product_page_loads_verdicts_without_a_query_per_sku(client, listings):
    client.force_login(listings.user)
    product = listings.product(image=False, skus=[listings.sku()])
    url = f"/suppliers/products/{product.pk}/"
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    few = len(ctx.captured_queries)
    from catalog import services as catalog_services

    skus = [listings.sku(f"{n}kg/箱", str(n), price=f"{n * 10}.00") for n in range(2, 7)]
    catalog_services.product_save(
        supplier=listings.supplier,
        by=listings.user,
        product=product,
        data=listings.data(),
        skus=[{"id": product.skus.get().pk, **listings.sku()}, *skus],
    )
    refresh_verdicts(product.skus.values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    assert len(ctx.captured_queries) == few


def test_the_portal_lists_the_prices_to_adjust(client, listings, sku):
    _asked_to_adjust(listings, sku)
    # Another supplier's request is not shown.
    other_supplier, other_user = listings.active_supplier()
    other = listings.product(image=False, supplier=other_supplier, user=other_user, skus=[listings.sku()])
    other_sku = other.skus.get()
    services.evidence_add(
        sku=other_sku,
        by=other_user,
        url="https://item.jd.com/1.html",
        match="same",
        observed_price=D("18.00"),
        spec="5斤装",
        net_quantity=D("2.5"),
        unit="kg",
        pack_count=1,
        seen_on=timezone.localdate(),
        screenshot=screenshot(colour=(200, 1, 1)),
    )
    refresh_verdicts([other_sku.pk])
    services.price_review(
        sku=other_sku,
        by=OpsFactory(teams=["internal_control"]),
        action=PriceReview.Action.ADJUST,
        note="另一家的请求",
    )

    client.force_login(listings.user)
    page = client.get("/suppliers/portal/")
    requests = page.context["price_requests"]
    assert [r.sku for r in requests] == [sku]
    assert requests[0].verdict.review_state == ReviewState.ADJUST
    html = page.content.decode()
    section = html[html.index('data-testid="price-requests"') :]
    section = section[: section.index("</section>")]
    assert sku.product.name in section and sku.spec in section
    assert "请参照京东同款价格下调至4元/斤以内" in section and "另一家的请求" not in section
    assert "1.39×" in section  # the explanation with its numbers
    assert f'href="{_url(sku)}"' in section


def test_the_portal_has_no_adjustment_section_without_requests(client, listings):
    client.force_login(listings.user)
    page = client.get("/suppliers/portal/")
    assert page.context["price_requests"] == []
    assert 'data-testid="price-requests"' not in page.content.decode()
