"""Letters of the request lifecycle (placeholder of the interface)."""
from __future__ import annotations

import dataclasses
import html as html_lib

__all__ = ["KINDS", "Letter", "LetterTemplateError", "render_html", "to_pdf", "to_docx"]

KINDS = {"receipt": "政府信息公开申请登记回执", "correction": "政府信息公开申请补正告知书",
         "consultation": "政府信息公开征求第三方意见书", "agency": "政府信息公开协商函",
         "extension": "政府信息公开申请延期答复告知书",
         "fee": "政府信息公开信息处理费收费通知书", "reply": "政府信息公开申请答复书"}


class LetterTemplateError(ValueError):
    pass


@dataclasses.dataclass
class Letter:
    kind: str
    title: str
    html: str
    text: str


def render_html(kind: str, context: dict) -> Letter:
    request = context["request"]
    text = f"{KINDS[kind]} {request['number']} {request['applicant']['name']}"
    return Letter(kind, KINDS[kind], f"<p>{html_lib.escape(text)}</p>", text)


def to_pdf(letter: Letter) -> bytes:
    return b"%PDF-1.4\n"


def to_docx(letter: Letter) -> bytes:
    return b"PK"
