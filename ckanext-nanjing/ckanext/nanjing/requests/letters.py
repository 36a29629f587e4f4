"""Letters of the requests for disclosure (依申请公开文书).

One Jinja2 HTML template a kind, in `letters/` beside this module; a file of
the same name in the directory of `ckanext.nanjing.requests.letter_templates_dir`
replaces the shipped one, so an administrator edits the wording without
touching code. Templates run in Jinja's sandbox with autoescape: whatever an
applicant typed is text, never markup. A template that does not compile or
fails while rendering raises `LetterTemplateError`, in Chinese, naming the
file and the line.

The HTML is the letter: the platform's printer (`printing`) makes the PDF
and the DOCX of it.
"""
from __future__ import annotations

import datetime
import os
import re
import traceback
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from .. import localtime, printing
from . import results, schema

__all__ = ["KINDS", "LetterTemplateError", "render_html", "check_templates", "templates_dir"]

KINDS = {"receipt": "政府信息公开申请登记回执", "correction": "政府信息公开申请补正告知书",
         "consultation": "政府信息公开征求第三方意见书", "agency": "政府信息公开协商函",
         "extension": "政府信息公开申请延期答复告知书", "fee": "政府信息公开信息处理费收费通知书",
         "reply": "政府信息公开申请答复书"}

OPTION = "ckanext.nanjing.requests.letter_templates_dir"
SHIPPED = os.path.join(os.path.dirname(__file__), "letters")
REGULATION = "《中华人民共和国政府信息公开条例》"

# The article of a result group, where a request carries no result of its own.
GROUP_ARTICLES = {"disclose": "第三十六条第（二）项", "partial": "第三十七条",
                  "withhold": "第十四条", "unable": "第三十六条", "not_handled": "第三十六条",
                  "other": "第三十六条"}

LABELS = {
    "provision": schema.PROVISIONS, "delivery": schema.DELIVERIES, "channel": schema.CHANNELS,
    "applicant_type": schema.APPLICANT_TYPES,
    "method": {"per_request": "按件计收", "per_page": "按量计收"},
}


class LetterTemplateError(ValueError):
    """A letter template does not compile or fails to render; the message
    says which file and line, in Chinese."""


class _Undefined(jinja2.Undefined):
    """A missing key prints as nothing (an optional field left empty), but a
    name the context does not have at all is a mistake in the template."""

    __slots__ = ()

    def _is_error(self) -> bool:
        # ... or what the sandbox refused (request.__class__): always an error
        return (self._undefined_obj is jinja2.utils.missing
                or self._undefined_exception is not jinja2.UndefinedError)

    def __str__(self) -> str:
        if self._is_error():
            self._fail_with_undefined_error()
        return ""

    def __iter__(self):
        if self._is_error():
            self._fail_with_undefined_error()
        return iter(())


def _yuan(value: Any) -> str:
    try:
        amount = float(value or 0)
    except (TypeError, ValueError):
        return str(value)
    return f"{amount:,.2f}"


def _label(value: Any, field: str) -> str:
    return LABELS.get(field, {}).get(value, value or "")


def templates_dir() -> str:
    """The administrator's override directory ('' when none)."""
    import ckan.plugins.toolkit as tk
    return (tk.config.get(OPTION) or "").strip()


_environments: dict[str, SandboxedEnvironment] = {}


def _environment(override: str) -> SandboxedEnvironment:
    if override and not os.path.isdir(override):
        raise LetterTemplateError(
            f"文书模板目录 {override} 不存在或不是目录（配置项 {OPTION}）；"
            f"请修正该配置项，或留空以使用平台自带的模板")
    env = _environments.get(override)
    if env is None:
        env = SandboxedEnvironment(
            loader=jinja2.FileSystemLoader([override, SHIPPED] if override else [SHIPPED],
                                           encoding="utf-8"),
            autoescape=True, undefined=_Undefined, trim_blocks=True, lstrip_blocks=True,
            auto_reload=True)  # an edited override is picked up without a restart
        env.filters.update(cn_date=localtime.cn_date, yuan=_yuan, label=_label)
        _environments[override] = env
    return env


def _template_line(error: BaseException) -> tuple[str, int | None]:
    """The template file and line a rendering error happened at (the
    innermost): Jinja rewrites tracebacks so that template frames carry the
    template's path and line."""
    found: tuple[str, int | None] = ("", None)
    for frame in traceback.extract_tb(error.__traceback__):
        if frame.filename.endswith(".html"):
            found = (frame.filename, frame.lineno)
    return found


def _undecodable(directory: str) -> str:
    """The first template of `directory` that is not UTF-8 (e.g. saved as GBK)."""
    for name in sorted(os.listdir(directory)) if directory else ():
        path = os.path.join(directory, name)
        try:
            with open(path, encoding="utf-8") as stream:
                stream.read()
        except UnicodeDecodeError:
            return path
        except OSError:
            continue
    return ""


def _explain(error: Exception) -> str:
    if isinstance(error, jinja2.TemplateNotFound):
        return f"找不到模板 {error.name}"
    if isinstance(error, jinja2.UndefinedError):
        match = re.match(r"'([^']+)' is undefined", str(error))
        if match:
            return f"变量 {match.group(1)} 未定义"
        return f"使用了未定义的变量（{error}）"
    if isinstance(error, jinja2.exceptions.SecurityError):
        return f"模板访问了不允许的属性（{error}）"
    return f"{type(error).__name__}: {error}"


def _list(value: Any) -> list:
    """Reasons, items: a list, or a text with one per line."""
    if not value:
        return []
    if isinstance(value, str):
        return [line.strip() for line in value.splitlines() if line.strip()]
    if isinstance(value, (list, tuple)):
        return [item for item in value if item not in (None, "")]
    return [value]


def _file_names(files: Any) -> list[str]:
    names = []
    for item in _list(files):
        names.append((item.get("name") or "") if isinstance(item, dict) else str(item))
    return [name for name in names if name]


def _deadline(context: dict) -> dict:
    """The deadline as the templates use it, from the clock's Deadline or
    from the request dict's `deadline`."""
    due = context.get("due")
    if due is not None and not isinstance(due, dict):
        return {"due": due.due, "provisional": due.provisional, "explanation": due.explanation(),
                "days": due.days, "extension": due.extension}
    found = dict(due or (context.get("request") or {}).get("deadline") or {})
    return {"due": found.get("due"), "provisional": bool(found.get("provisional")),
            "explanation": found.get("explanation") or "", "days": found.get("days"),
            "extension": found.get("extension")}


def _article(request: dict) -> str:
    """The article the reply rests on: the result's own (results.py, the one
    table of reply results), else its group's."""
    result = results.get(request.get("result") or "")
    article = request.get("result_article") or (result.article if result else "")
    return article or GROUP_ARTICLES.get(request.get("result_group") or "", "第三十六条")


def _letter_view(kind: str, context: dict) -> dict:
    request = context.get("request") or {}
    event = context.get("event") or {}
    data = event.get("data") or {}
    view = {"kind": kind, "title": KINDS[kind], "regulation": REGULATION,
            "corrections": _list(data.get("items")), "reasons": _list(data.get("reasons")),
            "files": _file_names(data.get("files")), "breakdown": _list(data.get("breakdown"))}
    if kind == "reply":
        remedy = context.get("remedy") or {}
        if not remedy.get("reconsideration_body") or not remedy.get("court"):
            raise ValueError("答复书必须写明救济途径：缺少行政复议机关（remedy.reconsideration_body）"
                             "或人民法院（remedy.court）")
        where = data.get("where") or ""
        article = _article(request)
        if request.get("result_group") == "disclose" and where:
            article = "第三十六条第（一）项"
        view.update(article=article, basis=REGULATION + article, where=where,
                    group=request.get("result_group") or "other")
    return view


def render_html(kind: str, context: dict) -> printing.Document:
    """The letter of `kind` for `context` (see the module's docstring)."""
    if kind not in KINDS:
        raise ValueError(f"未知的文书类型“{str(kind)[:40]}”，应为：{'、'.join(KINDS)}")
    override = templates_dir()
    env = _environment(override)
    values = dict(context)
    values["today"] = values.get("today") or localtime.today()
    values["letter"] = _letter_view(kind, values)
    values["deadline"] = _deadline(values)
    name = f"{kind}.html"
    try:
        template = env.get_template(name)
        body = template.render(values)
    except jinja2.TemplateSyntaxError as error:
        where = error.filename or name
        raise LetterTemplateError(
            f"文书模板 {where} 第 {error.lineno} 行有语法错误：{error.message}；"
            f"请修正该文件，或删除它以使用平台自带的模板") from None
    except UnicodeDecodeError:
        raise LetterTemplateError(
            f"文书模板 {_undecodable(override) or name} 不是 UTF-8 编码；请以 UTF-8 编码另存该文件") from None
    except Exception as error:  # anything a template can raise while rendering
        path, line = _template_line(error)
        at = f" 第 {line} 行" if line else ""
        raise LetterTemplateError(
            f"文书模板 {path or name}{at}无法生成文书：{_explain(error)}；"
            f"请修正该文件，或删除它以使用平台自带的模板") from None
    return printing.Document(kind=kind, title=KINDS[kind], html=body, text=printing.plain_text(body))


# -- checking an administrator's templates ---------------------------------------

def _sample(kind: str, group: str) -> dict:
    request = {
        "id": "sample", "number": "宁示例公开申〔2026〕第1号",
        "organization": {"id": "sample", "name": "sample", "title": "南京市示例局"},
        "state": "registered", "state_label": "办理中", "pause_kind": None,
        "applicant": {"type": "natural", "category": "natural", "name": "示例申请人",
                      "id_type": "id_card", "id_number_masked": "3201**********1234",
                      "phone": "025-00000000", "email": "", "address": "南京市"},
        "description": "示例信息", "doc_number": "", "purpose": "", "provision": "email",
        "delivery": "email", "fee_waiver": False, "channel": "online",
        "received": "2026-12-01", "created": "2026-12-01T09:00:00",
        "deadline": {"due": "2026-12-29", "provisional": False, "explanation": "", "days_left": 10,
                     "status": "on_time"},
        "extension_days": 0, "result": group, "result_label": "示例", "result_group": group,
        "events": [], "letters": [], "files": [], "appeals": [], "published_package_id": None,
    }
    data = {"items": ["示例"], "reply_within": 15, "party": "示例单位", "kind": "third_party",
            "days": 20, "reason": "示例", "method": "per_page", "pages": 40, "amount": 100,
            "breakdown": ["示例"], "result": group, "text": "示例", "reasons": ["示例"],
            "files": [{"name": "示例.pdf"}], "where": ""}
    return {"request": request, "event": {"transition": kind, "data": data, "note": "",
                                          "created": "2026-12-03T09:00:00"},
            "org": {"title": "南京市示例局", "name": "sample"}, "today": datetime.date(2026, 12, 3),
            "due": None, "remedy": {"reconsideration_body": "南京市人民政府", "court": "南京铁路运输法院"}}


def check_templates() -> list[str]:
    """Render every kind (the reply once per result group) with a sample
    request, so that a broken override is reported when it is installed
    (`ckan nanjing doctor`, start-up), not when a handler needs the letter.
    Returns the files checked; raises LetterTemplateError."""
    override = templates_dir()
    _environment(override)
    for kind in KINDS:
        groups = GROUP_ARTICLES if kind == "reply" else ("disclose",)
        for group in groups:
            render_html(kind, _sample(kind, group))
    if not override:
        return []
    return sorted(name for name in os.listdir(override) if name.endswith(".html"))
