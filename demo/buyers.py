"""Demo buyer units: agencies, institutions and unions in several provinces."""

from buyers.models import BuyerUnit
from buyers.services import buyer_unit_create
from demo import DemoContext, make_uscc
from regions.models import County, Province

# key, name, kind, province code, county code or None, first two USCC characters
UNITS = [
    ("main", "武汉市机关事务管理局", BuyerUnit.Kind.GOVERNMENT_AGENCY, "42", "420102", "11"),
    ("school", "武汉市第二中学", BuyerUnit.Kind.PUBLIC_INSTITUTION, "42", "420103", "12"),
    ("union", "武汉市总工会", BuyerUnit.Kind.TRADE_UNION, "42", None, "81"),
    ("hospital", "广州市第一人民医院", BuyerUnit.Kind.PUBLIC_INSTITUTION, "44", "440104", "12"),
    ("ministry", "浙江省财政厅", BuyerUnit.Kind.GOVERNMENT_AGENCY, "33", None, "11"),
    ("university", "南京农业大学", BuyerUnit.Kind.PUBLIC_INSTITUTION, "32", "320102", "12"),
]


def seed(ctx: DemoContext) -> None:
    provinces = {p.code: p for p in Province.objects.all()}
    counties = {c.code: c for c in County.objects.filter(code__in=[u[4] for u in UNITS if u[4]])}
    for key, name, kind, province_code, county_code, prefix in UNITS:
        county = counties.get(county_code) if county_code else None
        division = county.code if county else province_code + "0000"
        uscc = make_uscc(ctx.rng, authority_and_type=prefix, division_code=division)
        unit = BuyerUnit.objects.filter(name=name).first()
        if unit is None:
            unit = buyer_unit_create(
                name=name, uscc=uscc, kind=kind, province=provinces[province_code], county=county
            )
            ctx.count("buyer units")
        ctx.made[f"buyer:{key}"] = unit
