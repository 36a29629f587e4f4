"""A harvest source's configuration (JSON), shared by the harvesters:
reading it with Chinese messages that name the problem, and the secrets in
it (database passwords, API tokens), which are stored with the source but
never shown back (see plugin.py for where they are masked)."""
from __future__ import annotations

import copy
import json
import os
import re
from typing import Any

__all__ = [
    "MASK", "SECRET_KEYS", "ConfigError", "parse", "dump", "check_keys", "get",
    "secret", "mask", "mask_text", "mask_url", "restore", "mask_source",
]

MASK = "******"
# Keys whose values are secrets wherever they appear in a configuration.
SECRET_KEYS = ("password", "token")
_URL_PASSWORD = re.compile(r"(?P<head>[a-z][a-z0-9+.-]*://[^:/@\s\"]*:)(?P<secret>[^@/\s\"]*)@",
                           re.IGNORECASE)
_KINDS = {str: "文本", int: "整数", bool: "true 或 false", list: "列表 [...]", dict: "对象 {...}"}


class ConfigError(ValueError):
    """A configuration that cannot work. The message is Chinese, names the
    problem and says how to fix it; it never contains a secret."""


def parse(text: str | None) -> dict[str, Any]:
    if not text or not text.strip():
        raise ConfigError("采集配置为空：请填写 JSON 格式的配置")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise ConfigError(f"采集配置不是合法的 JSON：第 {error.lineno} 行第 {error.colno} 列附近"
                          f"有误（{error.msg}）") from None
    if not isinstance(value, dict):
        raise ConfigError("采集配置应是一个 JSON 对象，即以 { 开头、以 } 结尾")
    return value


def dump(config: dict[str, Any]) -> str:
    return json.dumps(config, ensure_ascii=False, indent=2)


def check_keys(obj: dict[str, Any], allowed: set[str], where: str) -> None:
    """Refuses keys the harvester does not know: a typo must not be ignored."""
    unknown = sorted(set(obj) - allowed)
    if unknown:
        raise ConfigError(f"{where}有不认识的配置项：{'、'.join(unknown)}；"
                          f"可用的配置项：{'、'.join(sorted(allowed))}")


def get(obj: dict[str, Any], key: str, kind: type, where: str, default: Any = ...) -> Any:
    """obj[key], checked to be of `kind`; required unless a default is given."""
    if key not in obj or obj[key] is None or obj[key] == "":
        if default is ...:
            raise ConfigError(f"{where}缺少配置项“{key}”")
        return default
    value = obj[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ConfigError(f"{where}的配置项“{key}”应为{_KINDS.get(kind, kind.__name__)}")
    return value


def secret(config: dict[str, Any], key: str = "password") -> str | None:
    """A secret given in the configuration as `key`, or as the name of an
    environment variable in `key`_env (nothing secret is then stored)."""
    value = config.get(key)
    if value == MASK:
        raise ConfigError(f"配置项“{key}”显示为掩码 {MASK}：请重新填写，或改用“{key}_env”"
                          f"给出保存它的环境变量名")
    if value:
        return str(value)
    env = config.get(f"{key}_env")
    if env:
        if env not in os.environ:
            raise ConfigError(f"环境变量 {env}（配置项“{key}_env”）未设置：请在运行门户和采集进程的"
                              f"环境中设置它")
        return os.environ[env]
    return None


# Masking

def mask_url(text: str) -> str:
    """Hides the password of every scheme://user:password@host in text."""
    return _URL_PASSWORD.sub(lambda m: f"{m['head']}{MASK}@" if m["secret"] else m[0], text)


def mask(value: Any) -> Any:
    """A copy of a configuration (any JSON value) with its secrets hidden."""
    if isinstance(value, dict):
        return {k: (MASK if k in SECRET_KEYS and v not in (None, "") else mask(v))
                for k, v in value.items()}
    if isinstance(value, list):
        return [mask(item) for item in value]
    if isinstance(value, str):
        return mask_url(value)
    return value


def mask_text(text: str | None) -> str | None:
    """A configuration as stored (JSON text) with its secrets hidden. Text
    that is not JSON loses every quoted value after a secret key."""
    if not text:
        return text
    try:
        return dump(mask(json.loads(text)))
    except ValueError:
        keys = "|".join(SECRET_KEYS)
        return mask_url(re.sub(rf'("(?:{keys})"\s*:\s*)"(?:[^"\\]|\\.)*"', rf'\1"{MASK}"', text))


def restore(new: dict[str, Any], old: dict[str, Any]) -> dict[str, Any]:
    """The new configuration with every secret still shown as the mask taken
    from the stored one: a source edited in the form keeps its password."""
    def walk(n: Any, o: Any) -> Any:
        if isinstance(n, dict):
            o = o if isinstance(o, dict) else {}
            return {k: (o[k] if k in SECRET_KEYS and v == MASK and o.get(k) else walk(v, o.get(k)))
                    for k, v in n.items()}
        if isinstance(n, list):
            o = o if isinstance(o, list) else []
            return [walk(item, o[i] if i < len(o) else None) for i, item in enumerate(n)]
        return n
    return walk(copy.deepcopy(new), old)


def mask_source(source: dict[str, Any]) -> dict[str, Any]:
    """Hides the secrets of a harvest source in place, in every shape CKAN
    and ckanext-harvest give it: `config` as JSON text, its keys copied to
    the top level (harvest_source_show), `extras` (package_dictize) and the
    search index's data_dict/validated_data_dict and extras_config."""
    for key in ("config", "extras_config"):
        if isinstance(source.get(key), str):
            source[key] = mask_text(source[key])
    for key in SECRET_KEYS:
        if source.get(key) not in (None, ""):
            source[key] = MASK
    for key in ("url", "database_url"):
        if isinstance(source.get(key), str):
            source[key] = mask_url(source[key])
    for extra in source.get("extras") or []:
        if isinstance(extra, dict) and extra.get("key") == "config":
            extra["value"] = mask_text(extra.get("value"))
    map_index_json(source, source, mask_source)
    return source


def map_index_json(target: dict[str, Any], source: dict[str, Any], change) -> None:
    """The search index keeps a dataset's dicts as JSON text too (data_dict,
    validated_data_dict): `change` is applied inside them, written to `target`."""
    for key in ("data_dict", "validated_data_dict"):
        if isinstance(source.get(key), str):
            try:
                inner = json.loads(source[key])
            except ValueError:
                continue
            if isinstance(inner, dict):
                target[key] = json.dumps(change(inner))
