"""Steps the browser journeys share."""

from playwright.sync_api import expect

from demo import DEMO_PASSWORD


def log_in(page, base_url, username, password=DEMO_PASSWORD):
    page.goto(f"{base_url}/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("main form:has(#id_username) button[type=submit]").click()
    expect(page.get_by_test_id("current-user")).to_be_visible()


def log_out(page):
    """The header's log-out button: the site's (/accounts/logout/) or the admin's (/admin/logout/)."""
    page.locator('header form[action$="/logout/"] button[type=submit]').click()
    expect(page.locator('header a[href="/accounts/login/"]')).to_be_visible()
    expect(page.get_by_test_id("current-user")).to_have_count(0)
