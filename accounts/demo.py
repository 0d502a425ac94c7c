"""Demo accounts: one or more for every role, all with the demo password (README)."""

from accounts.models import Role, User
from accounts.roles import OpsTeam
from accounts.services import user_create
from marketplace.demo import DEMO_PASSWORD, DemoContext
from regions.demo import HOME_COUNTY

# username, last name, first name, role, organisation key in ctx.made, ops teams
ACCOUNTS = [
    ("buyer", "李", "静", Role.BUYER, "buyer:main", ()),
    ("buyer-school", "陈", "晓梅", Role.BUYER, "buyer:school", ()),
    ("buyer-union", "周", "建华", Role.BUYER, "buyer:union", ()),
    ("supplier", "谭", "春燕", Role.SUPPLIER, "supplier:active", ()),
    ("supplier-pending", "向", "明华", Role.SUPPLIER, "supplier:submitted", ()),
    ("supplier-draft", "邓", "国强", Role.SUPPLIER, "supplier:draft", ()),
    ("county", "黄", "德明", Role.COUNTY_OFFICER, f"office:{HOME_COUNTY}", ()),
    ("ops-content", "王", "芳", Role.OPS, None, (OpsTeam.CONTENT,)),
    ("ops-control", "赵", "磊", Role.OPS, None, (OpsTeam.INTERNAL_CONTROL,)),
    ("ops-data", "孙", "悦", Role.OPS, None, (OpsTeam.DATA,)),
    ("ops-demand", "吴", "敏", Role.OPS, None, (OpsTeam.DEMAND,)),
    ("ops-service", "郑", "丽", Role.OPS, None, (OpsTeam.CUSTOMER_SERVICE,)),
]

ORG_FIELD = {Role.BUYER: "buyer_unit", Role.SUPPLIER: "supplier", Role.COUNTY_OFFICER: "county_office"}


def seed(ctx: DemoContext) -> None:
    existing = set(User.objects.values_list("username", flat=True))
    if "admin" not in existing:
        user_create(
            username="admin",
            password=DEMO_PASSWORD,
            role=Role.OPS,
            last_name="管理员",
            email="admin@fengshou.example",
            is_superuser=True,
        )
        ctx.count("users")
    for username, last, first, role, org_key, teams in ACCOUNTS:
        if username in existing:
            continue
        org = {ORG_FIELD[role]: ctx.made[org_key]} if org_key else {}
        user_create(
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
