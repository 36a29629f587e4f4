"""The 数据利用协议: written from a versioned Jinja2 template (access/agreement.html,
or the file `ckanext.nanjing.access.agreement_template` names) when an
application is approved, kept as HTML so a later template change does not
alter what was agreed, and printed to PDF and DOCX by the platform's printer.
The template runs in Jinja's sandbox with autoescape: whatever the applicant
typed is text, never markup."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

import ckan.plugins.toolkit as tk

from .. import localtime, printing

__all__ = ["TITLE", "AgreementTemplateError", "template_path", "template_version", "write",
           "text_hash", "to_pdf", "to_docx"]

TITLE = "公共数据有条件开放利用协议"
SHIPPED = Path(__file__).with_name("agreement.html")
OPTION = "ckanext.nanjing.access.agreement_template"


class AgreementTemplateError(ValueError):
    """The agreement template is missing, does not compile or fails to render."""


def template_path() -> Path:
    override = tk.config.get(OPTION)
    return Path(override) if override else SHIPPED


def _source() -> str:
    path = template_path()
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise AgreementTemplateError(
            f"无法读取协议模板 {path}（配置项 {OPTION}）：{error}；"
            f"请修正该文件（UTF-8 编码），或清空配置项以使用平台自带的模板") from error


def template_version() -> str:
    source = _source()
    return f"{template_path().stem}-{hashlib.sha256(source.encode()).hexdigest()[:12]}"


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def write(values: dict[str, Any]) -> tuple[str, str, str]:
    """(html, text, template version) of the agreement for `values`."""
    source = _source()
    env = SandboxedEnvironment(autoescape=True, undefined=jinja2.StrictUndefined,
                               trim_blocks=True, lstrip_blocks=True)
    env.filters["cn_date"] = localtime.cn_date
    where = os.fspath(template_path())
    try:
        html = env.from_string(source).render(**values)
    except jinja2.TemplateError as error:
        line = getattr(error, "lineno", None)
        raise AgreementTemplateError(
            f"协议模板 {where}{f' 第 {line} 行' if line else ''}有误：{error}") from error
    return html, printing.plain_text(html), template_version()


def _document(agreement) -> printing.Document:
    return printing.Document("agreement", agreement.title, agreement.html, agreement.text)


def to_pdf(agreement) -> bytes:
    return printing.to_pdf(_document(agreement))


def to_docx(agreement) -> bytes:
    return printing.to_docx(_document(agreement))
