"""Code lists (areas, channels, power types, legal grounds, ...) read from
the YAML files beside this module, once per process."""
from __future__ import annotations

import dataclasses
import functools
import json
from pathlib import Path
from typing import Any

import yaml

__all__ = ["CodeList", "get", "all_lists", "values_of", "is_filled", "PLACEHOLDERS"]

FOLDER = Path(__file__).parent


@dataclasses.dataclass(frozen=True)
class CodeList:
    name: str
    label: str
    values: tuple[dict[str, Any], ...]

    def __contains__(self, value: object) -> bool:
        return any(item["value"] == value for item in self.values)

    def label_of(self, value: str, lang: str = "zh_Hans_CN") -> str:
        for item in self.values:
            if item["value"] == value:
                return item["label"] if lang.startswith("zh") else item.get("label_en", item["label"])
        return value

    def position(self, value: str) -> int:
        """Where `value` stands in the list's order (an unknown one last), to
        sort by the order the list gives."""
        return next((index for index, item in enumerate(self.values) if item["value"] == value),
                    len(self.values))

    def choices(self) -> list[dict[str, Any]]:
        """As ckanext-scheming wants them, with a label per language."""
        return [{"value": item["value"],
                 "label": {"zh_Hans_CN": item["label"], "en": item.get("label_en", item["label"])}}
                for item in self.values]


@functools.cache
def all_lists() -> dict[str, CodeList]:
    lists: dict[str, CodeList] = {}
    for file in sorted(FOLDER.glob("*.yaml")):
        for name, body in yaml.safe_load(file.read_text(encoding="utf-8")).items():
            if name in lists:
                raise ValueError(f"code list {name} is defined twice ({file.name})")
            lists[name] = CodeList(name, body["label"], tuple(body["values"]))
    return lists


def get(name: str) -> CodeList:
    try:
        return all_lists()[name]
    except KeyError:
        raise KeyError(f"no code list named {name!r} in {FOLDER}") from None


# What stewards and harvesters type for "nothing": a field holding only
# one of these says nothing, and counts as blank.
PLACEHOLDERS = frozenset(["无", "暂无", "空", "-", "--", "—", "——", "/", "n/a", "na", "null",
                          "none", "nil", "tbd", "待定", "待补充", "[]", "{}", '""', "''", "0000-00-00"])


def is_filled(value: Any) -> bool:
    """Whether a field says something: not missing, blank, an empty list,
    or a placeholder such as “无” or “-”."""
    return any(item.strip() and item.strip().lower() not in PLACEHOLDERS
               for item in values_of(value))


def values_of(value: Any) -> list[str]:
    """The values of a choice field: one value, a list, or the JSON list
    that scheming stores for multi-selects."""
    if isinstance(value, list):
        return [str(item) for item in value]
    if isinstance(value, str) and value.startswith("["):
        try:
            return [str(item) for item in json.loads(value)]
        except ValueError:
            pass
    return [str(value)] if value not in (None, "") else []
