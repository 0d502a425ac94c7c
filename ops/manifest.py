"""What a backup holds, measured the same way in the source and in the restored database.

Every table of the public schema is counted; the key tables (money, stock, the catalogue, suppliers and
price verdicts) also get an md5 over their rows' full text in primary-key order. The session is fixed to
UTC and ISO dates first, so the same rows give the same text on any server.
"""

import hashlib

import psycopg
from psycopg import sql

KEY_TABLES = (
    "accounts_user",
    "suppliers_supplier",
    "catalog_product",
    "catalog_sku",
    "catalog_stockmovement",
    "pricing_priceverdict",
    "orders_order",
    "orders_orderline",
    "orders_payment",
    "orders_paymentrefund",
)
FETCH_SIZE = 5000


def measure(conn: psycopg.Connection) -> dict:
    """{"counts": {table: rows}, "checksums": {table: {"rows": n, "md5": hex}}}, read in conn's transaction."""
    conn.execute("SET TIME ZONE 'UTC'")
    conn.execute("SET DateStyle = 'ISO, YMD'")
    conn.execute("SET IntervalStyle = 'postgres'")
    conn.execute("SET extra_float_digits = 1")
    tables = [row[0] for row in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
    counts = {table: _count(conn, table) for table in sorted(tables)}
    missing = [table for table in KEY_TABLES if table not in counts]
    if missing:
        raise ValueError(f"The database lacks the key tables {', '.join(missing)}: is it migrated?")
    return {"counts": counts, "checksums": {table: _checksum(conn, table) for table in KEY_TABLES}}


def _count(conn: psycopg.Connection, table: str) -> int:
    query = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier("public", table))
    return conn.execute(query).fetchone()[0]


def _primary_key(conn: psycopg.Connection, table: str) -> list[str]:
    rows = conn.execute(
        "SELECT a.attname FROM pg_index i "
        "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
        "WHERE i.indrelid = %s::regclass AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)",
        [f"public.{table}"],
    ).fetchall()
    return [row[0] for row in rows]


def _checksum(conn: psycopg.Connection, table: str) -> dict:
    """md5 over each row's text in primary-key order, streamed so a large table is not held in memory."""
    order = [sql.Identifier("t", column) for column in _primary_key(conn, table)]
    query = sql.SQL("SELECT t::text FROM {} AS t ORDER BY {}").format(
        sql.Identifier("public", table), sql.SQL(", ").join(order) if order else sql.SQL("t::text")
    )
    digest, rows = hashlib.md5(usedforsecurity=False), 0
    with conn.cursor(name=f"checksum_{table}") as cursor:
        cursor.itersize = FETCH_SIZE
        cursor.execute(query)
        for (text,) in cursor:
            digest.update(text.encode())
            digest.update(b"\n")
            rows += 1
    return {"rows": rows, "md5": digest.hexdigest()}


def differences(expected: dict, actual: dict) -> list[str]:
    """Each way the restored database differs from the manifest, in words (empty when they agree)."""
    found = []
    for table in sorted(set(expected["counts"]) | set(actual["counts"])):
        want, got = expected["counts"].get(table), actual["counts"].get(table)
        if want != got:
            found.append(f"{table}: {want} rows in the backup, {got} restored")
    for table, want in expected["checksums"].items():
        got = actual["checksums"].get(table)
        if got != want:
            found.append(f"{table}: checksum {want['md5']} in the backup, {got and got['md5']} restored")
    return found
