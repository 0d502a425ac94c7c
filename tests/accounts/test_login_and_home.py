import pytest
from axes.models import AccessAttempt
from django.db import connection
from django.test.utils import CaptureQueriesContext

from demo import DEMO_PASSWORD
from suppliers.models import SupplierStatus
from tests.factories import (
    BuyerFactory,
    CountyOfficerFactory,
    OpsFactory,
    SupplierFactory,
    SupplierUserFactory,
)

pytestmark = pytest.mark.django_db


def _login(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_login_with_the_right_password_reaches_the_home_page(client):
    buyer = BuyerFactory()
    response = _login(client, buyer.username, DEMO_PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    page = client.get("/")
    assert buyer.buyer_unit.name in page.content.decode()


def test_bad_credentials_get_a_clear_message_and_no_session(client):
    buyer = BuyerFactory()
    response = _login(client, buyer.username, "wrong")
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()  # Django's own zh-hans message
    assert "_auth_user_id" not in client.session


def test_repeated_failures_lock_the_account_out(client, settings):
    buyer = BuyerFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, buyer.username, "wrong")
    response = _login(client, buyer.username, DEMO_PASSWORD)
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.filter(username=buyer.username).exists()


def test_password_change(client):
    user = SupplierUserFactory()
    client.force_login(user)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": DEMO_PASSWORD,
            "new_password1": "harvest-2027-tea",
            "new_password2": "harvest-2027-tea",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("harvest-2027-tea")


def test_logout_is_a_post(client):
    client.force_login(BuyerFactory())
    assert client.post("/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_anonymous_home_is_the_public_landing_page(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "脱贫地区农副产品" in response.content.decode()


@pytest.mark.parametrize(
    "factory,marker",
    [
        (BuyerFactory, "商品目录"),
        (SupplierUserFactory, "供应商工作台"),
        (CountyOfficerFactory, "待您认定的入驻申请"),
        (OpsFactory, "业务运营中心"),
    ],
)
def test_each_role_sees_its_own_home(client, factory, marker):
    client.force_login(factory())
    response = client.get("/")
    assert response.status_code == 200
    assert marker in response.content.decode()


def test_county_officer_sees_only_its_own_countys_pending_applications(client):
    officer = CountyOfficerFactory()
    county = officer.county_office.county
    mine = SupplierFactory(county=county, status=SupplierStatus.SUBMITTED, legal_name="本县待认定合作社")
    SupplierFactory(county=county, status=SupplierStatus.ACTIVE, legal_name="本县已通过合作社")
    from tests.factories import eligible_county

    SupplierFactory(county=eligible_county(5), status=SupplierStatus.SUBMITTED, legal_name="外县待认定合作社")
    client.force_login(officer)
    response = client.get("/")
    assert list(response.context["pending"]) == [mine]
    assert "外县待认定合作社" not in response.content.decode()


def _queries_for_home(client) -> int:
    client.get("/")  # the first page view fills the cached category tree
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/").status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("factory", [BuyerFactory, CountyOfficerFactory, OpsFactory])
def test_home_pages_make_a_constant_number_of_queries(client, factory):
    user = factory()
    client.force_login(user)
    county = user.county_office.county if user.county_office_id else None
    SupplierFactory(**({"county": county, "status": SupplierStatus.SUBMITTED} if county else {}))
    few = _queries_for_home(client)
    for _ in range(10):
        SupplierFactory(**({"county": county, "status": SupplierStatus.SUBMITTED} if county else {}))
    assert _queries_for_home(client) == few
