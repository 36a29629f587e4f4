"""The results a reply may have: the rows 三(一)–(六) of the annual report's
table 三 (国办公开办函〔2021〕30号), each reply exactly one of them."""
from __future__ import annotations

import dataclasses

__all__ = ["Result", "RESULTS", "GROUPS", "get", "REASONS_REQUIRED"]


@dataclasses.dataclass(frozen=True)
class Result:
    key: str
    label: str
    group: str
    article: str = ""   # the article of 条例 the reply letter cites


GROUPS = {
    "disclose": "予以公开",
    "partial": "部分公开",
    "withhold": "不予公开",
    "unable": "无法提供",
    "not_handled": "不予处理",
    "other": "其他处理",
}

RESULTS: dict[str, Result] = {r.key: r for r in [
    Result("disclose", "予以公开", "disclose", "第三十六条第（二）项"),
    Result("partial", "部分公开", "partial", "第三十七条"),
    Result("withhold_state_secret", "属于国家秘密", "withhold", "第十四条"),
    Result("withhold_law", "其他法律行政法规禁止公开", "withhold", "第十四条"),
    Result("withhold_security", "危及“三安全一稳定”", "withhold", "第十四条"),
    Result("withhold_third_party", "保护第三方合法权益", "withhold", "第十五条"),
    Result("withhold_internal", "属于三类内部事务信息", "withhold", "第十六条第一款"),
    Result("withhold_process", "属于四类过程性信息", "withhold", "第十六条第二款"),
    Result("withhold_enforcement", "属于行政执法案卷", "withhold", "第十六条第二款"),
    Result("withhold_query", "属于行政查询事项", "withhold", "第三十六条第（七）项"),
    Result("unable_not_held", "本机关不掌握相关政府信息", "unable", "第三十六条第（四）项"),
    Result("unable_needs_creation", "没有现成信息需要另行制作", "unable", "第三十八条"),
    Result("unable_unclear", "补正后申请内容仍不明确", "unable", "第三十条"),
    Result("not_handled_petition", "信访举报投诉类申请", "not_handled", "第三十九条第一款"),
    Result("not_handled_repeat", "重复申请", "not_handled", "第三十六条第（六）项"),
    Result("not_handled_publication", "要求提供公开出版物", "not_handled", "第三十九条第二款"),
    Result("not_handled_excessive", "无正当理由大量反复申请", "not_handled", "第三十五条"),
    Result("not_handled_confirm", "要求行政机关确认或重新出具已获取信息", "not_handled", "第三十六条"),
    Result("other_no_correction", "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
           "other", "第三十条"),
    Result("other_unpaid", "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
           "other", "第四十二条"),
    Result("other_other", "其他", "other", ""),
]}

# A refusal says why: the letter states the reasons (条例 Art. 36).
REASONS_REQUIRED = frozenset(["withhold", "unable", "not_handled"])


def get(key: str) -> Result | None:
    return RESULTS.get(key)
