import pytest
from playwright.sync_api import expect

from demo import DEMO_PASSWORD
from tests.factories import BuyerFactory, OpsFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page, base_url, username, password):
    page.goto(f"{base_url}/")
    page.get_by_role("link", name="登录").first.click()
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def test_a_buyer_logs_in_and_sees_its_home_page(page, live_server):
    buyer = BuyerFactory(last_name="李", first_name="静", buyer_unit__name="武汉市机关事务管理局")
    _log_in(page, live_server.url, buyer.username, DEMO_PASSWORD)
    expect(page.get_by_test_id("home-title")).to_have_text("武汉市机关事务管理局")
    expect(page.get_by_test_id("current-user")).to_contain_text("李静")
    expect(page.get_by_role("heading", name="商品目录")).to_be_visible()


def test_a_wrong_password_is_explained_and_english_is_one_click_away(page, live_server):
    buyer = BuyerFactory()
    _log_in(page, live_server.url, buyer.username, "not-my-password")
    expect(page.get_by_role("alert")).to_contain_text("请输入一个正确的")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()


def test_ops_reach_the_admin_from_their_home(page, live_server):
    ops = OpsFactory(teams=["internal_control"])
    _log_in(page, live_server.url, ops.username, DEMO_PASSWORD)
    expect(page.get_by_test_id("home-title")).to_have_text("业务运营中心")
    page.get_by_role("link", name="进入运营后台").click()
    expect(page).to_have_url(f"{live_server.url}/admin/")
    expect(page.get_by_role("link", name="供应商").first).to_be_visible()
