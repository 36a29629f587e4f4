"""The working-day clock, on dates around 春节 and 国庆 and across the end
of the years the calendars cover."""
from __future__ import annotations

import datetime

import pytest

from ckanext.nanjing import doctor, workdays
from ckanext.nanjing.workdays import Calendar, Pause

D = datetime.date


@pytest.fixture
def cal():
    return Calendar("")


@pytest.fixture
def holiday_file(tmp_path):
    def write(text: str) -> str:
        path = tmp_path / "holidays.yaml"
        path.write_text(text, encoding="utf-8")
        return str(path)
    return write


@pytest.mark.parametrize("received, days, due", [
    # 中秋 2026-09-25 and 国庆 10-01..10-07 off; Sunday 09-20 and Saturday 10-10 worked.
    (D(2026, 9, 18), 20, D(2026, 10, 22)),
    # 国庆 2025: 10-01..10-08 off; Sunday 09-28 and Saturday 10-11 worked.
    (D(2025, 9, 19), 20, D(2025, 10, 23)),
    # 春节 2026: 02-15..02-23 off; Saturday 02-28 worked (and Sunday 02-14).
    (D(2026, 2, 6), 20, D(2026, 3, 12)),
    # 春节 2025: 01-28..02-04 off; Sunday 01-26 and Saturday 02-08 worked.
    (D(2025, 1, 20), 20, D(2025, 2, 21)),
    # 补正 within 7 working days over 国庆 2026.
    (D(2026, 9, 29), 7, D(2026, 10, 14)),
    (D(2026, 12, 1), 20, D(2026, 12, 29)),
])
def test_deadlines_follow_the_state_council_calendar(cal, received, days, due):
    result = workdays.deadline(received, days, cal=cal)
    assert result.due == due
    assert not result.provisional


def test_make_up_working_days_count(holiday_file, cal):
    """The example of the rules: leaving out the make-up working days
    (Sunday 09-20, Saturday 10-10) reaches 10-26; weekends alone 10-16."""
    no_make_up = Calendar(holiday_file(
        "2026:\n  holidays: [2026-09-25, '2026-10-01..2026-10-07']\n  workdays: []\n"))
    weekends_only = Calendar(holiday_file("2026: {}\n"))
    assert workdays.add_working_days(D(2026, 9, 18), 20, no_make_up) == D(2026, 10, 26)
    assert workdays.add_working_days(D(2026, 9, 18), 20, weekends_only) == D(2026, 10, 16)
    assert workdays.add_working_days(D(2026, 9, 18), 20, cal) == D(2026, 10, 22)


def test_make_up_saturday_counts_and_holiday_does_not(cal):
    assert cal.is_working_day(D(2026, 10, 10))      # Saturday, 调休
    assert not cal.is_working_day(D(2026, 10, 5))   # Monday, 国庆
    assert not cal.is_working_day(D(2026, 10, 17))  # ordinary Saturday


def test_extension_past_the_covered_years_is_provisional_and_says_why(cal):
    result = workdays.deadline(D(2026, 12, 1), 20, extension=20, cal=cal)
    # 2027-01-01 is Friday: weekends alone give 20 days after 12-29 → 2027-01-26.
    assert result.due == D(2027, 1, 26)
    assert result.provisional and result.missing_years == (2027,)
    text = result.explanation()
    assert "暂定" in text and "2027" in text and "延期 20 个工作日" in text


def test_a_year_added_to_the_holiday_file_makes_it_final(holiday_file):
    path = holiday_file("2027:\n  holidays: [2027-01-01, 2027-01-04]\n  workdays: []\n")
    cal = Calendar(path)
    result = workdays.deadline(D(2026, 12, 1), 20, extension=20, cal=cal)
    assert not result.provisional
    assert result.due == D(2027, 1, 28)  # two more days off than weekends alone


def test_holiday_file_ranges_and_make_up_days(holiday_file):
    cal = Calendar(holiday_file(
        "2027:\n  holidays: ['2027-02-06..2027-02-13']\n  workdays: [2027-02-14]\n"))
    assert not cal.is_working_day(D(2027, 2, 8))
    assert cal.is_working_day(D(2027, 2, 14))  # a Sunday worked
    assert cal.covers(2027) and cal.last_covered_year == 2027


@pytest.mark.parametrize("text, message", [
    ("2027: [1, 2", "无法读取节假日文件"),
    ("- 2027\n", "应以年份为键"),
    ("abc:\n  holidays: []\n", "不是年份"),
    ("2027:\n  holidays: [2027-13-01]\n", "无法读取节假日文件"),
    ("2027:\n  holidays: ['2027-1-1x']\n", "不是 YYYY-MM-DD"),
    ("2027:\n  holidays: [2026-10-01]\n", "不在 2027 年"),
    ("2027:\n  holiday: []\n", "只含 holidays"),
    ("2027:\n  holidays: [2027-02-14]\n  workdays: [2027-02-14]\n", "既是放假日又是调休上班日"),
    ("2027:\n  holidays: ['2027-02-13..2027-02-06']\n", "终止日早于起始日"),
])
def test_broken_holiday_files_are_explained(holiday_file, text, message):
    with pytest.raises(workdays.HolidayFileError, match=message):
        Calendar(holiday_file(text))


def test_pause_stops_the_clock_and_resumes_with_the_days_left(cal):
    # Third-party consultation 2026-09-21..2026-09-30: 7 working days (中秋 09-25 is off).
    plain = workdays.deadline(D(2026, 9, 18), 20, cal=cal).due
    paused = workdays.deadline(D(2026, 9, 18), 20, cal=cal,
                               pauses=[Pause(D(2026, 9, 21), D(2026, 9, 30), "征求第三方意见")])
    skipped = workdays.working_days_between(D(2026, 9, 20), D(2026, 9, 30), cal=cal)
    assert skipped == 7
    assert paused.due == workdays.add_working_days(plain, skipped, cal)
    assert "征求第三方意见 2026-09-21 至 2026-09-30 不计入" in paused.explanation()


def test_an_open_pause_has_no_due_date_yet(cal):
    result = workdays.deadline(D(2026, 9, 18), 20, cal=cal,
                               pauses=[Pause(D(2026, 9, 21), None, "收费")])
    assert result.due is None
    assert "暂停结束后重新计算" in result.explanation()


def test_working_days_between(cal):
    assert workdays.working_days_between(D(2026, 9, 18), D(2026, 10, 22), cal=cal) == 20
    assert workdays.working_days_between(D(2026, 9, 18), D(2026, 9, 18), cal=cal) == 0
    assert workdays.working_days_between(D(2026, 9, 18), D(2026, 9, 1), cal=cal) == 0


def test_doctor_warns_from_november_when_next_year_is_missing():
    config = {"ckanext.nanjing.holidays_file": ""}
    october = doctor.check_calendar(config, today=D(2026, 10, 31))
    assert october.ok and not october.warning and "2026" in october.summary
    november = doctor.check_calendar(config, today=D(2026, 11, 1))
    assert november.ok and november.warning
    assert "2027" in november.summary and "[提醒]" in november.report()


def test_doctor_reports_a_broken_holiday_file(holiday_file):
    check = doctor.check_calendar({"ckanext.nanjing.holidays_file": holiday_file("2027: [")})
    assert not check.ok and "无法读取节假日文件" in check.summary


def test_the_shipped_holiday_file_parses_and_invents_nothing():
    from pathlib import Path
    shipped = Path(__file__).parents[1] / "config" / "holidays.yaml"
    cal = Calendar(str(shipped))
    assert cal.file_years == {}
