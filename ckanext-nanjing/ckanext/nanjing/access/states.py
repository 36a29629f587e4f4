"""The lifecycle of an application for conditional data: its states, and
the steps between them with who may take each. A granted application's
grant then lives on as active, suspended, expired or revoked (grants.py)."""
from __future__ import annotations

import dataclasses

__all__ = ["STATES", "OPEN_STATES", "Step", "STEPS", "GRANT_CHANGES", "REMINDERS", "label"]

STATES = {
    "formal_check": "待形式审查",
    "reviewing": "审核中",
    "correction": "待补正",
    "approved": "已同意，待签署协议",
    "rejected": "不予同意",
    "granted": "已签署协议并授权",
    "withdrawn": "已撤回",
}
# Awaiting the body's (or the office's) decision: the clock runs or is paused.
OPEN_STATES = frozenset(["formal_check", "reviewing", "correction"])


@dataclasses.dataclass(frozen=True)
class Step:
    key: str
    label: str
    sources: frozenset[str]
    target: str | None          # None: back to the state before the correction
    # Who takes the step from each source state: applicant | steward | reviewer.
    actors: dict[str, str]


def _s(key: str, label: str, actors: dict[str, str], target: str | None) -> Step:
    return Step(key, label, frozenset(actors), target, actors)


STEPS: dict[str, Step] = {s.key: s for s in [
    _s("pass_formal_check", "形式审查通过", {"formal_check": "reviewer"}, "reviewing"),
    # 补正 is asked once, by the office at its formal check or by the body.
    _s("request_correction", "告知补正",
       {"formal_check": "reviewer", "reviewing": "steward"}, "correction"),
    _s("submit_correction", "提交补正", {"correction": "applicant"}, None),
    _s("approve", "同意", {"reviewing": "steward"}, "approved"),
    _s("reject", "不予同意", {"formal_check": "reviewer", "reviewing": "steward"}, "rejected"),
    _s("accept_agreement", "签署数据利用协议", {"approved": "applicant"}, "granted"),
    _s("withdraw", "撤回申请", {state: "applicant" for state in
                            ("formal_check", "reviewing", "correction", "approved")},
       "withdrawn"),
]}

# What the owning body may do to a grant at any time.
GRANT_CHANGES = {"suspend": "暂停授权", "resume": "恢复授权", "revoke": "撤销授权"}
# What `ckan nanjing-access remind` records on the application when it reminds the holder.
REMINDERS = {"remind_expiry": "提醒：授权即将到期", "remind_report": "提醒：提交利用情况反馈"}


def label(state: str) -> str:
    return STATES.get(state, state)
