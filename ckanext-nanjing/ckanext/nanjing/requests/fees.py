"""Information processing fees (信息处理费) of 国办函〔2020〕109号: one
method per request, either counted per request of the applicant in a
calendar month or per page provided."""
from __future__ import annotations

import dataclasses

__all__ = ["Fee", "per_request", "per_page"]


@dataclasses.dataclass(frozen=True)
class Fee:
    method: str          # per_request | per_page
    amount: int          # 元
    breakdown: tuple[str, ...]


def per_request(nth_in_month: int) -> Fee:
    """The fee of the applicant's `nth_in_month` request to the body in the
    month: 10 free; the 11th–30th 100 元 each; from the 31st the rate rises
    by 100 元 with every further block of 10."""
    if nth_in_month <= 10:
        amount = 0
    elif nth_in_month <= 30:
        amount = 100
    else:
        amount = 100 + 100 * ((nth_in_month - 31) // 10 + 1)
    return Fee("per_request", amount,
               (f"本月第 {nth_in_month} 件申请：{amount} 元",))


# (first page, last page or None, 元 per page) — each block charged at its own rate.
PAGE_BLOCKS = ((31, 100, 10), (101, 200, 20), (201, None, 40))


def per_page(pages: int) -> Fee:
    """Up to 30 pages free; pages 31–100 at 10 元, 101–200 at 20 元,
    beyond 200 at 40 元, each block at its own rate."""
    amount, lines = 0, []
    for first, last, rate in PAGE_BLOCKS:
        if pages < first:
            break
        upto = pages if last is None else min(pages, last)
        count = upto - first + 1
        amount += count * rate
        lines.append(f"第 {first}–{upto} 页 {count} 页 × {rate} 元 = {count * rate} 元")
    if not lines:
        lines.append(f"共 {pages} 页，30 页以内不收费")
    return Fee("per_page", amount, tuple(lines))
