"""Backup and restore: ``python -m ops.backup backup`` and ``python -m ops.backup restore BACKUP``.

A backup is one directory, ``fengshou-<UTC time>``, holding:

- ``database.dump``: pg_dump in custom format, taken from the same snapshot the manifest was measured in;
- ``media.tar.gz`` and ``private-media.tar.gz``: MEDIA_ROOT and PRIVATE_MEDIA_ROOT;
- ``manifest.json``: every table's row count, an md5 of the key tables' rows (``ops/manifest.py``) and
  a sha256 of each file above.

It is written under a ``.partial`` name and renamed when complete, so a half-made backup is never taken
for a whole one. A restore checks the files' sha256, restores into a new (or empty) database with
``pg_restore --no-owner``, unpacks the media into roots that must be empty, then measures the restored
database and compares it with the manifest. PostgreSQL only: the production database.
"""

import argparse
import hashlib
import json
import os
import sys
import tarfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from ops import manifest
from ops.pg import (
    BackupError,
    Pg,
    client,
    create_database,
    database_exists,
    relation_count,
    run,
    server_major,
)

FORMAT = 1
DUMP = "database.dump"
MEDIA = {"media": "media.tar.gz", "private_media": "private-media.tar.gz"}
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Restored:
    database: Pg
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def backup(*, source: Pg, media_root: Path, private_media_root: Path, into: Path) -> Path:
    """Writes a complete backup directory under ``into`` and returns its path."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    final = Path(into) / f"fengshou-{stamp}"
    partial = final.with_name(final.name + ".partial")
    partial.mkdir(parents=True)
    with source.connect() as conn:
        # One snapshot for the dump and the manifest: rows written meanwhile are in neither.
        conn.isolation_level, conn.read_only = psycopg.IsolationLevel.REPEATABLE_READ, True
        major = server_major(conn)
        pg_dump = client("pg_dump", major=major)
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        run([pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={partial / DUMP}"], db=source)
        measured = manifest.measure(conn)
        conn.rollback()
    roots = {"media": Path(media_root), "private_media": Path(private_media_root)}
    media = {kind: _pack(roots[kind], partial / name) for kind, name in MEDIA.items()}
    document = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(),
        "database": {"name": source.dbname, "server_major": major, "pg_dump": str(pg_dump)},
        "files": {
            DUMP: _sha256(partial / DUMP),
            **{name: _sha256(partial / name) for name in MEDIA.values()},
        },
        "media": media,
        **measured,
    }
    (partial / MANIFEST).write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")
    partial.rename(final)
    return final


def _pack(root: Path, archive: Path) -> dict:
    """Tars root's files (relative paths, no owners); a missing root gives an empty archive."""
    files = 0
    with tarfile.open(archive, "w:gz") as tar:
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    tar.add(path, arcname=str(path.relative_to(root)), recursive=False, filter=_anonymous)
                    files += 1
    return {"root": str(root), "files": files}


def _anonymous(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_manifest(backup_dir: Path) -> dict:
    path = Path(backup_dir) / MANIFEST
    if not path.is_file():
        raise BackupError(f"{backup_dir} is not a complete backup: it has no {MANIFEST}.")
    document = json.loads(path.read_text())
    if document.get("format") != FORMAT:
        raise BackupError(
            f"{path} is in format {document.get('format')!r}; this script reads format {FORMAT}."
        )
    for name, expected in document["files"].items():
        if _sha256(Path(backup_dir) / name) != expected:
            raise BackupError(
                f"{Path(backup_dir) / name} does not match its sha256 in the manifest: corrupt."
            )
    return document


def restore(
    *, backup_dir: Path, target: Pg, media_root: Path, private_media_root: Path, replace: bool = False
) -> Restored:
    """Restores the database and media, then compares the restored database with the manifest.

    Refuses a database that already holds tables, or media roots that already hold files, unless
    ``replace`` (then the database's objects are dropped first, and files of the same name overwritten).
    """
    document = read_manifest(backup_dir)
    roots = {"media": Path(media_root), "private_media": Path(private_media_root)}
    _check_targets(target=target, roots=roots, replace=replace)
    if not database_exists(target):
        create_database(target)
    with target.connect() as conn:
        pg_restore = client("pg_restore", major=server_major(conn))
    command = [pg_restore, "--no-owner", "--no-privileges", "--exit-on-error", f"--dbname={target.dbname}"]
    if replace:
        command[1:1] = ["--clean", "--if-exists"]
    run([*command, Path(backup_dir) / DUMP], db=target)
    for kind, name in MEDIA.items():
        _unpack(Path(backup_dir) / name, roots[kind])
    return Restored(database=target, problems=verify(document=document, target=target, roots=roots))


def _check_targets(*, target: Pg, roots: dict, replace: bool) -> None:
    if replace:
        return
    if database_exists(target) and relation_count(target):
        raise BackupError(
            f"The database {target.label()} is not empty; restore into a new database "
            "(it is created), or pass --replace to drop what it holds first."
        )
    for root in roots.values():
        if root.is_dir() and any(root.iterdir()):
            raise BackupError(f"{root} is not empty; restore the media into empty roots, or pass --replace.")


def _unpack(archive: Path, root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "r:gz") as tar:
        tar.extractall(root, filter="data")  # no absolute paths, no "..", no links out of root


def verify(*, document: dict, target: Pg, roots: dict) -> list[str]:
    """Each way the restored database and media differ from the manifest (empty when they agree)."""
    with target.connect() as conn:
        problems = manifest.differences(document, manifest.measure(conn))
        conn.rollback()
    for kind, root in roots.items():
        expected = document["media"][kind]["files"]
        found = sum(1 for path in root.rglob("*") if path.is_file()) if root.is_dir() else 0
        if found < expected:
            problems.append(f"{kind}: {expected} files in the backup, {found} in {root}")
    return problems


# --- Command line (the Makefile's backup and restore targets) --------------------------------------


def _settings():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    from django.conf import settings

    return settings


def _source_from_settings() -> Pg:
    url = os.environ.get("DATABASE_URL") or _settings().DATABASE_URL
    if not url:
        raise BackupError(
            "make backup supports PostgreSQL only (the production database). DATABASE_URL is not set, so "
            "this checkout runs on SQLite: copy db.sqlite3 with the server stopped, or set "
            "DATABASE_URL=postgres://user@host:5432/name."
        )
    return Pg.from_url(url)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ops.backup", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("backup", help="write a timestamped backup directory")
    make.add_argument("--into", default="backups", help="where the backup directory goes (default: backups)")
    back = commands.add_parser("restore", help="restore a backup into a new database and verify it")
    back.add_argument("backup", help="the backup directory (fengshou-<time>)")
    back.add_argument(
        "--database-url", required=True, help="the database to restore into (created if absent)"
    )
    back.add_argument("--media-root", help="where MEDIA_ROOT's files go (default: MEDIA_ROOT, then empty)")
    back.add_argument(
        "--private-media-root", help="where PRIVATE_MEDIA_ROOT's files go (default: PRIVATE_MEDIA_ROOT)"
    )
    back.add_argument(
        "--replace", action="store_true", help="restore over a database or roots that hold data"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "backup":
            settings = _settings()
            source = _source_from_settings()
            path = backup(
                source=source,
                media_root=Path(settings.MEDIA_ROOT),
                private_media_root=Path(settings.PRIVATE_MEDIA_ROOT),
                into=Path(args.into),
            )
            print(f"Backed up {source.label()} and the media to {path}")
            return 0
        restored = restore(
            backup_dir=Path(args.backup),
            target=Pg.from_url(args.database_url),
            media_root=Path(args.media_root or _settings().MEDIA_ROOT),
            private_media_root=Path(args.private_media_root or _settings().PRIVATE_MEDIA_ROOT),
            replace=args.replace,
        )
    except BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for problem in restored.problems:
        print(f"MISMATCH {problem}", file=sys.stderr)
    if not restored.ok:
        print(
            f"Restored into {restored.database.label()}, but it does not match the manifest.", file=sys.stderr
        )
        return 1
    print(f"Restored into {restored.database.label()}; row counts and checksums match the manifest.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
