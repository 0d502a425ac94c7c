import csv

import pytest

from regions.divisions import DATA_DIR, load_divisions
from regions.models import City, County, Province

pytestmark = pytest.mark.django_db


def test_registry_holds_the_official_counts():
    assert Province.objects.count() == 31
    assert City.objects.count() == 342
    assert County.objects.count() == 2978


def test_eligible_flags_follow_the_shipped_list():
    with open(DATA_DIR / "eligible_counties.csv", encoding="utf-8") as fh:
        codes = {row["code"] for row in csv.DictReader(fh)}
    assert len(codes) == 831  # 832 listed, one (冷湖行委) no longer exists: see ELIGIBLE_SOURCES.md
    assert set(County.objects.filter(is_eligible=True).values_list("code", flat=True)) == codes
    badong = County.objects.select_related("city", "province").get(code="422823")
    assert badong.is_eligible
    assert badong.full_name == "湖北省 恩施土家族苗族自治州 巴东县"
    assert not County.objects.get(code="110101").is_eligible  # 北京市东城区


def test_counties_sit_in_their_city_and_province():
    county = County.objects.select_related("city__province", "province").get(code="360734")
    assert (county.name, county.city.code, county.province.code) == ("寻乌县", "3607", "36")
    assert county.city.province == county.province


def test_reloading_changes_nothing_and_keeps_ops_edits():
    County.objects.filter(code="110101").update(is_eligible=True, eligibility_note="ops decision")
    result = load_divisions(Province, City, County, apply_eligibility=False)
    assert (result.provinces, result.cities, result.counties) == (31, 342, 2978)
    assert County.objects.get(code="110101").is_eligible
    result = load_divisions(Province, City, County, apply_eligibility=True)
    assert result.eligible == 831
    assert not County.objects.get(code="110101").is_eligible


def test_county_admin_lets_ops_edit_only_the_flag(admin_client):
    county = County.objects.get(code="110101")
    response = admin_client.get(f"/admin/regions/county/{county.pk}/change/")
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert set(form.fields) == {"is_eligible", "eligibility_note"}
    response = admin_client.post(
        f"/admin/regions/county/{county.pk}/change/", {"is_eligible": "on", "eligibility_note": "核实后加入"}
    )
    assert response.status_code == 302
    county.refresh_from_db()
    assert county.is_eligible and county.eligibility_note == "核实后加入"
    assert admin_client.get("/admin/regions/county/add/").status_code == 403
