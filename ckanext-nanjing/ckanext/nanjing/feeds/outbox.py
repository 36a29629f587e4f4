"""The change log's one entrance. Every public change to a record is written
here in the transaction of the change, whatever made it (a form, the API,
a harvester, the gate's background publication): the plugin's dataset
hooks and the bulk and purge actions call `record_package`, other features
call `record` through feeds/api.py. A change is recorded as the public sees
it: a record that was never public leaves no trace, one that stops being
public leaves a tombstone (withdrawn or deleted) and no content."""
from __future__ import annotations

import json
from typing import Any

from sqlalchemy import text

import ckan.model as model
import ckan.plugins.toolkit as tk

from .model import Change

__all__ = ["CHANGES", "TOMBSTONES", "register", "record", "record_package", "last_change",
           "seed"]

# Every kind of change, with what users read. A new kind is one register().
CHANGES: dict[str, dict[str, str]] = {
    "created": {"zh": "发布", "en": "published"},
    "updated": {"zh": "更新", "en": "updated"},
    "resource_added": {"zh": "新增资源", "en": "resource added"},
    "resource_replaced": {"zh": "资源更新", "en": "resource replaced"},
    "entry_published": {"zh": "公开事项发布", "en": "disclosure entry published"},
    "withdrawn": {"zh": "撤回（不再公开）", "en": "withdrawn"},
    "deleted": {"zh": "删除", "en": "deleted"},
}
TOMBSTONES = frozenset(["withdrawn", "deleted"])
# Fields that change with every save and say nothing to a reader.
NOISE = ("metadata_modified", "revision_id", "num_resources", "num_tags", "tracking_summary")


def register(kind: str, zh: str, en: str) -> None:
    CHANGES[kind] = {"zh": zh, "en": en}


def record(kind: str, object_type: str, object_id: str, item: dict[str, Any] | None, *,
           name: str = "", title: str = "", organization: str = "", area: str = "") -> Change:
    """Add one change to the session of the change itself (committed with it)."""
    if kind not in CHANGES:
        raise ValueError(f"unknown kind of change: {kind}")
    row = Change(change=kind, object_type=object_type, object_id=object_id, name=name,
                 title=title, organization=organization, area=area,
                 item_json=None if item is None else json.dumps(item, ensure_ascii=False))
    model.Session.add(row)
    # Heard by the webhook worker when the change commits (not before, and
    # not at all if it is rolled back).
    model.Session.execute(text("SELECT pg_notify('nanjing_feeds', '')"))
    return row


def last_change(object_id: str) -> Change | None:
    return (model.Session.query(Change).filter(Change.object_id == object_id)
            .order_by(Change.seq.desc()).first())


def _public_view(package_id: str) -> dict[str, Any] | None:
    """The record as package_show gives it to anyone not signed in."""
    try:
        return tk.get_action("package_show")({"user": "", "ignore_auth": False},
                                             {"id": package_id})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return None


def _same(before: dict[str, Any], after: dict[str, Any]) -> bool:
    def quiet(item):
        shown = {k: v for k, v in item.items() if k not in NOISE}
        shown["resources"] = [{k: v for k, v in r.items() if k not in NOISE}
                              for r in item.get("resources") or []]
        return shown
    return quiet(before) == quiet(after)


def _kind_of_update(before: dict[str, Any], after: dict[str, Any]) -> str:
    old = {r["id"]: r for r in before.get("resources") or []}
    new = {r["id"]: r for r in after.get("resources") or []}
    if set(new) - set(old):
        return "resource_added"
    for key, resource in new.items():
        was = old.get(key)
        if was and any(was.get(f) != resource.get(f) for f in ("url", "last_modified", "size",
                                                              "hash")):
            return "resource_replaced"
    return "updated"


def record_package(package_id: str, deleting: bool = False) -> Change | None:
    """Record what the public saw change on a dataset of any type."""
    package = model.Package.get(package_id)
    if package is None:
        return None
    last = last_change(package.id)
    was_public = last is not None and last.change not in TOMBSTONES
    item = None
    if not deleting and package.state == "active" and not package.private:
        item = _public_view(package.id)
    owner = model.Group.get(package.owner_org) if package.owner_org else None
    where = {"name": package.name, "title": package.title or "",
             "organization": owner.name if owner else "",
             "area": str(package.extras.get("area") or "")}
    if item is None:
        if not was_public:
            return None
        kind = "deleted" if deleting or package.state == "deleted" else "withdrawn"
        return record(kind, package.type, package.id, None, **where)
    if not was_public:
        kind = "entry_published" if package.type == "gkml_item" else "created"
    elif last.item is not None and _same(last.item, item):
        return None
    else:
        kind = _kind_of_update(last.item or {}, item)
    return record(kind, package.type, package.id, item, **where)


def seed() -> int:
    """Record every public record the log does not know yet as published: a
    portal that had records before the change log existed starts its log
    with them. Safe to repeat."""
    known = {object_id for (object_id,) in model.Session.query(Change.object_id).distinct()}
    public = model.Session.query(model.Package.id).filter(
        model.Package.state == "active", model.Package.private.is_(False)).order_by(
        model.Package.metadata_created)
    added = 0
    for (package_id,) in public:
        if package_id not in known and record_package(package_id) is not None:
            added += 1
            if added % 200 == 0:
                model.Session.commit()
    model.Session.commit()
    return added
