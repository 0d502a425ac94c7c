"""catalog.search: tokenisation (with the recall property), tsquery safety, and the search itself
on PostgreSQL (GIN index, ranking, the popularity pool) and through the icontains fallback."""

from decimal import Decimal

import pytest
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog import search
from catalog.models import Category, Product, ProductStatus
from tests.factories import SupplierFactory, eligible_county
from tests.services import require_postgres

HAN = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)


# --- Tokenisation -----------------------------------------------------------------------------------


def _a(name: str) -> set[str]:
    return set(search.index_tokens(name=name)[0].split())


def test_index_tokens_hold_words_characters_and_bigrams():
    a, b = search.index_tokens(
        name="五常稻花香大米", brand="金果", category="大米 粮油米面", county="巴东县 湖北省"
    )
    a_tokens, b_tokens = a.split(), b.split()
    assert len(a_tokens) == len(set(a_tokens))  # de-duplicated
    assert {"五", "常", "米", "五常", "常稻", "香大", "大米", "稻花"} <= set(a_tokens)
    assert {"金果", "大米", "粮油", "巴东", "湖北", "县"} <= set(b_tokens)
    assert "金果" not in a_tokens


def test_mixed_chinese_latin_and_digits():
    assert {"q", "弹", "弹鱼", "鱼丸"} <= _a("Q弹鱼丸")
    assert search.query_tokens("Q弹鱼丸") == ["q", "弹鱼", "鱼丸"]
    assert {"5kg", "kg", "g", "袋"} <= _a("大米 5kg/袋")
    assert search.query_tokens("5KG") == ["5kg"]


@pytest.mark.parametrize(
    ("q", "tokens"),
    [
        ("", []),
        ("   ", []),
        ("！？…，。,.;:'\"&|!()", []),
        ("米", ["米"]),
        ("大米", ["大米"]),
        ("猕猴桃", ["猕猴", "猴桃"]),
        ("五常大米", ["五常", "常大", "大米"]),
        ("  大米  5kg ", ["大米", "5kg"]),
        ("ＡＢＣ　大米５ｋｇ", ["abc", "大米", "5kg"]),  # full-width letters, digits and space
        ("大米,大米", ["大米"]),
        ("米·五", ["米", "五"]),
    ],
)
def test_query_tokens(q, tokens):
    assert search.query_tokens(q) == tokens


@settings(max_examples=300, deadline=None)
@given(name=st.text(alphabet=HAN, min_size=1, max_size=24), data=st.data())
def test_every_han_substring_of_the_name_is_found(name, data):
    """Recall 1.0 against ``name ILIKE '%s%'``: a substring's query tokens are all A tokens."""
    start = data.draw(st.integers(0, len(name) - 1))
    end = data.draw(st.integers(start + 1, len(name)))
    assert set(search.query_tokens(name[start:end])) <= _a(name)


@settings(max_examples=300, deadline=None)
@given(
    name=st.text(alphabet=st.one_of(HAN, st.sampled_from("abcQZ059 -/（）")), min_size=1, max_size=20),
    data=st.data(),
)
def test_every_substring_of_a_mixed_name_is_found(name, data):
    """With Latin and digit runs too: Han tokens are A tokens, Latin tokens prefixes of A tokens
    (they are searched as prefixes, and A holds every suffix of a Latin run)."""
    start = data.draw(st.integers(0, len(name) - 1))
    end = data.draw(st.integers(start + 1, len(name)))
    a = _a(name)
    for token in search.query_tokens(name[start:end]):
        if search._HAN_ONLY.fullmatch(token):
            assert token in a
        else:
            assert any(t.startswith(token) for t in a), (token, a)


def test_tsquery_quotes_escapes_and_prefixes():
    assert search.tsquery(["大米", "5kg"]) == "'大米' & '5kg':*"
    assert search.tsquery(["it's", "a\\b"]) == "'it''s':* & 'a\\\\b':*"
    assert search.tsquery([]) == ""
    assert search.tsquery(["大米"], tag=12) == "'\u017f12\u017f大米'"


def test_search_text_format():
    text = search.search_text(name="罗田土蜂蜜", brand="蜂之源", category="蜂蜜", county="罗田县")
    a, b = text.split("\x1f")
    assert "蜂蜜" in a.split() and "蜂之源" in b.split()


# --- Searching (fixtures) -----------------------------------------------------------------------------


def _product(
    name: str, slug: str, *, supplier, visible: bool = True, sales: int = 0, brand: str = ""
) -> Product:
    county = supplier.county
    product = Product.objects.create(
        supplier=supplier,
        category=Category.objects.get(slug=slug),
        name=name,
        brand=brand,
        origin_county=county,
        origin_province_id=county.province_id,
        status=ProductStatus.ON_SALE,
        is_visible=visible,
        sales_count=sales,
        min_price=Decimal("10.00"),
        min_unit_price=Decimal("5.00"),
    )
    fields = search.product_search_fields(product)
    Product.objects.filter(pk=product.pk).update(**fields)
    return product


@pytest.fixture
def catalogue(db):
    supplier = SupplierFactory(county=eligible_county(3))
    return {
        "wuchang": _product("五常大米 新米", "rice", supplier=supplier, sales=30),
        "panjin": _product("盘锦大米", "rice", supplier=supplier, sales=500),
        "category_only": _product("稻花香米 5kg", "rice", supplier=supplier, sales=9000),
        "gannan": _product("赣南脐橙", "citrus", supplier=supplier, sales=5),
        "zigui": _product("秭归脐橙 带箱10斤", "citrus", supplier=supplier),
        "honey": _product("罗田土蜂蜜", "honey", supplier=supplier, brand="蜂之源"),
        "hidden": _product("隐藏的大米脐橙", "rice", supplier=supplier, visible=False),
    }


def _names(products) -> list[str]:
    return [p.name for p in products]


VISIBLE = {"大米": {"五常大米 新米", "盘锦大米", "稻花香米 5kg"}, "脐橙": {"赣南脐橙", "秭归脐橙 带箱10斤"}}


# --- PostgreSQL -----------------------------------------------------------------------------------------


def test_postgres_finds_exactly_the_matching_visible_products(catalogue):
    require_postgres()
    visible = Product.objects.filter(is_visible=True)
    for q, expected in VISIBLE.items():
        assert set(_names(search.search_products(visible, q))) == expected
        assert set(_names(search.ranked_first_page(visible, q))) == expected
    assert _names(search.search_products(visible, "土蜂蜜")) == ["罗田土蜂蜜"]
    assert _names(search.search_products(visible, "蜂之源")) == ["罗田土蜂蜜"]  # the brand
    assert _names(search.search_products(visible, "5K")) == ["稻花香米 5kg"]  # a Latin prefix
    assert list(search.search_products(visible, "苹果")) == []


def test_postgres_ranks_a_name_match_above_a_category_only_match(catalogue):
    require_postgres()
    page = search.ranked_first_page(Product.objects.filter(is_visible=True), "大米")
    # 稻花香米 sells the most but matches 大米 only through its category.
    assert _names(page) == ["盘锦大米", "五常大米 新米", "稻花香米 5kg"]
    assert page[0].rank > page[-1].rank


@pytest.mark.parametrize("q", ["it's", "a\\b", "&|!:()*", "'大米' & !脐橙", "（大米）！：", "5kg's \\' x:*"])
def test_postgres_any_query_text_is_safe(catalogue, q):
    require_postgres()
    visible = Product.objects.filter(is_visible=True)
    list(search.search_products(visible, q))
    search.ranked_first_page(visible, q)
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_tsquery('simple', %s)", [search.tsquery([q, "it's", "\\", "x'||'y"])])


def test_postgres_uses_the_partial_gin_index(catalogue):
    require_postgres()
    from demo.catalog_bulk import generate_catalog

    # Some rows with statistics (generate_catalog runs ANALYZE); a scan of a few thousand rows
    # still beats any index, so take that choice away as a million rows would.
    generate_catalog(products=3000, seed=9, suppliers=[catalogue["honey"].supplier])
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        # New entries wait in GIN's pending list until a VACUUM, and the planner prices that in.
        cursor.execute("SELECT gin_clean_pending_list('catalog_product_search_gin')")
    visible = Product.objects.filter(is_visible=True)
    assert (
        "catalog_product_search_gin"
        in search.search_products(visible, "盘锦大米").order_by("-rank").explain()
    )
    plan = search.ranked_queryset(visible, "盘锦大米").explain()
    assert "Bitmap Index Scan on catalog_product_search_gin" in plan
    assert "Seq Scan" not in plan
    assert "Bitmap Index Scan on product_visible_new" not in plan


def test_postgres_broad_queries_rank_the_most_popular_pool(catalogue):
    require_postgres()
    visible = Product.objects.filter(is_visible=True)
    # A pool of 2: the walk down the popularity buckets stops at 稻花香米 (9000) and 盘锦大米 (500).
    assert _names(search.ranked_queryset(visible, "大米", pool=2, need=2)) == ["盘锦大米", "稻花香米 5kg"]
    # A page deeper than the pool widens it to every match needed.
    assert len(search.ranked_queryset(visible, "大米", pool=2, need=3)) == 3
    # Fewer hot matches than the pool: every match is ranked.
    assert set(_names(search.ranked_queryset(visible, "脐橙", pool=2, need=2))) == VISIBLE["脐橙"]
    # The pool is chosen among the rows the queryset keeps.
    assert _names(search.ranked_queryset(visible.exclude(sales_count=9000), "大米", pool=1, need=1)) == [
        "盘锦大米"
    ]


def test_postgres_index_update_rebuilds_vectors_from_search_text(catalogue):
    require_postgres()
    Product.objects.update(search_vector=None)
    assert search.product_index_update() == len(catalogue)
    assert search.product_index_update() == 0  # nothing left to change
    assert (
        set(_names(search.search_products(Product.objects.filter(is_visible=True), "脐橙")))
        == VISIBLE["脐橙"]
    )
    Product.objects.filter(name="盘锦大米").update(search_text="", search_vector=None)
    assert search.product_search_text_update([catalogue["panjin"].pk]) == 1
    assert "盘锦大米" in _names(search.search_products(Product.objects.filter(is_visible=True), "盘锦"))


# --- Any database -----------------------------------------------------------------------------------------


def test_fallback_path_finds_the_same_products(catalogue, monkeypatch):
    """SQLite's path (icontains), forced on any database."""
    monkeypatch.setattr(connection, "vendor", "sqlite")
    visible = Product.objects.filter(is_visible=True)
    for q, expected in VISIBLE.items():
        assert set(_names(search.search_products(visible, q))) == expected
        assert set(_names(search.ranked_first_page(visible, q))) == expected
    assert _names(search.ranked_first_page(visible, "大米"))[-1] == "稻花香米 5kg"
    assert _names(search.search_products(visible, "蜂之源")) == ["罗田土蜂蜜"]
    assert search.product_search_fields(catalogue["honey"])["search_vector"] is None


def test_search_without_tokens_filters_nothing(catalogue):
    visible = Product.objects.filter(is_visible=True)
    assert search.search_products(visible, " ！？ ").count() == visible.count()


def test_capped_count(catalogue):
    visible = Product.objects.filter(is_visible=True)
    assert search.capped_count(visible, cap=100) == (6, False)
    assert search.capped_count(visible, cap=6) == (6, False)
    assert search.capped_count(visible, cap=4) == (4, True)
    assert search.capped_count(search.search_products(visible, "脐橙")) == (2, False)
