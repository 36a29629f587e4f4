"""The Action API as an OpenAPI 3.1 document (/api/openapi.json), generated
from CKAN's action registry, so an action a plugin adds or replaces is
described as it is registered. CKAN core has no such document
(ckan/ckan#5160): its maintainers ask for one generated, because plugins
add actions.

- Our actions (nanjing_*): typed parameters and results, in Chinese and
  English, from the openapi.yaml beside the module that defines each one
  (each capability describes its own actions). An action of ours without
  a description is an error here, not a gap in the document.
- CKAN's read actions an app uses (CORE_ACTIONS): their parameters as
  CKAN's docstrings give them (`:param x:` and `:type x:`); their results
  as CKAN documents them in prose.

Every action is POST /api/3/action/<name> with a JSON body; a read-only one
is also GET with query parameters. The answer is CKAN's envelope:
{"help", "success": true, "result"} or {"success": false, "error"}."""
from __future__ import annotations

import copy
import functools
import importlib.resources
import inspect
import re
from typing import Any

import yaml

import ckan
import ckan.plugins.toolkit as tk
from ckan import logic

__all__ = ["CORE_ACTIONS", "OURS", "document", "undocumented"]

OURS = "nanjing_"
# CKAN's public read actions an app (the 南京政务发布 client, a harvester,
# a data journalist's script) uses; plugins' replacements are described as CKAN's.
CORE_ACTIONS = (
    "status_show", "package_search", "package_show", "package_list",
    "current_package_list_with_resources", "resource_show", "resource_view_list",
    "organization_list", "organization_show", "group_list", "group_show",
    "tag_list", "license_list", "package_activity_list", "recently_changed_packages_activity_list",
    "datastore_search", "datastore_search_sql", "datastore_info",
    "scheming_dataset_schema_list", "scheming_dataset_schema_show",
    "dcat_catalog_show", "dcat_dataset_show", "help_show",
)
TAGS = {
    "feeds": ("变更与推送", "Change log, feeds and webhooks"),
    "requests": ("依申请公开", "Requests for disclosure"),
    "access": ("有条件开放", "Conditional open data"),
    "logic": ("目录、审核与校验", "Catalog review and validation"),
    "supervision": ("监督考核", "Supervision and the annual report"),
    "interaction": ("互动交流", "Public interaction"),
    "ckan": ("CKAN 通用接口", "CKAN's own actions"),
}
# CKAN answers a malformed request (400) with a bare JSON string, not its envelope.
MALFORMED = ("400", "请求格式错误（如 JSON 无法解析或不是对象） — Malformed request "
                    "(e.g. invalid JSON, or not an object)")
ERROR_CODES = {
    "403": "无权调用（未登录或权限不足） — Not authorized",
    "404": "对象不存在 — Not found",
    "409": "参数校验未通过（按字段给出中文说明） — Validation failed (messages per field, in Chinese)",
}
DOC_TYPES = {"string": "string", "str": "string", "int": "integer", "integer": "integer",
             "bool": "boolean", "boolean": "boolean", "float": "number", "number": "number",
             "dictionary": "object", "dict": "object"}


class Undocumented(LookupError):
    """An action of ours with no description in its capability's openapi.yaml."""


def _actions() -> dict[str, Any]:
    logic.get_action("status_show")     # fills the registry
    return dict(logic._actions)


def _original(function):
    """The action a chain of chained actions ends in (CKAN chains them as
    functools.partial(chained, previous)): the one whose docstring describes it."""
    function = inspect.unwrap(function)
    while isinstance(function, functools.partial) and function.args:
        function = inspect.unwrap(function.args[0])
    return function


def _module(function) -> str:
    return _original(function).__module__


@functools.lru_cache(maxsize=None)
def _descriptions(package: str) -> dict[str, Any]:
    """The openapi.yaml of a capability's package ({} if it has none)."""
    try:
        text = (importlib.resources.files(package) / "openapi.yaml").read_text(encoding="utf-8")
    except (FileNotFoundError, ModuleNotFoundError):
        return {}
    return yaml.safe_load(text) or {}


def _package(module: str) -> str:
    return module.rsplit(".", 1)[0]


def undocumented() -> list[str]:
    """Our registered actions that no openapi.yaml describes."""
    return sorted(name for name, function in _actions().items()
                  if name.startswith(OURS)
                  and name not in _descriptions(_package(_module(function))))


def _docstring_params(function) -> tuple[dict[str, Any], str]:
    """Parameters from CKAN's `:param x:`/`:type x:` lines, and the prose."""
    text = inspect.cleandoc(_original(function).__doc__ or "")
    fields: dict[str, dict[str, str]] = {}
    current = None
    prose = []
    for line in text.splitlines():
        found = re.match(r"^:(param|type)\s+(\w+):\s*(.*)$", line)
        if found:
            kind, name, value = found.groups()
            current = (kind, name)
            fields.setdefault(name, {})[kind] = value.strip()
        elif re.match(r"^:(returns?|rtype):", line):
            current = None
            prose.append(line)
        elif current and line.startswith((" ", "\t")):
            fields[current[1]][current[0]] += " " + line.strip()
        else:
            current = None
            prose.append(line)
    properties = {}
    for name, field in fields.items():
        schema: dict[str, Any] = {"description": field.get("param", "")}
        declared = field.get("type", "").lower()
        if declared.startswith("list"):
            schema["type"] = "array"
        elif declared in DOC_TYPES:
            schema["type"] = DOC_TYPES[declared]
        properties[name] = schema
    return ({"type": "object", "properties": properties},
            "\n".join(prose).strip())


def _envelope(result: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "required": ["success", "result"],
            "properties": {"help": {"type": "string"}, "success": {"const": True},
                           "result": result}}


def _query_parameters(params: dict[str, Any]) -> list[dict[str, Any]]:
    """The scalar parameters, as GET query parameters (CKAN reads them as text)."""
    required = set(params.get("required", []))
    listed = []
    for name, schema in (params.get("properties") or {}).items():
        kind = schema.get("type")
        if kind in ("object", "array") or isinstance(kind, list):
            continue
        listed.append({"name": name, "in": "query", "required": name in required,
                       "description": schema.get("description", ""),
                       "schema": {key: value for key, value in schema.items()
                                  if key != "description"}})
    return listed


def _operations(name: str, spec: dict[str, Any], tag: str, read: bool) -> dict[str, Any]:
    description = spec.get("description", "")
    if spec.get("access"):
        description = f"{description}\n\n调用者 — Who may call: {spec['access']}".strip()
    responses = {"200": {"description": "成功 — Success",
                         "content": {"application/json": {"schema": _envelope(
                             spec.get("result") or {})}}}}
    for code, text in ERROR_CODES.items():
        responses[code] = {"description": text, "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/ActionError"}}}}
    responses[MALFORMED[0]] = {"description": MALFORMED[1], "content": {"application/json": {
        "schema": {"anyOf": [{"type": "string"}, {"$ref": "#/components/schemas/ActionError"}]}}}}
    params = dict(spec.get("params") or {})
    params.setdefault("type", "object")     # a JSON object, whatever its branches
    post = {"operationId": name, "summary": spec.get("summary", name), "tags": [tag],
            "description": description,
            "requestBody": {"required": False, "content": {"application/json": {
                "schema": params}}},
            "responses": responses}
    operations = {"post": post}
    if read:
        operations["get"] = dict(copy.deepcopy(post), operationId=f"{name}_get",
                                 parameters=_query_parameters(params))
        del operations["get"]["requestBody"]
        # A query string longer than the web servers take (gunicorn: 400 for
        # a request line over 4 KB; nginx: 414) is refused by them, in HTML.
        too_long = {"text/html": {"schema": {"type": "string"}}}
        operations["get"]["responses"]["400"]["content"].update(too_long)
        operations["get"]["responses"]["414"] = {
            "description": "请求行过长，请改用 POST — Request line too long: use POST",
            "content": too_long}
        operations["get"]["description"] += ("\n\n查询参数过长时请改用 POST — Use POST when the "
                                             "parameters are long (the request line is limited)")
    return operations


def _components(specs: list[dict[str, Any]]) -> dict[str, Any]:
    schemas = {
        "ActionError": {
            "type": "object", "required": ["success", "error"],
            "properties": {"help": {"type": "string"}, "success": {"const": False},
                           "error": {"type": "object", "required": ["__type"], "properties": {
                               "__type": {"type": "string"}, "message": {"type": "string"}},
                               "additionalProperties": True}}},
    }
    for described in specs:
        for key, schema in (described.get("components") or {}).items():
            if key in schemas and schemas[key] != schema:
                raise ValueError(f"two capabilities describe {key} differently")
            schemas[key] = schema
    return {"schemas": schemas, "securitySchemes": {"ApiToken": {
        "type": "apiKey", "in": "header", "name": "Authorization",
        "description": "API 令牌（个人中心 → API 令牌） — An API token (user page → API tokens)"}}}


def document() -> dict[str, Any]:
    """The OpenAPI 3.1 document of the actions registered now."""
    missing = undocumented()
    if missing:
        raise Undocumented(", ".join(missing))
    actions = _actions()
    paths: dict[str, Any] = {}
    used_tags = set()
    packages = set()
    for name in sorted(actions):
        function = actions[name]
        read = bool(getattr(function, "side_effect_free", False))
        if name.startswith(OURS):
            package = _package(_module(function))
            packages.add(package)
            spec = _descriptions(package)[name]
            tag = TAGS.get(package.rsplit(".", 1)[-1], TAGS["ckan"])[0]
            read = read or bool(spec.get("read"))
        elif name in CORE_ACTIONS:
            params, prose = _docstring_params(function)
            spec = {"summary": prose.split("\n\n")[0].replace("\n", " ")[:200] or name,
                    "description": prose, "params": params, "result": {}}
            tag = TAGS["ckan"][0]
        else:
            continue
        used_tags.add(tag)
        paths[f"/api/3/action/{name}"] = _operations(name, spec, tag, read)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{tk.config.get('ckan.site_title')} Action API",
            "version": f"CKAN {ckan.__version__}",
            "description": (
                "平台的 Action API：CKAN 的通用读取接口与本平台的全部接口。每个接口都可用 POST "
                "（JSON 请求体）调用；只读接口也可用 GET（查询参数）。错误信息为中文。\n\n"
                "The platform's Action API: CKAN's read actions and every action of the "
                "platform. Call any action with POST and a JSON body; read-only ones also "
                "with GET and query parameters. Error messages are in Chinese."),
        },
        "servers": [{"url": tk.config.get("ckan.site_url") or "/"}],
        "tags": [{"name": zh, "description": en} for zh, en in TAGS.values() if zh in used_tags],
        "paths": paths,
        "components": _components([_descriptions(package) for package in sorted(packages)]),
        "security": [{}, {"ApiToken": []}],
    }
