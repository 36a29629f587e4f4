"""Link targets of resources in dataset dicts, for those the rule refuses.

An uploaded file's URL is the platform's download path, which asks the
rule itself. A link resource's URL is the data's own address, so for a
reader the rule refuses it becomes that same download path, which
answers why the data is not theirs and how to apply. The rest of the
metadata stays as it is.

Dicts made for trusted code (`ignore_auth`: the gate, harvesters, CKAN's
own resource_create, which saves the dict back) are left alone, so a
concealed address is never written over the real one.
"""
from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as tk

from . import rule

__all__ = ["conceal_package", "conceal_search_results", "download_path"]


def download_path(package: dict[str, Any], resource_id: str) -> str:
    site = (tk.config.get("ckan.site_url") or "").rstrip("/")
    return f"{site}/dataset/{package.get('name') or package['id']}/resource/{resource_id}/download"


def conceal_package(who: rule.Reader, package: dict[str, Any]) -> dict[str, Any]:
    if rule.openness_of(package) == rule.OPEN or not package.get("id"):
        return package
    grants = rule.holders_grants(who.user_id, package["id"])
    for resource in package.get("resources") or []:
        if resource.get("url_type") == "upload" or not resource.get("url"):
            continue
        if not rule.verdict(who, package, resource.get("id"), grants=grants).allowed:
            resource["url"] = download_path(package, resource["id"])
    return package


def conceal_search_results(who: rule.Reader, results: dict[str, Any]) -> dict[str, Any]:
    """package_search's results, including those asked for with `fl`
    (`validated_data_dict` and `data_dict` are whole dicts as JSON text)."""
    for result in results.get("results") or []:
        if not isinstance(result, dict):
            continue
        if "resources" in result:
            conceal_package(who, result)
        for key in ("validated_data_dict", "data_dict"):
            if isinstance(result.get(key), str):
                try:
                    inner = json.loads(result[key])
                except ValueError:
                    continue
                if isinstance(inner, dict):
                    result[key] = json.dumps(conceal_package(who, inner))
    return results
