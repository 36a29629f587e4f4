"""The yearly report as a document: the HTML of the official layout, printed
to PDF and rebuilt as DOCX by the platform's printer, as the request
letters are."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from .. import printing

__all__ = ["FORMATS", "title", "render", "content"]

FORMATS = {"pdf": "application/pdf",
           "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


def title(report: dict[str, Any]) -> str:
    return f"{report['organization']['title']}{report['year']}年政府信息公开工作年度报告"


def render(report: dict[str, Any]) -> printing.Document:
    """The report's document HTML (a page template of this plugin) and its text."""
    html = tk.render("nanjing/supervision/report_document.html",
                     {"report": report, "title": title(report)})
    return printing.Document(kind="annual_report", title=title(report), html=html,
                             text=printing.plain_text(html))


def content(report: dict[str, Any], fmt: str) -> bytes:
    document = render(report)
    return printing.to_pdf(document) if fmt == "pdf" else printing.to_docx(document)
