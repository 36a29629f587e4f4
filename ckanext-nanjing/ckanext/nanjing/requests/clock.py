"""A request's deadlines, computed from its events with the platform's one
working-day clock (ckanext.nanjing.workdays): 20 working days from the day
after receipt (Art. 33), restarted by a correction (Art. 30), paused while
a third party, another agency or a fee is awaited, plus an approved
extension."""
from __future__ import annotations

import dataclasses
import datetime
from typing import Any

from .. import localtime, workdays
from .states import OPEN_STATES, PAUSE_KINDS

__all__ = ["REPLY_DAYS", "CORRECTION_WINDOW", "FEE_PAYMENT_DAYS", "Clock", "clock_of",
           "deadline_dict"]

REPLY_DAYS = 20           # Art. 33
CORRECTION_WINDOW = 7     # Art. 30: a correction is asked for within 7 working days
FEE_PAYMENT_DAYS = 20     # 国办函〔2020〕109号: 20 working days to pay
NEAR_DUE = 5              # handlers are reminded 5 working days before the deadline


@dataclasses.dataclass
class Clock:
    received: datetime.date                # first receipt
    start: datetime.date                   # receipt or the last correction received
    pauses: list[workdays.Pause]
    extension: int
    correction_due: datetime.date | None   # while awaiting a correction
    fee_due: datetime.date | None          # while awaiting payment
    # Years those two dates were counted in on weekends alone (暂定).
    period_missing_years: tuple[int, ...] = ()
    restarted: bool = False                # a correction came in

    def deadline(self) -> workdays.Deadline:
        return workdays.deadline(self.start, REPLY_DAYS, pauses=self.pauses,
                                 extension=self.extension)


def clock_of(request) -> Clock:
    clock = Clock(request.received, request.received, [], 0, None, None)
    open_pause: tuple[datetime.date, str] | None = None
    for event in request.events:
        data = event.data
        if event.transition == "submit_correction":
            clock.start, clock.pauses, clock.correction_due = event.day, [], None
            open_pause, clock.restarted = None, True
        elif event.transition == "request_correction":
            period = workdays.deadline(event.day, int(data.get("reply_within") or 15))
            clock.correction_due, clock.period_missing_years = period.due, period.missing_years
            open_pause = (event.day, "等待补正")
        elif event.transition == "correction_expired" and open_pause:
            # Closed for want of a correction: the wait did not count.
            clock.pauses.append(workdays.Pause(open_pause[0], event.day, open_pause[1]))
            open_pause, clock.correction_due = None, None
        elif event.transition in ("start_consultation", "charge_fee"):
            kind = data.get("kind") or "fee"
            open_pause = (event.day, PAUSE_KINDS.get(kind, kind))
            if event.transition == "charge_fee":
                period = workdays.deadline(event.day, FEE_PAYMENT_DAYS)
                clock.fee_due, clock.period_missing_years = period.due, period.missing_years
        elif event.transition in ("end_consultation", "fee_paid", "fee_expired") and open_pause:
            clock.pauses.append(workdays.Pause(open_pause[0], event.day, open_pause[1]))
            open_pause, clock.fee_due = None, None
        elif event.transition == "approve_extension":
            clock.extension = int(data.get("days") or 0)
    if open_pause:
        clock.pauses.append(workdays.Pause(open_pause[0], None, open_pause[1]))
    return clock


def _provisional(years: tuple[int, ...]) -> str:
    if not years:
        return ""
    return f"，暂定：尚无 {'、'.join(str(y) for y in years)} 年的节假日安排，仅按周末计算"


def deadline_dict(request, today: datetime.date | None = None) -> dict[str, Any]:
    """What every page and API answer shows about the deadline."""
    today = today or localtime.today()
    clock = clock_of(request)
    due = clock.deadline()
    answer: dict[str, Any] = {
        "due": due.due.isoformat() if due.due else None,
        "provisional": due.provisional,
        "missing_years": list(due.missing_years),
        "explanation": (f"{clock.received.isoformat()} 收到申请，{clock.start.isoformat()} "
                        f"收到补正后重新起算；" if clock.restarted else
                        f"{clock.received.isoformat()} 收到申请；") + due.explanation(),
        "received": clock.received.isoformat(),
        "start": clock.start.isoformat(),
        "extension": clock.extension,
        "correction_due": clock.correction_due.isoformat() if clock.correction_due else None,
        "fee_due": clock.fee_due.isoformat() if clock.fee_due else None,
        # The correction or payment period reaches a year without a known calendar.
        "period_provisional": bool(clock.period_missing_years
                                   and (clock.correction_due or clock.fee_due)),
        "days_left": None,
    }
    if request.state == "awaiting_correction":
        answer.update(due=None, status="paused",
                      explanation=f"待补正：收到补正之日起重新计算 {REPLY_DAYS} 个工作日"
                                  f"（补正期限 {answer['correction_due']}"
                                  f"{_provisional(clock.period_missing_years)}）")
        return answer
    if request.state not in OPEN_STATES:
        replied = request.replied
        answer["status"] = "closed"
        answer["on_time"] = bool(replied and due.due and replied <= due.due) \
            if request.state != "withdrawn" else None
        return answer
    if due.due is None:
        answer["status"] = "paused"
        return answer
    answer["status"], answer["days_left"] = workdays.standing(due.due, today, NEAR_DUE)
    return answer
