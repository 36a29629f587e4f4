"""The fee schedule of 国办函〔2020〕109号 and a request's clock from its events."""
from __future__ import annotations

import datetime
import json
import types

import pytest

from ckanext.nanjing import workdays
from ckanext.nanjing.requests import clock, fees

D = datetime.date


@pytest.mark.parametrize("nth, amount", [
    (1, 0), (10, 0), (11, 100), (30, 100), (31, 200), (40, 200), (41, 300), (55, 400)])
def test_per_request_fees(nth, amount):
    assert fees.per_request(nth).amount == amount


@pytest.mark.parametrize("pages, amount", [
    (1, 0), (30, 0), (31, 10), (100, 700), (101, 720), (200, 2700), (201, 2740), (250, 4700)])
def test_per_page_fees_charge_each_block_at_its_rate(pages, amount):
    fee = fees.per_page(pages)
    assert fee.amount == amount
    assert fee.breakdown  # the letter explains the sum


def _event(transition, day, **data):
    return types.SimpleNamespace(transition=transition, day=day, data=data,
                                 data_json=json.dumps(data))


def _request(received, *events, state="registered"):
    return types.SimpleNamespace(received=received, events=list(events), state=state,
                                 replied=None)


def test_twenty_working_days_from_the_day_after_receipt():
    # 国庆 and 中秋 2026 and the make-up days 09-20 and 10-10.
    request = _request(D(2026, 9, 18), _event("create", D(2026, 9, 18)))
    assert clock.clock_of(request).deadline().due == D(2026, 10, 22)


def test_a_correction_restarts_the_clock_and_pauses_do_not_count():
    request = _request(
        D(2026, 3, 2), _event("create", D(2026, 3, 2)),
        _event("request_correction", D(2026, 3, 3), reply_within=15),
        _event("submit_correction", D(2026, 3, 10)),
        _event("start_consultation", D(2026, 3, 16), kind="third_party"),
        _event("end_consultation", D(2026, 3, 20)),
        _event("approve_extension", D(2026, 3, 23), days=10))
    c = clock.clock_of(request)
    assert c.start == D(2026, 3, 10) and c.extension == 10
    # 30 working days after 03-10, plus the five paused days 03-16..03-20.
    assert c.deadline().due == D(2026, 4, 29)
    text = c.deadline().explanation()
    assert "征求第三方意见 2026-03-16 至 2026-03-20 不计入" in text and "延期 10 个工作日" in text


def test_an_open_pause_has_no_due_date_and_a_correction_has_its_own():
    paused = _request(D(2026, 5, 6), _event("create", D(2026, 5, 6)),
                      _event("charge_fee", D(2026, 5, 8), kind="fee"), state="paused")
    answer = clock.deadline_dict(paused, D(2026, 5, 11))
    assert answer["due"] is None and answer["status"] == "paused"
    assert answer["fee_due"] == "2026-06-04"  # the make-up working Saturday 05-09 counts
    waiting = _request(D(2026, 5, 6), _event("create", D(2026, 5, 6)),
                       _event("request_correction", D(2026, 5, 7), reply_within=10),
                       state="awaiting_correction")
    answer = clock.deadline_dict(waiting, D(2026, 5, 8))
    assert answer["correction_due"] == "2026-05-20" and "重新计算" in answer["explanation"]


def test_near_and_overdue():
    request = _request(D(2026, 11, 2), _event("create", D(2026, 11, 2)))
    assert clock.deadline_dict(request, D(2026, 11, 3))["status"] == "on_time"
    near = clock.deadline_dict(request, D(2026, 11, 23))  # due 11-30
    assert near["status"] == "near" and near["days_left"] == 5
    late = clock.deadline_dict(request, D(2026, 12, 3))
    assert late["status"] == "overdue" and late["days_left"] == -3


def test_a_correction_period_past_the_known_calendars_is_provisional():
    waiting = _request(D(2026, 12, 10), _event("create", D(2026, 12, 10)),
                       _event("request_correction", D(2026, 12, 15), reply_within=15),
                       state="awaiting_correction")
    if workdays.calendar().covers(2027):
        pytest.skip("the holiday file already covers 2027")
    answer = clock.deadline_dict(waiting, D(2026, 12, 16))
    assert answer["period_provisional"] is True
    assert "暂定" in answer["explanation"] and "2027" in answer["explanation"]
