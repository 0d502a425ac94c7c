import hashlib
import io
import struct
import zlib

import pypdf
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image, ImageCms, PngImagePlugin

from core.uploads import (
    IMAGE_MAX_PIXELS,
    CleanUpload,
    clean_document,
    clean_image,
    make_thumbnail,
)

MB = 1024 * 1024
RED = (220, 20, 20)
BLUE = (20, 20, 220)


# Inputs, all generated here.


def _jpeg(size=(60, 40), color=RED, mode="RGB", **save_options) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, "JPEG", **save_options)
    return buffer.getvalue()


def _png(size=(60, 40), color=RED, mode="RGB", **save_options) -> bytes:
    return _png_of(Image.new(mode, size, color), **save_options)


def _png_of(img: Image.Image, **save_options) -> bytes:
    buffer = io.BytesIO()
    img.save(buffer, "PNG", **save_options)
    return buffer.getvalue()


def _pdf(pages=1) -> bytes:
    writer = pypdf.PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _encrypted_pdf(*, user_password: str, owner_password: str) -> bytes:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.encrypt(user_password=user_password, owner_password=owner_password)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _two_colour_image(size=(40, 20)) -> Image.Image:
    """Left half red, right half blue, so rotations can be told apart."""
    img = Image.new("RGB", size, RED)
    img.paste(BLUE, (size[0] // 2, 0, size[0], size[1]))
    return img


def _png_declaring_size(width: int, height: int) -> bytes:
    """A small PNG whose IHDR claims width × height; decoding it would fail, so only a header check passes."""
    png = _png(size=(8, 8))
    # 8-byte signature, then the IHDR chunk: length (4), type (4), data (13), CRC (4).
    ihdr = b"IHDR" + struct.pack(">II", width, height) + png[24:29]
    return png[:12] + ihdr + struct.pack(">I", zlib.crc32(ihdr)) + png[33:]


def _upload(data: bytes, name="upload.bin", content_type="application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def _stored(clean: CleanUpload) -> bytes:
    clean.content.seek(0)
    return clean.content.read()


def _rejection(clean, upload, **options) -> ValidationError:
    with pytest.raises(ValidationError) as excinfo:
        clean(upload, **options)
    return excinfo.value


def _english_message(error: ValidationError) -> str:
    with translation.override("en"):
        return str(error.messages[0])


# Accepted files


def test_valid_pdf_is_stored_unchanged_with_its_page_count():
    data = _pdf(pages=2)

    clean = clean_document(_upload(data, "证书.pdf", "application/pdf"))

    digest = hashlib.sha256(data).hexdigest()
    assert _stored(clean) == data
    assert (clean.kind, clean.content_type, clean.pages) == ("pdf", "application/pdf", 2)
    assert (clean.sha256, clean.size) == (digest, len(data))
    assert (clean.width, clean.height) == (None, None)
    assert clean.content.name == f"{digest[:16]}.pdf"


@pytest.mark.parametrize("clean", [clean_document, clean_image])
def test_valid_jpeg_is_re_encoded_and_described_by_the_stored_bytes(clean):
    data = _jpeg(size=(60, 40))

    result = clean(_upload(data, "photo.jpg", "image/jpeg"))

    stored = _stored(result)
    digest = hashlib.sha256(stored).hexdigest()
    assert (result.kind, result.content_type) == ("jpeg", "image/jpeg")
    assert (result.width, result.height, result.pages) == (60, 40, None)
    assert (result.sha256, result.size) == (digest, len(stored))
    assert result.content.name == f"{digest[:16]}.jpg"
    with Image.open(io.BytesIO(stored)) as img:
        assert (img.format, img.mode, img.size) == ("JPEG", "RGB", (60, 40))


@pytest.mark.parametrize("clean", [clean_document, clean_image])
def test_valid_png_is_re_encoded_keeping_transparency(clean):
    data = _png(size=(30, 50), color=(0, 128, 0, 100), mode="RGBA")

    result = clean(_upload(data, "logo.png", "image/png"))

    stored = _stored(result)
    digest = hashlib.sha256(stored).hexdigest()
    assert (result.kind, result.content_type) == ("png", "image/png")
    assert (result.width, result.height, result.pages) == (30, 50, None)
    assert (result.sha256, result.size) == (digest, len(stored))
    assert result.content.name == f"{digest[:16]}.png"
    with Image.open(io.BytesIO(stored)) as img:
        assert (img.format, img.mode) == ("PNG", "RGBA")
        assert img.getpixel((0, 0)) == (0, 128, 0, 100)


def test_type_comes_from_the_content_not_the_name_or_declared_type():
    upload = _upload(_png(), "licence.pdf", "application/pdf")

    clean = clean_document(upload)

    assert (clean.kind, clean.content_type) == ("png", "image/png")
    assert clean.content.name.endswith(".png")
    assert "licence" not in clean.content.name


def test_an_upload_already_read_by_form_validation_is_read_from_the_start():
    data = _pdf()
    upload = _upload(data, "scan.pdf")
    upload.read(10)

    clean = clean_document(upload)

    assert _stored(clean) == data


def test_file_of_exactly_the_limit_is_accepted():
    data = _pdf()

    clean = clean_document(_upload(data), max_bytes=len(data))

    assert clean.size == len(data)


@pytest.mark.parametrize(
    "mode,color,expected",
    [("CMYK", (0, 255, 255, 0), RED), ("L", 200, (200, 200, 200))],
)
def test_jpeg_in_other_colour_modes_is_stored_as_rgb(mode, color, expected):
    data = _jpeg(mode=mode, color=color)

    clean = clean_image(_upload(data))

    with Image.open(io.BytesIO(_stored(clean))) as img:
        assert img.mode == "RGB"
        pixel = img.getpixel((30, 20))
    assert all(abs(got - want) <= 40 for got, want in zip(pixel, expected, strict=True))


def test_16_bit_grey_png_is_scaled_to_8_bits_not_clipped_to_white():
    data = _png(mode="I;16", color=32768)

    clean = clean_image(_upload(data))

    with Image.open(io.BytesIO(_stored(clean))) as img:
        assert img.mode == "L"
        assert 120 <= img.getpixel((0, 0)) <= 136


# Rejected by type


@pytest.mark.parametrize(
    "start",
    [b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", b"\x7fELF\x02\x01\x01\x00", b"#!/bin/sh\nrm -rf /\n"],
    ids=["windows", "elf", "script"],
)
def test_program_renamed_to_pdf_is_rejected_as_a_program(start):
    upload = _upload(start + b"\x00" * 500, "licence.pdf", "application/pdf")

    error = _rejection(clean_document, upload)

    assert error.code == "unsupported_type"
    assert "program" in _english_message(error)


def test_text_file_named_png_is_rejected():
    upload = _upload("营业执照 scan\n".encode() * 20, "licence.png", "image/png")

    error = _rejection(clean_image, upload)

    assert error.code == "unsupported_type"
    message = _english_message(error)
    assert "program" not in message
    assert "JPEG, PNG" in message


def test_clean_image_refuses_a_pdf():
    upload = _upload(_pdf(), "photo.jpg", "image/jpeg")

    error = _rejection(clean_image, upload)

    assert error.code == "unsupported_type"
    assert error.params["kind"] == "PDF"


# Rejected by size


def test_empty_file_is_rejected():
    error = _rejection(clean_document, _upload(b"", "scan.pdf", "application/pdf"))

    assert error.code == "empty"


def test_oversized_file_is_rejected_stating_both_sizes():
    upload = _upload(b"%PDF-" + b"\x00" * (3 * MB // 2 - 5), "scan.pdf", "application/pdf")

    error = _rejection(clean_document, upload, max_bytes=MB)

    assert error.code == "too_large"
    assert error.params == {"size": "1.5", "limit": "1.0"}
    assert "1.5" in _english_message(error)


def test_size_in_the_message_is_rounded_up_so_it_never_equals_the_limit():
    upload = _upload(b"\x00" * (MB + 1))

    error = _rejection(clean_document, upload, max_bytes=MB)

    assert error.params == {"size": "1.1", "limit": "1.0"}


def test_one_byte_over_the_limit_is_rejected():
    data = _pdf()

    error = _rejection(clean_document, _upload(data), max_bytes=len(data) - 1)

    assert error.code == "too_large"


class _EndlessStream:
    """A file-like object that never ends, counting what is read from it."""

    def __init__(self):
        self.bytes_read = 0

    def read(self, size=-1):
        assert size >= 0, "an unbounded read would never return"
        self.bytes_read += size
        return b"\x00" * size


def test_no_more_than_the_limit_plus_one_byte_is_read():
    stream = _EndlessStream()

    error = _rejection(clean_document, stream, max_bytes=1000)

    assert error.code == "too_large"
    assert stream.bytes_read <= 1001


# Rejected images


def test_truncated_jpeg_is_rejected_as_corrupt():
    buffer = io.BytesIO()
    Image.effect_noise((200, 200), 64).convert("RGB").save(buffer, "JPEG")
    data = buffer.getvalue()

    error = _rejection(clean_image, _upload(data[: len(data) // 2]))

    assert error.code == "corrupt_image"


@pytest.mark.parametrize(
    "offset",
    [
        20,  # inside the compressed pixel data
        -4,  # in the CRC only: decoding would succeed, only verify() notices
    ],
    ids=["data", "crc"],
)
def test_png_with_a_damaged_chunk_is_rejected_as_corrupt(offset):
    data = bytearray(_png_of(Image.effect_noise((64, 64), 64)))
    idat_length_at = data.index(b"IDAT") - 4
    (idat_length,) = struct.unpack(">I", data[idat_length_at : idat_length_at + 4])
    idat_end = idat_length_at + 8 + idat_length + 4  # length, type, data, CRC
    data[offset + (idat_length_at + 8 if offset >= 0 else idat_end)] ^= 0xFF

    error = _rejection(clean_image, _upload(bytes(data)))

    assert error.code == "corrupt_image"


@pytest.mark.parametrize(
    "side",
    [
        7_000,  # above our limit, below Pillow's
        10_000,  # above Pillow's warning threshold
        20_000,  # above Pillow's error threshold
    ],
)
def test_image_declaring_too_many_pixels_is_rejected_before_decoding(side):
    assert side * side > IMAGE_MAX_PIXELS
    upload = _upload(_png_declaring_size(side, side))

    error = _rejection(clean_image, upload)

    assert error.code == "too_many_pixels"


def test_pixel_limit_allows_an_image_just_under_it():
    upload = _upload(_png(size=(8, 8)))

    assert clean_image(upload).width == 8


# Re-encoding


def test_exif_is_removed_from_jpeg():
    exif = Image.Exif()
    exif[0x010F] = "EvilCamMaker"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (31.0, 14.0, 2.0)
    data = _jpeg(exif=exif, comment=b"secret comment")
    with Image.open(io.BytesIO(data)) as original:
        assert original.getexif()

    clean = clean_image(_upload(data))

    stored = _stored(clean)
    with Image.open(io.BytesIO(stored)) as img:
        assert not img.getexif()
        assert "comment" not in img.info
    assert b"EvilCamMaker" not in stored
    assert b"secret comment" not in stored


def test_metadata_is_removed_from_png():
    exif = Image.Exif()
    exif[0x010F] = "EvilCamMaker"
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "secret comment")
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = _png(exif=exif, pnginfo=text, icc_profile=icc)

    clean = clean_image(_upload(data))

    stored = _stored(clean)
    with Image.open(io.BytesIO(stored)) as img:
        assert not img.getexif()
        assert "Comment" not in img.info
        assert "icc_profile" not in img.info
    assert b"EvilCamMaker" not in stored


def test_exif_orientation_is_applied_to_the_pixels():
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    buffer = io.BytesIO()
    _two_colour_image((40, 20)).save(buffer, "JPEG", exif=exif)

    clean = clean_image(_upload(buffer.getvalue()))

    assert (clean.width, clean.height) == (20, 40)
    with Image.open(io.BytesIO(_stored(clean))) as img:
        assert img.size == (20, 40)
        top, bottom = img.getpixel((10, 5)), img.getpixel((10, 35))
    assert top[0] > 150 and top[2] < 100  # the left (red) half is now on top
    assert bottom[2] > 150 and bottom[0] < 100


@pytest.mark.parametrize(
    "size,max_side,expected",
    [((400, 200), 100, (100, 50)), ((200, 400), 100, (50, 100)), ((80, 40), 100, (80, 40))],
)
def test_max_side_downscales_keeping_the_aspect_ratio_and_never_upscales(size, max_side, expected):
    data = _png_of(_two_colour_image(size))

    clean = clean_image(_upload(data), max_side=max_side)

    assert (clean.width, clean.height) == expected
    with Image.open(io.BytesIO(_stored(clean))) as img:
        assert img.size == expected


def test_palette_png_with_transparency_is_downscaled_smoothly_and_stays_transparent():
    img = Image.new("P", (200, 100), 0)
    img.putpalette([0, 0, 0, 255, 0, 0])
    img.paste(1, (101, 0, 200, 100))  # transparent left, red right, the edge off the 4-pixel grid
    data = _png_of(img, transparency=0)

    clean = clean_image(_upload(data), max_side=50)

    with Image.open(io.BytesIO(_stored(clean))) as stored:
        assert stored.size == (50, 25)
        rgba = stored.convert("RGBA")
    alphas = {rgba.getpixel((x, 12))[3] for x in range(50)}
    assert 0 in alphas and 255 in alphas
    assert any(0 < alpha < 255 for alpha in alphas), "palette images must not be resized nearest-neighbour"


# PDFs


def test_garbage_after_pdf_signature_is_rejected_as_corrupt():
    upload = _upload(b"%PDF-1.7\n" + bytes(range(256)) * 40, "scan.pdf", "application/pdf")

    error = _rejection(clean_document, upload)

    assert error.code == "corrupt_pdf"


def test_pdf_without_pages_is_rejected():
    error = _rejection(clean_document, _upload(_pdf(pages=0)))

    assert error.code == "corrupt_pdf"


def test_pdf_needing_a_password_to_open_is_rejected():
    data = _encrypted_pdf(user_password="pw", owner_password="owner")

    error = _rejection(clean_document, _upload(data, "scan.pdf", "application/pdf"))

    assert error.code == "pdf_encrypted"


def test_pdf_with_only_an_owner_password_opens_and_is_accepted():
    data = _encrypted_pdf(user_password="", owner_password="owner")

    clean = clean_document(_upload(data))

    assert (clean.kind, clean.pages) == ("pdf", 1)


# Thumbnails


@pytest.mark.parametrize(
    "size,expected", [((400, 200), (64, 32)), ((100, 300), (21, 64)), ((30, 20), (30, 20))]
)
def test_thumbnail_is_an_rgb_jpeg_within_the_bound(size, expected):
    clean = clean_image(_upload(_png_of(_two_colour_image(size))))

    thumb = make_thumbnail(clean, side=64)

    with Image.open(io.BytesIO(thumb.read())) as img:
        assert (img.format, img.mode, img.size) == ("JPEG", "RGB", expected)
    assert thumb.name.endswith(".jpg")


def test_thumbnail_of_transparent_png_has_a_white_background():
    clean = clean_image(_upload(_png(size=(100, 100), color=(0, 0, 0, 0), mode="RGBA")))

    thumb = make_thumbnail(clean, side=32)

    with Image.open(io.BytesIO(thumb.read())) as img:
        assert all(channel > 245 for channel in img.getpixel((16, 16)))


def test_thumbnail_leaves_the_clean_upload_readable():
    clean = clean_image(_upload(_jpeg()))
    before = _stored(clean)

    make_thumbnail(clean, side=16)

    assert clean.content.read() == before


def test_pdf_has_no_thumbnail():
    clean = clean_document(_upload(_pdf()))

    with pytest.raises(ValueError):
        make_thumbnail(clean, side=64)


@pytest.mark.parametrize("side", [10_000, 20_000])
def test_pillow_decompression_bomb_warning_is_an_error_even_with_a_higher_own_limit(side, monkeypatch):
    monkeypatch.setattr("core.uploads.IMAGE_MAX_PIXELS", 10**12)
    upload = _upload(_png_declaring_size(side, side))

    error = _rejection(clean_image, upload)

    assert error.code == "too_many_pixels"
