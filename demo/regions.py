"""Demo county offices: one per county that hosts demo suppliers."""

from demo import DemoContext
from regions.models import County, CountyOffice
from regions.services import county_office_create

# The county of the main demo accounts (湖北省恩施州巴东县), and a few more for variety.
HOME_COUNTY = "422823"
DEMO_COUNTIES = [HOME_COUNTY, "420527", "421123", "360734", "500240", "510727", "431226", "500229"]


def seed(ctx: DemoContext) -> None:
    counties = {c.code: c for c in County.objects.filter(code__in=DEMO_COUNTIES, is_eligible=True)}
    for code in DEMO_COUNTIES:
        county = counties.get(code)
        if county is None:
            continue  # not eligible in this registry: ops unflagged it, leave it out
        office = CountyOffice.objects.filter(county=county).first()
        if office is None:
            office = county_office_create(
                county=county, name=f"{county.name}乡村振兴局", contact_phone="0718-4321000"
            )
            ctx.count("county offices")
        ctx.made[f"office:{code}"] = office
        ctx.made[f"county:{code}"] = county
