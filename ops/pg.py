"""PostgreSQL connections and client binaries for the backup scripts.

A ``Pg`` is one database on one server. The password travels to pg_dump/pg_restore in ``PGPASSWORD``,
never on their command line (where ``ps`` would show it). The client binaries are taken with the server's
major version (``/usr/lib/postgresql/<major>/bin`` first, then ``$PG_BIN``, then ``PATH``); an older
pg_dump than the server is refused, since it cannot read the server's catalogue.
"""

import os
import re
import shutil
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlparse

import psycopg
from psycopg import sql

POSTGRES_SCHEMES = {"postgres", "postgresql"}
MAINTENANCE_DATABASE = "postgres"


class BackupError(Exception):
    """A backup or restore that cannot go on: the message says why and what to do."""


@dataclass(frozen=True)
class Pg:
    dbname: str
    host: str = ""
    port: str = ""
    user: str = ""
    password: str = ""
    sslmode: str = ""

    @classmethod
    def from_url(cls, url: str) -> "Pg":
        parsed = urlparse(url)
        if parsed.scheme not in POSTGRES_SCHEMES:
            raise BackupError(
                "Backup and restore support PostgreSQL only (the production database), "
                f"not {parsed.scheme or 'this'} database URL. Set DATABASE_URL=postgres://user@host:5432/name."
            )
        dbname = unquote(parsed.path.lstrip("/"))
        if not dbname:
            raise BackupError(f"The database URL names no database: {redact(url)}")
        options = dict(parse_qsl(parsed.query))
        return cls(
            dbname=dbname,
            host=parsed.hostname or "",
            port=str(parsed.port or ""),
            user=unquote(parsed.username or ""),
            password=unquote(parsed.password or ""),
            sslmode=options.get("sslmode", ""),
        )

    @classmethod
    def from_django(cls, database: dict) -> "Pg":
        """From one of Django's DATABASES entries (the tests' database, for the restore drill)."""
        if database["ENGINE"] != "django.db.backends.postgresql":
            raise BackupError("Backup and restore support PostgreSQL only (the production database).")
        return cls(
            dbname=database["NAME"],
            host=database.get("HOST") or "",
            port=str(database.get("PORT") or ""),
            user=database.get("USER") or "",
            password=database.get("PASSWORD") or "",
            sslmode=(database.get("OPTIONS") or {}).get("sslmode", ""),
        )

    def on(self, dbname: str) -> "Pg":
        """The same server and credentials, another database."""
        return replace(self, dbname=dbname)

    def label(self) -> str:
        return f"{self.dbname} on {self.host or 'localhost'}:{self.port or '5432'}"

    def conninfo(self) -> dict:
        info = {"dbname": self.dbname, "host": self.host, "port": self.port, "user": self.user}
        info.update(password=self.password, sslmode=self.sslmode)
        return {key: value for key, value in info.items() if value}

    def connect(self, *, autocommit: bool = False) -> psycopg.Connection:
        try:
            return psycopg.connect(**self.conninfo(), autocommit=autocommit, connect_timeout=10)
        except psycopg.OperationalError as exc:
            raise BackupError(f"Cannot connect to {self.label()}: {exc}".strip()) from exc

    def client_env(self) -> dict:
        """The environment for pg_dump/pg_restore: libpq's PG* variables, the password among them."""
        env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
        names = {"dbname": "PGDATABASE", "host": "PGHOST", "port": "PGPORT", "user": "PGUSER"}
        names.update(password="PGPASSWORD", sslmode="PGSSLMODE")
        env.update({names[key]: value for key, value in self.conninfo().items()})
        return env


def redact(url: str) -> str:
    return re.sub(r"//([^:/@]*):[^@]*@", r"//\1:***@", url)


def server_major(conn: psycopg.Connection) -> int:
    return int(conn.execute("SHOW server_version_num").fetchone()[0]) // 10000


def client(program: str, *, major: int) -> Path:
    """pg_dump or pg_restore of the server's major version (or newer); refuses an older one."""
    candidates = [Path(f"/usr/lib/postgresql/{major}/bin/{program}")]
    if os.environ.get("PG_BIN"):
        candidates.insert(0, Path(os.environ["PG_BIN"]) / program)
    found = shutil.which(program)
    if found:
        candidates.append(Path(found))
    for path in candidates:
        if path.is_file() and client_major(path) >= major:
            return path
    raise BackupError(
        f"No {program} of PostgreSQL {major} or newer was found (the server is PostgreSQL {major}). "
        f"Install postgresql-client-{major}, or set PG_BIN to the directory holding it."
    )


def client_major(path: Path) -> int:
    output = subprocess.run([str(path), "--version"], capture_output=True, text=True, check=True).stdout
    match = re.search(r"(\d+)(?:\.\d+)?", output)
    return int(match.group(1)) if match else 0


def run(command: list, *, db: Pg) -> None:
    result = subprocess.run(
        [str(part) for part in command], env=db.client_env(), capture_output=True, text=True
    )
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed ({result.returncode}): {result.stderr.strip()}")


def database_exists(db: Pg) -> bool:
    with db.on(MAINTENANCE_DATABASE).connect(autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db.dbname]).fetchone()
    return found is not None


def create_database(db: Pg) -> None:
    with db.on(MAINTENANCE_DATABASE).connect(autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db.dbname)))


def drop_database(db: Pg) -> None:
    """Drops the database if it is there, ending its sessions (the drill's clean-up)."""
    with db.on(MAINTENANCE_DATABASE).connect(autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(db.dbname)))


def relation_count(db: Pg) -> int:
    """How many tables, views and sequences the database holds outside the system schemas."""
    with db.connect() as conn:
        return conn.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') "
            "AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%%'"
        ).fetchone()[0]
