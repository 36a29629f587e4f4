"""The yearly report as a document: the HTML of the official layout, printed
to PDF and rebuilt as DOCX by the same code as the request letters."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ..requests import letters

__all__ = ["FORMATS", "title", "render", "content"]

FORMATS = {"pdf": "application/pdf",
           "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


def title(report: dict[str, Any]) -> str:
    return f"{report['organization']['title']}{report['year']}年政府信息公开工作年度报告"


def render(report: dict[str, Any]) -> letters.Letter:
    """The report's document HTML (a page template of this plugin) and its text."""
    html = tk.render("nanjing/supervision/report_document.html",
                     {"report": report, "title": title(report)})
    return letters.Letter(kind="annual_report", title=title(report), html=html,
                          text=letters.plain_text(html))


def content(report: dict[str, Any], fmt: str) -> bytes:
    letter = render(report)
    return letters.to_pdf(letter) if fmt == "pdf" else letters.to_docx(letter)
