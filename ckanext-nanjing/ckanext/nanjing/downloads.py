"""Resource downloads are saved as files, not shown in the browser.

CKAN's file storage answers uploads of any type with
`Content-Disposition: inline`, so a CSV opens as text in the browser (and
its Chinese may be decoded with the wrong charset). Only images and PDF
are shown inline here."""
from __future__ import annotations

from flask import Response, request

__all__ = ["register"]

INLINE_PREFIXES = ("image/", "application/pdf")


def register(app) -> None:
    app.after_request(_downloads_as_attachments)


def _downloads_as_attachments(response: Response) -> Response:
    endpoint = request.endpoint or ""
    if not endpoint.endswith("resource.download"):
        return response
    disposition = response.headers.get("Content-Disposition", "")
    if disposition.startswith("inline") and not (response.mimetype or "").startswith(
            INLINE_PREFIXES):
        response.headers["Content-Disposition"] = "attachment" + disposition[len("inline"):]
    return response
