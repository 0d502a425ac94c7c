"""After-sales photos move from the public media root to private storage (PRIVATE_MEDIA_ROOT): the
proxy serves MEDIA_ROOT to anyone, and these pictures show buyers' goods and premises.

Every stored photo's file moves to the same relative name under the other root. The move is
idempotent (a file already moved is left alone; a copy identical to one already there is removed)
and tolerant (a missing file is skipped: the row stays, its view answers 404 as before). Migrating
back moves the files the other way.
"""

import filecmp
import shutil
from pathlib import Path

from django.conf import settings
from django.db import migrations, models

import core.storage
import orders.models


def _inside(root: Path, name: str) -> Path | None:
    """``root/name``, unless the stored name would point outside ``root``."""
    path = (root / name).resolve()
    return path if path.is_relative_to(root.resolve()) and path != root.resolve() else None


def _remove_empty_parents(path: Path, root: Path) -> None:
    root = root.resolve()
    parent = path.parent
    while parent != root and parent.is_relative_to(root):
        try:
            parent.rmdir()
        except OSError:  # not empty (or gone): stop here
            return
        parent = parent.parent


def move_photo_file(name: str, *, source: Path, target: Path) -> str:
    """Move one stored file from ``source`` to ``target``; say what happened (for the tests)."""
    src, dst = _inside(source, name), _inside(target, name)
    if src is None or dst is None:
        return "refused"
    if not src.is_file():
        return "missing"
    if dst.exists():
        if dst.is_file() and filecmp.cmp(src, dst, shallow=False):
            src.unlink()  # an earlier, interrupted run copied it already
            _remove_empty_parents(src, source)
            return "moved"
        return "conflict"  # a different file holds the name: never overwrite, leave both
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(src, dst)
    _remove_empty_parents(src, source)
    return "moved"


def _move_all(apps, *, source: Path, target: Path) -> None:
    Photo = apps.get_model("orders", "AfterSalePhoto")
    for name in Photo.objects.exclude(image="").values_list("image", flat=True).iterator():
        move_photo_file(name, source=source, target=target)


def to_private(apps, schema_editor):
    _move_all(apps, source=Path(settings.MEDIA_ROOT), target=Path(settings.PRIVATE_MEDIA_ROOT))


def to_public(apps, schema_editor):
    _move_all(apps, source=Path(settings.PRIVATE_MEDIA_ROOT), target=Path(settings.MEDIA_ROOT))


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0003_stock_ledger_moves_to_catalog"),
    ]

    operations = [
        migrations.AlterField(
            model_name="aftersalephoto",
            name="image",
            field=models.ImageField(
                height_field="height",
                max_length=200,
                storage=core.storage.PrivateStorage(),
                upload_to=orders.models.after_sale_photo_path,
                width_field="width",
            ),
        ),
        migrations.RunPython(to_private, to_public, elidable=False),
    ]
