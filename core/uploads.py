"""Checking uploaded files by what they contain, and making a safe copy to store.

The name and the declared content type of an upload come from the client and prove nothing, so
the type is decided from the first bytes, the file is parsed with a real decoder, and images are
decoded and re-encoded: what we store is pixels we produced ourselves, without the uploader's
metadata (EXIF with GPS positions, camera serial numbers, comments, XMP) or anything hidden after
the image data. PDFs cannot be re-encoded without a renderer, so they are parsed to prove they are
PDFs that open and are then stored byte for byte.

Stored files get a name made from their hash, so nothing the uploader typed reaches the storage
path.
"""

import contextlib
import hashlib
import io
import math
import warnings
from dataclasses import dataclass
from typing import Protocol

import pypdf
import pypdf.errors
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
IMAGE_MAX_BYTES = 8 * 1024 * 1024
# 40 megapixels is more than any phone camera or A4 scan at 600 dpi produces, and keeps one decoded
# RGBA copy under 160 MB. Pillow's own limit (about 89 megapixels, and a hard error only at twice
# that) is global and too generous for a web worker.
IMAGE_MAX_PIXELS = 40_000_000
JPEG_QUALITY = 85

_MB = 1024 * 1024
_READ_CHUNK = 64 * 1024
_PROGRAM_SIGNATURES = (b"MZ", b"\x7fELF", b"#!")


@dataclass(frozen=True)
class _Kind:
    name: str
    signature: bytes
    content_type: str
    extension: str
    label: str
    pillow_format: str = ""


_PDF = _Kind("pdf", b"%PDF-", "application/pdf", "pdf", "PDF")
_JPEG = _Kind("jpeg", b"\xff\xd8\xff", "image/jpeg", "jpg", "JPEG", "JPEG")
_PNG = _Kind("png", b"\x89PNG\r\n\x1a\n", "image/png", "png", "PNG", "PNG")
_KINDS = (_PDF, _JPEG, _PNG)
_DOCUMENT_KINDS = (_PDF, _JPEG, _PNG)
_IMAGE_KINDS = (_JPEG, _PNG)

# Modes a PNG can be written in without losing anything the user would see.
_PNG_MODES = frozenset({"1", "L", "LA", "P", "RGB", "RGBA"})


class ReadableFile(Protocol):
    """Django's UploadedFile or File, or any binary file object; seek() and size are used if present."""

    def read(self, size: int = ..., /) -> bytes: ...


@dataclass(frozen=True)
class CleanUpload:
    content: ContentFile  # the bytes to store; .name is "<sha256[:16]>.<ext>"
    kind: str  # "pdf" | "jpeg" | "png"
    content_type: str
    sha256: str  # of the stored bytes, which for images differ from the uploaded ones
    size: int
    width: int | None
    height: int | None
    pages: int | None


def clean_document(upload: ReadableFile, *, max_bytes: int = DOCUMENT_MAX_BYTES) -> CleanUpload:
    """Accept a PDF, JPEG or PNG scan (licences, certificates) and return a copy safe to store.

    The type is taken from the content only. Images are decoded and re-encoded without metadata;
    PDFs must parse, have a page and open without a password (reviewers have to be able to read
    them), and are stored unchanged. Raises ValidationError with a code saying what is wrong.
    """
    data = _read_limited(upload, max_bytes)
    kind = _detect_kind(data, _DOCUMENT_KINDS)
    if kind is _PDF:
        return _clean_pdf(data)
    return _clean_image_data(data, kind, max_side=None)


def clean_image(
    upload: ReadableFile, *, max_bytes: int = IMAGE_MAX_BYTES, max_side: int | None = None
) -> CleanUpload:
    """Accept a JPEG or PNG picture and return a re-encoded copy safe to store and show to anyone.

    Re-encoding removes EXIF (which often holds the GPS position of a farm or home) and anything
    appended to the image, and bakes the EXIF orientation into the pixels because it is dropped.
    With max_side the longer side is reduced to at most max_side pixels, so product pages do not
    serve 20-megapixel photos. Raises ValidationError with a code saying what is wrong.
    """
    if max_side is not None and max_side < 1:
        raise ValueError("max_side must be a positive number of pixels")
    data = _read_limited(upload, max_bytes)
    kind = _detect_kind(data, _IMAGE_KINDS)
    return _clean_image_data(data, kind, max_side=max_side)


def make_thumbnail(clean: CleanUpload, *, side: int) -> ContentFile:
    """Return an RGB JPEG whose longer side is at most side pixels, for list pages.

    Only for cleaned images: the input has already passed the pixel limit, so decoding it again is
    safe. Transparent areas become white, as they look on our pages. PDFs have no thumbnail because
    pypdf cannot render pages; that raises ValueError, as does a side below 1.
    """
    if side < 1:
        raise ValueError("side must be a positive number of pixels")
    if clean.kind not in (_JPEG.name, _PNG.name):
        raise ValueError(f"cannot make a thumbnail of a {clean.kind} file")
    clean.content.seek(0)
    data = clean.content.read()
    clean.content.seek(0)
    buffer = io.BytesIO()
    with Image.open(io.BytesIO(data)) as img:
        img.thumbnail((side, side), Image.Resampling.LANCZOS)
        _flatten_to_rgb(img).save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return ContentFile(buffer.getvalue(), name=f"{clean.sha256[:16]}-{side}.jpg")


def _read_limited(upload: ReadableFile, max_bytes: int) -> bytes:
    # Form validation (Django's ImageField among others) may already have read the file.
    seek = getattr(upload, "seek", None)
    if seek is not None:
        with contextlib.suppress(OSError, ValueError):  # not seekable: read from where it is
            seek(0)
    # One byte more than allowed is enough to know it is too large; never read the whole of a huge file.
    chunks: list[bytes] = []
    remaining = max_bytes + 1
    while remaining > 0:
        chunk = upload.read(min(remaining, _READ_CHUNK))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    data = b"".join(chunks)
    if not data:
        raise ValidationError(_("The file is empty."), code="empty")
    if len(data) > max_bytes:
        size = _declared_size(upload)
        if size is None or size <= max_bytes:
            raise ValidationError(
                _("The file is larger than the limit of %(limit)s MB."),
                code="too_large",
                params={"limit": _megabytes(max_bytes)},
            )
        raise ValidationError(
            _("The file is %(size)s MB; the limit is %(limit)s MB."),
            code="too_large",
            params={"size": _megabytes(size, round_up=True), "limit": _megabytes(max_bytes)},
        )
    return data


def _declared_size(upload: ReadableFile) -> int | None:
    try:
        # Django's File.size raises AttributeError when it cannot tell.
        size = getattr(upload, "size", None)
    except (OSError, ValueError):
        return None
    return size if isinstance(size, int) else None


def _megabytes(n: int, *, round_up: bool = False) -> str:
    # Rounded up, a file 1 byte over a 10 MB limit reads "10.1 MB", not "10.0 MB; the limit is 10.0 MB".
    tenths = math.ceil(n * 10 / _MB) if round_up else round(n * 10 / _MB)
    return f"{tenths / 10:.1f}"


def _detect_kind(data: bytes, accepted: tuple[_Kind, ...]) -> _Kind:
    detected = next((kind for kind in _KINDS if data.startswith(kind.signature)), None)
    if detected in accepted:
        return detected
    params = {"accepted": ", ".join(kind.label for kind in accepted)}
    if detected is not None:
        raise ValidationError(
            _("%(kind)s files are not accepted here. Accepted types: %(accepted)s."),
            code="unsupported_type",
            params={**params, "kind": detected.label},
        )
    if data.startswith(_PROGRAM_SIGNATURES):
        raise ValidationError(
            _("This file looks like a program, not a document or picture. Accepted types: %(accepted)s."),
            code="unsupported_type",
            params=params,
        )
    raise ValidationError(
        _("This file is not in a supported format. Accepted types: %(accepted)s."),
        code="unsupported_type",
        params=params,
    )


def _clean_pdf(data: bytes) -> CleanUpload:
    # pypdf signals a malformed file with many exception types (PdfReadError, PdfStreamError,
    # ValueError, KeyError, TypeError, IndexError, RecursionError...), and none of them can be told
    # apart in a useful way for the user, so any exception while parsing means "damaged".
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        locked = reader.is_encrypted and _needs_password(reader)
        pages = None if locked else len(reader.pages)
    except Exception as exc:
        raise ValidationError(
            _("The PDF is damaged and cannot be opened."),
            code="corrupt_pdf",
        ) from exc
    if locked:
        raise ValidationError(
            _("The PDF is protected by a password. Please upload a copy without the password."),
            code="pdf_encrypted",
        )
    if not pages:
        raise ValidationError(_("The PDF has no pages."), code="corrupt_pdf")
    return _result(data, _PDF, width=None, height=None, pages=pages)


def _needs_password(reader: pypdf.PdfReader) -> bool:
    # A PDF with only an owner password (printing or copying restricted) opens with an empty password.
    try:
        return reader.decrypt("") == pypdf.PasswordType.NOT_DECRYPTED
    except pypdf.errors.DependencyError:
        # AES needs the optional "cryptography" package; without it the file cannot be checked or
        # read here, so treat it like a password-protected one.
        return True


def _clean_image_data(data: bytes, kind: _Kind, *, max_side: int | None) -> CleanUpload:
    # Image.open reads only the header, so the size is known before any pixel data is decoded.
    with _open_image(data, kind) as img:
        _check_pixels(*img.size)
        try:
            img.verify()  # checks structure (e.g. PNG chunk CRCs) without decoding
        except Exception as exc:
            raise _corrupt_image() from exc
    # verify() leaves the image unusable; decoding needs a fresh open.
    with _open_image(data, kind) as img:
        try:
            img.load()  # truncated or corrupt pixel data fails here
            # The EXIF orientation is about to be dropped with the rest of EXIF, so apply it to the pixels.
            ImageOps.exif_transpose(img, in_place=True)
        except Exception as exc:
            raise _corrupt_image() from exc
        clean = _normalise_mode(img, kind)
        if max_side is not None and max(clean.size) > max_side:
            clean = _downscale(clean, max_side)
        # Encoders copy some metadata from .info (PNG: ICC profile; JPEG: comment); keep only what
        # affects how the pixels look.
        transparency = clean.info.get("transparency") if kind is _PNG else None
        clean.info = {} if transparency is None else {"transparency": transparency}
        buffer = io.BytesIO()
        if kind is _JPEG:
            clean.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True)
        else:
            clean.save(buffer, "PNG")
        width, height = clean.size
    return _result(buffer.getvalue(), kind, width=width, height=height, pages=None)


def _open_image(data: bytes, kind: _Kind) -> Image.Image:
    with warnings.catch_warnings():
        # Pillow only warns between its two thresholds; a warning must stop the upload too.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            # Only the decoder for the detected type: an upload never reaches Pillow's other decoders.
            return Image.open(io.BytesIO(data), formats=[kind.pillow_format])
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ValidationError(
                _("The image has too many pixels; the limit is %(limit)s megapixels."),
                code="too_many_pixels",
                params={"limit": _megapixels(IMAGE_MAX_PIXELS)},
            ) from exc
        except Exception as exc:
            raise _corrupt_image() from exc


def _check_pixels(width: int, height: int) -> None:
    if width < 1 or height < 1:
        raise _corrupt_image()
    if width * height > IMAGE_MAX_PIXELS:
        raise ValidationError(
            _(
                "The image is %(width)s × %(height)s pixels (%(megapixels)s megapixels); "
                "the limit is %(limit)s megapixels."
            ),
            code="too_many_pixels",
            params={
                "width": width,
                "height": height,
                "megapixels": _megapixels(width * height),
                "limit": _megapixels(IMAGE_MAX_PIXELS),
            },
        )


def _megapixels(pixels: int) -> str:
    return f"{pixels / 1_000_000:.1f}"


def _corrupt_image() -> ValidationError:
    return ValidationError(_("The image is damaged or incomplete and cannot be read."), code="corrupt_image")


def _normalise_mode(img: Image.Image, kind: _Kind) -> Image.Image:
    if kind is _JPEG:
        return img if img.mode == "RGB" else img.convert("RGB")
    if img.mode in _PNG_MODES:
        return img
    if img.mode.startswith("I"):
        # 16-bit grey: convert("L") would clip everything above 255 to white instead of scaling.
        return img.convert("I").point(lambda value: value / 256).convert("L")
    return img.convert("RGBA" if img.has_transparency_data else "RGB")


def _downscale(img: Image.Image, max_side: int) -> Image.Image:
    if img.mode == "P":
        # Resizing palette images falls back to nearest-neighbour; LANCZOS needs real colours.
        img = img.convert("RGBA" if img.has_transparency_data else "RGB")
    elif img.mode == "1":
        img = img.convert("L")
    width, height = img.size
    scale = max_side / max(width, height)
    size = (min(max_side, max(1, round(width * scale))), min(max_side, max(1, round(height * scale))))
    return img.resize(size, Image.Resampling.LANCZOS)


def _flatten_to_rgb(img: Image.Image) -> Image.Image:
    if img.mode == "RGB":
        return img
    if not img.has_transparency_data:
        return img.convert("RGB")
    rgba = img.convert("RGBA")
    background = Image.new("RGB", rgba.size, (255, 255, 255))
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background


def _result(
    data: bytes, kind: _Kind, *, width: int | None, height: int | None, pages: int | None
) -> CleanUpload:
    digest = hashlib.sha256(data).hexdigest()
    return CleanUpload(
        content=ContentFile(data, name=f"{digest[:16]}.{kind.extension}"),
        kind=kind.name,
        content_type=kind.content_type,
        sha256=digest,
        size=len(data),
        width=width,
        height=height,
        pages=pages,
    )
