"""Demo applications for `make demo` (`ckan nanjing-access demo`): for each
conditional dataset of the demo catalog, applications in every state, taken
through the real actions by fictional applicants (valid check characters,
issued to nobody; addresses under .invalid, so no mail reaches anyone) and
by the demo sysadmin for the owning body, then dated back where a state
needs the past: an overdue decision, an expired grant."""
from __future__ import annotations

import collections
import datetime
from typing import Any, Callable

import ckan.model as model
import ckan.plugins.toolkit as tk

from .. import identifiers, localtime
from . import rule
from .dicts import grant_status
from .model import Application, Grant
from .states import STATES

__all__ = ["DemoError", "DATASETS", "APPLICANTS", "load", "counts"]

DATASETS = ("nanjing-hazchem-business-licenses", "nanjing-tax-revenue-by-district")
PREFIX = "demo-data-"


class DemoError(Exception):
    pass


def _id(first17: str) -> str:
    return first17 + identifiers.id_check_character(first17)


def _credit(region: str, body8: str) -> str:
    first17 = "91" + region + body8 + identifiers.org_check_character(body8)
    return first17 + identifiers.check_character(first17)


# (account, profile): individuals and organisations, one per scenario.
APPLICANTS: list[tuple[str, dict[str, Any]]] = [
    (f"{PREFIX}{n}", p) for n, p in enumerate([
        {"kind": "individual", "real_name": "陈思远", "id_type": "id_card",
         "id_number": _id("32010219880412031"), "phone": "13813901234"},
        {"kind": "organisation", "real_name": "南京城市数据研究院有限公司", "id_type": "credit_code",
         "id_number": _credit("320102", "MA1N2K3P"), "contact_person": "周工",
         "phone": "025-84561234"},
        {"kind": "individual", "real_name": "刘雨桐", "id_type": "id_card",
         "id_number": _id("32011319950823042"), "phone": "15850601234"},
        {"kind": "organisation", "real_name": "江苏安达化工物流有限公司", "id_type": "credit_code",
         "id_number": _credit("320115", "MA20QW3E"), "contact_person": "吴经理",
         "phone": "025-52101234"},
        {"kind": "individual", "real_name": "孙浩然", "id_type": "id_card",
         "id_number": _id("32010619791105053"), "phone": "18951701234"},
        {"kind": "organisation", "real_name": "南京某大学公共管理学院", "id_type": "credit_code",
         "id_number": _credit("320106", "46600123"), "contact_person": "郑老师",
         "phone": "025-83591234"},
        {"kind": "individual", "real_name": "黄静怡", "id_type": "id_card",
         "id_number": _id("32011519920217064"), "phone": "13770601234"},
        {"kind": "organisation", "real_name": "金陵应急技术服务有限公司", "id_type": "credit_code",
         "id_number": _credit("320104", "MA1XY7W8"), "contact_person": "冯工",
         "phone": "025-86681234"},
        {"kind": "individual", "real_name": "马子轩", "id_type": "id_card",
         "id_number": _id("32011119870630075"), "phone": "13952001234"},
        {"kind": "organisation", "real_name": "南京智慧税务软件有限公司", "id_type": "credit_code",
         "id_number": _credit("320114", "MA27RT5U"), "contact_person": "褚工",
         "phone": "025-58801234"},
        {"kind": "individual", "real_name": "林晓彤", "id_type": "id_card",
         "id_number": _id("32011619930915086"), "phone": "15195801234"},
    ])]

# Each scenario: the state it ends in, and its steps after the application.
SCENARIOS = [
    ("formal_check", []),
    ("reviewing", []),
    ("overdue", []),
    ("correction", [("request_correction", "steward")]),
    ("approved", [("approve", "steward")]),
    ("rejected", [("reject", "steward")]),
    ("granted", [("request_correction", "steward"), ("submit_correction", "applicant"),
                 ("approve", "steward"), ("accept_agreement", "applicant")]),
    ("suspended", [("approve", "steward"), ("accept_agreement", "applicant")]),
    ("revoked", [("approve", "steward"), ("accept_agreement", "applicant")]),
    ("expired", [("approve", "steward"), ("accept_agreement", "applicant")]),
    ("withdrawn", [("withdraw", "applicant")]),
]
PURPOSES = {
    "nanjing-hazchem-business-licenses": (
        "开展危险化学品经营单位空间分布与应急资源配置研究", "在单位内网的应急资源调度分析系统中使用，不对外提供"),
    "nanjing-tax-revenue-by-district": (
        "编制区域经济运行分析报告，研究分区税源结构变化", "课题组内部统计分析，成果以汇总形式发表"),
}
STEP_DATA = {
    "request_correction": {"items": "请补充说明数据使用的项目名称及立项依据"},
    "submit_correction": {"text": "已补充：项目为 2026 年度市级软科学研究计划项目，立项编号 NJRKX-2026-031"},
    "reject": {"reason": "申请用途与所需数据的关联性说明不足，且未提供有效的安全保障措施"},
    "withdraw": {"reason": "项目调整，不再需要该数据"},
}


def _account(name: str, profile: dict[str, Any], site: str) -> model.User:
    user = model.User.get(name)
    if user is None:
        tk.get_action("user_create")({"user": site, "ignore_auth": True}, {
            "name": name, "email": f"{name}@demo.invalid", "password": f"Demo-{name}-2026!",
            "fullname": profile["real_name"]})
        user = model.User.get(name)
    tk.get_action("nanjing_access_profile_update")({"user": name}, dict(profile))
    return user


def _back_date(application_id: str, days: int) -> None:
    application = model.Session.get(Application, application_id)
    shift = datetime.timedelta(days=days)
    application.received -= shift
    for event in application.events:
        event.day -= shift
    model.Session.commit()


def _expire(application_id: str) -> None:
    application = model.Session.get(Application, application_id)
    grant = model.Session.query(Grant).filter(Grant.application_id == application_id).one()
    shift = datetime.timedelta(days=(grant.ends_on - grant.starts_on).days + 30)
    for holder in (application, grant):
        holder.starts_on -= shift
        holder.ends_on -= shift
    application.approved_starts_on -= shift
    application.approved_ends_on -= shift
    application.received -= shift
    application.decided -= shift
    for event in application.events:
        event.day -= shift
    model.Session.commit()


def load(echo: Callable[[str], None] = print) -> dict:
    """Create the demo applications unless they exist; returns the counts."""
    users = [model.User.get(name) for name, _profile in APPLICANTS]
    if any(u is not None and model.Session.query(Application).filter(
            Application.user_id == u.id).count() for u in users):
        echo("有条件开放演示申请已存在，不再重复载入。")
        return counts(echo)
    site = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    admin = tk.config.get("ckanext.nanjing.demo_user")
    if not model.User.get(admin or "") or not model.User.get(admin).sysadmin:
        raise DemoError(f"演示管理员 {admin} 不存在或不是系统管理员；请先运行 ckan nanjing ensure-admin")
    packages = []
    for name in DATASETS:
        package = model.Package.get(name)
        if package is None or rule.openness_of(package) != rule.CONDITIONAL:
            raise DemoError(f"演示目录中缺少有条件开放数据集 {name}；请先运行 ckan nanjing load datasets")
        packages.append(package)
    accounts = [_account(name, profile, site) for name, profile in APPLICANTS]
    action = tk.get_action
    today = localtime.today()
    for package in packages:
        purpose, scenario = PURPOSES[package.name]
        resource_ids = [r.id for r in package.resources if r.state == "active"]
        for user, (ending, steps) in zip(accounts, SCENARIOS):
            config = {"ckanext.nanjing.access.formal_check": ending == "formal_check"}
            saved = {key: tk.config.get(key) for key in config}
            tk.config.update(config)
            try:
                created = action("nanjing_access_application_create")({"user": user.name}, {
                    "package_id": package.id, "purpose": purpose, "scenario": scenario,
                    "resource_ids": resource_ids, "starts_on": today.isoformat(),
                    "ends_on": (today + datetime.timedelta(days=180)).isoformat(),
                    "delivery": "both", "undertaking_accepted": True,
                    "security": "数据存放于单位内网服务器，指定专人管理，访问留痕，期满删除"})
                for step, actor in steps:
                    data = dict(STEP_DATA.get(step, {}), id=created["id"], step=step)
                    if step == "accept_agreement":
                        shown = action("nanjing_access_application_show")(
                            {"user": user.name}, {"id": created["id"]})
                        data.update(agree=True, text_sha256=shown["agreement"]["text_sha256"])
                    who = user.name if actor == "applicant" else admin
                    action("nanjing_access_application_step")({"user": who}, data)
            except (tk.ValidationError, tk.NotAuthorized) as error:
                detail = getattr(error, "error_dict", None) or str(error)
                raise DemoError(f"{package.name}（{ending}）：{detail}") from error
            finally:
                tk.config.update(saved)
            grant = model.Session.query(Grant).filter(
                Grant.application_id == created["id"]).one_or_none()
            if ending == "overdue":
                _back_date(created["id"], 21)
            elif ending in ("suspended", "revoked"):
                action("nanjing_access_grant_change")({"user": admin}, {
                    "id": grant.id, "change": "suspend" if ending == "suspended" else "revoke",
                    "reason": "未按协议约定期限提交利用情况反馈" if ending == "suspended"
                    else "发现将数据提供给协议以外的第三方"})
            elif ending == "expired":
                _expire(created["id"])
    echo(f"载入有条件开放演示申请 {len(packages) * len(SCENARIOS)} 件"
         f"（{len(packages)} 个数据集，每个数据集 {len(SCENARIOS)} 种情形）")
    return counts(echo)


def counts(echo: Callable[[str], None] = print) -> dict:
    rows = model.Session.query(Application).all()
    states = collections.Counter(a.state for a in rows)
    grants = collections.Counter(grant_status(g) for g in model.Session.query(Grant))
    echo(f"有条件开放数据申请共 {len(rows)} 件：" + "，".join(
        f"{label} {states[key]}" for key, label in STATES.items()))
    echo("授权：" + "，".join(f"{label} {grants[key]}" for key, label in
                            (("active", "有效"), ("suspended", "已暂停"), ("revoked", "已撤销"),
                             ("expired", "已到期"))))
    return {"total": len(rows), "states": dict(states), "grants": dict(grants)}
