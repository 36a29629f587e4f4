"""The one rule on who gets a dataset's data (files, link targets, DataStore
rows, dumps, exports, previews).

- 无条件开放, and datasets that carry no openness (disclosure entries,
  policies): whoever may see the dataset (CKAN's own rules on private ones).
- 有条件开放: the owning organization's members, sysadmins, and holders of
  an active grant that covers the resource, within its period.
- 不予开放: the owning organization's members and sysadmins only.

The metadata stays where CKAN puts it; only the data is ruled on here.
Every path asks `verdict()` (access/paths.py for pages and downloads,
access/auth.py for the DataStore API, access/conceal.py for link targets
in dataset dicts); nothing caches its answer, so a grant revoked between
two calls is refused on the second.
"""
from __future__ import annotations

import dataclasses
import datetime
from typing import Any, Iterable

import ckan.authz as authz
import ckan.model as model

from ..localtime import today
from .model import Grant

__all__ = ["Verdict", "Reader", "reader", "verdict", "openness_of", "OPEN", "CONDITIONAL",
           "NOT_OPEN", "holders_grants"]

OPEN, CONDITIONAL, NOT_OPEN = "unconditional", "conditional", "not-open"


@dataclasses.dataclass(frozen=True)
class Verdict:
    allowed: bool
    # open | member | sysadmin | grant | denied
    basis: str
    grant_id: str | None = None
    # The fields a grant narrowed to; None: every field.
    fields: tuple[str, ...] | None = None
    reason: str = ""

    @property
    def logged(self) -> bool:
        """Reads of conditional or withheld data go into the access log."""
        return self.allowed and self.basis != "open"


@dataclasses.dataclass(frozen=True)
class Reader:
    name: str
    user_id: str | None
    sysadmin: bool


def reader(user_name: str | None) -> Reader:
    user = model.User.get(user_name) if user_name else None
    if user is None or user.state != "active":
        return Reader("", None, False)
    return Reader(user.name, user.id, bool(user.sysadmin))


def openness_of(package: model.Package | dict[str, Any]) -> str:
    if isinstance(package, dict):
        value = package.get("open_type")
        if value is None and isinstance(package.get("extras"), list):
            # A dict as stored before validation (Solr's data_dict, old activities).
            value = next((extra.get("value") for extra in package["extras"]
                          if isinstance(extra, dict) and extra.get("key") == "open_type"), None)
    else:
        value = package.extras.get("open_type")
    return value if value in (CONDITIONAL, NOT_OPEN) else OPEN


def _ids(package: model.Package | dict[str, Any]) -> tuple[str, str | None]:
    if isinstance(package, dict):
        return package["id"], package.get("owner_org")
    return package.id, package.owner_org


def holders_grants(user_id: str | None, package_id: str) -> list[Grant]:
    """Every grant the account holds on the dataset, newest first."""
    if not user_id:
        return []
    return (model.Session.query(Grant)
            .filter(Grant.user_id == user_id, Grant.package_id == package_id)
            .order_by(Grant.created.desc()).all())


def _covers(grant: Grant, resource_id: str | None) -> bool:
    scope = grant.resource_ids
    return scope is None or resource_id is None or resource_id in scope


def _is_current(grant: Grant, day: datetime.date) -> bool:
    return grant.state == "active" and grant.starts_on <= day <= grant.ends_on


def verdict(who: Reader, package: model.Package | dict[str, Any],
            resource_id: str | None = None,
            grants: Iterable[Grant] | None = None) -> Verdict:
    """May `who` have the data of `package` (of its resource `resource_id`,
    or of any of its resources when None)? `grants` saves the query when
    the caller asks for several resources of one dataset."""
    openness = openness_of(package)
    if openness == OPEN:
        return Verdict(True, "open")
    package_id, organization_id = _ids(package)
    if who.sysadmin:
        return Verdict(True, "sysadmin")
    if who.name and organization_id and authz.users_role_for_group_or_org(
            organization_id, who.name):
        return Verdict(True, "member")
    if openness == NOT_OPEN:
        return Verdict(False, "denied", reason="该数据集不予开放，数据不对外提供。")
    if not who.user_id:
        return Verdict(False, "denied", reason=(
            "该数据集为有条件开放数据：请登录后在数据集页面“申请获取”，"
            "经数据提供单位审核同意并签署数据利用协议后方可获取数据。"))
    held = [g for g in (holders_grants(who.user_id, package_id) if grants is None else grants)
            if _covers(g, resource_id)]
    day = today()
    for grant in held:
        if _is_current(grant, day):
            fields = tuple(grant.fields) if grant.fields else None
            return Verdict(True, "grant", grant_id=grant.id, fields=fields)
    return Verdict(False, "denied", reason=_why_not(held, day, resource_id))


def _why_not(held: list[Grant], day: datetime.date, resource_id: str | None) -> str:
    if not held:
        return ("该数据集为有条件开放数据，您尚未获得授权（或授权不包括该资源）："
                "请在数据集页面“申请获取”。")
    grant = held[0]
    reason = f"（{grant.state_reason}）" if grant.state_reason else ""
    if grant.state == "revoked":
        return f"您对该数据集的授权已被数据提供单位撤销{reason}，数据不再对您开放。"
    if grant.state == "suspended":
        return f"您对该数据集的授权已被数据提供单位暂停{reason}，暂停期间不能获取数据。"
    if grant.ends_on < day:
        return f"您对该数据集的授权已于 {grant.ends_on.isoformat()} 到期，如需继续使用请重新申请。"
    return f"您对该数据集的授权自 {grant.starts_on.isoformat()} 起生效，届时方可获取数据。"
