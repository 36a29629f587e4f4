"""A request's number, 宁发改公开申〔2026〕第3号, as it is made and as an
applicant types it back: on a phone the 〔〕 brackets are hard to find, so
any brackets or none, half- or full-width characters, spaces, and 第 or
号 left out all find the same request."""
from __future__ import annotations

import re
import unicodedata

__all__ = ["format_number", "canonical_number"]

# After NFKC (full-width digits and brackets become ASCII) and without spaces:
# the prefix before 公开申, the year, the sequence; any brackets around the year.
BRACKETS = r"[\[\](){}〔〕【】〖〗［］<>《》]*"
TYPED = re.compile(rf"^(?P<prefix>\S+?)公开申{BRACKETS}(?P<year>\d{{4}}){BRACKETS}"
                   r"第?(?P<sequence>\d{1,9})号?$")


def format_number(prefix: str, year: int, sequence: int) -> str:
    return f"{prefix}公开申〔{year}〕第{sequence}号"


def canonical_number(typed: str) -> str:
    """The number as the platform wrote it, or the text as typed (trimmed)
    when it is not shaped like one."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(typed)))
    match = TYPED.match(text)
    if not match:
        return str(typed).strip()
    return format_number(match["prefix"], int(match["year"]), int(match["sequence"]))
