"""Reminders to handlers and mail to applicants, through CKAN's mailer to a
real SMTP server (aiosmtpd) that each test starts on 127.0.0.1."""
from __future__ import annotations

import datetime
import logging
import socket
import threading

import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.cli.cli import ckan as ckan_command
from ckan.tests import factories

from ckanext.nanjing import localtime, mail, workdays
from ckanext.nanjing.requests import reminders
from ckanext.nanjing.requests.model import Request, RequestNotice

from ..mailbox import free_port
from .conftest import application

pytestmark = pytest.mark.usefixtures("people")


@pytest.fixture
def hanging_up_server():
    """A mail server that greets and hangs up: smtplib then fails inside
    CKAN's mailer and again in its `finally` (quit)."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except socket.timeout:
                continue
            with connection:
                connection.sendall(b"220 mail.example ESMTP\r\n")
    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    listener.close()




@pytest.fixture
def logged(caplog, monkeypatch):
    """The ckanext loggers do not propagate (test.ini), and a command run in
    an earlier test may have disabled them (logging.config.fileConfig):
    listen to the two modules' loggers directly."""
    caplog.handler.setLevel(logging.ERROR)
    for logger in (mail.log, reminders.log):
        monkeypatch.setattr(logger, "disabled", False)
        logger.addHandler(caplog.handler)
    yield caplog
    for logger in (mail.log, reminders.log):
        logger.removeHandler(caplog.handler)


def _body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def _working_days_ago(days: int) -> datetime.date:
    day = localtime.today()
    while workdays.working_days_between(day, localtime.today()) < days:
        day -= datetime.timedelta(days=1)
    return day


@pytest.fixture
def handlers(people):
    """Besides the steward (editor of 发改委): an admin, and a plain member
    who does not handle requests."""
    admin = factories.UserWithToken(fullname="赵主任", email="zhao@fgw.example")
    member = factories.UserWithToken(email="member@fgw.example")
    for user, capacity in ((admin, "admin"), (member, "member")):
        tk.get_action("organization_member_create")(
            {"ignore_auth": True},
            {"id": people.fgw["id"], "username": user["name"], "role": capacity})
    return [people.steward, admin], member


def _register(call, steward, received: datetime.date, **overrides) -> dict:
    """A paper application registered by the steward, dated back."""
    answer = call("nanjing_request_create", steward,
                  **application(received=received.isoformat(), channel="letter", email="",
                                delivery="post", provision="paper", **overrides))
    assert answer["success"], answer
    return answer["result"]


def test_a_request_near_due_is_mailed_once_to_each_handler(call, people, handlers, inbox):
    steward = people.steward
    request = _register(call, steward, _working_days_ago(17))
    assert request["deadline"]["status"] == "near"
    due, days_left = request["deadline"]["due"], request["deadline"]["days_left"]

    outcome = reminders.remind()
    assert (outcome.notices, outcome.mailed, outcome.failed) == (1, 2, 0)
    (staff, admin), member = handlers
    for user in (staff, admin):
        user_email = model.User.get(user["name"]).email
        mails = inbox.to(user_email)
        assert len(mails) == 1
        subject, body = mails[0]["subject"], _body(mails[0])
        assert request["number"] in subject and due in subject and "即将到期" in subject
        assert request["number"] in body and f"答复期限为 {due}" in body
        assert f"还剩 {days_left} 个工作日" in body
        assert f"{tk.config.get('ckan.site_url')}/requests/{request['id']}" in body
    assert inbox.to("member@fgw.example") == []
    other = model.User.get(people.other_steward["name"]).email
    assert inbox.to(other) == []

    again = reminders.remind()
    assert (again.notices, again.mailed) == (0, 0)
    assert len(inbox.messages) == 2
    notice = model.Session.query(RequestNotice).one()
    assert (notice.kind, notice.due.isoformat()) == ("near", due)


def test_an_overdue_request_gets_an_overdue_mail(call, people, handlers, inbox):
    request = _register(call, people.steward, _working_days_ago(24))
    assert request["deadline"]["status"] == "overdue"
    late = -request["deadline"]["days_left"]
    reminders.remind()
    mails = inbox.to(model.User.get(people.steward["name"]).email)
    assert len(mails) == 1
    assert "已逾期" in mails[0]["subject"]
    assert f"已超过答复期限 {late} 个工作日" in _body(mails[0])


def test_an_extension_moves_the_due_date_and_makes_a_new_reminder(call, people, inbox):
    steward = people.steward
    received = _working_days_ago(17)
    request = _register(call, steward, received)
    reminders.remind()
    assert len(inbox.messages) == 1
    for transition, user, data in (("request_extension", steward, {"days": 2, "reason": "涉及多个项目"}),
                                   ("approve_extension", people.reviewer, {})):
        answer = call("nanjing_request_transition", user, id=request["id"],
                      transition=transition, **data)
        assert answer["success"], answer
    moved = answer["result"]["deadline"]
    assert moved["due"] != request["deadline"]["due"] and moved["status"] == "near"
    reminders.remind()
    assert len(inbox.messages) == 2
    assert moved["due"] in inbox.messages[1][1]["subject"]


def test_closed_and_distant_requests_get_no_reminder(call, people, handlers, inbox):
    steward = people.steward
    closed = _register(call, steward, _working_days_ago(24))
    answer = call("nanjing_request_transition", steward, id=closed["id"], transition="reply",
                  result="unable_not_held", text="经查，本机关未制作或获取该信息。",
                  reasons="条例第三十六条第（四）项")
    assert answer["success"], answer
    _register(call, steward, _working_days_ago(3))
    outcome = reminders.remind()
    assert outcome.notices == 0 and inbox.messages == []


def test_the_handlers_notices_on_the_portal(call, people, inbox):
    request = _register(call, people.steward, _working_days_ago(30))
    reminders.remind()
    shown = call("nanjing_request_notices", people.steward)
    assert shown["success"], shown
    (notice,) = shown["result"]["results"]
    assert notice["kind"] == "overdue" and notice["number"] == request["number"]
    assert notice["url"].endswith(f"/requests/{request['id']}")
    assert request["number"] in notice["message"]
    assert call("nanjing_request_notices", people.reviewer)["result"]["count"] == 1
    assert call("nanjing_request_notices", people.other_steward)["result"]["count"] == 0
    assert call("nanjing_request_notices", people.outsider)["result"]["count"] == 0
    assert call("nanjing_request_notices")["success"] is False
    bad = call("nanjing_request_notices", people.steward, kind="soon")
    assert bad["success"] is False and "提醒类型应为" in str(bad["error"])


def test_the_remind_command_mails_and_says_what_it_did(call, people, inbox, cli, ckan_ini,
                                                       tmp_path):
    # The command reads its configuration anew: an ini on top of test.ini
    # with the test's SMTP server.
    ini = tmp_path / "smtp.ini"
    ini.write_text(f"[app:main]\nuse = config:{ckan_ini}\n"
                   f"smtp.server = {tk.config['smtp.server']}\n"
                   f"smtp.mail_from = gongkai@nanjing.example\n")
    command = ["-c", str(ini), "nanjing-requests", "remind"]
    request = _register(call, people.steward, _working_days_ago(18))
    result = cli.invoke(ckan_command, command)
    assert result.exit_code == 0, result.output
    assert request["number"] in result.output
    assert "新提醒 1 条，发出邮件 1 封" in result.output
    again = cli.invoke(ckan_command, command)
    assert again.exit_code == 0 and "新提醒 0 条，发出邮件 0 封" in again.output
    assert len(inbox.messages) == 1
    assert model.Session.query(RequestNotice).count() == 1


def test_the_mail_server_down_loses_no_reminder(call, people, smtp_settings, logged):
    smtp_settings(free_port())  # nothing listens there
    _register(call, people.steward, _working_days_ago(18))
    outcome = reminders.remind()
    assert (outcome.notices, outcome.mailed, outcome.failed) == (1, 0, 1)
    assert model.Session.query(RequestNotice).count() == 1
    assert "Could not mail" in logged.text and "about the reminder of" in logged.text


# Applicants

def test_the_applicant_gets_the_receipt_with_number_and_code(apply, inbox):
    answer = apply()
    assert answer["success"], answer
    (mail,) = inbox.to("wang@example.com")
    result = answer["result"]
    assert result["number"] in mail["subject"]
    body = _body(mail)
    assert result["number"] in body and f"查询码：{result['lookup_code']}" in body
    assert "/requests/lookup" in body


def test_the_applicant_gets_a_mail_when_a_correction_letter_is_sent(inbox, applied, call,
                                                                    people):
    answer = call("nanjing_request_transition", people.steward, id=applied["id"],
                  transition="request_correction", items="请写明所需项目的名称")
    assert answer["success"], answer
    mails = inbox.to("wang@example.com")
    assert len(mails) == 2  # the receipt, then the correction letter
    assert "补正告知书" in mails[1]["subject"] and applied["number"] in mails[1]["subject"]
    assert applied["number"] in _body(mails[1])


def test_no_email_no_mail_and_no_error(apply, inbox):
    answer = apply(email="", delivery="post", provision="paper")
    assert answer["success"], answer
    assert inbox.messages == []


def test_the_mail_server_down_keeps_the_application(apply, smtp_settings, logged):
    smtp_settings(free_port())
    answer = apply()
    assert answer["success"], answer
    stored = model.Session.query(Request).one()
    assert stored.number == answer["result"]["number"]
    assert "Could not mail wang@example.com" in logged.text


def test_a_mail_server_that_hangs_up_keeps_the_application_and_the_answer(
        apply, smtp_settings, hanging_up_server, logged):
    smtp_settings(hanging_up_server)
    answer = apply()
    assert answer["success"], answer
    assert answer["result"]["lookup_code"]
    assert model.Session.query(Request).count() == 1
    assert "Could not mail wang@example.com" in logged.text
