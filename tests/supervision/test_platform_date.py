"""One "today" in Nanjing, whatever the machine's clock says.

The machine is set to UTC times at which Nanjing (UTC+8) is already on the
next day: 23:30 UTC on Sunday 6 December 2026 is 07:30 on Monday the 7th,
and 22:05 UTC on 31 December 2026 is 06:05 on New Year's Day 2027. A
request made online then is received on Nanjing's date, its letters carry
that date, its deadline counts from it, supervision counts to it and the
yearly report puts it in Nanjing's year."""
from __future__ import annotations

import base64
import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from ckan.tests import factories

from ckanext.nanjing import localtime, printing, workdays
from ckanext.nanjing.supervision import supervise

from .conftest import application

MONDAY_MORNING_IN_NANJING = datetime.datetime(2026, 12, 6, 23, 30, tzinfo=ZoneInfo("UTC"))
NEW_YEAR_IN_NANJING = datetime.datetime(2026, 12, 31, 22, 5, tzinfo=ZoneInfo("UTC"))

pytestmark = pytest.mark.usefixtures("people")


def _letter_text(call, request, kind):
    letter = next(item for item in request["letters"] if item["kind"] == kind)
    shown = call("nanjing_request_letter_show", number=request["number"],
                 code=request["lookup_code"], letter_id=letter["id"], format="html")
    assert shown["success"], shown
    return printing.plain_text(base64.b64decode(shown["result"]["content_base64"]).decode("utf-8"))


def _received_for_due(due: datetime.date) -> datetime.date:
    """The receipt date whose 20-working-day deadline is `due`."""
    day = due
    while workdays.deadline(day, 20).due != due:
        day -= datetime.timedelta(days=1)
    return day


def test_at_0730_in_nanjing_an_online_request_is_received_that_day(call):
    with time_machine.travel(MONDAY_MORNING_IN_NANJING, tick=False):
        assert datetime.date.today() == datetime.date(2026, 12, 6)  # the machine: Sunday
        assert localtime.today() == datetime.date(2026, 12, 7)
        answer = call("nanjing_request_create", **application())
        assert answer["success"], answer
        request = answer["result"]
        receipt = _letter_text(call, request, "receipt")

    assert request["received"] == "2026-12-07"
    assert request["number"].endswith("号") and "〔2026〕" in request["number"]
    # Counted from Monday the 7th: one working day later than from Sunday.
    due = workdays.deadline(datetime.date(2026, 12, 7), 20).due
    assert request["deadline"]["due"] == due.isoformat()
    assert due != workdays.deadline(datetime.date(2026, 12, 6), 20).due
    assert "收到日期：2026年12月7日" in receipt
    assert "2026年12月7日" in receipt and "2026年12月6日" not in receipt


def test_the_deadline_status_is_counted_to_nanjings_date(call, people):
    # A paper request whose 20 working days end on Monday the 7th.
    received = _received_for_due(datetime.date(2026, 12, 7))
    with time_machine.travel(MONDAY_MORNING_IN_NANJING, tick=False):
        # A token issued before the travelled-to instant would be "not yet
        # valid" there, and the steward would be taken for the public.
        steward = dict(people.steward, token=factories.APIToken(user=people.steward["name"])["token"])
        answer = call("nanjing_request_create", steward,
                      **application(received=received.isoformat(), channel="letter"))
        assert answer["success"], answer
        deadline = answer["result"]["deadline"]
    assert deadline["due"] == "2026-12-07"
    # Nanjing is on the last day; the machine's Sunday would leave one more.
    assert (deadline["status"], deadline["days_left"]) == ("near", 0)


def test_supervision_counts_to_nanjings_date(call, people):
    with time_machine.travel(MONDAY_MORNING_IN_NANJING, tick=False):
        supervise.run(check_links=False)
        sysadmin = factories.SysadminWithToken()
        summary = call("nanjing_supervision_summary", sysadmin, month="2026-12")
    assert summary["success"], summary
    assert summary["result"]["today"] == "2026-12-07"
    assert summary["result"]["computed"].startswith("2026-12-07T07:30")


def test_a_request_on_new_years_morning_belongs_to_the_new_year(call):
    with time_machine.travel(NEW_YEAR_IN_NANJING, tick=False):
        assert datetime.date.today().year == 2026
        answer = call("nanjing_request_create", **application())
        assert answer["success"], answer
        sysadmin = factories.SysadminWithToken()
        default = call("nanjing_annual_report", sysadmin, organization="nanjing-fgw")
        old = call("nanjing_annual_report", sysadmin, organization="nanjing-fgw", year=2026)
        new = call("nanjing_annual_report", sysadmin, organization="nanjing-fgw", year=2027)

    request = answer["result"]
    assert request["received"] == "2027-01-01" and "〔2027〕" in request["number"]
    # The report due this spring is the one of the year Nanjing has just ended.
    assert default["success"], default
    assert default["result"]["year"] == 2026
    assert _new_requests(old["result"]) == 0
    assert _new_requests(new["result"]) == 1


def _new_requests(report) -> int:
    row = next(r for r in report["table3"]["rows"] if r["key"] == "new")
    return row["cells"]["total"]


def test_another_zone_can_be_configured(ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.nanjing.timezone", "Europe/London")
    with time_machine.travel(MONDAY_MORNING_IN_NANJING, tick=False):
        assert localtime.today() == datetime.date(2026, 12, 6)
        assert localtime.now().utcoffset() == datetime.timedelta(0)
    monkeypatch.setitem(ckan_config, "ckanext.nanjing.timezone", "Mars/Olympus_Mons")
    with pytest.raises(Exception, match="时区“Mars/Olympus_Mons”不存在"):
        localtime.today()
