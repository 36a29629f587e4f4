"""The lifecycle of a request (条例 Arts. 30–37): states, and the
transitions between them with who may make each and the letter it sends."""
from __future__ import annotations

import dataclasses

__all__ = ["STATES", "OPEN_STATES", "PAUSE_KINDS", "Transition", "TRANSITIONS", "label"]

STATES = {
    "registered": "办理中",
    "awaiting_correction": "待补正",
    "paused": "暂停计时",
    "extension_pending": "延期待审批",
    "replied": "已答复",
    "delivered": "已送达",
    "archived": "已归档",
    "withdrawn": "已撤回",
}
OPEN_STATES = frozenset(["registered", "awaiting_correction", "paused", "extension_pending"])

# Why the clock is stopped; none of these count towards the deadline (Arts. 32–34, 42).
PAUSE_KINDS = {
    "third_party": "征求第三方意见",
    "other_agency": "与其他机关协商",
    "fee": "待缴纳信息处理费",
}


@dataclasses.dataclass(frozen=True)
class Transition:
    key: str
    label: str
    sources: frozenset[str]
    target: str
    actors: frozenset[str]   # handler | reviewer | applicant
    letter: str | None = None


def _t(key, label, sources, target, actors, letter=None) -> Transition:
    return Transition(key, label, frozenset(sources.split()), target,
                      frozenset(actors.split()), letter)


TRANSITIONS: dict[str, Transition] = {t.key: t for t in [
    _t("request_correction", "告知补正", "registered", "awaiting_correction", "handler",
       "correction"),
    _t("submit_correction", "提交补正", "awaiting_correction", "registered", "applicant handler"),
    _t("correction_expired", "逾期不补正，终止办理", "awaiting_correction", "replied", "handler",
       "reply"),
    _t("start_consultation", "征求意见/协商（暂停计时）", "registered", "paused", "handler",
       "consultation"),
    _t("end_consultation", "征求意见/协商结束（恢复计时）", "paused", "registered", "handler"),
    _t("request_extension", "申请延期答复", "registered", "extension_pending", "handler"),
    _t("approve_extension", "批准延期", "extension_pending", "registered", "reviewer",
       "extension"),
    _t("reject_extension", "不批准延期", "extension_pending", "registered", "reviewer"),
    _t("charge_fee", "通知收费（暂停计时）", "registered", "paused", "handler", "fee"),
    _t("fee_paid", "已缴费（恢复计时）", "paused", "registered", "handler"),
    _t("fee_expired", "逾期未缴费，终止办理", "paused", "replied", "handler", "reply"),
    _t("reply", "答复", "registered", "replied", "handler", "reply"),
    _t("deliver", "送达", "replied", "delivered", "handler"),
    _t("archive", "归档", "delivered", "archived", "handler"),
    _t("withdraw", "撤回申请", " ".join(sorted(OPEN_STATES)), "withdrawn",
       "applicant handler"),
]}


def label(state: str) -> str:
    return STATES.get(state, state)
