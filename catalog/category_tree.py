"""The category tree Fengshou starts with (ops change it in the admin afterwards).

Each leaf: slug, name, price basis, qualification requirements (groups of alternatives: every group
must be met by one of its types) and whether a test report is required.
"""

PRODUCTION = [["food_production"]]
PRODUCTION_OR_OPERATION = [["food_production", "food_operation"]]

TREE = [
    (
        "grain-oil",
        "粮油米面",
        [
            ("rice", "大米", "500g", PRODUCTION, True),
            ("flour-noodles", "面粉挂面", "500g", PRODUCTION, False),
            ("cooking-oil", "食用油", "L", PRODUCTION, True),
            ("coarse-grains", "杂粮", "500g", [], False),
        ],
    ),
    (
        "fruit",
        "水果",
        [
            ("citrus", "柑橘橙柚", "500g", [], False),
            ("apple-pear", "苹果梨", "500g", [], False),
            ("kiwi", "猕猴桃", "500g", [], False),
            ("other-fruit", "其他水果", "500g", [], False),
        ],
    ),
    (
        "vegetables",
        "蔬菜",
        [
            ("highland-veg", "高山蔬菜", "500g", [], False),
            ("tubers", "薯类", "500g", [], False),
        ],
    ),
    (
        "meat-eggs",
        "肉禽蛋",
        [
            ("pork", "猪肉", "500g", PRODUCTION_OR_OPERATION, True),
            ("poultry", "禽肉", "500g", PRODUCTION_OR_OPERATION, True),
            ("eggs", "鲜蛋", "piece", PRODUCTION_OR_OPERATION, True),
            ("cured-meat", "腊肉腊肠", "500g", PRODUCTION, True),
        ],
    ),
    (
        "aquatic",
        "水产",
        [
            ("fish", "淡水鱼", "500g", PRODUCTION_OR_OPERATION, True),
        ],
    ),
    (
        "tea",
        "茶叶",
        [
            ("green-tea", "绿茶", "500g", PRODUCTION, True),
            ("black-tea", "红茶", "500g", PRODUCTION, True),
            ("dark-tea", "黑茶", "500g", PRODUCTION, True),
        ],
    ),
    (
        "dried-goods",
        "干货",
        [
            ("mushrooms", "食用菌", "500g", [], False),
            ("nuts", "坚果", "500g", [], False),
            ("dried-fruit", "果干", "500g", PRODUCTION, False),
        ],
    ),
    (
        "snacks",
        "休闲食品",
        [
            ("snacks-baked", "糕点饼干", "500g", PRODUCTION, False),
            ("snacks-other", "其他零食", "500g", PRODUCTION, False),
        ],
    ),
    (
        "drinks",
        "酒水饮料",
        [
            ("liquor", "白酒", "L", PRODUCTION, True),
            ("juice", "果汁饮料", "L", PRODUCTION, False),
        ],
    ),
    (
        "condiments",
        "调味品",
        [
            ("sauces", "调味酱料", "500g", PRODUCTION, False),
            ("soy-vinegar", "酱油醋", "L", PRODUCTION, False),
            ("spices", "香辛料", "500g", [], False),
        ],
    ),
    (
        "bee-products",
        "蜂产品",
        [
            ("honey", "蜂蜜", "500g", PRODUCTION, True),
        ],
    ),
    (
        "union-gifts",
        "工会福利礼盒",
        [
            ("gift-boxes", "福利礼盒", "piece", PRODUCTION, False),
        ],
    ),
]


def load_tree(category_model) -> int:
    """Create the tree where missing (idempotent by slug). Returns how many categories were created."""
    created = 0
    for position, (slug, name, leaves) in enumerate(TREE):
        parent, made = category_model.objects.get_or_create(
            slug=slug, defaults={"name": name, "position": position, "price_basis": leaves[0][2]}
        )
        created += made
        for leaf_position, (leaf_slug, leaf_name, basis, requirements, report) in enumerate(leaves):
            _leaf, made = category_model.objects.get_or_create(
                slug=leaf_slug,
                defaults={
                    "name": leaf_name,
                    "parent": parent,
                    "position": leaf_position,
                    "price_basis": basis,
                    "required_qualifications": requirements,
                    "requires_test_report": report,
                },
            )
            created += made
    return created
