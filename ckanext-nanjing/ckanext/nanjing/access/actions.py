"""The DataStore actions under the rule: reads made under a grant or a
membership go into the access log, and a grant narrowed to some fields
answers only those fields (its holder may not filter, sort or search on
the others either, which would reveal them row by row)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context

from . import log, resolve, rule

__all__ = ["datastore_search", "datastore_search_sql"]

# access/auth.py puts each table it let through, with its resource and
# verdict, in this dict of the caller's context (CKAN hands the auth
# function a copy of the context, with the table names added).
SQL_TABLES = "nanjing_sql_tables"

ALWAYS_ALLOWED = {"_id"}


def _names(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        value = value.split(",")
    if isinstance(value, dict):
        value = list(value)
    if not isinstance(value, list):
        return [str(value)]
    return [str(item).strip() for item in value if str(item).strip()]


def _sort_names(value: Any) -> list[str]:
    names = []
    for item in _names(value):
        name = item.rsplit(" ", 1)[0] if item.lower().endswith((" asc", " desc")) else item
        names.append(name.strip('"'))
    return names


def narrow_to_fields(data_dict: dict[str, Any], granted: tuple[str, ...]) -> None:
    allowed = set(granted) | ALWAYS_ALLOWED
    requested = _names(data_dict.get("fields"))
    outside = [name for name in requested if name not in allowed]
    filters = data_dict.get("filters")
    if isinstance(filters, dict):
        outside += [name for name in filters if name not in allowed]
    outside += [name for name in _sort_names(data_dict.get("sort")) if name not in allowed]
    q = data_dict.get("q")
    if isinstance(q, dict):
        outside += [name for name in q if name not in allowed]
    elif q:
        raise tk.NotAuthorized("您的授权仅限该数据的部分字段，全文检索（q）会检索全部字段；"
                               "请用 filters 或按字段的 q（如 q={\"字段\": \"词\"}）查询授权字段。")
    if outside:
        shown = "、".join(dict.fromkeys(name[:60] for name in outside))
        raise tk.NotAuthorized(f"您的授权不包括这些字段：{shown}")
    if not requested:
        data_dict["fields"] = list(granted)


@tk.chained_action
@tk.side_effect_free
def datastore_search(next_action, context: Context, data_dict: dict[str, Any]):
    resource = resolve.resource_named(data_dict.get("resource_id"))
    if resource is None:
        return next_action(context, data_dict)
    who = rule.reader(context.get("user"))
    verdict = rule.verdict(who, resource.package, resource.id)
    if verdict.allowed and verdict.fields is not None:
        narrow_to_fields(data_dict, verdict.fields)
    result = next_action(context, data_dict)
    if not log.whole_read_is_logged():
        log.record(who, verdict, "datastore_search", resource.package_id, resource.id,
                   rows=len(result.get("records") or []))
    return result


@tk.chained_action
@tk.side_effect_free
def datastore_search_sql(next_action, context: Context, data_dict: dict[str, Any]):
    if not isinstance(data_dict.get("sql"), str) or not data_dict["sql"].strip():
        # CKAN's own action answers a missing statement with a 500.
        raise tk.ValidationError({"sql": ["缺少 SQL 查询语句（sql）"]})
    tables: dict[str, tuple[rule.Reader, rule.Verdict, Any]] = {}
    context[SQL_TABLES] = tables  # type: ignore[literal-required]
    result = next_action(context, data_dict)
    rows = len(result.get("records") or [])
    for who, verdict, resource in tables.values():
        log.record(who, verdict, "datastore_search_sql", resource.package_id, resource.id,
                   rows=rows)
    return result
