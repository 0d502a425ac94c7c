"""Whether a NUL byte reached the database. PostgreSQL refuses any text parameter holding one (the
request then answers 500); SQLite takes it, so tests on SQLite watch the parameters instead."""

import contextlib
from collections.abc import Iterator

from django.db import connection

NUL = "\x00"


@contextlib.contextmanager
def nul_sent_to_the_database() -> Iterator[list[str]]:
    """Yields a list that collects every query parameter holding a NUL byte."""
    sent: list[str] = []

    def spy(execute, sql, params, many, context):
        rows = params if many else [params]
        sent.extend(p for row in rows or [] for p in row or [] if isinstance(p, str) and NUL in p)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(spy):
        yield sent
