"""Demo requests for `make demo` (`ckan nanjing-requests demo`): a year of
requests to ten bodies of the demo catalog, taken through the real actions
as the demo sysadmin and dated back with `received` and `day`, so that the
queue, the public lookup and the annual report show real figures: every
state, every pause kind, every one of the 21 reply results, corrections,
extensions, fees, some requests near or past their deadline, and a few
行政复议/行政诉讼 with outcomes.

The applicants are fictional: names drawn from common ones, 居民身份证号
and 统一社会信用代码 with valid check characters but issued to nobody, and
no email address (the demo sends no mail). Random choices are seeded; the
dates are relative to today."""
from __future__ import annotations

import collections
import dataclasses
import datetime
import random
import time
from typing import Any, Callable

import ckan.model as model
import ckan.plugins.toolkit as tk

from .. import localtime, workdays
from . import demo_people, privacy, results
from .demo_scenarios import REPLIES, SCENARIOS, Scenario
from .dicts import APPEAL_KINDS, APPEAL_OUTCOMES
from .model import Request, RequestAppeal
from .states import PAUSE_KINDS, STATES

__all__ = ["DemoError", "SCENARIOS", "ORGANIZATIONS", "load", "plan"]

SEED = 20260511
ORGANIZATIONS = ("nanjing-fgw", "nanjing-czj", "nanjing-ghzyj", "nanjing-sthjj", "nanjing-scjgj",
                 "nanjing-jtysj", "nanjing-yjglj", "jianye-gov", "jiangning-gov", "gulou-sfj")


class DemoError(Exception):
    pass


# Planning: the steps of each scenario with their working-day offsets

Step = tuple  # (transition, working days after the previous step, data)


def _reply_data(s: Scenario) -> dict[str, Any]:
    text, reasons = REPLIES[s.result]
    data = {"result": s.result, "text": s.reply or text}
    if reasons:
        data["reasons"] = reasons
    if results.RESULTS[s.result].group in ("disclose", "partial"):
        data["where"] = s.where or "随答复书提供复印件"
    return data


def _steps(s: Scenario, rng: random.Random) -> tuple[list[Step], int]:
    """The steps after registration, and the working days from the last
    step to today (for open requests: what puts them near or past due)."""
    steps: list[Step] = []
    used = 0  # working days the clock has run since its start

    def step(transition, after, counted=True, **data):
        nonlocal used
        steps.append((transition, after, data))
        used += after if counted else 0

    if s.correction or s.route in ("awaiting_correction", "correction_expired"):
        vague = len(s.description) < 16
        step("request_correction", rng.randint(1, 4), counted=False,
             items="请写明所需政府信息的名称、文号或者便于本机关查询的其他特征性描述"
             if vague else "请明确所需信息的形成时间范围，并补充申请人有效身份证明复印件",
             reply_within=15)
        if s.route == "awaiting_correction":
            return steps, rng.randint(2, 8)
        if s.route == "correction_expired":
            step("correction_expired", rng.randint(16, 18), counted=False)
            return _closing(s, steps, rng), 0
        if s.route == "withdrawn":
            step("withdraw", rng.randint(2, 6), reason="申请人来电表示已通过其他渠道获取，申请撤回")
            return steps, 0
        step("submit_correction", rng.randint(2, 8), counted=False,
             text=s.corrected or f"所需信息为“{s.description}”，时间范围为 2025 年至今；"
                                 f"已补充身份证明复印件。")
        used = 0  # the clock restarts on the day the correction comes in
    if s.consultation:
        step("start_consultation", rng.randint(2, 5), kind=s.consultation,
             party=("相关企业（第三方）" if s.consultation == "third_party"
                    else "市住房和城乡建设局" if s.org.startswith("nanjing") else "区财政局"))
        if s.route == "paused":
            return steps, rng.randint(3, 9)
        if s.route == "withdrawn":
            step("withdraw", rng.randint(2, 5), counted=False, reason="申请人撤回")
            return steps, 0
        step("end_consultation", rng.randint(4, 12), counted=False,
             outcome="第三方书面答复不同意公开" if s.result == "withhold_third_party"
             else "已收到书面意见")
    if s.fee:
        step("charge_fee", rng.randint(3, 6), method="per_page", pages=rng.randint(120, 320))
        if s.route == "paused":
            return steps, rng.randint(3, 15)
        if s.route == "withdrawn":
            step("withdraw", rng.randint(2, 5), counted=False, reason="申请人表示不再需要")
            return steps, 0
        step("fee_paid", rng.randint(3, 12), counted=False)
    if s.route == "fee_expired":
        step("charge_fee", rng.randint(3, 6), method="per_page", pages=rng.randint(400, 900))
        step("fee_expired", rng.randint(21, 24), counted=False)
        return _closing(s, steps, rng), 0
    if s.route == "extension_pending":
        step("request_extension", rng.randint(16, 18), days=rng.choice((10, 15, 20)),
             reason="申请内容涉及多个年度、多个部门，需要调取档案逐项核对")
        return steps, rng.randint(0, 1)
    if s.extension:
        step("request_extension", max(1, rng.randint(15, 17) - used),
             days=s.extension, reason="申请的信息数量较大，需要逐件审查并作区分处理")
        step("approve_extension", 1)
    if s.route == "withdrawn":
        step("withdraw", rng.randint(2, 8), reason="申请人书面申请撤回")
        return steps, 0
    if s.route == "open":
        limit = 20 + s.extension
        left = {"on_time": rng.randint(8, 14), "near": rng.randint(1, 4),
                "overdue": -rng.randint(2, 8)}[s.status]
        return steps, max(0, limit - left - used)
    # closed: the reply, on time unless the scenario says late
    limit = 20 + s.extension
    target = rng.randint(limit + 2, limit + 6) if s.late else rng.randint(6, limit - 2)
    step("reply", max(1, target - used), **_reply_data(s))
    return _closing(s, steps, rng), 0


def _closing(s: Scenario, steps: list[Step], rng: random.Random) -> list[Step]:
    if s.end in ("delivered", "archived"):
        channel = rng.choice(("pickup", "post", "post", "onsite"))
        steps.append(("deliver", rng.randint(1, 3), {
            "channel": channel,
            "recipient": {"pickup": "申请人本人签收", "onsite": "申请人当场签收"}.get(
                channel, f"EMS 邮件号 1{rng.randrange(10**11, 10**12)}")}))
    if s.end == "archived":
        steps.append(("archive", rng.randint(3, 15), {}))
    return steps


def _back(day: datetime.date, n: int) -> datetime.date:
    """The working day n working days before `day`."""
    start = day
    while workdays.working_days_between(start, day) < n:
        start -= datetime.timedelta(days=1)
    while not workdays.calendar().is_working_day(start):
        start -= datetime.timedelta(days=1)
    return start


@dataclasses.dataclass
class Planned:
    scenario: Scenario
    applicant: dict[str, Any]
    received: datetime.date
    channel: str
    provision: str
    delivery: str
    fee_waiver: bool
    steps: list[tuple[str, datetime.date, dict]]


def plan(today: datetime.date | None = None) -> list[Planned]:
    """Every demo request with its dates: closed ones spread over the year,
    open ones dated so that the clock stands where the scenario says."""
    today = today or localtime.today()
    first = datetime.date(today.year, 1, 5)
    if today < datetime.date(today.year, 6, 1):  # early in a year: the last twelve months
        first = today - datetime.timedelta(days=330)
    people, dates = random.Random(SEED), random.Random(SEED + 1)
    planned = []
    for s in SCENARIOS:
        applicant = demo_people.natural(people) if s.who == "natural" else demo_people.legal(people, s.who)
        channel = people.choices(("online", "letter", "in_person", "fax"), (12, 5, 3, 1))[0]
        provision = people.choice(("paper", "paper", "disc", "onsite"))
        delivery = "pickup" if provision == "onsite" else people.choice(("pickup", "post"))
        waiver = people.random() < 0.08 and s.who == "natural" \
            and not s.fee and s.route != "fee_expired"
        steps, tail = _steps(s, dates)
        total = sum(after for _t, after, _d in steps) + tail
        if s.route == "closed" and s.end == "replied":
            received = _back(today, total + dates.randint(0, 2))
        elif s.route in ("closed", "correction_expired", "fee_expired") and s.end == "delivered":
            received = _back(today, total + dates.randint(3, 25))
        elif s.route in ("closed", "correction_expired", "fee_expired", "withdrawn"):
            latest = _back(today, total + 5)
            span = max(0, (latest - first).days)
            received = _back(latest - datetime.timedelta(days=dates.randint(0, span)), 0)
        else:
            received = _back(today, total)
        day, dated = received, []
        for transition, after, data in steps:
            day = workdays.add_working_days(day, after) if after else day
            dated.append((transition, min(day, today), data))
        planned.append(Planned(s, applicant, received, channel, provision, delivery, waiver,
                               dated))
    return planned


# Loading

def _keys(planned: list[Planned]) -> list[str]:
    return sorted({privacy.code_hash("id:" + p.applicant["id_number"].upper())
                   for p in planned})


def _appeal_dates(rng: random.Random, replied: datetime.date, today: datetime.date,
                  outcome: str) -> tuple[str, str | None, str]:
    filed = min(today, replied + datetime.timedelta(days=rng.randint(20, 45)))
    decided = filed + datetime.timedelta(days=rng.randint(45, 60))
    if outcome == "pending" or decided > today:
        return filed.isoformat(), None, "pending"
    return filed.isoformat(), decided.isoformat(), outcome


def load(today: datetime.date | None = None, echo: Callable[[str], None] = print) -> dict:
    """Create the demo requests unless they exist; returns the counts per
    state, pause kind and result."""
    today = today or localtime.today()
    planned = plan(today)
    existing = (model.Session.query(Request)
                .filter(Request.applicant_key.in_(_keys(planned))).count())
    if existing:
        echo(f"演示申请已存在（{existing} 件），不再重复载入。")
        return counts(echo)
    missing = [name for name in ORGANIZATIONS
               if (org := model.Group.get(name)) is None or org.state != "active"]
    if missing:
        raise DemoError(f"演示目录中缺少这些机关：{'、'.join(missing)}；请先运行 ckan nanjing load datasets")
    user = tk.config.get("ckanext.nanjing.demo_user")
    if not model.User.get(user or "") or not model.User.get(user).sysadmin:
        raise DemoError(f"演示管理员 {user} 不存在或不是系统管理员；请先运行 ckan nanjing ensure-admin")
    appeals = random.Random(SEED + 2)
    action = tk.get_action
    started, steps = time.monotonic(), 0
    for p in sorted(planned, key=lambda p: p.received):
        s = p.scenario
        data = dict(p.applicant, organization=s.org, description=s.description,
                    doc_number=s.doc_number, purpose=s.purpose, provision=p.provision,
                    delivery=p.delivery, fee_waiver=p.fee_waiver,
                    fee_waiver_reason="申请人为最低生活保障对象" if p.fee_waiver else "",
                    undertaking=True, received=p.received.isoformat(), channel=p.channel)
        try:
            request = action("nanjing_request_create")({"user": user}, data)
            steps += 1 + len(p.steps) + len(s.appeals)
            for transition, day, step_data in p.steps:
                request = action("nanjing_request_transition")(
                    {"user": user}, dict(step_data, id=request["id"], transition=transition,
                                         day=day.isoformat()))
            replied = request.get("replied")
            for kind, outcome in s.appeals:
                filed, decided, outcome = _appeal_dates(
                    appeals, datetime.date.fromisoformat(replied), today, outcome)
                action("nanjing_request_appeal_record")({"user": user}, {
                    "id": request["id"], "kind": kind, "outcome": outcome, "filed": filed,
                    "decided": decided, "note": "申请人不服答复"})
        except (tk.ValidationError, tk.NotAuthorized) as error:
            detail = getattr(error, "error_dict", None) or str(error)
            raise DemoError(f"{s.org}“{s.description[:20]}…”：{detail}") from error
    elapsed = time.monotonic() - started
    echo(f"载入演示申请 {len(planned)} 件，经办理接口 {steps} 步，用时 {elapsed:.1f} 秒"
         f"（每步平均 {1000 * elapsed / steps:.0f} 毫秒）")
    return counts(echo)


def counts(echo: Callable[[str], None] = print) -> dict:
    """The demo's figures (all requests of the portal), printed in Chinese."""
    rows = model.Session.query(Request).all()
    states = collections.Counter(r.state for r in rows)
    pauses = collections.Counter(r.pause_kind for r in rows if r.state == "paused")
    by_result = collections.Counter(r.result for r in rows if r.result)
    from . import clock
    status = collections.Counter(clock.deadline_dict(r).get("status") for r in rows)
    echo(f"依申请公开申请共 {len(rows)} 件：" + "，".join(
        f"{label} {states[key]}" for key, label in STATES.items()))
    echo("暂停计时中：" + "，".join(f"{label} {pauses[key]}" for key, label in PAUSE_KINDS.items()))
    echo(f"办理中的期限：即将到期 {status['near']}，已逾期 {status['overdue']}，"
         f"未到期 {status['on_time']}")
    echo(f"答复结果 {len(by_result)} 种：" + "，".join(
        f"{r.label} {by_result[key]}" for key, r in results.RESULTS.items()))
    appeals = collections.Counter(
        (a.kind, a.outcome) for a in model.Session.query(RequestAppeal))
    echo(f"行政复议、行政诉讼 {sum(appeals.values())} 件：" + "，".join(
        f"{APPEAL_KINDS[kind]}{APPEAL_OUTCOMES[outcome]} {n}"
        for (kind, outcome), n in sorted(appeals.items())))
    return {"total": len(rows), "states": dict(states), "pauses": dict(pauses),
            "results": dict(by_result), "status": dict(status),
            "appeals": {f"{k}/{o}": n for (k, o), n in appeals.items()}}
