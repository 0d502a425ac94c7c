"""After-sales photos are private: stored outside the public media root, served only through views
that check who asks (the supplier's order page, the admin), with the one private-file response; the
migration that moved them there moves the files already stored, both ways, and may run twice."""

import importlib
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from orders import services
from orders.models import AfterSalePhoto
from tests.catalog.conftest import jpeg_upload
from tests.factories import OpsFactory, UserFactory
from tests.orders.conftest import D, Shop, completed

MIGRATION = importlib.import_module("orders.migrations.0004_after_sale_photos_in_private_storage")
BEFORE = ("orders", "0003_stock_ledger_moves_to_catalog")


def _photo(shop) -> AfterSalePhoto:
    order = completed(shop)
    request = services.after_sale_open(
        order=order,
        by=order.placed_by,
        kind="refund",
        reason="霉变",
        amount=D("10.00"),
        photos=[jpeg_upload()],
    )
    return request.photos.get()


def _photo_url(photo: AfterSalePhoto) -> str:
    return f"/suppliers/orders/{photo.request.order.number}/after-sales/photos/{photo.pk}/"


def _assert_private_response(response, cache="private, no-store"):
    assert response.status_code == 200
    assert response["Cache-Control"] == cache
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"  # a JPEG


# --- Where they are stored -----------------------------------------------------------------------------


def test_a_photo_is_stored_under_the_private_root_and_has_no_public_url(shop):
    photo = _photo(shop)
    assert Path(photo.image.path).is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT))
    assert (Path(settings.PRIVATE_MEDIA_ROOT) / photo.image.name).is_file()
    assert not (Path(settings.MEDIA_ROOT) / photo.image.name).exists()
    with pytest.raises(ValueError):
        photo.image.url  # noqa: B018 (the property raises)


# --- Who may see them ----------------------------------------------------------------------------------


def test_the_supplier_of_the_order_sees_it_through_the_private_response(client, shop):
    photo = _photo(shop)
    client.force_login(shop.user2)
    _assert_private_response(client.get(_photo_url(photo)))


def test_nobody_else_sees_it_through_the_supplier_view(client, shop):
    photo = _photo(shop)
    for user in (shop.user, OpsFactory(teams=["customer_service"])):
        client.force_login(user)
        assert client.get(_photo_url(photo)).status_code in (403, 404), user
    client.logout()
    assert client.get(_photo_url(photo)).status_code == 302  # to the login page


def test_the_admin_shows_the_photo_through_its_own_checked_view(client, shop):
    photo = _photo(shop)
    client.force_login(UserFactory(role="ops", is_staff=True, is_superuser=True))
    page = client.get(f"/admin/orders/aftersalerequest/{photo.request_id}/change/")
    assert page.status_code == 200
    link = f"/admin/orders/aftersalerequest/{photo.request_id}/photos/{photo.pk}/"
    assert link in page.content.decode()
    # (the admin adds its own never-cache directives to private, no-store)
    _assert_private_response(
        client.get(link), cache="private, no-store, max-age=0, no-cache, must-revalidate"
    )
    # A photo is reached only through its own request.
    other = _photo(shop)
    assert (
        client.get(f"/admin/orders/aftersalerequest/{photo.request_id}/photos/{other.pk}/").status_code == 404
    )


def test_the_admin_photo_needs_the_photo_view_permission(client, shop):
    photo = _photo(shop)
    client.force_login(OpsFactory(teams=["customer_service"]))  # sees requests, not their photos inline
    response = client.get(f"/admin/orders/aftersalerequest/{photo.request_id}/photos/{photo.pk}/")
    assert response.status_code == 403


# --- The migration that moves the stored files ---------------------------------------------------------


def _roots() -> tuple[Path, Path]:
    return Path(settings.MEDIA_ROOT), Path(settings.PRIVATE_MEDIA_ROOT)


def _put(root: Path, name: str, content: bytes) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def test_the_migration_moves_stored_files_to_private_and_back_and_may_run_twice(shop):
    # Given two photos as they were before: files under the public media root; a third whose file is gone
    public, private = _roots()
    photos = [_photo(shop), _photo(shop), _photo(shop)]
    contents = {}
    for photo in photos:
        contents[photo.image.name] = (private / photo.image.name).read_bytes()
        _put(public, photo.image.name, contents[photo.image.name])
        (private / photo.image.name).unlink()
    missing = photos[2].image.name
    (public / missing).unlink()

    # When the migration runs (twice: it is idempotent)
    MIGRATION.to_private(django_apps, None)
    MIGRATION.to_private(django_apps, None)

    # Then every file that existed is under the private root with the same name, none left in public
    for name in (photos[0].image.name, photos[1].image.name):
        assert (private / name).read_bytes() == contents[name]
        assert not (public / name).exists()
    assert not (private / missing).exists()  # skipped, no error
    for name in (photos[0].image.name, photos[1].image.name):
        assert not (public / name).parent.exists()  # emptied folders removed

    # And migrating back puts them where they were
    MIGRATION.to_public(django_apps, None)
    MIGRATION.to_public(django_apps, None)
    for name in (photos[0].image.name, photos[1].image.name):
        assert (public / name).read_bytes() == contents[name]
        assert not (private / name).exists()


def test_the_migration_never_overwrites_and_finishes_an_interrupted_move(tmp_path):
    source, target = tmp_path / "public", tmp_path / "private"
    # An interrupted earlier run: copied, not yet removed
    _put(source, "after_sales/1/a.jpg", b"same")
    _put(target, "after_sales/1/a.jpg", b"same")
    assert MIGRATION.move_photo_file("after_sales/1/a.jpg", source=source, target=target) == "moved"
    assert not (source / "after_sales/1/a.jpg").exists()
    # A different file under the same name is left alone on both sides
    _put(source, "after_sales/1/b.jpg", b"new")
    _put(target, "after_sales/1/b.jpg", b"old")
    assert MIGRATION.move_photo_file("after_sales/1/b.jpg", source=source, target=target) == "conflict"
    assert (source / "after_sales/1/b.jpg").read_bytes() == b"new"
    assert (target / "after_sales/1/b.jpg").read_bytes() == b"old"
    # A name pointing outside the root is never followed
    _put(tmp_path, "secret.txt", b"x")
    assert MIGRATION.move_photo_file("../secret.txt", source=source, target=target) == "refused"
    assert (tmp_path / "secret.txt").exists()
    assert MIGRATION.move_photo_file("after_sales/9/none.jpg", source=source, target=target) == "missing"


def test_migrating_back_and_forth_moves_the_files(migrated_data):
    public, private = _roots()
    photo = _photo(Shop())
    content = (private / photo.image.name).read_bytes()

    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    assert (public / photo.image.name).read_bytes() == content
    assert not (private / photo.image.name).exists()

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert (private / photo.image.name).read_bytes() == content
    assert not (public / photo.image.name).exists()
