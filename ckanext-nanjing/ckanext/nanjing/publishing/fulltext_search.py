"""`datastore_search?q=` on the tables the gate loads, through CKAN's own
IDatastore interface (`publishing.plugin`): the query is split the way `fulltext` split the
rows, so API users keep CKAN's parameters (`q` as text or per column,
`full_text`, `plain`) and their answers. Tables made otherwise (a
`datastore_create` from the API) keep CKAN's English full text.

The plugin is listed after `datastore` in `ckan.plugins`: CKAN calls
IDatastore plugins in that order, and this rewrites what CKAN's built.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

import ckan.plugins.toolkit as tk
from ckanext.datastore.backend import postgres as backend

from . import fulltext

__all__ = ["search_query", "splits_chinese"]


def splits_chinese(connection, resource_id: str) -> bool:
    """Whether the table's full text is ours: its trigger says how rows
    get their `_full_text`."""
    return connection.execute(sa.text(
        "SELECT 1 FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relname = :table AND t.tgname = 'zfulltext' "
        "AND t.tgfoid::regproc::text = :function"),
        {"table": resource_id, "function": fulltext.TRIGGER_FUNCTION}).first() is not None


def search_query(context, data_dict: dict[str, Any], query_dict: dict[str, Any]
                 ) -> dict[str, Any]:
    """CKAN's query for `datastore_search`, its full text split as ours
    where the table's full text is ours."""
    q, full_text = data_dict.get("q"), data_dict.get("full_text")
    if not (q or full_text) or not splits_chinese(context["connection"],
                                                  data_dict["resource_id"]):
        return query_dict
    plain = data_dict.get("plain", True)
    statements = []
    per_column = q if isinstance(q, dict) else {}
    try:
        if full_text or isinstance(q, str):
            statements.append(_query_statement(full_text or q, plain, None))
        for field, value in per_column.items():
            statements.append(_query_statement(value, plain, field))
    except ValueError as error:
        raise tk.ValidationError({"q": [str(error)]}) from error
    query_dict["ts_query"] = ", " + ", ".join(statements)
    # CKAN's per-column match and rank use to_tsvector of the cell.
    language = backend.literal_string(backend._fts_lang(data_dict.get("language")))
    for field in per_column:
        cell = f"cast({backend.identifier(field)} as text)"
        theirs = f"to_tsvector({language}, {cell})"
        ours = f"array_to_tsvector({fulltext.LEXEMES_FUNCTION}({cell}))"
        query_dict["select"] = [s.replace(theirs, ours) for s in query_dict["select"]]
        query_dict["sort"] = [s.replace(theirs, ours) for s in query_dict["sort"]]
        query_dict["where"] = [(clause[0].replace(theirs, ours),) + tuple(clause[1:])
                               for clause in query_dict["where"]]
    return query_dict


def _query_statement(value: Any, plain: bool, field: str | None) -> str:
    text = fulltext.tsquery(str(value), plain=plain)
    return (f"to_tsquery('simple', {backend.literal_string(text)}) "
            f"{backend._ts_query_alias(field)}")
