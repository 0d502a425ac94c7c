"""Demo accounts for buyers, county officers and ops (suppliers' own accounts: demo.suppliers).
All use the demo password (README)."""

from accounts.models import Role, User
from accounts.roles import OpsTeam
from accounts.services import user_create
from demo import DEMO_PASSWORD, DemoContext
from demo.regions import DEMO_COUNTIES, HOME_COUNTY

# username, family name, given name, role, organisation key in ctx.made, ops teams
ACCOUNTS = [
    ("buyer", "李", "静", Role.BUYER, "buyer:main", ()),
    ("buyer-school", "陈", "晓梅", Role.BUYER, "buyer:school", ()),
    ("buyer-union", "周", "建华", Role.BUYER, "buyer:union", ()),
    ("county", "黄", "德明", Role.COUNTY_OFFICER, f"office:{HOME_COUNTY}", ()),
    ("ops-content", "王", "芳", Role.OPS, None, (OpsTeam.CONTENT,)),
    ("ops-control", "赵", "磊", Role.OPS, None, (OpsTeam.INTERNAL_CONTROL,)),
    # a second reviewer: the random draw needs a choice, and an appeal another reviewer than the check's
    ("ops-control2", "钱", "晓东", Role.OPS, None, (OpsTeam.INTERNAL_CONTROL,)),
    ("ops-data", "孙", "悦", Role.OPS, None, (OpsTeam.DATA,)),
    ("ops-demand", "吴", "敏", Role.OPS, None, (OpsTeam.DEMAND,)),
    ("ops-service", "郑", "丽", Role.OPS, None, (OpsTeam.CUSTOMER_SERVICE,)),
] + [
    # one officer for each other demo county, so every demo supplier can be endorsed
    (f"county-{code}", "刘", "主任", Role.COUNTY_OFFICER, f"office:{code}", ())
    for code in DEMO_COUNTIES
    if code != HOME_COUNTY
]

ORG_FIELD = {Role.BUYER: "buyer_unit", Role.SUPPLIER: "supplier", Role.COUNTY_OFFICER: "county_office"}


def seed(ctx: DemoContext) -> None:
    existing = {u.username: u for u in User.objects.filter(username__in=["admin", *(a[0] for a in ACCOUNTS)])}
    if "admin" not in existing:
        existing["admin"] = user_create(
            username="admin",
            password=DEMO_PASSWORD,
            role=Role.OPS,
            last_name="管理员",
            email="admin@fengshou.example",
            is_superuser=True,
        )
        ctx.count("users")
    for username, last, first, role, org_key, teams in ACCOUNTS:
        if username not in existing:
            if org_key and org_key not in ctx.made:
                continue  # that county is not eligible in this registry
            org = {ORG_FIELD[role]: ctx.made[org_key]} if org_key else {}
            existing[username] = user_create(
                username=username,
                password=DEMO_PASSWORD,
                role=role,
                teams=teams,
                last_name=last,
                first_name=first,
                email=f"{username}@fengshou.example",
                **org,
            )
            ctx.count("users")
        ctx.made[f"user:{username}"] = existing[username]
        if role == Role.COUNTY_OFFICER:
            ctx.made[f"officer:{existing[username].county_office.county.code}"] = existing[username]
