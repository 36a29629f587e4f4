"""Idempotent loading of the demo catalog in `datasets/` through the Action API.

Layout of a catalog folder:
  organizations.yaml      list of organization dicts (name, title, description,
                          credit_code, request_prefix, reconsideration_body: organization extras)
  packages/**/*.yaml      one dataset dict per file, of any scheming `type`;
                          `owner_org` is an organization name; a resource with
                          `file:` names a file under the catalog folder.

Running it twice changes nothing: a dataset is only patched when a field
given in its file differs, and a file is only re-uploaded when its SHA-256
differs from the one recorded on the resource.
"""
from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from werkzeug.datastructures import FileStorage

import ckan.plugins.toolkit as tk

from .files import sha256_of

log = logging.getLogger(__name__)

__all__ = ["CatalogError", "load_catalog"]

SHA_FIELD = "source_sha256"


class CatalogError(Exception):
    """The catalog folder holds something that cannot be loaded."""


def load_catalog(path: str, echo: Callable[[str], Any] = log.info) -> dict[str, int]:
    root = Path(path)
    loader = _Loader(root, echo)
    for org in _read_yaml(root / "organizations.yaml", default=[]):
        loader.upsert_organization(
            _with_extras(org, "credit_code", "request_prefix", "reconsideration_body"))
    for file in sorted((root / "packages").rglob("*.yaml")):
        loader.upsert_package(_read_yaml(file), file)
    return loader.counts


def _read_yaml(file: Path, default: Any = None) -> Any:
    if not file.exists():
        if default is not None:
            return default
        raise CatalogError(f"找不到文件 {file}")
    try:
        return yaml.safe_load(file.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise CatalogError(f"{file} 不是有效的 UTF-8 YAML：{error}") from error


def _with_extras(data: dict[str, Any], *keys: str) -> dict[str, Any]:
    """Moves keys CKAN's organization schema lacks into its `extras`."""
    data = dict(data)
    extras = [{"key": key, "value": str(data.pop(key))} for key in keys if key in data]
    if extras:
        data["extras"] = extras
    return data


def _differs(wanted: dict[str, Any], current: dict[str, Any],
             unordered: frozenset[str] = frozenset()) -> bool:
    for key, value in wanted.items():
        shown, given = _shown_as(key, current), _given_as(key, value)
        if key in unordered and isinstance(shown, list) and isinstance(given, list):
            shown, given = sorted(shown), sorted(given)
        if shown != given:
            return True
    return False


def _unordered_fields(package_type: str) -> frozenset[str]:
    """Multi-select fields, which scheming stores in code-list order."""
    from ckanext.scheming.helpers import scheming_get_dataset_schema

    schema = scheming_get_dataset_schema(package_type) or {}
    return frozenset(field["field_name"] for field in schema.get("dataset_fields", [])
                     if field.get("preset") in ("nanjing_codelist_multiple", "multiple_checkbox",
                                                "multiple_select"))


def _given_as(key: str, value: Any) -> Any:
    if key == "tag_string":
        return {tag.strip() for tag in value.split(",") if tag.strip()}
    if key == "extras":
        return {item["key"]: item["value"] for item in value}
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)  # numbers come back from CKAN as text
    return value


def _shown_as(key: str, current: dict[str, Any]) -> Any:
    """The value `package_show` gives for a field as the catalog file writes it."""
    if key == "owner_org":
        return (current.get("organization") or {}).get("name")
    if key == "tag_string":
        return {tag["name"] for tag in current.get("tags", [])}
    if key == "extras":
        return {item["key"]: item["value"] for item in current.get("extras", [])}
    value = current.get(key)
    return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


class _Loader:
    def __init__(self, root: Path, echo: Callable[[str], Any]):
        self.root = root
        self.echo = echo
        self.counts = {"新建": 0, "更新": 0, "未变": 0}
        self.user = self._acting_user()

    @staticmethod
    def _acting_user() -> str:
        user = tk.config.get("ckanext.nanjing.demo_user")
        try:
            tk.get_action("user_show")({"ignore_auth": True}, {"id": user})
        except tk.ObjectNotFound:
            user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
        return user

    def _context(self) -> dict[str, Any]:
        # A fresh context per call: CKAN actions write into the one they get.
        return {"user": self.user}

    def _call(self, action: str, data: dict[str, Any]) -> dict[str, Any]:
        try:
            return tk.get_action(action)(self._context(), data)
        except tk.ValidationError as error:
            raise CatalogError(f"{action} {data.get('name') or data.get('id')}：{error.error_summary}") from error

    def _count(self, outcome: str, label: str) -> None:
        self.counts[outcome] += 1
        self.echo(f"  {outcome}：{label}")

    def upsert_organization(self, org: dict[str, Any]) -> None:
        try:
            current = tk.get_action("organization_show")(self._context(), {"id": org["name"]})
        except tk.ObjectNotFound:
            self._call("organization_create", org)
            return self._count("新建", org["title"])
        if _differs(org, current):
            self._call("organization_patch", dict(org, id=current["id"]))
            return self._count("更新", org["title"])
        self._count("未变", org["title"])

    def upsert_package(self, package: dict[str, Any], source: Path) -> None:
        if not isinstance(package, dict) or "name" not in package:
            raise CatalogError(f"{source} 应是一个带 name 字段的数据集")
        resources = package.pop("resources", [])
        try:
            current = tk.get_action("package_show")(self._context(), {"id": package["name"]})
        except tk.ObjectNotFound:
            current = None
        if current is not None and current["type"] != package.get("type", "dataset"):
            # CKAN cannot change a dataset's type in place: make it anew.
            self._call("dataset_purge", {"id": current["id"]})
            current = self._call("package_create", package)
            outcome = "更新"
        elif current is None:
            current = self._call("package_create", package)
            outcome = "新建"
        elif _differs(package, current, _unordered_fields(current["type"])):
            current = self._call("package_patch", dict(package, id=current["id"]))
            outcome = "更新"
        else:
            outcome = "未变"
        changed = [self._upsert_resource(current, resource) for resource in resources]
        if outcome == "未变" and any(changed):
            outcome = "更新"
        self._count(outcome, package.get("title", package["name"]))

    def _upsert_resource(self, package: dict[str, Any], resource: dict[str, Any]) -> bool:
        resource = dict(resource)
        file = resource.pop("file", None)
        existing = next((r for r in package.get("resources", [])
                         if r.get("name") == resource.get("name")), None)
        if file:
            path = self.root / file
            if not path.is_file():
                raise CatalogError(f"数据集 {package['name']} 的资源文件不存在：{path}")
            resource[SHA_FIELD] = sha256_of(path)
        if existing and not _differs(resource, existing):
            return False
        action = "resource_patch" if existing else "resource_create"
        data = dict(resource, package_id=package["id"])
        if existing:
            data["id"] = existing["id"]
        if not file:
            self._call(action, data)
            return True
        with path.open("rb") as stream:
            data["upload"] = FileStorage(stream=stream, filename=os.path.basename(path))
            data.setdefault("url", os.path.basename(path))
            self._call(action, data)
        return True
