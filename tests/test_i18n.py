"""Our translation catalogs: no entry twice, placeholders kept, and the
pages built from type names read naturally in both languages."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from .support import ROOT

CATALOGS = sorted((ROOT / "ckanext-nanjing" / "ckanext" / "nanjing" / "i18n").glob(
    "*/LC_MESSAGES/*.po"))
PLACEHOLDER = re.compile(r"\{[a-z_]*\}|%\([a-z_]+\)[sd]|%[sd]")


def _msgids(path: Path) -> list[str]:
    """Each entry's msgid, joining continued lines, as gettext would see them."""
    ids, current = [], None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if line.startswith("msgid "):
            current = [line[6:]]
        elif current is not None and line.startswith('"'):
            current.append(line)
        elif current is not None:
            ids.append("".join(current))
            current = None
    return ids


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: p.parts[-3])
def test_catalog_has_no_entry_twice(path):
    ids = [msgid for msgid in _msgids(path) if msgid != '""']
    duplicates = {msgid for msgid in ids if ids.count(msgid) > 1}
    assert not duplicates


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: p.parts[-3])
def test_translations_keep_their_placeholders(path):
    with path.open("rb") as stream:
        catalog = read_po(stream)
    for message in catalog:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) == wanted, message.id


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_type_pages_name_the_type_in_each_language(app):
    chinese = app.get("/gkml_item/").body
    assert "共 0 个公开事项" in chinese or "没有找到公开事项" in chinese
    assert "Gkml_Item" not in chinese
    english = app.get("/en/gkml_item/").body
    assert "Disclosure items" in english
    assert "Gkml_Item" not in english and "gkml_items" not in english


def test_the_javascript_translations_load_for_the_default_language(app):
    """CKAN's JavaScript asks for /api/i18n/zh_Hans-CN (it replaces only the
    first dash of zh-Hans-CN); without an answer no page module starts."""
    response = app.get("/api/i18n/zh_Hans-CN")
    assert response.status_code == 200
    assert response.json == app.get("/api/i18n/zh_Hans_CN").json
    assert app.get("/api/i18n/xx-YY", status=None).status_code == 400
