"""What a body writes into its yearly report (`ReportEntry`): table 二's
decision counts and fee income, which are records of its business systems
and not of the platform, and the text of sections 一, 五 and 六.

The city's report sums the bodies' figures; only its text is its own."""
from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from .. import personal_data
from . import tables
from .model import CITY_KEY, ReportEntry

__all__ = ["FIGURES", "TEXTS", "MAX_COUNT", "MAX_TEXT", "find", "parse", "save", "figures_of",
           "texts_of", "unfilled", "deadline", "is_government"]

# Table 二's rows a body enters: (key, label, column).
FIGURES = [("licensing", "行政许可", "本年处理决定数量"),
           ("penalty", "行政处罚", "本年处理决定数量"),
           ("enforcement", "行政强制", "本年处理决定数量"),
           ("charges", "行政事业性收费", "本年收费金额（单位：万元）")]
# The sections whose text the body writes: (key, section title).
TEXTS = [(key, title) for key, title in tables.SECTIONS
         if key in ("overview", "problems", "other")]
MAX_COUNT = 10**9
MAX_CHARGES = Decimal(10**8)   # 万元: a trillion yuan
MAX_TEXT = 20000
MAX_SOURCE = 100
DEFAULT_SOURCE = "本机关填报"


def find(key: str, year: int) -> ReportEntry | None:
    return model.Session.get(ReportEntry, (key, year))


def _count(value: Any, label: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or isinstance(value, float) and not value.is_integer():
        raise ValueError(f"“{label}”应为不小于 0 的整数")
    try:
        number = int(str(value).strip()) if not isinstance(value, (int, float)) else int(value)
    except (TypeError, ValueError):
        raise ValueError(f"“{label}”应为不小于 0 的整数")
    if number < 0:
        raise ValueError(f"“{label}”应为不小于 0 的整数")
    if number > MAX_COUNT:
        raise ValueError(f"“{label}”超过 {MAX_COUNT}，请核实")
    return number


def _charges(value: Any) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    label = "行政事业性收费金额（万元）"
    if isinstance(value, bool):
        raise ValueError(f"“{label}”应为数字，如 12.3456")
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValueError(f"“{label}”应为数字，如 12.3456")
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"“{label}”应为不小于 0 的数字")
    if amount > MAX_CHARGES:
        raise ValueError(f"“{label}”超过 {MAX_CHARGES} 万元，请核实单位是否为万元")
    if amount != amount.quantize(Decimal("0.0001")):
        raise ValueError(f"“{label}”以万元为单位，最多保留四位小数")
    return amount.quantize(Decimal("0.0001"))


def _text(value: Any, label: str, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"“{label}”应为文字")
    text = value.replace("\r\n", "\n").strip()
    if len(text) > limit:
        raise ValueError(f"“{label}”不能超过 {limit} 字（现有 {len(text)} 字）")
    if any(ord(ch) < 32 and ch not in "\n\t" for ch in text):
        raise ValueError(f"“{label}”含有无法保存的控制字符")
    # The report is published: the platform's one personal-data detector.
    kind = personal_data.personal_info_kind(text)
    if kind:
        raise ValueError(f"“{label}”含有未脱敏的个人信息（{personal_data.PERSONAL_KINDS[kind]}），"
                         "年度报告将向社会公开，请删除或脱敏")
    return text


def parse(data_dict: dict[str, Any], *, city: bool) -> dict[str, Any]:
    """The fields given in `data_dict`, checked; a ValidationError naming
    every wrong one. A field not given is left as it is; an empty one is
    cleared."""
    changes: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for key, label, _column in FIGURES:
        if key not in data_dict:
            continue
        if city:
            errors[key] = ["全市汇总的表二数量是各机关填报数之和，请在各机关的年度报告中填写"]
            continue
        try:
            changes[key] = (_charges(data_dict[key]) if key == "charges"
                            else _count(data_dict[key], label))
        except ValueError as error:
            errors[key] = [str(error)]
    for key, title in TEXTS:
        if key in data_dict:
            try:
                changes[key] = _text(data_dict[key], title, MAX_TEXT)
            except ValueError as error:
                errors[key] = [str(error)]
    if "figures_source" in data_dict:
        try:
            changes["figures_source"] = _text(data_dict["figures_source"], "数据来源", MAX_SOURCE)
        except ValueError as error:
            errors["figures_source"] = [str(error)]
    if errors:
        raise tk.ValidationError(errors)
    if not changes:
        raise tk.ValidationError({"organization": [
            "没有要保存的内容：可填写 licensing、penalty、enforcement、charges、"
            "overview、problems、other、figures_source"]})
    return changes


def save(key: str, year: int, changes: dict[str, Any], user_id: str | None) -> ReportEntry:
    entry = find(key, year)
    if entry is None:
        entry = ReportEntry(organization_id=key, year=year)
        model.Session.add(entry)
    for field, value in changes.items():
        setattr(entry, field, value)
    if any(field in changes for field, _label, _column in FIGURES) \
            and "figures_source" not in changes and not entry.figures_source:
        entry.figures_source = DEFAULT_SOURCE
    entry.modified = datetime.datetime.utcnow()
    entry.modified_by = user_id
    return entry


def _number(value: Any) -> Any:
    return None if value is None else (str(value) if isinstance(value, Decimal) else value)


def figures_of(organization_ids: list[str] | None, year: int) -> dict[str, dict[str, Any]]:
    """Table 二's entered rows: {key: {value, source}}. For the city (None),
    each row sums the bodies that entered it and says how many did."""
    if organization_ids is not None:
        entry = find(organization_ids[0], year)
        source = (entry.figures_source or DEFAULT_SOURCE) if entry else ""
        return {key: {"value": _number(getattr(entry, key, None)) if entry else None,
                      "source": source if entry and getattr(entry, key) is not None
                      else "尚未填报"}
                for key, _label, _column in FIGURES}
    active = {org_id for (org_id,) in model.Session.query(model.Group.id).filter(
        model.Group.is_organization.is_(True), model.Group.state == "active")}
    rows = [entry for entry in model.Session.query(ReportEntry).filter(
        ReportEntry.year == year, ReportEntry.organization_id != CITY_KEY)
        if entry.organization_id in active]
    answer = {}
    for key, _label, _column in FIGURES:
        given = [getattr(entry, key) for entry in rows if getattr(entry, key) is not None]
        total = sum(given) if given else None
        answer[key] = {"value": _number(total),
                       "source": f"各机关填报数之和（{len(active)} 个机关中 {len(given)} 个已填报）"}
    return answer


def texts_of(key: str, year: int) -> dict[str, str]:
    entry = find(key, year)
    return {field: (getattr(entry, field) if entry else "") for field, _title in TEXTS}


def unfilled(report: dict[str, Any], *, city: bool) -> list[str]:
    """What must still be written before the report can be published."""
    missing = [] if city else [f"表二“{row['label']}”" for row in report["table2"]["decisions"]
                               if row["value"] is None]
    missing += [f"“{title}”的文字" for key, title in TEXTS if key in ("overview", "problems")
                and not report["texts"][key]]
    return missing


def is_government(title: str) -> bool:
    """A people's government (人民政府) reports by 31 March, its departments
    by 31 January (条例第五十条)."""
    return title.endswith("人民政府")


def deadline(year: int, title: str, *, city: bool) -> datetime.date:
    return (datetime.date(year + 1, 3, 31) if city or is_government(title)
            else datetime.date(year + 1, 1, 31))
