"""Chained actions for every harvest source: secrets in the configuration
are kept when a masked configuration is saved back (the edit form, or
harvest_source_patch, which reads the source first), never listed, and
configuration errors read in Chinese instead of behind ckanext-harvest's
English prefix."""
from __future__ import annotations

import json
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Action, Context
from ckanext.harvest.model import HarvestSource

from .. import config

__all__ = ["package_create", "package_update", "harvest_source_list"]

HARVEST_TYPE = "harvest"
# What ckanext-harvest puts before the message of any exception that a
# harvester's validate_config raises (logic/validators.py).
HARVEST_PREFIX = "Error parsing the configuration options: "


@tk.chained_action
def package_create(original: Action, context: Context, data_dict: dict[str, Any]):
    if data_dict.get("type") != HARVEST_TYPE:
        return original(context, data_dict)
    return _in_chinese(original, context, data_dict)


@tk.chained_action
def package_update(original: Action, context: Context, data_dict: dict[str, Any]):
    existing = model.Package.get(data_dict.get("id") or data_dict.get("name") or "")
    if existing is None or existing.type != HARVEST_TYPE:
        return original(context, data_dict)
    stored = HarvestSource.get(existing.id)
    if isinstance(data_dict.get("config"), str) and stored is not None and stored.config:
        data_dict = dict(data_dict, config=_restore(data_dict["config"], stored.config))
    return _in_chinese(original, context, data_dict)


@tk.side_effect_free
@tk.chained_action
def harvest_source_list(original: Action, context: Context, data_dict: dict[str, Any]):
    # ckanext-harvest's own never calls its auth function, so on CKAN 2.12
    # every call failed with "did not call its auth function".
    tk.check_access("harvest_source_list", context, data_dict)
    return [config.mask_source(dict(source)) for source in original(context, data_dict)]


def _restore(new: str, old: str) -> str:
    try:
        new_config, old_config = json.loads(new), json.loads(old)
    except ValueError:
        return new  # not JSON: validate_config says so
    if not isinstance(new_config, dict) or not isinstance(old_config, dict):
        return new
    return config.dump(config.restore(new_config, old_config))


def _in_chinese(original: Action, context: Context, data_dict: dict[str, Any]):
    try:
        return original(context, data_dict)
    except tk.ValidationError as error:
        messages = (error.error_dict or {}).get("config")
        if not messages:
            raise
        fixed = dict(error.error_dict)
        fixed["config"] = [_chinese(m) for m in messages]
        raise tk.ValidationError(fixed) from None


def _chinese(message: Any) -> Any:
    if isinstance(message, str) and message.startswith(HARVEST_PREFIX):
        return "采集配置有误：" + message[len(HARVEST_PREFIX):]
    return message
