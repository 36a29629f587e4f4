"""Webhooks, as an administrator registers an endpoint and a receiver
takes the messages: Standard Webhooks headers verified by the reference
library (`standardwebhooks`), retries on the schedule honouring
Retry-After, 410 disabling, pausing with a mail to the administrator,
resuming without loss, replay, key rotation, and the SSRF refusals. The
receivers are real HTTP servers on 127.0.0.1; the worker runs in the test
(`worker.run(until_idle=True)`), as `ckan nanjing-feeds deliver` runs it."""
from __future__ import annotations

import json
import time

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories

from ckanext.nanjing.feeds import worker
from ckanext.nanjing.feeds.model import Delivery

from ..receiver import Answer, Receiver, receiver  # noqa: F401  (fixture)

from .test_change_log import _dataset, body  # noqa: F401  (body: a fixture)


@pytest.fixture
def local_receivers(monkeypatch):
    """The operator allows the loopback network (the test receivers) and a
    short retry schedule."""
    monkeypatch.setitem(tk.config, "ckanext.nanjing.webhooks.allowed_networks", "127.0.0.0/8")
    monkeypatch.setitem(tk.config, "ckanext.nanjing.webhooks.retry_schedule", "1 1 1")
    monkeypatch.setitem(tk.config, "ckanext.nanjing.webhooks.timeout", 2)


def _register(api, url, **extra):
    answer = api("nanjing_webhook_create", url=url, **extra)
    assert answer["success"], answer
    return answer["result"]


def _deliver(until=None, seconds: float = 15):
    """Run the worker until nothing is due (and `until()` holds, if given)."""
    end = time.monotonic() + seconds
    while True:
        worker.run(until_idle=True)
        if until is None or until() or time.monotonic() > end:
            return
        time.sleep(0.2)


def _verified(secret, message):
    return Webhook(secret).verify(message.body, message.headers)


def test_a_publication_and_a_withdrawal_arrive_signed(api, body, local_receivers, receiver):
    endpoint = _register(api, receiver.url(), description="市大数据中心接收")
    assert endpoint["secret"].startswith("whsec_")
    title = "<script>alert('预算')</script> & “三公”经费"
    created = _dataset(api, "budget-2026", title=title)
    assert api("package_patch", id=created["id"], private=True)["success"]

    _deliver()

    published, withdrawn = receiver.messages()
    for message in (published, withdrawn):
        assert _verified(endpoint["secret"], message)      # the reference verifier
        assert message.headers["content-type"] == "application/json"
    assert published.json["type"] == "open_dataset.created"
    assert published.json["data"]["item"]["title"] == title
    assert b"<script" not in published.body and b"&" not in published.body
    assert withdrawn.json["type"] == "open_dataset.withdrawn"
    assert withdrawn.json["data"]["tombstone"] is True and withdrawn.json["data"]["item"] is None
    assert published.message_id != withdrawn.message_id

    # Delivered once, never again: more rounds and a new change send only the new one.
    _dataset(api, "budget-2027")
    _deliver()
    _deliver()
    ids = [message.message_id for message in receiver.messages()]
    assert len(ids) == 3 and len(set(ids)) == 3

    log = api("nanjing_webhook_deliveries", id=endpoint["id"])["result"]
    assert log["count"] == 3
    assert {d["status"] for d in log["deliveries"]} == {"delivered"}
    assert all(len(d["log"]) == 1 and d["log"][0]["code"] == 204 for d in log["deliveries"])


def test_the_secret_is_shown_once_and_only_sysadmins_manage_endpoints(api, call, body,
                                                                      local_receivers, receiver):
    endpoint = _register(api, receiver.url())
    shown = json.dumps([api("nanjing_webhook_show", id=endpoint["id"]),
                        api("nanjing_webhook_list"),
                        api("nanjing_webhook_deliveries", id=endpoint["id"])])
    assert "whsec_" not in shown and endpoint["secret"] not in shown

    steward = factories.UserWithToken()
    for action, data in (("nanjing_webhook_create", {"url": receiver.url()}),
                         ("nanjing_webhook_list", {}),
                         ("nanjing_webhook_update", {"id": endpoint["id"], "state": "paused"}),
                         ("nanjing_webhook_delete", {"id": endpoint["id"]})):
        refused = call(action, steward, **data)
        assert refused["success"] is False
        assert "只有系统管理员" in refused["error"]["message"]
    assert api("nanjing_webhook_show", id=endpoint["id"])["result"]["state"] == "active"


@pytest.mark.parametrize("url, why", [
    ("http://127.0.0.1:8080/hook", "本机地址"),
    ("http://localhost/hook", "本机地址"),
    ("http://10.2.3.4/hook", "内网或保留地址"),
    ("http://192.168.1.20/hook", "内网或保留地址"),
    ("http://169.254.169.254/latest/meta-data/", "链路本地地址"),
    ("http://[::1]/hook", "本机地址"),
    ("http://[::ffff:127.0.0.1]/hook", "本机地址"),
    ("http://0.0.0.0/hook", "内网或保留地址"),
    ("ftp://example.org/hook", "只能以 http:// 或 https:// 开头"),
    ("http://user:secret@example.org/hook", "不能包含用户名或密码"),
    ("http://example.org:99999/hook", "格式不正确"),
    ("http://exa mple.org/hook", "不能有空格"),
    ("javascript:alert(1)", "只能以 http:// 或 https:// 开头"),
    ("", "请填写接收地址"),
    ("http://" + "a" * 3000 + ".org/", "过长"),
])
def test_private_and_malformed_addresses_are_refused_in_chinese(api, body, url, why):
    refused = api("nanjing_webhook_create", url=url)
    assert refused["success"] is False
    assert why in refused["error"]["url"][0]
    assert api("nanjing_webhook_list")["result"] == []


def test_the_operator_may_allow_one_private_network(api, body, monkeypatch):
    monkeypatch.setitem(tk.config, "ckanext.nanjing.webhooks.allowed_networks", "127.0.0.0/8")
    assert api("nanjing_webhook_create", url="http://127.0.0.1:9/hook")["success"]
    assert api("nanjing_webhook_create", url="http://10.2.3.4/hook")["success"] is False


def test_a_receiver_that_is_down_gets_the_message_later(api, body, local_receivers):
    down = Receiver()
    port = down.port
    down.stop()                                   # nothing listens there now
    endpoint = _register(api, f"http://127.0.0.1:{port}/hook")
    _dataset(api, "budget-2026")
    _deliver()
    log = api("nanjing_webhook_deliveries", id=endpoint["id"])["result"]["deliveries"]
    assert log[0]["status"] == "pending" and "无法连接接收端" in log[0]["last_error"]

    back = Receiver(port)                          # up again on the same address
    try:
        _deliver(until=lambda: back.messages())
        assert len(back.messages()) == 1
        assert _verified(endpoint["secret"], back.messages()[0])
    finally:
        back.stop()
    log = api("nanjing_webhook_deliveries", id=endpoint["id"])["result"]["deliveries"]
    assert log[0]["status"] == "delivered" and len(log[0]["log"]) >= 2


def test_retry_after_is_honoured_and_the_schedule_ends(api, body, local_receivers, receiver):
    receiver.answers = [Answer(503, {"Retry-After": "3"})]
    endpoint = _register(api, receiver.url())
    _dataset(api, "budget-2026")

    _deliver(until=lambda: len(receiver.messages()) == 2)
    first, second = receiver.messages()
    assert second.at - first.at >= 2.9          # the schedule says 1 s; the receiver asked 3
    assert first.message_id == second.message_id

    receiver.usual = Answer(500)
    _dataset(api, "budget-2027")
    _deliver(until=lambda: len(receiver.messages()) == 6)
    time.sleep(1.2)
    _deliver()
    assert len(receiver.messages()) == 6        # 1 attempt + 3 retries, then given up
    failed = api("nanjing_webhook_deliveries", id=endpoint["id"], status="failed")["result"]
    assert failed["count"] == 1 and failed["deliveries"][0]["last_error"] == "接收端返回 HTTP 500"


def test_410_disables_the_endpoint_and_nothing_is_lost(api, body, local_receivers, receiver,
                                                         inbox):
    receiver.answers = [Answer(410)]
    admin = factories.SysadminWithToken(email="webhook-admin@nanjing.example")
    answer = tk.get_action("nanjing_webhook_create")({"user": admin["name"]},
                                                     {"url": receiver.url()})
    _dataset(api, "budget-2026")
    _deliver()
    shown = api("nanjing_webhook_show", id=answer["id"])["result"]
    assert shown["state"] == "disabled" and "410" in shown["state_reason"]
    mails = inbox.to("webhook-admin@nanjing.example")
    assert len(mails) == 1 and "已停用" in mails[0]["Subject"]
    assert receiver.url() in mails[0].get_content()

    _dataset(api, "budget-2027")                    # while disabled
    _deliver()
    assert len(receiver.messages()) == 1
    assert api("nanjing_webhook_update", id=answer["id"], state="active")["success"]
    _deliver(until=lambda: len(receiver.messages()) == 3)
    names = [m.json["data"]["name"] for m in receiver.messages()[1:]]
    assert sorted(names) == ["budget-2026", "budget-2027"]


def test_an_endpoint_failing_too_long_is_paused_and_its_administrator_told(
        api, body, local_receivers, receiver, inbox, monkeypatch):
    monkeypatch.setitem(tk.config, "ckanext.nanjing.webhooks.pause_after_hours", 0)
    receiver.usual = Answer(502)
    admin = factories.SysadminWithToken(email="ops@nanjing.example")
    answer = tk.get_action("nanjing_webhook_create")({"user": admin["name"]},
                                                     {"url": receiver.url()})
    _dataset(api, "budget-2026")
    _deliver(until=lambda: len(receiver.messages()) >= 2)
    shown = api("nanjing_webhook_show", id=answer["id"])["result"]
    assert shown["state"] == "paused" and "暂停" in shown["state_reason"]
    assert "已暂停" in inbox.to("ops@nanjing.example")[0]["Subject"]

    receiver.usual = Answer(200)
    sent = len(receiver.messages())
    _dataset(api, "budget-2027")
    _deliver()
    assert len(receiver.messages()) == sent         # paused: nothing sent
    assert api("nanjing_webhook_update", id=answer["id"], state="active")["success"]
    _deliver(until=lambda: {"budget-2027"} <= {m.json["data"]["name"]
                                               for m in receiver.messages()})
    pending = api("nanjing_webhook_deliveries", id=answer["id"], status="pending")["result"]
    assert pending["count"] == 0


def test_a_hanging_receiver_delays_only_itself(api, body, local_receivers, receiver):
    hanging = Receiver()
    try:
        hanging.usual = Answer(204, hang=4)        # longer than the 2 s timeout
        slow = _register(api, hanging.url())
        _register(api, receiver.url())
        started = time.time()
        _dataset(api, "budget-2026")
        _deliver(until=lambda: receiver.messages())
        assert receiver.messages()[0].at - started < 2.5
        log = api("nanjing_webhook_deliveries", id=slow["id"])["result"]["deliveries"]
        assert log[0]["status"] != "delivered" and "秒内没有应答" in log[0]["last_error"]
    finally:
        hanging.stop()


def test_a_redirect_is_not_followed(api, body, local_receivers, receiver):
    redirecting = Receiver()
    try:
        redirecting.usual = Answer(302, {"Location": receiver.url("/elsewhere")})
        endpoint = _register(api, redirecting.url())
        _dataset(api, "budget-2026")
        _deliver()
        assert len(redirecting.messages()) == 1 and receiver.messages() == []
        log = api("nanjing_webhook_deliveries", id=endpoint["id"])["result"]["deliveries"]
        assert "不跟随重定向" in log[0]["last_error"] and log[0]["last_code"] == 302
    finally:
        redirecting.stop()


def test_rotation_signs_with_both_secrets_then_replay_resends_the_same_message(
        api, body, local_receivers, receiver):
    endpoint = _register(api, receiver.url())
    rotated = api("nanjing_webhook_rotate_secret", id=endpoint["id"])["result"]
    assert rotated["secret"] != endpoint["secret"]
    _dataset(api, "budget-2026")
    _deliver()
    message = receiver.messages()[0]
    assert _verified(endpoint["secret"], message) and _verified(rotated["secret"], message)
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + "A" * 43 + "=").verify(message.body, message.headers)

    delivery_id = api("nanjing_webhook_deliveries", id=endpoint["id"])["result"]["deliveries"][0]["id"]
    replay = api("nanjing_webhook_replay", id=endpoint["id"], delivery_ids=[delivery_id])
    assert replay["result"]["queued"] == 1
    _deliver(until=lambda: len(receiver.messages()) == 2)
    again = receiver.messages()[1]
    assert again.message_id == message.message_id and again.body == message.body
    log = api("nanjing_webhook_deliveries", id=endpoint["id"])["result"]["deliveries"][0]["log"]
    assert [entry["replay"] for entry in log] == [False, True]


def test_a_second_worker_stands_by_instead_of_sending_twice(api, body, local_receivers,
                                                            receiver):
    _register(api, receiver.url())
    _dataset(api, "budget-2026")
    first = worker.Listener()
    try:
        assert first.lock()
        worker.run(until_idle=True)                 # cannot take the lock: sends nothing
        assert receiver.messages() == []
    finally:
        first.close()
    _deliver()
    assert len(receiver.messages()) == 1


@pytest.mark.parametrize("action, data, field, message", [
    ("nanjing_webhook_show", {"id": 42}, "id", "请提供接收地址的 id"),
    ("nanjing_webhook_update", {"state": "deleted"}, "state", "只能为 active"),
    ("nanjing_webhook_replay", {}, "delivery_ids", "请提供要重发的"),
    ("nanjing_webhook_replay", {"delivery_ids": ["x"]}, "delivery_ids", "应为整数"),
    ("nanjing_webhook_replay", {"since": "昨天"}, "since", "应为日期时间"),
    ("nanjing_webhook_replay", {"since": "0001-01-01T00:00:00+08:00"}, "since", "应为日期时间"),
    ("nanjing_webhook_deliveries", {"status": "all"}, "status", "只能为 pending"),
    ("nanjing_webhook_deliveries", {"limit": 10**9}, "limit", "应在 0 至 100 之间"),
    ("nanjing_webhook_create", {"description": "长" * 501}, "description", "不超过 500"),
])
def test_bad_input_is_refused_in_chinese_and_changes_nothing(api, body, local_receivers,
                                                             receiver, action, data, field,
                                                             message):
    endpoint = _register(api, receiver.url())
    data = dict({"id": endpoint["id"], "url": receiver.url()}, **data)
    refused = api(action, **data)
    assert refused["success"] is False
    assert message in refused["error"][field][0]
    shown = api("nanjing_webhook_show", id=endpoint["id"])["result"]
    assert shown["state"] == "active" and shown["url"] == receiver.url()
    assert model.Session.query(Delivery).count() == 0


def test_an_unknown_endpoint_is_not_found(api, body):
    missing = api("nanjing_webhook_show", id="no-such-endpoint")
    assert missing["success"] is False and "没有这个 Webhook 接收地址" in missing["error"]["message"]
