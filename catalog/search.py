"""Chinese product search behind one module.

Stock PostgreSQL has no Chinese tokenizer, and pg_trgm cannot index one- or two-character terms,
so Python tokenises and PostgreSQL only stores and matches lexemes:

* Indexing (``index_tokens``): the product name gives the **A** tokens, brand, category, origin and
  any extra text the **B** tokens. Han text yields jieba search-mode words, every single character
  and every overlapping bigram; Latin/digit runs yield the lower-cased run and all its suffixes.
* Querying (``query_tokens``): one Han character is looked up as itself, a longer Han run as its
  overlapping bigrams (all ANDed), a Latin/digit run as a prefix (``'5k':*``).

  Every query token of a substring of the name is then an index token of the name (or, for a
  Latin run, a prefix of one of its suffixes), so the search finds every product that
  ``name ILIKE '%q%'`` finds (recall 1.0); tests/catalog/test_search.py checks it as a property.

Storage: ``Product.search_text`` holds ``"<A tokens>\\x1f<B tokens>"`` (tokens joined by spaces,
the two halves by the ASCII unit separator) and ``Product.search_vector`` is, on PostgreSQL,
``setweight(to_tsvector('simple', A), 'A') || setweight(to_tsvector('simple', B), 'B')``
(|| the popularity tags below), indexed by the partial GIN index ``catalog_product_search_gin ... WHERE is_visible``. On SQLite
the vector stays NULL and ``search_products`` falls back to ``icontains``.

Popularity tags: a product whose sales put it in a hot bucket (bucket b = bit length of
``sales_count``, hot when b >= HOT_BUCKET, i.e. 64+ sold) also carries every token tagged with its
bucket ("ſ12ſ大米", weight D). They let a broad query find its most popular matches through
small posting lists (see below). The bucket is taken when the vector is written: the services
rewrite it on every product save, and ``product_index_update()`` (run it nightly) brings every
vector in line with the current sales counts, rewriting only the rows whose bucket moved.

Relevance (``ranked_queryset``, ``ranked_first_page``):

1. ``rank`` = ``ts_rank(search_vector, query)``: a hit in the name weighs 1.0, a hit in brand,
   category or origin 0.4, and a token found in both counts both, so 五常大米 in the rice
   category outranks a gift box that merely has 大米 in its name, and a name match ranks above
   a product found only through its category or county;
2. then ``sales_count`` (what buyers bought most), then the newest ``id``.

Ranking every match of a broad query (米: 80,000 products at a million SKUs) is what costs, so the
order is computed over a candidate pool (a tiered index, as in Manning, Raghavan & Schütze,
*Introduction to Information Retrieval*, §7.2): every match when there are fewer than POOL (400)
hot ones, else the matches in the highest popularity buckets that together hold at least POOL
(or as many rows as the pages up to the one asked for need). Each page is exactly that part of
the pool in the order above. The full set of matches (for counting, for other sort orders) comes
from ``search_products``, which filters without a pool.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection, transaction
from django.db.models import BooleanField, Case, F, FloatField, Func, Q, QuerySet, Value, When
from django.db.models.expressions import Combinable, RawSQL

from catalog.models import Category, Product
from regions.models import County

try:  # rjieba (jieba-rs) ships its dictionary inside the wheel: no download, no start-up cost.
    import rjieba as _jieba

    def _cut_for_search(text: str) -> list[str]:
        return _jieba.cut_for_search(text)

except ImportError:  # pragma: no cover - the pure-Python jieba gives the same words, slower
    import jieba as _jieba  # type: ignore[no-redef]

    def _cut_for_search(text: str) -> list[str]:
        return list(_jieba.cut_for_search(text))


SEPARATOR = "\x1f"  # between the A and B halves of Product.search_text
CONFIG = "simple"  # no stemming, no stop words: lexemes are exactly our tokens
LATIN_SUFFIX_MAX = 20  # longer Latin/digit runs are indexed as the whole run only
TOKEN_MAX = 200  # PostgreSQL refuses lexemes over 2047 bytes; product text never needs that many
RANK_NORMALIZATION = (
    0  # no length normalisation: hot products carry tagged lexemes, and must not rank lower for it
)
INDEX_BATCH = 20_000
RELEVANCE = ("-rank", "-sales_count", "-id")
# Popularity tiers for broad queries. Bucket b holds products with 2**(b-1) <= sales_count < 2**b
# (0: never sold; the top bucket is open-ended). Products in a hot bucket (b >= HOT_BUCKET) carry
# every token a second time, tagged with their bucket: "ſ12ſ大米". Then "the matches in buckets >= b"
# is a GIN lookup of small posting lists, not of the huge list of 米 or 大米. "ſ" (long s) becomes
# "s" under NFKC, so normalised text never produces a tagged lexeme and nothing collides.
TAG = "\u017f"
POPULARITY_TOP = 20
HOT_BUCKET = 7  # sales_count >= 64
POOL = 400  # broad queries rank at least this many of their most popular matches

# CJK Unified Ideographs, Extension A, compatibility ideographs and the supplementary planes.
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_RUNS = re.compile(rf"(?P<han>[{_HAN}]+)|(?P<word>(?:(?![{_HAN}])[^\W_])+)")
_HAN_ONLY = re.compile(rf"[{_HAN}]+")


# --- Tokenisation -----------------------------------------------------------------------------------


def normalize(text: str) -> str:
    """NFKC (full-width → half-width, compatibility ideographs → unified) and lower case.

    Index and query text go through the same function, so they always compare alike.
    """
    return unicodedata.normalize("NFKC", text or "").strip().lower()


def _runs(text: str) -> Iterable[tuple[str, str]]:
    """("han" | "word", run) for each Han run and Latin/digit run; punctuation and spaces split."""
    for match in _RUNS.finditer(normalize(text)):
        if match.group("han"):
            yield "han", match.group("han")
        else:
            yield "word", match.group("word")[:TOKEN_MAX]


def _dedupe(tokens: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(t for t in tokens if t))


def _text_tokens(text: str) -> list[str]:
    tokens: list[str] = []
    for kind, run in _runs(text):
        if kind == "han":
            tokens.extend(w for w in _cut_for_search(run) if _HAN_ONLY.fullmatch(w))
            tokens.extend(run)  # every character: one-character queries
            tokens.extend(run[i : i + 2] for i in range(len(run) - 1))  # every bigram
        else:
            tokens.append(run)
            if len(run) <= LATIN_SUFFIX_MAX:
                # Suffixes + prefix queries = any substring of the run ("kg" in "5kg").
                tokens.extend(run[i:] for i in range(1, len(run)))
    return tokens


def index_tokens(
    *, name: str, brand: str = "", category: str = "", county: str = "", extra: str = ""
) -> tuple[str, str]:
    """(A tokens, B tokens), each space-joined and de-duplicated: A from the name, B from the rest.

    For any Han substring ``s`` of ``name``, ``query_tokens(s)`` is a subset of the A tokens.
    """
    a = _dedupe(_text_tokens(name))
    b = _dedupe(_text_tokens(" ".join((brand, category, county, extra))))
    return " ".join(a), " ".join(b)


def query_tokens(q: str) -> list[str]:
    """The lexemes a query must all match: a Han character alone, else the run's overlapping
    bigrams; a Latin/digit run as the lower-cased word (matched as a prefix). [] when nothing is left."""
    tokens: list[str] = []
    for kind, run in _runs(q):
        if kind == "han" and len(run) > 1:
            tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
        else:
            tokens.append(run)
    return _dedupe(tokens)


def _quote(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def tsquery(tokens: Sequence[str], *, tag: int | str | None = None) -> str:
    """A raw ``to_tsquery('simple', …)`` string: the AND of the quoted lexemes.

    Latin/digit tokens match as prefixes (``'5k':*``), Han tokens exactly. With ``tag``, each
    lexeme is the token tagged with that popularity bucket. Quotes and backslashes are escaped,
    and operators inside a quoted lexeme are only text, so no input can break the query.
    """
    parts = []
    for token in tokens:
        if not token:
            continue
        lexeme = token if tag is None else _tag(tag, token)
        parts.append(_quote(lexeme) + ("" if _HAN_ONLY.fullmatch(token) else ":*"))
    return " & ".join(parts)


# --- Writing the index ------------------------------------------------------------------------------


def search_text(*, name: str, brand: str = "", category: str = "", county: str = "", extra: str = "") -> str:
    """The stored form of the tokens: ``"<A tokens>\\x1f<B tokens>"``."""
    a, b = index_tokens(name=name, brand=brand, category=category, county=county, extra=extra)
    return f"{a}{SEPARATOR}{b}"


def popularity_bucket(sales_count: int) -> int:
    """0 for never sold, else the bit length of the sales count (1, 2–3, 4–7, …), capped."""
    return min(max(sales_count or 0, 0).bit_length(), POPULARITY_TOP)


def _tag(bucket: int | str, token: str) -> str:
    return f"{TAG}{bucket}{TAG}{token}"


# SQL for the bucket: width_bucket over the powers of two compares integers exactly (no log()).
_BUCKET_SQL = (
    "width_bucket(GREATEST({sales}, 0), ARRAY[" + ", ".join(str(2**i) for i in range(POPULARITY_TOP)) + "])"
)


def search_vector_sql(column: str = "search_text", sales: str = "sales_count") -> str:
    """SQL computing the vector from a search_text column and the sales count (bulk load,
    ``product_index_update``): A tokens (weight A), B tokens (weight B) and, for a hot product,
    all tokens tagged with its popularity bucket (weight D)."""
    a = f"split_part({column}, E'\\x1f', 1)"
    b = f"split_part({column}, E'\\x1f', 2)"
    bucket = _BUCKET_SQL.format(sales=sales)
    tagged = (
        f"CASE WHEN {bucket} >= {HOT_BUCKET} THEN regexp_replace(translate({column}, E'\\x1f', ' '), "
        f"'(\\S+)', '{TAG}' || {bucket} || '{TAG}\\1', 'g') ELSE '' END"
    )
    return (
        f"setweight(to_tsvector('{CONFIG}', {a}), 'A') || setweight(to_tsvector('{CONFIG}', {b}), 'B')"
        f" || to_tsvector('{CONFIG}', {tagged})"
    )


def search_vector_expression(text: str, sales_count: int = 0) -> Combinable:
    """The ORM expression for the vector of one stored ``search_text`` value (literals, so an UPDATE
    that also changes search_text cannot read the column's old value); the same lexemes as
    ``search_vector_sql``."""
    a, _sep, b = text.partition(SEPARATOR)
    bucket = popularity_bucket(sales_count)
    tagged = " ".join(_tag(bucket, t) for t in f"{a} {b}".split()) if bucket >= HOT_BUCKET else ""
    return (
        SearchVector(Value(a), config=CONFIG, weight="A")
        + SearchVector(Value(b), config=CONFIG, weight="B")
        + SearchVector(Value(tagged), config=CONFIG)
    )


def _product_texts(product: Product) -> dict[str, str]:
    """Names the B tokens come from, read from what the instance already holds where it can."""
    category = leaf = parent = ""
    if product.category_id:
        cached = product._state.fields_cache.get("category")
        if cached is not None and (cached.parent_id is None or "parent" in cached._state.fields_cache):
            leaf, parent = cached.name, cached.parent.name if cached.parent_id else ""
        else:
            leaf, parent = (
                Category.objects.filter(pk=product.category_id).values_list("name", "parent__name").get()
            )
        category = f"{leaf} {parent or ''}"
    county = ""
    if product.origin_county_id:
        row = County.objects.filter(pk=product.origin_county_id).values_list("name", "province__name").get()
        county = " ".join(row)
    return {"name": product.name, "brand": product.brand, "category": category, "county": county}


def product_search_fields(product: Product) -> dict:
    """What to assign to a product whose name, brand, category or origin may have changed.

    Returns ``{"search_text": str, "search_vector": expression-or-None}`` (None on SQLite). The
    services set these attributes and include both names in ``update_fields``.
    """
    text = search_text(**_product_texts(product))
    vector = (
        search_vector_expression(text, product.sales_count) if connection.vendor == "postgresql" else None
    )
    return {"search_text": text, "search_vector": vector}


def product_index_update(product_ids: list[int] | None = None, *, batch_size: int = INDEX_BATCH) -> int:
    """Recompute ``search_vector`` from ``search_text`` in SQL, in batches (all products, or these).

    Use after loading rows with search_text only, or after changing the SQL of the vector. Rows
    whose vector is already right are not rewritten. Returns the number of rows changed. No-op
    (0) off PostgreSQL. To re-tokenise (new dictionary), use ``product_search_text_update`` first.
    """
    if connection.vendor != "postgresql":
        return 0
    vector = search_vector_sql("search_text")
    sql_by_ids = (
        f"UPDATE catalog_product SET search_vector = {vector} "
        f"WHERE id = ANY(%s) AND search_vector IS DISTINCT FROM ({vector})"
    )
    sql_by_range = (
        f"UPDATE catalog_product SET search_vector = {vector} "
        f"WHERE id >= %s AND id < %s AND search_vector IS DISTINCT FROM ({vector})"
    )
    changed = 0
    with connection.cursor() as cursor:
        if product_ids is not None:
            ids = sorted(set(product_ids))
            for start in range(0, len(ids), batch_size):
                with transaction.atomic():
                    cursor.execute(sql_by_ids, [ids[start : start + batch_size]])
                    changed += cursor.rowcount
            return changed
        cursor.execute("SELECT min(id), max(id) FROM catalog_product")
        low, high = cursor.fetchone()
        if low is None:
            return 0
        for start in range(low, high + 1, batch_size):
            with transaction.atomic():
                cursor.execute(sql_by_range, [start, start + batch_size])
                changed += cursor.rowcount
    return changed


def product_search_text_update(product_ids: list[int] | None = None, *, batch_size: int = 5_000) -> int:
    """Re-tokenise products in Python (after a tokenizer or dictionary change) and refresh the vector."""
    qs = Product.objects.order_by("id")
    if product_ids is not None:
        qs = qs.filter(pk__in=product_ids)
    rows = qs.values_list(
        "id",
        "name",
        "brand",
        "category__name",
        "category__parent__name",
        "origin_county__name",
        "origin_province__name",
    )
    done = 0
    last = 0
    while True:
        batch = list(rows.filter(id__gt=last)[:batch_size])
        if not batch:
            break
        last = batch[-1][0]
        texts = {
            pk: search_text(
                name=name, brand=brand, category=f"{leaf} {parent or ''}", county=f"{county} {province}"
            )
            for pk, name, brand, leaf, parent, county, province in batch
        }
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(
                        "UPDATE catalog_product p SET search_text = v.t FROM unnest(%s::bigint[], %s::text[]) "
                        "AS v(id, t) WHERE p.id = v.id",
                        [list(texts), list(texts.values())],
                    )
                product_index_update(list(texts))
            else:
                products = [Product(pk=pk, search_text=text) for pk, text in texts.items()]
                Product.objects.bulk_update(products, ["search_text"])
        done += len(batch)
    return done


# --- Reading ----------------------------------------------------------------------------------------


def _fallback_filter(q: str) -> tuple[Q, Q]:
    """SQLite: every whitespace-separated part must appear in name, brand, category or origin."""
    parts = [p for p in normalize(q).split() if _RUNS.search(p)]
    match, in_name = Q(), Q()
    for part in parts:
        match &= (
            Q(name__icontains=part)
            | Q(brand__icontains=part)
            | Q(category__name__icontains=part)
            | Q(category__parent__name__icontains=part)
            | Q(origin_county__name__icontains=part)
        )
        in_name &= Q(name__icontains=part)
    return match, in_name


def search_products(queryset: QuerySet[Product], q: str) -> QuerySet[Product]:
    """``queryset`` narrowed to products matching ``q``, annotated with ``rank`` (higher is better).

    The caller adds ``is_visible=True`` (which lets PostgreSQL use the partial GIN index), other
    filters and the ordering. A query with no searchable token leaves the queryset as it is (rank 0).
    """
    tokens = query_tokens(q)
    if not tokens:
        return queryset.annotate(rank=Value(0.0, output_field=FloatField()))
    if connection.vendor == "postgresql":
        query = SearchQuery(tsquery(tokens), search_type="raw", config=CONFIG)
        return queryset.filter(search_vector=query).annotate(
            rank=SearchRank(F("search_vector"), query, normalization=Value(RANK_NORMALIZATION))
        )
    match, in_name = _fallback_filter(q)
    return queryset.filter(match).annotate(
        rank=Case(When(in_name, then=Value(1.0)), default=Value(0.4), output_field=FloatField())
    )


class _Matches(Func):
    """``vector @@ query`` for a query given as an SQL expression (Django's ``search_vector=…``
    lookup would wrap any non-SearchQuery right-hand side in plainto_tsquery)."""

    arg_joiner = " @@ "
    template = "(%(expressions)s)"
    output_field = BooleanField()


def _candidate_query_sql(queryset: QuerySet[Product], tokens: list[str], pool: int) -> tuple[str, list]:
    """A scalar SQL subquery giving the tsquery of the candidate pool (see ``ranked_queryset``).

    A recursive CTE walks the hot buckets from the top; each step counts (at most ``pool``) matches
    of one bucket through the GIN index and the tagged lexemes, with the caller's filters, and the
    walk stops once ``pool`` matches are collected. Buckets are disjoint, so no row is counted
    twice, and the CTE's one subquery is planned once whatever the number of steps. "#" stands
    for the bucket number in the template (it cannot occur in a token).
    """
    text = tsquery(tokens)
    template = tsquery(tokens, tag="#")
    step = RawSQL(
        f"to_tsquery('{CONFIG}', replace(%s, '{TAG}#{TAG}', '{TAG}' || (tiers.b - 1) || '{TAG}'))", [template]
    )
    counted = (
        queryset.filter(_Matches(F("search_vector"), step))
        .order_by()
        .annotate(_one=Value(1))
        .values("_one")[:pool]
    )
    count_sql, count_params = counted.query.sql_with_params()
    hot = (
        f"(SELECT string_agg('(' || replace(%s, '{TAG}#{TAG}', '{TAG}' || g || '{TAG}') || ')', ' | ')"
        f" FROM generate_series(min(b), {POPULARITY_TOP}) AS g)"
    )
    sql = (
        "(WITH RECURSIVE tiers(b, total) AS ("
        f" SELECT {POPULARITY_TOP + 1}, 0::bigint"
        f" UNION ALL SELECT tiers.b - 1, tiers.total + (SELECT count(*) FROM ({count_sql}) AS pool)"
        f" FROM tiers WHERE tiers.total < %s AND tiers.b > {HOT_BUCKET})"
        f" SELECT CASE WHEN max(total) < %s THEN to_tsquery('{CONFIG}', %s)"
        f" ELSE to_tsquery('{CONFIG}', {hot}) END FROM tiers)"
    )
    return sql, [*count_params, pool, pool, text, template]


def ranked_queryset(
    queryset: QuerySet[Product], q: str, *, need: int = 20, pool: int = POOL
) -> QuerySet[Product]:
    """Products matching ``q`` in relevance order, annotated ``rank``, for pages up to row ``need``.

    Relevance is (``rank``, ``sales_count``, ``id``) descending over a candidate pool: every match
    when there are fewer than ``max(pool, need)``, else the matches in the highest popularity
    buckets that together hold at least that many (a tiered index: Manning, Raghavan & Schütze,
    *Introduction to Information Retrieval*, §7.2). One lazy SQL statement; call it after every
    other filter, as the pool is chosen among the rows the queryset keeps. Off PostgreSQL the
    pool is every match.
    """
    tokens = query_tokens(q)
    if not tokens:
        return search_products(queryset, q).order_by(*RELEVANCE)
    if connection.vendor != "postgresql":
        return search_products(queryset, q).order_by(*RELEVANCE)
    sql, params = _candidate_query_sql(queryset, tokens, max(pool, need))
    query = SearchQuery(tsquery(tokens), search_type="raw", config=CONFIG)
    return (
        queryset.filter(_Matches(F("search_vector"), RawSQL(sql, params)))
        .annotate(rank=SearchRank(F("search_vector"), query, normalization=Value(RANK_NORMALIZATION)))
        .order_by(*RELEVANCE)
    )


def ranked_first_page(
    queryset: QuerySet[Product], q: str, *, limit: int = 20, offset: int = 0
) -> list[Product]:
    """One page of search results in relevance order (see ``ranked_queryset``): one query."""
    return list(ranked_queryset(queryset, q, need=offset + limit)[offset : offset + limit])


def capped_count(queryset: QuerySet, cap: int = 10_000) -> tuple[int, bool]:
    """How many rows match, counting at most ``cap``: (n, True) means "more than ``cap``".

    A LIMITed subquery stops the scan early on broad terms; unused annotations (rank) and the
    ordering are dropped so nothing is ranked just to be counted.
    """
    n = queryset.order_by().values("pk")[: cap + 1].count()
    return (cap, True) if n > cap else (n, False)
