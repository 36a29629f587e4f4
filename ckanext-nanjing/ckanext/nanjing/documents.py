"""Documents people send in or are sent: PDF, Word, Excel, CSV or text,
scans as images; never programs, web pages or archives. Judged by their
bytes (`sniffing`, as the gate judges tables), not by their names, so a
program renamed `.pdf` is refused. Request replies and the attachments of
applications for conditional data both come through here."""
from __future__ import annotations

import base64
import mimetypes
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

from flask import make_response

import ckan.plugins.toolkit as tk

from . import sniffing
from .privatepages import no_store

__all__ = ["Upload", "read_uploads", "document_problem", "download_response"]

DOCUMENT_KINDS = ("PDF", "Word", "PowerPoint", "PNG", "JPEG", "TIFF", "GIF", "BMP",
                  "Office 97-2003")


class Upload:
    def __init__(self, name: str, content: bytes):
        self.name, self.content = name, content
        self.mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"


def _uploads(value: Any) -> list[Any]:
    items = []
    for item in (value if isinstance(value, (list, tuple)) else [value]):
        if isinstance(item, (list, tuple)):
            items.extend(item)
        elif item not in (None, ""):
            items.append(item)
    return items


def document_problem(name: str, content: bytes, what: str = "答复材料") -> str | None:
    """What is wrong with this file as a document, in Chinese, or None."""
    if not content:
        return f"文件“{name}”是空文件"
    with tempfile.NamedTemporaryFile(suffix=Path(name).suffix) as handle:
        handle.write(content)
        handle.flush()
        kind = sniffing.foreign(Path(handle.name))
        if kind is None:
            sniffed = sniffing.sniff(Path(handle.name))
            binary = b"\x00" in content[:4096]
            if sniffed in ("zip", "xls") or (sniffed in ("text", "json") and not binary):
                return None
            return f"无法识别文件“{name}”的类型，请上传 PDF、Word、Excel 或图片"
    if kind.startswith(DOCUMENT_KINDS):
        return None
    return f"文件“{name}”的内容是{kind}，不能作为{what}；请上传 PDF、Word、Excel 或扫描图片"


def read_uploads(value: Any, *, limit_mb: int, field: str = "files", what: str = "答复材料",
                 most: int | None = None) -> list[Upload]:
    """The uploads as documents, or a ValidationError on `field` naming what
    is wrong. Each is at most `limit_mb`, all together four times that."""
    limit = limit_mb << 20
    uploads, total = [], 0
    items = _uploads(value)
    if most is not None and len(items) > most:
        raise tk.ValidationError({field: [f"{what}最多 {most} 个文件"]})
    for item in items:
        if not hasattr(item, "read"):
            raise tk.ValidationError({field: [f"请以文件上传{what}"]})
        name = Path(getattr(item, "filename", "") or "附件").name[:200]
        content = item.read(limit + 1)
        if len(content) > limit:
            raise tk.ValidationError({field: [
                f"文件“{name}”超过 {limit_mb} MB，请压缩或分多次提供"]})
        problem = document_problem(name, content, what)
        if problem:
            raise tk.ValidationError({field: [problem]})
        total += len(content)
        uploads.append(Upload(name, content))
    if total > 4 * limit:
        raise tk.ValidationError({field: [f"{what}合计超过 {4 * limit_mb} MB"]})
    return uploads


def download_response(found: dict[str, Any], fallback: str):
    """What a letter, agreement or attachment action answers ({filename,
    mimetype, content_base64}) as a download no cache keeps: each carries
    one person's matter."""
    filename = found.get("filename") or fallback
    ascii_name = "document" + (f".{filename.rsplit('.', 1)[-1]}" if "." in filename else "")
    response = make_response(base64.b64decode(found["content_base64"]))
    response.headers["Content-Type"] = found.get("mimetype") or "application/octet-stream"
    response.headers["Content-Disposition"] = (
        f"attachment; filename={ascii_name}; filename*=UTF-8''{quote(filename)}")
    return no_store(response)
