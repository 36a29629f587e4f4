"""From a source record's values to the fields of a catalog type (the
ckanext-scheming schemas of ckanext-nanjing): code-list labels become codes
(主动公开 → proactive), lists are split, dates written as ISO dates."""
from __future__ import annotations

import datetime as dt
import decimal
import re
from typing import Any, Iterable

from .config import ConfigError

__all__ = ["dataset_fields", "label", "check_targets", "check_required", "convert", "text"]

# Fields every harvester sets itself.
MANAGED = {"name", "owner_org", "type", "id", "private", "state"}
_LIST_SPLIT = re.compile(r"\s*[,，、;；\n]\s*")


def dataset_fields(dataset_type: str) -> dict[str, dict[str, Any]]:
    from ckanext.scheming.helpers import scheming_get_dataset_schema

    schema = scheming_get_dataset_schema(dataset_type)
    if schema is None:
        raise ConfigError(f"平台没有“{dataset_type}”这种目录类型")
    return {f["field_name"]: f for f in schema["dataset_fields"]}


def label(field: dict[str, Any]) -> str:
    value = field.get("label") or field["field_name"]
    if isinstance(value, dict):
        value = value.get("zh_Hans_CN") or next(iter(value.values()))
    return f"{value}（{field['field_name']}）"


def check_targets(dataset_type: str, targets: Iterable[str], where: str) -> None:
    fields = dataset_fields(dataset_type)
    for target in targets:
        if target in MANAGED:
            raise ConfigError(f"{where}：字段“{target}”由采集器自动设置，不能映射")
        if target not in fields:
            raise ConfigError(f"{where}：目录类型 {dataset_type} 没有字段“{target}”；可用字段："
                              f"{'、'.join(n for n in fields if n not in MANAGED)}")


def check_required(dataset_type: str, given: Iterable[str], where: str) -> None:
    given = set(given)
    missing = [label(f) for name, f in dataset_fields(dataset_type).items()
               if f.get("required") and name not in MANAGED and name not in given]
    if missing:
        raise ConfigError(f"{where}：缺少目录类型 {dataset_type} 的必填字段 {'、'.join(missing)}；"
                          f"请用列映射或固定值给出")


def text(value: Any) -> str:
    """A source value as text (dates as ISO, no float noise)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value).strip()


def convert(field: dict[str, Any], value: Any) -> Any:
    """The value a field of the schema wants, from a source value."""
    multiple = "multiple" in (field.get("preset") or "") or \
        "multiple" in (field.get("validators") or "")
    if multiple:
        items = value if isinstance(value, (list, tuple)) else \
            [v for v in _LIST_SPLIT.split(text(value)) if v]
        items = [text(item) for item in items]
    else:
        items = [value if isinstance(value, str) else text(value)]
        items = [item.strip() for item in items]
    if field.get("codelist"):
        items = [_code(field["codelist"], item) for item in items]
    elif field.get("choices"):
        items = [_choice(field["choices"], item) for item in items]
    if field.get("preset") == "date" and items and items[0]:
        items = [items[0][:10]]
    return items if multiple else items[0]


def _code(codelist: str, value: str) -> str:
    """The code of a code-list entry given by its code or its Chinese label."""
    try:
        from ckanext.nanjing import codelists
        values = codelists.get(codelist).values
    except (ImportError, KeyError):
        return value
    for item in values:
        if value in (item["value"], item["label"]):
            return item["value"]
    return value  # the catalog's own validator names the allowed values


def _choice(choices: list[dict[str, Any]], value: str) -> str:
    """The value of a scheming choice given by its value or one of its labels."""
    for choice in choices:
        labels = choice.get("label")
        labels = labels.values() if isinstance(labels, dict) else [labels]
        if value == choice.get("value") or value in labels:
            return choice["value"]
    return value
