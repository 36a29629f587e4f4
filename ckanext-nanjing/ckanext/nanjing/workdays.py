"""The platform's one working-day clock (工作日).

Legal periods (条例 Arts. 26, 30, 32, 33; the feedback response targets)
count working days: weekends are off except the State Council's make-up
working days (调休), statutory holidays are off. `chinese-calendar` knows
the years it was published for (2004–2026); later years come from the
holiday file (`ckanext.nanjing.holidays_file`, YAML, one block a year) that
an administrator extends each year. A day in a year neither knows is
counted on weekends alone and the result is marked provisional (暂定),
naming the missing year, so it is recomputed, never guessed silently.

A period starts the day after its start date. Pauses (third-party
consultation, another agency, fees) stop the clock for their days; an
extension adds days; a restart (补正 received) is a new start date.
"""
from __future__ import annotations

import dataclasses
import datetime
import functools
import os
from collections.abc import Iterable, Sequence
from typing import Any

import chinese_calendar
import yaml

__all__ = [
    "HolidayFileError", "Calendar", "Pause", "Deadline", "calendar", "reset",
    "add_working_days", "working_days_between", "deadline", "missing_year_warning", "standing",
]

DAY = datetime.timedelta(days=1)


class HolidayFileError(ValueError):
    """The holiday file does not parse; the message says where, in Chinese."""


def _parse_date(value: Any, year: int, where: str) -> datetime.date:
    if isinstance(value, datetime.date):
        day = value
    else:
        try:
            day = datetime.date.fromisoformat(str(value).strip())
        except ValueError:
            raise HolidayFileError(f"节假日文件 {where}：“{str(value)[:40]}”不是 YYYY-MM-DD 格式的日期")
    if day.year != year:
        raise HolidayFileError(f"节假日文件 {where}：{day.isoformat()} 不在 {year} 年")
    return day


def _expand(values: Any, year: int, where: str) -> set[datetime.date]:
    """Dates, or ranges written `2027-02-06..2027-02-13`."""
    days: set[datetime.date] = set()
    if values is None:
        return days
    if not isinstance(values, list):
        raise HolidayFileError(f"节假日文件 {where} 应为日期列表")
    for value in values:
        text = value if isinstance(value, str) else None
        if text and ".." in text:
            first, last = (_parse_date(part, year, where) for part in text.split("..", 1))
            if last < first:
                raise HolidayFileError(f"节假日文件 {where}：区间 {text} 的终止日早于起始日")
            while first <= last:
                days.add(first)
                first += DAY
        else:
            days.add(_parse_date(value, year, where))
    return days


def load_holiday_file(path: str) -> dict[int, tuple[set[datetime.date], set[datetime.date]]]:
    """{year: (holidays, make-up working days)} from the YAML file."""
    if not path or not os.path.exists(path):
        return {}
    try:
        with open(path, encoding="utf-8") as stream:
            data = yaml.safe_load(stream) or {}
    except (OSError, ValueError, yaml.YAMLError) as error:  # ValueError: YAML's own dates
        raise HolidayFileError(f"无法读取节假日文件 {path}：{str(error)[:200]}")
    if not isinstance(data, dict):
        raise HolidayFileError(f"节假日文件 {path} 应以年份为键，例如 2027: {{holidays: [...], workdays: [...]}}")
    years = {}
    for key, block in data.items():
        try:
            year = int(key)
        except (TypeError, ValueError):
            raise HolidayFileError(f"节假日文件的键“{str(key)[:20]}”不是年份")
        if not isinstance(block, dict) or set(block) - {"holidays", "workdays", "source"}:
            raise HolidayFileError(
                f"节假日文件 {year} 年应只含 holidays（放假日）、workdays（调休上班日）和 source（依据）")
        holidays = _expand(block.get("holidays"), year, f"{year}.holidays")
        workdays = _expand(block.get("workdays"), year, f"{year}.workdays")
        both = holidays & workdays
        if both:
            raise HolidayFileError(
                f"节假日文件 {year} 年：{min(both).isoformat()} 既是放假日又是调休上班日")
        years[year] = (holidays, workdays)
    return years


@functools.lru_cache(maxsize=1)
def _chinese_calendar_years() -> frozenset[int]:
    return frozenset(day.year for day in chinese_calendar.holidays)


class Calendar:
    """Which days are working days, and which years are known."""

    def __init__(self, holiday_file: str = ""):
        self.file_years = load_holiday_file(holiday_file)

    def covers(self, year: int) -> bool:
        return year in self.file_years or year in _chinese_calendar_years()

    def is_working_day(self, day: datetime.date) -> bool:
        if day.year in self.file_years:
            holidays, workdays = self.file_years[day.year]
            if day in workdays:
                return True
            if day in holidays:
                return False
            return day.weekday() < 5
        if day.year in _chinese_calendar_years():
            return chinese_calendar.is_workday(day)
        return day.weekday() < 5  # provisional: weekends alone

    @property
    def last_covered_year(self) -> int:
        return max(set(self.file_years) | set(_chinese_calendar_years()))


_calendar: Calendar | None = None


def calendar() -> Calendar:
    """The calendar of the configured holiday file, read once."""
    global _calendar
    if _calendar is None:
        import ckan.plugins.toolkit as tk
        _calendar = Calendar(tk.config.get("ckanext.nanjing.holidays_file") or "")
    return _calendar


def reset() -> None:
    """Forget the calendar: the holiday file changed (e.g. a new year added)."""
    global _calendar
    _calendar = None


@dataclasses.dataclass(frozen=True)
class Pause:
    start: datetime.date           # first day not counted
    end: datetime.date | None      # last day not counted; None: still paused
    reason: str = ""


@dataclasses.dataclass(frozen=True)
class Deadline:
    due: datetime.date | None      # None while a pause is open
    start: datetime.date
    days: int
    extension: int
    pauses: tuple[Pause, ...]
    missing_years: tuple[int, ...]  # years counted on weekends alone

    @property
    def provisional(self) -> bool:
        return bool(self.missing_years)

    def explanation(self) -> str:
        """How the deadline was computed, in the words shown to users."""
        parts = [f"自 {self.start.isoformat()} 起算（次日计第 1 日），{self.days} 个工作日"]
        if self.extension:
            parts.append(f"延期 {self.extension} 个工作日")
        for pause in self.pauses:
            until = pause.end.isoformat() if pause.end else "至今"
            parts.append(f"{pause.reason or '暂停'} {pause.start.isoformat()} 至 {until} 不计入")
        if self.due is None:
            parts.append("期限在暂停结束后重新计算")
        else:
            parts.append(f"截止 {self.due.isoformat()}")
        if self.provisional:
            years = "、".join(str(year) for year in self.missing_years)
            parts.append(f"暂定：尚无 {years} 年的法定节假日安排，仅按周末计算，"
                         f"管理员补充节假日文件后自动重算")
        return "；".join(parts)


def _paused(day: datetime.date, pauses: Sequence[Pause]) -> bool:
    return any(p.start <= day and (p.end is None or day <= p.end) for p in pauses)


def deadline(start: datetime.date, days: int, *, pauses: Iterable[Pause] = (),
             extension: int = 0, cal: Calendar | None = None) -> Deadline:
    """The `days + extension`-th working day after `start`, not counting
    the days of `pauses`."""
    cal = cal or calendar()
    pauses = tuple(sorted(pauses, key=lambda p: p.start))
    total = days + extension
    missing: set[int] = set()
    day, counted = start, 0
    if any(p.end is None for p in pauses):
        return Deadline(None, start, days, extension, pauses, ())
    while counted < total:
        day += DAY
        if _paused(day, pauses):
            continue
        if not cal.covers(day.year):
            missing.add(day.year)
        if cal.is_working_day(day):
            counted += 1
    return Deadline(day, start, days, extension, pauses, tuple(sorted(missing)))


def add_working_days(start: datetime.date, days: int, cal: Calendar | None = None) -> datetime.date:
    return deadline(start, days, cal=cal).due


def working_days_between(start: datetime.date, end: datetime.date, *,
                         pauses: Iterable[Pause] = (), cal: Calendar | None = None) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    cal = cal or calendar()
    pauses = tuple(pauses)
    count, day = 0, start
    while day < end:
        day += DAY
        if not _paused(day, pauses) and cal.is_working_day(day):
            count += 1
    return count


def missing_year_warning(today: datetime.date, cal: Calendar | None = None) -> str | None:
    """From 1 November, a warning when next year's holidays are not known."""
    cal = cal or calendar()
    wanted = today.year + 1 if today.month >= 11 else today.year
    if cal.covers(wanted):
        return None
    return (f"尚无 {wanted} 年的法定节假日和调休安排：跨入该年的期限只能按周末暂定计算。"
            f"国务院办公厅发布通知后，请在节假日文件中补充 {wanted} 年的 holidays 和 workdays")


def standing(due: datetime.date, today: datetime.date, near: int) -> tuple[str, int]:
    """Where a running period stands today: ("overdue", -working days past),
    ("near", working days left, at most `near`) or ("on_time", days left)."""
    if today > due:
        return "overdue", -max(1, working_days_between(due, today))
    left = working_days_between(today, due)
    return ("near" if left <= near else "on_time"), left
