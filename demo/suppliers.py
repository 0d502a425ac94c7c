"""Demo suppliers in every state, each taken there through the real services (application,
documents, county endorsement, ops review, expiry watch), so their history reads true."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Role, User
from accounts.services import user_create
from demo import DEMO_PASSWORD, DemoContext, demo_scan_png, make_uscc
from demo.regions import DEMO_COUNTIES, HOME_COUNTY
from regions.models import County
from suppliers import services
from suppliers.models import Qualification, Supplier, SupplierStatus
from suppliers.rules import ProductLine, QualificationType, required_qualifications
from suppliers.workflow import Action

S = SupplierStatus
# username, legal name, county code, target state, product lines, contact, special
NAMED = [
    ("supplier", "巴东县金果茶叶专业合作社", HOME_COUNTY, S.ACTIVE, [ProductLine.TEA], "谭春燕", ""),
    (
        "supplier-pending",
        "巴东县神农溪农业发展有限公司",
        HOME_COUNTY,
        S.SUBMITTED,
        [ProductLine.FRESH_PRODUCE],
        "向明华",
        "",
    ),
    (
        "supplier-draft",
        "巴东县三峡红椒种植专业合作社",
        HOME_COUNTY,
        S.DRAFT,
        [ProductLine.CONDIMENTS],
        "邓国强",
        "partial",
    ),
    (
        "supplier-endorsed",
        "巴东县绿源核桃专业合作社",
        HOME_COUNTY,
        S.ENDORSED,
        [ProductLine.DRIED_GOODS],
        "田桂兰",
        "",
    ),
    (
        "supplier-expiring",
        "秭归县橙乡脐橙专业合作社",
        "420527",
        S.ACTIVE,
        [ProductLine.FRESH_PRODUCE],
        "王海波",
        "expiring",
    ),
    (
        "supplier-expired",
        "罗田县大别山蜂业有限公司",
        "421123",
        S.ACTIVE,
        [ProductLine.HONEY],
        "胡志刚",
        "expired",
    ),
    (
        "supplier-honey",
        "罗田县天堂寨蜂业专业合作社",
        "421123",
        S.ACTIVE,
        [ProductLine.HONEY],
        "周德明",
        "",
    ),
    (
        "supplier-rejected",
        "寻乌县客家果业贸易有限公司",
        "360734",
        S.REJECTED,
        [ProductLine.FRESH_PRODUCE],
        "赖小红",
        "",
    ),
    (
        "supplier-terminated",
        "石柱县黄连中药材有限公司",
        "500240",
        S.TERMINATED,
        [ProductLine.DRIED_GOODS],
        "马永福",
        "",
    ),
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
    "油茶",
    "红薯",
    "冷水鱼",
    "苞谷酒",
    "辣椒酱",
    "土家烧饼",
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
]
FORMS = [("专业合作社", "93"), ("农业发展有限公司", "91"), ("生态农业有限公司", "91"), ("食品有限公司", "91")]
LINE_BY_PRODUCE = {
    "茶叶": ProductLine.TEA,
    "柑橘": ProductLine.FRESH_PRODUCE,
    "蜂蜜": ProductLine.HONEY,
    "香菇": ProductLine.DRIED_GOODS,
    "木耳": ProductLine.DRIED_GOODS,
    "核桃": ProductLine.DRIED_GOODS,
    "大米": ProductLine.GRAIN_OIL,
    "土豆": ProductLine.FRESH_PRODUCE,
    "腊肉": ProductLine.MEAT_EGGS,
    "高山蔬菜": ProductLine.FRESH_PRODUCE,
    "猕猴桃": ProductLine.FRESH_PRODUCE,
    "油茶": ProductLine.GRAIN_OIL,
    "红薯": ProductLine.FRESH_PRODUCE,
    "冷水鱼": ProductLine.AQUATIC,
    "苞谷酒": ProductLine.BEVERAGES,
    "辣椒酱": ProductLine.CONDIMENTS,
    "土家烧饼": ProductLine.PROCESSED_FOOD,
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何罗谭向田"
GIVEN = ["春燕", "明华", "国强", "建军", "秀英", "志刚", "丽娟", "海波", "小红", "德明", "桂兰", "永福"]
BANKS = ["中国农业银行", "中国邮政储蓄银行", "农村商业银行", "中国建设银行"]

REVIEW_NOTES = {
    Action.ENDORSE: "经核实，该单位注册地和生产基地均在本县，同意认定。",
    Action.APPROVE: "资质齐全有效，审核通过。",
    Action.REJECT: "营业执照经营范围不含食品销售，且无法提供本县生产基地证明，不予通过。",
    Action.TERMINATE: "多次抽检不合格且未按期整改，终止合作。",
}


def _county_stem(name: str) -> str:
    for suffix in ("土家族自治县", "苗族自治县", "自治县", "县", "市", "区", "旗"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def _digits(ctx: DemoContext, n: int) -> str:
    return "".join(ctx.rng.choice("0123456789") for _ in range(n))


def _scan(ctx: DemoContext, title: str, number: str, name: str) -> SimpleUploadedFile:
    png = demo_scan_png(
        title=title, lines=[f"No. {number}", f"Holder #{ctx.rng.randint(1000, 9999)}"], seed=len(name)
    )
    return SimpleUploadedFile("scan.png", png, content_type="image/png")


def _add_documents(ctx: DemoContext, supplier: Supplier, user: User, *, until: datetime.date | None) -> None:
    today = timezone.localdate()
    code = supplier.county.code
    for requirement in required_qualifications(supplier.product_lines):
        kind = sorted(requirement.types)[0]
        if kind == QualificationType.BUSINESS_LICENCE:
            number, issuer, title = supplier.uscc, f"{supplier.county.name}市场监督管理局", "BUSINESS LICENCE"
            long_term, valid_until = until is None, until
        else:
            prefix = "SC" if kind == QualificationType.FOOD_PRODUCTION else "JY"
            number = f"{prefix}1{code}{_digits(ctx, 7)}"
            issuer, title = f"{supplier.county.name}市场监督管理局", f"{prefix} FOOD LICENCE"
            long_term, valid_until = (
                False,
                until or today + datetime.timedelta(days=ctx.rng.randint(400, 1500)),
            )
        services.qualification_add(
            supplier=supplier,
            by=user,
            type=kind,
            number=number,
            issuer=issuer,
            # Before the oldest generated listing went on sale (demo.catalog_bulk.SPAN, two years back).
            valid_from=today - datetime.timedelta(days=ctx.rng.randint(760, 1500)),
            valid_until=valid_until,
            long_term=long_term,
            upload=_scan(ctx, title, number, supplier.legal_name),
        )


def _walk(ctx: DemoContext, supplier: Supplier, user: User, target: str) -> None:
    officer = ctx.made.get(f"officer:{supplier.county.code}")
    control = ctx.made["user:ops-control"]
    path = {
        S.DRAFT: [],
        S.SUBMITTED: [(Action.SUBMIT, user)],
        S.ENDORSED: [(Action.SUBMIT, user), (Action.ENDORSE, officer)],
        S.ACTIVE: [(Action.SUBMIT, user), (Action.ENDORSE, officer), (Action.APPROVE, control)],
        S.REJECTED: [(Action.SUBMIT, user), (Action.ENDORSE, officer), (Action.REJECT, control)],
        S.TERMINATED: [
            (Action.SUBMIT, user),
            (Action.ENDORSE, officer),
            (Action.APPROVE, control),
            (Action.TERMINATE, control),
        ],
    }[target]
    for action, actor in path:
        services.supplier_transition(
            supplier=supplier, action=action, by=actor, reason=REVIEW_NOTES.get(action, "")
        )


def _make(ctx: DemoContext, *, username, name, county, target, lines, contact, special="") -> None:
    prefix = "93" if name.endswith("合作社") else "91"
    uscc = make_uscc(ctx.rng, authority_and_type=prefix, division_code=county.code)
    phone = "1" + ctx.rng.choice("3578") + _digits(ctx, 9)
    supplier = services.supplier_create(
        legal_name=name, county=county, contact_name=contact, contact_phone=phone
    )
    user = user_create(
        username=username,
        password=DEMO_PASSWORD,
        role=Role.SUPPLIER,
        supplier=supplier,
        last_name=contact[0],
        first_name=contact[1:],
        email=f"{username}@fengshou.example",
        phone=phone,
    )
    application = {
        "uscc": uscc,
        "legal_representative": contact,
        "address": f"{county.full_name}{ctx.rng.choice(['城关镇', '茶店子镇', '高坪镇', '溪丘湾乡'])}"
        f"{ctx.rng.randint(1, 199)}号",
        "product_lines": lines,
    }
    if special != "partial":
        application |= {
            "business_scope": "农产品种植、收购、加工、销售；预包装食品销售。",
            "bank_name": f"{ctx.rng.choice(BANKS)}{_county_stem(county.name)}支行",
            "bank_account_name": name,
            "bank_account_number": "62" + _digits(ctx, 17),
        }
    supplier = services.application_update(supplier=supplier, by=user, data=application)
    ctx.count("suppliers")
    if special == "partial":
        return
    today = timezone.localdate()
    until = today + datetime.timedelta(days=12) if special == "expiring" else None
    _add_documents(ctx, supplier, user, until=until)
    _walk(ctx, supplier, user, target)
    if special == "expired":
        # History: the food licence lapsed three days ago; tonight's watch found it and suspended sales.
        food = supplier.qualifications.exclude(type=QualificationType.BUSINESS_LICENCE).first()
        Qualification.objects.filter(pk=food.pk).update(
            valid_from=today - datetime.timedelta(days=3 * 365),
            valid_until=today - datetime.timedelta(days=3),
        )
        services.qualifications_watch_expiry(today=today)


def seed(ctx: DemoContext) -> None:
    counties = {c.code: c for c in County.objects.filter(code__in=DEMO_COUNTIES, is_eligible=True)}
    existing = set(User.objects.filter(role=Role.SUPPLIER).values_list("username", flat=True))
    for username, name, code, target, lines, contact, special in NAMED:
        if username in existing or code not in counties:
            continue
        _make(
            ctx,
            username=username,
            name=name,
            county=counties[code],
            target=target,
            lines=lines,
            contact=contact,
            special=special,
        )

    wanted = ctx.options.get("suppliers", 20)
    generated = User.objects.filter(role=Role.SUPPLIER, username__startswith="supplier-g").count()
    targets = [S.ACTIVE] * 6 + [S.SUBMITTED, S.ENDORSED, S.DRAFT, S.REJECTED]
    taken = set(Supplier.objects.values_list("legal_name", flat=True))
    codes = sorted(counties)
    n = generated
    while n < wanted and codes:
        county = counties[ctx.rng.choice(codes)]
        produce = ctx.rng.choice(PRODUCE)
        form, _prefix = ctx.rng.choice(FORMS)
        name = f"{_county_stem(county.name)}{ctx.rng.choice(BRANDS)}{produce}{form}"
        if name in taken:
            continue
        taken.add(name)
        n += 1
        _make(
            ctx,
            username=f"supplier-g{n:03d}",
            name=name,
            county=county,
            target=ctx.rng.choice(targets),
            lines=[LINE_BY_PRODUCE[produce]],
            contact=ctx.rng.choice(SURNAMES) + ctx.rng.choice(GIVEN),
        )
