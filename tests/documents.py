"""Reading printed documents back: the text of a PDF (pypdf) and of a DOCX
(python-docx), for the tests of the printer, the letters and the yearly
report."""
from __future__ import annotations

import io
import re

import docx
import pypdf

__all__ = ["flat", "pdf_text", "docx_text"]


def flat(text: str) -> str:
    """PDF and DOCX text break lines where the page does: compare without whitespace."""
    return re.sub(r"\s+", "", text)


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF-")
    return "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)
