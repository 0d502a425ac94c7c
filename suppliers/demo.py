"""Demo suppliers: named ones for the demo accounts, then ``--suppliers N`` generated ones."""

from marketplace.demo import DemoContext, make_uscc
from regions.demo import HOME_COUNTY
from regions.models import County
from suppliers.models import Supplier, SupplierStatus
from suppliers.services import supplier_create

# key, legal name, status, contact
NAMED = [
    ("active", "巴东县金果茶叶专业合作社", SupplierStatus.ACTIVE, "谭春燕"),
    ("submitted", "巴东县神农溪农业发展有限公司", SupplierStatus.SUBMITTED, "向明华"),
    ("draft", "巴东县三峡红椒种植专业合作社", SupplierStatus.DRAFT, "邓国强"),
]

PRODUCE = [
    "茶叶",
    "柑橘",
    "蜂蜜",
    "香菇",
    "木耳",
    "核桃",
    "大米",
    "土豆",
    "腊肉",
    "高山蔬菜",
    "猕猴桃",
    "中药材",
    "油茶",
    "红薯",
]
BRANDS = [
    "金果",
    "绿源",
    "山里红",
    "清泉",
    "丰禾",
    "云岭",
    "青山",
    "田园",
    "乡味",
    "古寨",
    "禾丰",
    "沃土",
    "佳禾",
    "瑶乡",
]
FORMS = [("专业合作社", "93"), ("农业发展有限公司", "91"), ("生态农业有限公司", "91"), ("食品有限公司", "91")]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何罗谭向田"
GIVEN = ["春燕", "明华", "国强", "建军", "秀英", "志刚", "丽娟", "海波", "小红", "德明", "桂兰", "永福"]


def _county_stem(name: str) -> str:
    for suffix in ("土家族自治县", "苗族自治县", "自治县", "县", "市", "区", "旗"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def _phone(ctx: DemoContext) -> str:
    return "1" + ctx.rng.choice("3578") + "".join(ctx.rng.choice("0123456789") for _ in range(9))


def seed(ctx: DemoContext) -> None:
    home = ctx.made.get(f"county:{HOME_COUNTY}") or County.objects.get(code=HOME_COUNTY)
    for key, name, status, contact in NAMED:
        # Draw first, so the random stream is the same whether or not the row exists.
        prefix = "93" if name.endswith("合作社") else "91"
        uscc = make_uscc(ctx.rng, authority_and_type=prefix, division_code=home.code)
        phone = _phone(ctx)
        supplier = Supplier.objects.filter(legal_name=name).first()
        if supplier is None:
            supplier = supplier_create(
                legal_name=name,
                county=home,
                uscc=uscc,
                contact_name=contact,
                contact_phone=phone,
                status=status,
            )
            ctx.count("suppliers")
        ctx.made[f"supplier:{key}"] = supplier

    wanted = ctx.options.get("suppliers", 20)
    existing = Supplier.objects.count() - len(NAMED)
    if existing >= wanted:
        return
    eligible = list(County.objects.filter(is_eligible=True).order_by("code"))
    statuses = [SupplierStatus.ACTIVE] * 7 + [
        SupplierStatus.SUBMITTED,
        SupplierStatus.ENDORSED,
        SupplierStatus.DRAFT,
    ]
    taken = set(Supplier.objects.values_list("legal_name", flat=True))
    made = 0
    while existing + made < wanted:
        county = ctx.rng.choice(eligible)
        form, prefix = ctx.rng.choice(FORMS)
        name = f"{_county_stem(county.name)}{ctx.rng.choice(BRANDS)}{ctx.rng.choice(PRODUCE)}{form}"
        if name in taken:
            continue
        taken.add(name)
        supplier_create(
            legal_name=name,
            county=county,
            uscc=make_uscc(ctx.rng, authority_and_type=prefix, division_code=county.code),
            contact_name=ctx.rng.choice(SURNAMES) + ctx.rng.choice(GIVEN),
            contact_phone=_phone(ctx),
            status=ctx.rng.choice(statuses),
        )
        made += 1
    ctx.count("suppliers", made)
