"""The public product images under /media/: served when they are there, 404 for anything else, a
path the file system cannot even look up included (a name over its 255-byte limit, a NUL byte)."""

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


@pytest.fixture
def image():
    folder = settings.MEDIA_ROOT / "products" / "2026"
    folder.mkdir(parents=True)
    (folder / "orange.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    return "products/2026/orange.jpg"


def test_an_image_is_served_with_its_type(client, image):
    response = client.get(f"/media/{image}")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"\xff\xd8")


@pytest.mark.parametrize(
    "path",
    [
        "products/" + "a" * 300 + ".jpg",  # ENAMETOOLONG
        "products/" + "a" * 300,
        "products/" + "/".join(["b" * 250] * 20) + ".jpg",  # a path over PATH_MAX
        "products/2026/orange.jpg%00.png",
        "products/2026/%E2%80%AEgpj.jpg",
        "products/2026/orange.jpg/more",  # ENOTDIR
        "products/../settings.py",
        "private/x.jpg",
    ],
)
def test_anything_else_is_not_found(client, image, path):
    assert client.get(f"/media/{path}").status_code == 404
