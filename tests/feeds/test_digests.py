"""E-mail digests, as a signed-in user follows a body, a 领域, a dataset or
a saved search: one mail per subscription with what changed (withdrawals
too), through CKAN's mailer to a real local SMTP server; the link in the
mail unsubscribes without logging in; a mail server that is down loses
nothing; bad requests are refused in Chinese."""
from __future__ import annotations

import re

import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories

from ckanext.nanjing.feeds import digests
from ckanext.nanjing.feeds.model import Subscription

from .test_change_log import _dataset, body  # noqa: F401  (body: a fixture)
from ..mailbox import free_port

CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')
LINK = re.compile(r"https?://\S+/feeds/unsubscribe/(\S+)")


@pytest.fixture
def reader(clean_db):
    return factories.UserWithToken(email="reader@nanjing.example", fullname="李读者")


def _follow(call, user, **data):
    answer = call("nanjing_subscription_create", user, **data)
    assert answer["success"], answer
    return answer["result"]


def _send(app, frequency="daily"):
    with app.flask_app.test_request_context():
        return digests.send_digests(frequency)


def test_a_digest_lists_what_changed_and_unsubscribes_without_login(app, api, call, body,
                                                                     reader, inbox):
    factories.Organization(name="other-org", title="南京市教育局")
    _follow(call, reader, kind="organization", target="feeds-org")
    title = "<b>2026年预算</b> & 决算"
    first = _dataset(api, "budget-2026", title=title)
    _dataset(api, "budget-2027")
    _dataset(api, "school-2026", owner_org="other-org")
    assert api("package_patch", id=first["id"], private=True)["success"]

    assert _send(app) == (1, 0)
    (mail,) = inbox.to("reader@nanjing.example")
    assert "南京市财政局" in mail["Subject"] and "3 条" in mail["Subject"]
    text = mail.get_content()
    assert text.count(title) == 2 and "【撤回（不再公开）】" in text
    assert "数据集 budget-2027" in text and "school-2026" not in text
    assert "/open_dataset/budget-2027" in text
    token = LINK.search(text).group(1)
    assert token in mail["List-Unsubscribe"]

    assert _send(app) == (0, 0)                 # nothing new, nothing sent
    assert len(inbox.to("reader@nanjing.example")) == 1

    page = app.get(f"/feeds/unsubscribe/{token}")    # no login
    assert "确认退订" in page.body and "南京市财政局" in page.body
    done = app.post(f"/feeds/unsubscribe/{token}",
                    data={"_csrf_token": CSRF.search(page.body).group(1)})
    assert "已退订" in done.body
    assert model.Session.query(Subscription).count() == 0
    _dataset(api, "budget-2028")
    assert _send(app) == (0, 0)
    again = app.get(f"/feeds/unsubscribe/{token}", status=404)
    assert "退订链接无效" in again.body


def test_a_mail_server_that_is_down_loses_nothing(app, api, call, body, reader, smtp_settings,
                                                  inbox):
    _follow(call, reader, kind="area", target="major-projects", frequency="weekly")
    _dataset(api, "budget-2026")
    smtp_settings(free_port())                   # nothing listens there
    assert _send(app, "weekly") == (0, 1)
    smtp_settings(inbox.port)
    assert _send(app, "weekly") == (1, 0)
    assert "数据集 budget-2026" in inbox.to("reader@nanjing.example")[0].get_content()
    assert _send(app, "daily") == (0, 0)         # another frequency: not this one


def test_a_saved_search_and_a_dataset(app, api, call, body, reader, inbox):
    _dataset(api, "air-2026", title="南京市空气质量日报")
    _follow(call, reader, kind="search", target="空气质量")
    target = _dataset(api, "water-2026", title="南京市水质月报")
    _follow(call, reader, kind="dataset", target="water-2026")
    assert api("package_patch", id="air-2026", notes="更新了空气质量说明。")["success"]
    _dataset(api, "noise-2026", title="南京市噪声监测")
    assert api("package_patch", id=target["id"], notes="更新了水质说明。")["success"]

    assert _send(app) == (2, 0)
    texts = {m["Subject"]: m.get_content() for m in inbox.to("reader@nanjing.example")}
    search = next(t for s, t in texts.items() if "检索“空气质量”" in s)
    water = next(t for s, t in texts.items() if "南京市水质月报" in s)
    assert "南京市空气质量日报" in search and "噪声" not in search and "水质" not in search
    assert "南京市水质月报" in water and "空气" not in water


@pytest.mark.parametrize("data, field, message", [
    ({"kind": "people", "target": "x"}, "kind", "kind 应为"),
    ({"kind": "organization", "target": ""}, "target", "请填写订阅对象"),
    ({"kind": "organization", "target": "x" * 201}, "target", "不能超过 200"),
    ({"kind": "organization", "target": "no-such-body"}, "target", "没有这个部门"),
    ({"kind": "area", "target": "moon"}, "target", "没有这个领域"),
    ({"kind": "dataset", "target": "draft-only"}, "target", "没有这个公开的数据集"),
    ({"kind": "search", "target": "预算", "frequency": "hourly"}, "frequency", "frequency 应为"),
    ({"kind": ["organization"], "target": "feeds-org"}, "kind", "kind 应为"),
])
def test_bad_subscriptions_are_refused_in_chinese(api, call, body, reader, data, field, message):
    _dataset(api, "draft-only", private=True)
    refused = call("nanjing_subscription_create", reader, **data)
    assert refused["success"] is False and message in refused["error"][field][0]
    assert model.Session.query(Subscription).count() == 0


def test_only_the_subscriber_manages_a_subscription(call, body, reader):
    made = _follow(call, reader, kind="organization", target="feeds-org")
    anonymous = call("nanjing_subscription_create", None, kind="organization", target="feeds-org")
    assert anonymous["success"] is False and "请先登录" in anonymous["error"]["message"]
    other = factories.UserWithToken(email="other@nanjing.example")
    refused = call("nanjing_subscription_delete", other, id=made["id"])
    assert refused["success"] is False and "没有这个订阅" in refused["error"]["message"]
    assert call("nanjing_subscription_list", other)["result"] == []
    assert [s["label"] for s in call("nanjing_subscription_list", reader)["result"]] == ["南京市财政局"]
    no_mail = factories.UserWithToken()
    model.User.get(no_mail["id"]).email = ""      # an account made before e-mail was asked
    model.Session.commit()
    refused = call("nanjing_subscription_create", no_mail, kind="area", target="budgets")
    assert "请先在个人资料中填写电子邮箱" in refused["error"]["email"][0]


def test_the_subscriptions_page_follows_and_stops(app, body, reader):
    signed = {"Authorization": reader["token"]}
    page = app.get("/feeds/subscriptions", headers=signed)
    assert "订阅更新邮件" in page.body and "还没有订阅" in page.body
    token = CSRF.search(page.body).group(1)
    made = app.post("/feeds/subscriptions", headers=signed, data={
        "_csrf_token": token, "kind": "organization", "target": "feeds-org", "frequency": "weekly"})
    assert "已订阅部门“南京市财政局”的每周更新邮件" in made.body
    refused = app.post("/feeds/subscriptions", headers=signed, data={
        "_csrf_token": token, "kind": "area", "target": "<script>x</script>"})
    assert "没有这个领域" in refused.body and "<script>x</script>" not in refused.body
    row = model.Session.query(Subscription).one()
    stopped = app.post("/feeds/subscriptions", headers=signed,
                       data={"_csrf_token": token, "delete": row.id})
    assert "已退订" in stopped.body and "还没有订阅" in stopped.body
    anonymous = app.get("/feeds/subscriptions", status=None, follow_redirects=False)
    assert anonymous.status_code == 302 and "/user/login" in anonymous.headers["Location"]
