"""The bodies a request can go to, as the form lists them: grouped by level
(市级机关, then each district in GB/T 2260 order) and, within a group, the
government itself first, then the others by name in pinyin order. A body's district comes
from the division code inside its 统一社会信用代码 (characters 3-8), or,
without one, from the district named in its title."""
from __future__ import annotations

from typing import Any

from .. import collation, identifiers

__all__ = ["grouped", "CITY_LEVEL"]

CITY_LEVEL = "市级机关"


def _extra(organization: dict[str, Any], key: str) -> str:
    """An organization extra as organization_list(include_extras) gives it."""
    return next((str(extra.get("value") or "") for extra in organization.get("extras") or []
                 if extra.get("key") == key), "")


def district_of(organization: dict[str, Any]) -> str | None:
    """The GB/T 2260 code of the body's district, None for a city body."""
    code = _extra(organization, "credit_code")
    if identifiers.is_credit_code(code) and code[2:8] in identifiers.NANJING_DISTRICTS:
        return code[2:8]
    title = organization.get("title") or ""
    for division, name in identifiers.NANJING_DISTRICTS.items():
        if name in title:
            return division
    return None


def _order(organization: dict[str, Any]) -> tuple:
    title = organization.get("title") or organization.get("name") or ""
    government = title.endswith(("人民政府", "人民政府办公厅", "人民政府办公室"))
    return (0 if government else 1, collation.pinyin_key(title))


def grouped(organizations: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """(group label, its bodies) in the form's order; empty groups left out."""
    groups: dict[str | None, list] = {None: []}
    groups.update({division: [] for division in identifiers.NANJING_DISTRICTS})
    for organization in organizations:
        groups[district_of(organization)].append(organization)
    return [(CITY_LEVEL if division is None else identifiers.NANJING_DISTRICTS[division],
             sorted(members, key=_order))
            for division, members in groups.items() if members]
