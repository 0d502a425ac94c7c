"""The restore drill (issue 17, "Backup and restore"): back up, restore into a new database, compare.

PostgreSQL only (CI runs it with REQUIRE_SERVICES=1, so it cannot be skipped there). The data are seeded
through seed_demo, kept small; the media are real files in the test's MEDIA_ROOT and PRIVATE_MEDIA_ROOT.
The database the drill restores into is dropped whatever happens.
"""

import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from accounts.models import Role, User
from catalog.models import Sku
from catalog.services import sku_update
from ops import backup as ops_backup
from ops import manifest as ops_manifest
from ops.pg import BackupError, Pg, database_exists, drop_database
from tests.services import require_postgres

KEY_TABLES_WITH_ROWS = (
    "suppliers_supplier",
    "catalog_product",
    "catalog_sku",
    "catalog_stockmovement",
    "pricing_priceverdict",
    "orders_order",
    "orders_orderline",
    "orders_payment",
)


@pytest.fixture
def drill_target(migrated_data):
    """A database name of the drill's own on the test server, dropped afterwards. (migrated_data: the
    drill commits, and a flush by an earlier committing test emptied the registry seed_demo needs.)"""
    require_postgres()
    source = Pg.from_django(connection.settings_dict)
    target = source.on(f"{source.dbname}_drill_{uuid.uuid4().hex[:8]}"[:63])
    yield target
    drop_database(target)
    assert not database_exists(target)


def _media_files(root: Path) -> dict:
    return {str(path.relative_to(root)): path.read_bytes() for path in root.rglob("*") if path.is_file()}


def _adjust_stock() -> None:
    """A supplier's stock change, so the stock ledger has rows too (the demo's orders leave none)."""
    sku = Sku.objects.select_related("product").filter(product__supplier__isnull=False).order_by("pk").first()
    supplier_user = User.objects.filter(role=Role.SUPPLIER, supplier_id=sku.product.supplier_id).first()
    sku_update(sku=sku, by=supplier_user, stock=sku.stock + 7, source="restore drill")


def _seed_media() -> None:
    for root, name, body in [
        (settings.MEDIA_ROOT, "products/2026/apple.jpg", b"\xff\xd8public image"),
        (settings.PRIVATE_MEDIA_ROOT, "qualifications/licence.pdf", b"%PDF-1.4 private scan"),
        (settings.PRIVATE_MEDIA_ROOT, "after_sales/\u7167\u7247.png", b"\x89PNGphoto"),
    ]:
        path = Path(root) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)


@pytest.mark.django_db(transaction=True)
def test_restore_drill_gives_back_the_same_rows_and_files(drill_target, tmp_path):
    # given: a small seeded marketplace (committed, so pg_dump sees it) and files in both media roots
    call_command("seed_demo", "--suppliers", "1", "--products", "12", "--orders-months", "1", verbosity=0)
    _adjust_stock()
    _seed_media()
    source = Pg.from_django(connection.settings_dict)

    # when: backed up, then restored into a new database and new media roots
    path = ops_backup.backup(
        source=source,
        media_root=Path(settings.MEDIA_ROOT),
        private_media_root=Path(settings.PRIVATE_MEDIA_ROOT),
        into=tmp_path / "backups",
    )
    restored = ops_backup.restore(
        backup_dir=path,
        target=drill_target,
        media_root=tmp_path / "restored-media",
        private_media_root=tmp_path / "restored-private",
    )

    # then: the manifest measured real data, and the restored database and files match it
    manifest = ops_backup.read_manifest(path)
    assert sorted(p.name for p in path.iterdir()) == sorted(
        ["database.dump", "manifest.json", *ops_backup.MEDIA.values()]
    )
    for table in KEY_TABLES_WITH_ROWS:
        assert manifest["checksums"][table]["rows"] > 0, table
        assert manifest["counts"][table] == manifest["checksums"][table]["rows"]
    assert restored.problems == []
    with drill_target.connect() as conn:
        assert ops_manifest.measure(conn) == {k: manifest[k] for k in ("counts", "checksums")}
    assert _media_files(tmp_path / "restored-media") == _media_files(Path(settings.MEDIA_ROOT))
    assert _media_files(tmp_path / "restored-private") == _media_files(Path(settings.PRIVATE_MEDIA_ROOT))
    assert (
        _media_files(tmp_path / "restored-private")["qualifications/licence.pdf"] == b"%PDF-1.4 private scan"
    )

    # and: a changed row in the restored database is caught by the checksum, not only by the count
    with drill_target.connect() as conn:
        conn.execute("UPDATE catalog_sku SET stock = stock + 1 WHERE id = (SELECT min(id) FROM catalog_sku)")
    problems = ops_backup.verify(
        document=manifest,
        target=drill_target,
        roots={"media": tmp_path / "restored-media", "private_media": tmp_path / "restored-private"},
    )
    assert len(problems) == 1 and problems[0].startswith("catalog_sku: checksum")

    # and: a second restore over the now non-empty database is refused
    with pytest.raises(BackupError, match="not empty"):
        ops_backup.restore(
            backup_dir=path,
            target=drill_target,
            media_root=tmp_path / "m2",
            private_media_root=tmp_path / "p2",
        )


def test_a_corrupt_backup_file_is_refused_before_anything_is_restored(tmp_path):
    # given: a manifest whose dump checksum no longer matches the file
    (tmp_path / "database.dump").write_bytes(b"truncated")
    (tmp_path / "manifest.json").write_text('{"format": 1, "files": {"database.dump": "' + "0" * 64 + '"}}')

    # when / then
    with pytest.raises(BackupError, match="corrupt"):
        ops_backup.read_manifest(tmp_path)


def test_backup_on_sqlite_says_it_supports_postgresql_only(monkeypatch, capsys):
    # given: no DATABASE_URL (this checkout's SQLite) or a SQLite one
    for url in ["", "sqlite:///db.sqlite3"]:
        monkeypatch.setenv("DATABASE_URL", url)
        monkeypatch.setattr(settings, "DATABASE_URL", url, raising=False)

        # when
        code = ops_backup.main(["backup", "--into", "unused"])

        # then: a clear refusal, nothing written
        assert code == 2
        assert "PostgreSQL only" in capsys.readouterr().err
    assert not Path("unused").exists()
