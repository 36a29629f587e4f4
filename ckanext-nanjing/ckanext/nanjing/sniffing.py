"""What a file really is, judged by its bytes, not its name or declared
format: the gate refuses a PDF renamed .csv, and a reply to a request
takes documents but never programs, web pages or archives."""
from __future__ import annotations

import zipfile
from pathlib import Path

__all__ = ["foreign", "sniff", "ZIP_MAGIC", "OLE_MAGIC"]

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Files that are not tables, by their first bytes (offset, signature, name):
# refused whatever their name or declared format.
FOREIGN = (
    (0, b"%PDF-", "PDF 文档"),
    (0, b"\x89PNG\r\n\x1a\n", "PNG 图片"),
    (0, b"\xff\xd8\xff", "JPEG 图片"),
    (0, b"GIF87a", "GIF 图片"),
    (0, b"GIF89a", "GIF 图片"),
    (0, b"BM", "BMP 图片"),
    (0, b"II*\x00", "TIFF 图片"),
    (0, b"MM\x00*", "TIFF 图片"),
    (0, b"\x1f\x8b", "gzip 压缩包"),
    (0, b"7z\xbc\xaf\x27\x1c", "7z 压缩包"),
    (0, b"Rar!\x1a\x07", "RAR 压缩包"),
    (257, b"ustar", "tar 归档"),
    (0, b"\x7fELF", "ELF 可执行程序"),
    (0, b"MZ", "Windows 可执行程序（PE/MZ）"),
    (0, b"\xfe\xed\xfa\xce", "Mach-O 可执行程序"),
    (0, b"\xfe\xed\xfa\xcf", "Mach-O 可执行程序"),
    (0, b"\xce\xfa\xed\xfe", "Mach-O 可执行程序"),
    (0, b"\xcf\xfa\xed\xfe", "Mach-O 可执行程序"),
    (0, b"\xca\xfe\xba\xbe", "Mach-O 可执行程序"),
)
MARKUP = ((b"<!doctype html", "HTML 网页"), (b"<html", "HTML 网页"), (b"<?xml", "XML 文档"))


def foreign(path: Path) -> str | None:
    """The Chinese name of what a non-tabular file really is, or None."""
    with path.open("rb") as stream:
        head = stream.read(512)
    for offset, signature, name in FOREIGN:
        # Two-byte signatures ("BM", "MZ") also begin ordinary text: they
        # count only in binary bytes.
        if head[offset:offset + len(signature)] == signature and (
                len(signature) > 2 or b"\x00" in head[:64]):
            return name
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WebP 图片"
    if head.startswith(ZIP_MAGIC):
        return _zip_kind(path)
    if head.startswith(OLE_MAGIC):
        return _ole_kind(path)
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    for signature, name in MARKUP:
        if start.startswith(signature):
            return name
    return None


def _zip_kind(path: Path) -> str | None:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except zipfile.BadZipFile:
        return None  # a broken zip: the workbook check explains it
    if "xl/workbook.xml" in names:
        return None
    if any(name.startswith("word/") for name in names):
        return "Word 文档（.docx）"
    if any(name.startswith("ppt/") for name in names):
        return "PowerPoint 演示文稿（.pptx）"
    return "ZIP 压缩包"


def _ole_kind(path: Path) -> str | None:
    # OLE directory entries carry stream names in UTF-16; a workbook has a
    # "Workbook" (or "Book") stream.
    with path.open("rb") as stream:
        data = stream.read(8 << 20)  # the directory sits near the start; never the whole file
    if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
        return None
    if "WordDocument".encode("utf-16-le") in data:
        return "Word 97-2003 文档（.doc）"
    if "PowerPoint Document".encode("utf-16-le") in data:
        return "PowerPoint 97-2003 演示文稿（.ppt）"
    return "Office 97-2003 文档（不是 Excel 工作簿）"


def sniff(path: Path) -> str:
    """What the bytes are: zip (xlsx), xls, json or text."""
    with path.open("rb") as stream:
        head = stream.read(8)
        if head.startswith(ZIP_MAGIC):
            return "zip"
        if head.startswith(OLE_MAGIC):
            return "xls"
        stream.seek(0)
        start = stream.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    if start[:1] in (b"[", b"{"):
        return "json"
    return "text"
