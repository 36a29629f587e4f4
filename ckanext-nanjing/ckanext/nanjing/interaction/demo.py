"""Demo messages for `make demo` (`ckan nanjing-interaction demo`): several
dozen 咨询, 建议, 投诉, 纠错, 数据异议 and 数据需求 to ten bodies of the demo
catalog, in every state (待审看, 不予受理 with each reason, 合并, 已受理,
办理中 with some 临期 and 超期, 复核中, 已答复 with every rating and
outcome), taken through the real actions as the demo sysadmin and then
dated back over the past weeks, so the list, the queue and the supervision
figures show real shapes. The senders are fictional and have no e-mail
address (the demo sends them no mail). Random choices are seeded."""
from __future__ import annotations

import datetime
import random
from typing import Any, Callable

import ckan.model as model
import ckan.plugins.toolkit as tk

from .. import localtime, workdays
from . import rules
from .model import Item

__all__ = ["DemoError", "ORGANIZATIONS", "load"]

SEED = 20261208
ORGANIZATIONS = ("nanjing-fgw", "nanjing-czj", "nanjing-ghzyj", "nanjing-sthjj", "nanjing-scjgj",
                 "nanjing-jtysj", "nanjing-yjglj", "nanjing-whlyj", "nanjing-sfj", "nanjing-swj")
NAMES = ("王建国", "李秀英", "张伟", "刘洋", "陈静", "杨磊", "赵敏", "黄强", "周婷", "吴军")
MESSAGES = {
    "consult": [("公交2路何时恢复运营", "2路公交因施工停运，请问何时恢复？我家住中山路100号3栋，电话13912345678。"),
                ("新能源车充电桩补贴如何申请", "个人安装充电桩能否申请补贴，需要哪些材料？"),
                ("居住证办理需要多久", "外地户籍在南京办理居住证，从提交到领证一般需要几个工作日？"),
                ("公租房申请条件", "新就业大学生申请公租房的收入和社保条件是什么？")],
    "suggestion": [("建议公开各区停车泊位数据", "希望按街道公开公共停车场泊位数和收费标准，方便出行。"),
                   ("建议政策解读增加图解", "很多政策文件篇幅较长，建议配发图解和问答。"),
                   ("建议延长政务服务中心周末服务时间", "上班族工作日难以办事，建议周六全天开放。")],
    "complaint": [("小区旁工地夜间施工噪声", "鼓楼区某工地连续多日夜间施工至凌晨，影响休息。"),
                  ("办事窗口多次要求重复提交材料", "办理营业执照变更时，同一份材料被要求提交三次。"),
                  ("网站办事指南与窗口要求不一致", "网站上的材料清单与窗口实际要求不同，白跑一趟。")],
    "correction": [("政务公开目录中“公开”误写为“公升”", "政务公开目录页面第二栏有错别字。"),
                   ("办事指南中的咨询电话已停用", "办事指南中列出的咨询电话拨打后提示为空号。"),
                   ("政策文件链接打开为空白页", "政策文件页面中的附件链接无法打开。")],
    "objection": [("公交站点数据中站点数有误", "2路的站点数应为32个，表中为30个。"),
                  ("企业名录中地址已变更", "某企业已迁址，数据集中的地址仍为旧址。")],
    "data_request": [("希望开放全市公交站点及坐标数据", "用于开发无障碍出行小程序，希望提供 CSV 或 API。"),
                     ("希望开放公共停车场实时泊位数据", "希望按停车场提供实时空余泊位，便于出行规划。"),
                     ("希望开放历年空气质量日报", "希望提供 2015 年以来各站点的空气质量日报数据。"),
                     ("希望开放学校学区划分数据", "希望公开各区义务教育学校的施教区范围。")],
}
# (state, how many) per kind; answered ones cycle through the ratings and outcomes.
PLAN = {
    "consult": [("submitted", 2), ("rejected", 1), ("assigned", 3), ("reviewing", 1),
                ("answered", 6)],
    "suggestion": [("submitted", 1), ("accepted", 1), ("assigned", 2), ("answered", 4)],
    "complaint": [("submitted", 1), ("rejected", 1), ("assigned", 2), ("reviewing", 1),
                  ("answered", 3)],
    "correction": [("submitted", 1), ("rejected", 1), ("assigned", 1), ("answered", 4)],
    "objection": [("accepted", 1), ("assigned", 1), ("answered", 2)],
    "data_request": [("submitted", 1), ("accepted", 1), ("merged", 1), ("assigned", 2),
                     ("answered", 4)],
}
RATINGS = ("satisfied", "fairly_satisfied", "satisfied", None, "dissatisfied")
REJECTS = ("spam", "disclosure_request", "hotline_12345", "abuse")
ANSWERS = {
    "consult": "经核实，相关事项已按程序办理，具体如下：请携带身份证件到政务服务中心综合窗口办理，一般 5 个工作日内办结。",
    "suggestion": "感谢您的建议。我们已将建议纳入明年工作计划研究，将在平台公布进展。",
    "complaint": "经现场核查，情况属实，已责令整改，并将加强日常巡查。",
    "correction": "经核实，已更正，感谢您的指正。",
    "objection": "经核实，数据已按原始台账核对。",
    "data_request": "已按您的需求办理，详见数据集。",
}


class DemoError(Exception):
    pass


def _act(user: str) -> Callable[..., Any]:
    def act(action: str, **data: Any) -> Any:
        return tk.get_action(action)({"user": user}, data)
    return act


def _datasets() -> list[model.Package]:
    return (model.Session.query(model.Package)
            .filter(model.Package.type == "open_dataset", model.Package.state == "active",
                    model.Package.private.is_(False))
            .order_by(model.Package.name).limit(20).all())


def _back_date(item: Item, days_ago: int, today: datetime.date) -> None:
    """Move the message into the past, keeping its clock and answers true."""
    shift = datetime.timedelta(days=days_ago)
    item.received_day -= shift
    item.received -= shift
    for event in item.events:
        event.day -= shift
        event.at -= shift
    if item.accepted_day:
        item.accepted_day -= shift
        item.clock_start -= shift
        item.due = rules.due_date(item.clock_start, item.kind, item.extension)
    answered_after = 0
    for reply in item.answers:
        answered_after += 2
        reply.day = min(workdays.add_working_days(item.clock_start, answered_after + 1), today)
        reply.on_time = item.due is None or reply.day <= item.due
        reply.working_days = workdays.working_days_between(item.clock_start, reply.day)
    if item.rated_day:
        item.rated_day = max(item.answers[0].day, item.rated_day - shift)


def _one(act, kind: str, state: str, n: int, rng: random.Random, datasets: list,
         today: datetime.date, earlier: dict[str, str]) -> Item:
    title, text = MESSAGES[kind][n % len(MESSAGES[kind])]
    # Answers go to three bodies, so that they have enough in the month to be ranked.
    body = ORGANIZATIONS[n % 3] if state in ("answered", "reviewing") \
        else ORGANIZATIONS[rng.randrange(len(ORGANIZATIONS))]
    data: dict[str, Any] = {"kind": kind, "title": title, "text": text,
                            "name": NAMES[rng.randrange(len(NAMES))], "email": ""}
    if kind == "correction":
        data["target_url"] = "/gkml"
    if kind == "objection":
        package = datasets[n % len(datasets)]
        data.update(dataset=package.name, target_detail=f"第 {n + 3} 行")
    sent = act("nanjing_interaction_create", **data)
    number = sent["number"]
    if state == "rejected":
        act("nanjing_interaction_moderate", id=number, decision="reject",
            reason=REJECTS[n % len(REJECTS)], note="详见理由")
    elif state == "merged":
        act("nanjing_interaction_merge", id=number, into=earlier[kind])
    elif state != "submitted":
        act("nanjing_interaction_moderate", id=number, decision="accept",
            **({} if state == "accepted" else {"organization": body}))
        earlier.setdefault(kind, number)
    if state in ("answered", "reviewing"):
        reply = {"id": number, "text": ANSWERS[kind]}
        if kind == "data_request":
            outcome = ("opened", "partly_opened", "not_now", "exists")[n % 4]
            reply["outcome"] = outcome
            if outcome != "not_now":
                reply["dataset"] = datasets[n % len(datasets)].name
        elif kind == "objection":
            reply["outcome"] = ("corrected", "maintained")[n % 2]
        act("nanjing_interaction_answer", **reply)
        rating = "dissatisfied" if state == "reviewing" else RATINGS[n % len(RATINGS)]
        if rating:
            act("nanjing_interaction_rate", id=number, rating=rating,
                note="答复没有说明具体时间" if rating == "dissatisfied" else "")
    item = model.Session.query(Item).filter_by(number=number).one()
    return item


def load(today: datetime.date | None = None, echo: Callable[[str], None] = print
         ) -> dict[str, int]:
    """Load the demo messages once; answers how many there are per state."""
    today = today or localtime.today()
    if model.Session.query(Item).count():
        echo("已有互动交流留言，跳过演示数据")
        return {}
    missing = [name for name in ORGANIZATIONS if model.Group.get(name) is None]
    if missing:
        raise DemoError(f"演示目录中缺少这些机关：{'、'.join(missing)}；请先运行 ckan nanjing load datasets")
    user = tk.config.get("ckanext.nanjing.demo_user")
    account = model.User.get(user) if user else None
    if account is None or not account.sysadmin:
        raise DemoError(f"演示管理员 {user} 不存在或不是系统管理员；请先运行 ckan nanjing ensure-admin")
    datasets = _datasets()
    if not datasets:
        raise DemoError("演示目录中没有公开的开放数据集；请先运行 ckan nanjing load datasets")
    rng, act, earlier = random.Random(SEED), _act(user), {}
    counts: dict[str, int] = {}
    made = 0
    for kind, states in PLAN.items():
        for state, how_many in states:
            for n in range(how_many):
                item = _one(act, kind, state, n, rng, datasets, today, earlier)
                # Open ones land before, near or past their due date; answers in the past days.
                age = {"assigned": (2, 6, 25)[n % 3], "reviewing": 3, "accepted": 1,
                       "answered": 2 + n}.get(state, rng.randrange(0, 3))
                _back_date(item, age, today)
                counts[item.state] = counts.get(item.state, 0) + 1
                made += 1
    model.Session.commit()
    echo(f"载入演示留言 {made} 条：" + "，".join(
        f"{rules.STATES[state]} {count}" for state, count in sorted(counts.items())))
    return counts

