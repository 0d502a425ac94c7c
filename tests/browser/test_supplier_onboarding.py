"""The supplier onboarding journey in a real browser: a new supplier registers and completes the
wizard, its county office endorses it, ops approve it in the admin and the supplier sees itself
approved. Elements are found by id, name, value, URL and data-testid (or by a regex accepting the
English and the Chinese text), so the tests hold in either language."""

import datetime
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from playwright.sync_api import expect

from core.uscc import ALPHABET
from regions.models import City, County
from suppliers import services
from suppliers.models import Qualification, Supplier, SupplierEvent, SupplierStatus
from tests.browser.journeys import log_in, log_out
from tests.factories import CountyOfficerFactory, OpsFactory, SupplierUserFactory, valid_uscc

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BADONG = "422823"  # 湖北省 恩施土家族苗族自治州 巴东县, an eligible county
SUBMITTED = re.compile(r"Submitted, awaiting county endorsement|已提交，待县级认定")
ACTIVE = re.compile(r"Approved \(active\)|已审核通过（正常经营）")


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Qualification scans go to PRIVATE_MEDIA_ROOT: keep this test's uploads out of the checkout."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def _png_bytes(colour=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (240, 160), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def _field(page, name):
    """The form field wrapper (label, input, help, errors) of the input with id ``id_<name>``."""
    return page.locator(f"div.field:has(#id_{name})")


def _options(page, select_id) -> list[str]:
    return [t.strip() for t in page.locator(f"#{select_id} option:not([value=''])").all_inner_texts()]


def _wrong_check_character(uscc: str) -> str:
    return uscc[:17] + next(ch for ch in ALPHABET if ch != uscc[17])


def test_a_supplier_is_onboarded_from_registration_to_approval(page, live_server, tmp_path):
    base = live_server.url
    badong = County.objects.get(code=BADONG)
    officer = CountyOfficerFactory(county_office__county=badong)
    ops = OpsFactory(teams=["internal_control"])
    uscc = valid_uscc("93", BADONG)
    legal_name = "巴东县清江柑橘种植专业合作社"
    county_reason = "经核实，该合作社注册并经营于巴东县，同意认定为本县供应商。"
    ops_reason = "资料齐全，营业执照与统一社会信用代码一致，准予入驻。"

    # 1. Registration ------------------------------------------------------------------------------
    page.goto(f"{base}/")
    page.locator('header a[href="/suppliers/register/"]').click()
    expect(page).to_have_url(f"{base}/suppliers/register/")
    page.locator("#id_legal_name").fill(legal_name)
    page.locator("#id_contact_name").fill("向明")
    page.locator("#id_phone").fill("13907181234")
    page.locator("#id_email").fill("xiangming@example.com")
    page.locator("#id_username").fill("qingjiang-citrus")
    page.locator("#id_password1").fill("Orchard-by-the-river-2026")
    page.locator("#id_password2").fill("Orchard-by-the-river-2026")
    page.locator("main form button[type=submit]").click()

    expect(page).to_have_url(f"{base}/suppliers/apply/company/")
    expect(page.locator("ul.messages li.success")).to_be_visible()
    expect(page.get_by_test_id("current-user")).to_contain_text("向明")
    supplier = Supplier.objects.get(legal_name=legal_name)
    assert supplier.status == SupplierStatus.DRAFT
    assert supplier.members.get().username == "qingjiang-citrus"

    # 2a. Company, with a mistyped credit code first ------------------------------------------------
    expect(page.locator('nav.steps a[aria-current="step"]')).to_have_attribute(
        "href", "/suppliers/apply/company/"
    )
    expect(page.locator("#id_legal_name")).to_have_value(legal_name)
    expect(page.locator("#id_contact_name")).to_have_value("向明")
    page.locator("#id_uscc").fill(_wrong_check_character(uscc))
    page.locator("#id_legal_representative").fill("向明")
    page.locator("#id_contact_phone").fill("0718-4321000")
    page.locator("#id_address").fill("湖北省恩施土家族苗族自治州巴东县信陵镇江北路18号")
    page.locator("button[name=next]").click()

    expect(page).to_have_url(f"{base}/suppliers/apply/company/")
    uscc_error = _field(page, "uscc").locator(".field-error")
    expect(uscc_error).to_be_visible()
    expect(uscc_error).to_contain_text(f"“{uscc[17]}”")  # names the check character it expected
    expect(page.locator(".field-error")).to_have_count(1)
    # What was typed is kept; nothing was saved.
    expect(page.locator("#id_address")).to_have_value("湖北省恩施土家族苗族自治州巴东县信陵镇江北路18号")
    supplier.refresh_from_db()
    assert supplier.uscc is None and supplier.address == ""

    page.locator("#id_uscc").fill(uscc.lower())  # people type codes in lower case; it is normalised
    page.locator("button[name=next]").click()
    expect(page).to_have_url(f"{base}/suppliers/apply/location/")
    supplier.refresh_from_db()
    assert supplier.uscc == uscc
    assert supplier.legal_representative == "向明"

    # 2b. Location: province -> city -> county, reloaded by htmx; only eligible ones are offered -----
    page.locator("#id_province").select_option(label="湖北省")
    enshi = page.locator("#id_city option", has_text="恩施土家族苗族自治州")
    expect(enshi).to_have_count(1)
    hubei_cities = set(
        City.objects.filter(province__code="42", counties__is_eligible=True).values_list("name", flat=True)
    )
    assert set(_options(page, "id_city")) == hubei_cities
    assert "武汉市" not in hubei_cities  # no eligible county there: not offered
    page.locator("#id_city").select_option(label="恩施土家族苗族自治州")
    expect(page.locator("#id_county option", has_text="巴东县")).to_have_count(1)
    assert set(_options(page, "id_county")) == set(
        County.objects.filter(city=badong.city, is_eligible=True).values_list("name", flat=True)
    )
    page.locator("#id_county").select_option(label="巴东县")
    page.locator("button[name=next]").click()
    expect(page).to_have_url(f"{base}/suppliers/apply/business/")
    supplier.refresh_from_db()
    assert supplier.county == badong

    # 2c. Business and bank -------------------------------------------------------------------------
    page.locator("#id_business_scope").fill("柑橘、脐橙种植与销售；农产品初加工。")
    page.locator('input[name=product_lines][value="fresh_produce"]').check()
    page.locator("#id_bank_name").fill("湖北巴东农村商业银行信陵支行")
    page.locator("#id_bank_account_name").fill(legal_name)
    page.locator("#id_bank_account_number").fill("8201 0000 1234 5678 90")
    page.locator("button[name=next]").click()
    expect(page).to_have_url(f"{base}/suppliers/documents/")
    supplier.refresh_from_db()
    assert supplier.product_lines == ["fresh_produce"]
    assert supplier.bank_account_number == "820100001234567890"  # spaces dropped

    # 2d. Documents: fresh produce needs only the business licence ---------------------------------
    requirements = page.get_by_test_id("requirements").locator("li")
    expect(requirements).to_have_count(1)
    expect(requirements.first).to_have_class(re.compile(r"\bmissing\b"))
    scan = tmp_path / "business-licence.png"
    scan.write_bytes(_png_bytes())
    page.locator("#id_type").select_option("business_licence")
    page.locator("#id_number").fill(uscc)
    page.locator("#id_issuer").fill("巴东县市场监督管理局")
    page.locator("#id_valid_from").fill("2024-01-01")
    page.locator("#id_long_term").check()
    page.locator("#id_file").set_input_files(str(scan))
    page.locator('main form[enctype="multipart/form-data"] button[type=submit]').click()

    expect(page).to_have_url(f"{base}/suppliers/documents/")
    expect(page.locator("ul.messages li.success")).to_be_visible()
    expect(requirements.first).to_have_class(re.compile(r"\bok\b"))
    documents = page.get_by_test_id("documents")
    expect(documents.locator("tbody tr")).to_have_count(1)
    expect(documents).to_contain_text(uscc)
    expect(documents).to_contain_text("巴东县市场监督管理局")
    qualification = Qualification.objects.get(supplier=supplier)
    assert qualification.long_term and qualification.valid_until is None
    assert qualification.file_type == "image/png"

    # 2e. Review and submit -------------------------------------------------------------------------
    page.locator('main a[href="/suppliers/apply/review/"].button').click()
    expect(page).to_have_url(f"{base}/suppliers/apply/review/")
    expect(page.get_by_test_id("problems")).to_have_count(0)
    expect(page.locator("dl.facts")).to_contain_text(uscc)
    expect(page.locator("dl.facts")).to_contain_text("巴东县")
    page.locator("main form[method=post] button[type=submit]").click()

    expect(page).to_have_url(f"{base}/suppliers/portal/")
    expect(page.get_by_test_id("supplier-status")).to_have_text(SUBMITTED)
    supplier.refresh_from_db()
    assert supplier.status == SupplierStatus.SUBMITTED

    # 3. The county office endorses it --------------------------------------------------------------
    log_out(page)
    log_in(page, base, officer.username)
    page.goto(f"{base}/county/applications/")
    pending = page.get_by_test_id("pending")
    expect(pending.locator("tbody tr")).to_have_count(1)
    expect(pending).to_contain_text(legal_name)
    pending.locator(f'a[href="/county/applications/{supplier.pk}/"]').click()
    expect(page).to_have_url(f"{base}/county/applications/{supplier.pk}/")
    expect(page.get_by_test_id("documents")).to_contain_text(uscc)
    page.locator("#id_reason").fill(county_reason)
    page.locator('button[name=action][value="endorse"]').click()

    expect(page).to_have_url(f"{base}/county/applications/")
    expect(page.locator("ul.messages li.success")).to_contain_text(legal_name)
    expect(page.get_by_test_id("pending")).to_have_count(0)
    supplier.refresh_from_db()
    assert supplier.status == SupplierStatus.ENDORSED

    # 4. Ops approve it in the admin ----------------------------------------------------------------
    log_out(page)
    log_in(page, base, ops.username)
    page.goto(f"{base}/admin/suppliers/supplier/")
    row = page.locator(
        "#result_list tbody tr", has=page.locator(f'input[name=_selected_action][value="{supplier.pk}"]')
    )
    expect(row).to_contain_text(legal_name)
    row.locator("input[name=_selected_action]").check()
    page.locator("select[name=action]").select_option("do_approve")
    page.locator("#changelist-form .actions button[name=index]").click()

    reason = page.locator("textarea[name=reason]")
    expect(reason).to_be_visible()
    expect(page.locator("#content")).to_contain_text(legal_name)
    expect(page.locator("#content ul.errorlist")).to_have_count(0)  # no open problems to approve
    reason.fill(ops_reason)
    page.locator("#content form input[type=submit].default").click()

    expect(page).to_have_url(f"{base}/admin/suppliers/supplier/")
    done = page.locator("ul.messagelist li")  # message_user's default level: "info"
    expect(done).to_have_count(1)
    expect(done).not_to_have_class(re.compile(r"\b(error|warning)\b"))
    expect(done).to_contain_text(legal_name)
    supplier.refresh_from_db()
    assert supplier.status == SupplierStatus.ACTIVE

    # 5. The supplier sees itself approved, with both reviewers' reasons -----------------------------
    log_out(page)
    log_in(page, base, "qingjiang-citrus", "Orchard-by-the-river-2026")
    page.goto(f"{base}/suppliers/portal/")
    expect(page.get_by_test_id("supplier-status")).to_have_text(ACTIVE)
    history = page.get_by_test_id("history")
    expect(history.locator("li")).to_have_count(3)  # submitted, endorsed, approved
    expect(history).to_contain_text(county_reason)
    expect(history).to_contain_text(ops_reason)
    assert list(SupplierEvent.objects.filter(supplier=supplier).values_list("action", flat=True)) == [
        "submit",
        "endorse",
        "approve",
    ]


def test_a_supplier_cannot_download_another_suppliers_document(page, live_server):
    base = live_server.url
    user_a = SupplierUserFactory()
    user_b = SupplierUserFactory()

    def add_licence(user, colour):
        return services.qualification_add(
            supplier=user.supplier,
            by=user,
            type="business_licence",
            number=user.supplier.uscc,
            issuer="县市场监督管理局",
            valid_from=datetime.date(2024, 1, 1),
            valid_until=None,
            long_term=True,
            upload=SimpleUploadedFile("licence.png", _png_bytes(colour), content_type="image/png"),
        )

    own = add_licence(user_a, (30, 120, 30))
    theirs = add_licence(user_b, (30, 30, 120))

    log_in(page, base, user_a.username)
    mine = page.request.get(f"{base}/suppliers/documents/{own.pk}/file/")
    assert mine.status == 200
    assert mine.headers["content-type"] == "image/png"
    assert mine.headers["content-disposition"].startswith("attachment")

    other = page.request.get(f"{base}/suppliers/documents/{theirs.pk}/file/")
    assert other.status == 404
    assert other.headers["content-type"].startswith("text/html")
