"""Resource downloads are saved as files, not shown in the browser, under
the resource's own (Chinese) name.

CKAN's file storage answers uploads of any type with
`Content-Disposition: inline`, so a CSV opens as text in the browser (and
its Chinese may be decoded with the wrong charset). Only images and PDF
are shown inline here. CKAN also stores an upload under a name stripped of
everything but ASCII ("2026年预算.csv" becomes "2026-.csv"); the answer
names the file after the resource instead, in RFC 6266/5987 form
(`filename*=UTF-8''…`), with the stored name as the plain fallback."""
from __future__ import annotations

import posixpath
import re
from urllib.parse import quote

from flask import Response, request

import ckan.model as model

__all__ = ["register", "download_name", "MAX_NAME"]

INLINE_PREFIXES = ("image/", "application/pdf")
# What a file name may not hold on Windows, macOS or Linux, and controls.
UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')
MAX_NAME = 120


def register(app) -> None:
    app.after_request(_downloads_as_attachments)


def download_name(resource_name: str | None, stored_name: str) -> str:
    """The name a download is saved under: the resource's name with the
    stored file's extension, or the stored name when the resource has none."""
    readable = UNSAFE.sub(" ", resource_name or "").strip(" .")[:MAX_NAME].strip()
    if not readable:
        return stored_name
    extension = posixpath.splitext(stored_name)[1]
    if extension and not readable.lower().endswith(extension.lower()):
        readable += extension
    return readable


def _disposition(kind: str, name: str, stored_name: str) -> str:
    fallback = stored_name if stored_name.isascii() and '"' not in stored_name else "download"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _downloads_as_attachments(response: Response) -> Response:
    endpoint = request.endpoint or ""
    if not endpoint.endswith("resource.download") or response.status_code != 200:
        return response
    disposition = response.headers.get("Content-Disposition", "")
    if not disposition:
        return response
    inline = (response.mimetype or "").startswith(INLINE_PREFIXES)
    kind = "inline" if inline and disposition.startswith("inline") else "attachment"
    stored_name = (request.view_args or {}).get("filename") or ""
    if not stored_name:
        return response
    resource = model.Resource.get((request.view_args or {}).get("resource_id") or "")
    name = download_name(resource.name if resource is not None else "", stored_name)
    response.headers["Content-Disposition"] = _disposition(kind, name, stored_name)
    return response
