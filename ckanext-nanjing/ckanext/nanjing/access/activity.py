"""Activity streams keep a whole copy of the dataset at each change, link
targets included, and CKAN shows them to anyone who may see the dataset:
each copy is concealed as package_show's answer is (access/conceal.py),
and a change view (`activity_diff`) shows the platform's download path in
place of the target."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context

from . import conceal, rule

__all__ = ["package_activity_list", "activity_show", "activity_data_show", "activity_diff",
           "dashboard_activity_list", "user_activity_list", "organization_activity_list",
           "group_activity_list", "recently_changed_packages_activity_list"]


def _conceal_all(who: rule.Reader, value: Any, replaced: dict[str, str]) -> Any:
    """Conceals every dataset copy found in `value`; `replaced` collects
    each hidden target and what took its place."""
    if isinstance(value, list):
        for item in value:
            _conceal_all(who, item, replaced)
    elif isinstance(value, dict):
        if "resources" in value and "id" in value:
            before = {r.get("id"): r.get("url") for r in value.get("resources") or []
                      if isinstance(r, dict)}
            conceal.conceal_package(who, value)
            for resource in value.get("resources") or []:
                if isinstance(resource, dict) and before.get(resource.get("id")) \
                        not in (None, resource.get("url")):
                    replaced[before[resource["id"]]] = resource["url"]
        else:
            for item in value.values():
                _conceal_all(who, item, replaced)
    return value


def _wrap(name: str):
    @tk.chained_action
    @tk.side_effect_free
    def action(next_action, context: Context, data_dict: dict[str, Any]):
        result = next_action(context, data_dict)
        if context.get("ignore_auth"):
            return result
        replaced: dict[str, str] = {}
        _conceal_all(rule.reader(context.get("user")), result, replaced)
        if replaced and isinstance(result, dict) and isinstance(result.get("diff"), str):
            for target, path in replaced.items():
                result["diff"] = result["diff"].replace(target, path)
        return result
    action.__name__ = name
    return action


package_activity_list = _wrap("package_activity_list")
activity_show = _wrap("activity_show")
activity_data_show = _wrap("activity_data_show")
activity_diff = _wrap("activity_diff")
dashboard_activity_list = _wrap("dashboard_activity_list")
user_activity_list = _wrap("user_activity_list")
organization_activity_list = _wrap("organization_activity_list")
group_activity_list = _wrap("group_activity_list")
recently_changed_packages_activity_list = _wrap("recently_changed_packages_activity_list")
