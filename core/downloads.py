"""The one response for files that are not public: qualification scans, test reports, price evidence,
after-sales photos. Whoever may see the file has been checked by the caller."""

import mimetypes
from pathlib import PurePosixPath

from django.http import FileResponse


def private_file_response(
    file,
    *,
    content_type: str = "",
    filename: str = "",
    as_attachment: bool = True,
    cache: str = "private, no-store",
) -> FileResponse:
    """Serve ``file`` (a FieldFile) so a browser can neither run it nor keep it in a shared cache.

    Attachments get a sandboxing CSP as well: a scan uploaded as a PDF or image is never rendered as
    part of our origin. ``cache`` is ``private, no-store`` unless the caller allows private caching.
    """
    name = filename or PurePosixPath(file.name).name
    content_type = content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(
        file.open("rb"), as_attachment=as_attachment, content_type=content_type, filename=name
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = cache
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
