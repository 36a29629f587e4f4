"""The sysadmins' webhook pages under 系统管理 (/ckan-admin/webhooks), as an
administrator registers, pauses, resumes, edits, rotates, replays and
deletes an endpoint with a real receiver on 127.0.0.1; what anyone else
gets; bad input refused in Chinese with nothing lost. And the 订阅更新邮件
buttons on a dataset, a body and a search."""
from __future__ import annotations

import re
import urllib.parse

import pytest
from standardwebhooks.webhooks import Webhook

import ckan.model as model
from ckan.tests import factories

from ckanext.nanjing.feeds.model import Endpoint, Subscription

from ..receiver import receiver  # noqa: F401  (fixture)
from .test_change_log import _dataset, body  # noqa: F401  (body: a fixture)
from .test_webhooks import _deliver, local_receivers  # noqa: F401  (fixture)

CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')
SECRET = re.compile(r'id="webhook-secret">(whsec_[^<]+)<')
PAGES = "/ckan-admin/webhooks"


@pytest.fixture
def admin(clean_db):
    return factories.SysadminWithToken()


def _headers(user):
    return {"Authorization": user["token"]}


def _post(app, user, path, status=200, **form):
    page = app.get(PAGES, headers=_headers(user))
    token = CSRF.search(page.body).group(1)
    return app.post(path, headers=_headers(user), data=dict(form, _csrf_token=token),
                    status=status)


def _endpoint() -> Endpoint:
    model.Session.expire_all()
    return model.Session.query(Endpoint).one()


def test_an_administrator_manages_an_endpoint_on_the_pages(app, api, admin, body,
                                                            local_receivers, receiver):
    admin_page = app.get("/ckan-admin", headers=_headers(admin))
    assert f'href="{PAGES}"' in admin_page.body          # a tab beside CKAN's
    empty = app.get(PAGES, headers=_headers(admin))
    assert "还没有登记接收地址" in empty.body and "南京市财政局" in empty.body

    made = _post(app, admin, PAGES, url=receiver.url(), description="<b>政务发布</b>",
                 organization="feeds-org")
    secret = SECRET.search(made.body).group(1)
    assert "只显示这一次" in made.body and "&lt;b&gt;政务发布&lt;/b&gt;" in made.body
    endpoint = _endpoint()
    assert endpoint.filters == {"organization": "feeds-org"}
    assert secret not in app.get(PAGES, headers=_headers(admin)).body   # shown once

    _dataset(api, "budget-2026")
    _deliver()
    (message,) = receiver.messages()
    assert Webhook(secret).verify(message.body, message.headers)   # the secret the page showed
    detail = f"{PAGES}/{endpoint.id}"
    log = app.get(detail, headers=_headers(admin))
    assert "open_dataset.created" in log.body and "已送达" in log.body
    assert "200" in log.body and message.message_id in log.body

    paused = _post(app, admin, detail, do="pause")
    assert "已暂停" in paused.body and _endpoint().state == "paused"
    resumed = _post(app, admin, detail, do="resume")
    assert "已恢复" in resumed.body and _endpoint().state == "active"

    delivery_id = re.search(r'name="delivery_id" value="(\d+)"', log.body).group(1)
    replayed = _post(app, admin, detail, do="replay", delivery_id=delivery_id)
    assert "已安排重发 1 条消息" in replayed.body
    _deliver(until=lambda: len(receiver.messages()) == 2)
    again = receiver.messages()[1]
    assert again.message_id == message.message_id and again.body == message.body

    edited = _post(app, admin, detail, do="edit", url=receiver.url("/other"),
                   description="改过", organization="", area="major-projects")
    assert "已保存" in edited.body
    assert _endpoint().url.endswith("/other") and _endpoint().filters == {"area": "major-projects"}

    rotated = _post(app, admin, detail, do="rotate")
    new_secret = SECRET.search(rotated.body).group(1)
    assert new_secret != secret and "旧密钥在" in rotated.body
    assert _endpoint().secret == new_secret and _endpoint().previous_secret == secret

    kept = _post(app, admin, detail, do="delete")
    assert "请勾选“确认删除”" in kept.body and _endpoint()
    gone = _post(app, admin, detail, do="delete", confirm="yes")
    assert "已删除" in gone.body and "还没有登记接收地址" in gone.body
    assert model.Session.query(Endpoint).count() == 0


@pytest.mark.parametrize("form, message", [
    ({"url": "http://127.0.0.1:8080/hook"}, "平台不向其发送"),
    ({"url": "http://169.254.169.254/latest"}, "平台不向其发送"),
    ({"url": "javascript:alert(1)"}, "http"),
    ({"url": ""}, "接收地址"),
    ({"url": "https://example.gov.cn/" + "a" * 3000}, "过长"),
    ({"url": "https://93.184.215.14/hook", "description": "说" * 600}, "不超过 500 个字符"),
])
def test_bad_endpoints_are_refused_on_the_page_and_nothing_is_stored(app, admin, body, form,
                                                                     message):
    answer = _post(app, admin, PAGES, status=400, **form)
    assert message in answer.body, answer.body
    assert "whsec_" not in answer.body
    assert model.Session.query(Endpoint).count() == 0


def test_bad_changes_on_an_endpoint_page_keep_it_as_it_was(app, admin, body, local_receivers,
                                                         receiver):
    _post(app, admin, PAGES, url=receiver.url())
    endpoint = _endpoint()
    detail = f"{PAGES}/{endpoint.id}"
    for form, message in [({"do": "replay"}, "请先勾选要重发的消息"),
                          ({"do": "replay", "since": "昨天"}, "since 应为日期时间"),
                          ({"do": "replay", "delivery_id": "x1"}, "应为整数 id"),
                          ({"do": "edit", "url": "http://10.0.0.8/hook"}, "平台不向其发送"),
                          ({"do": "format-disk"}, "未知的操作")]:
        answer = _post(app, admin, detail, **form)
        assert message in answer.body, (form, answer.body)
    assert _endpoint().url == receiver.url() and _endpoint().state == "active"
    assert app.get(f"{PAGES}/no-such-endpoint", headers=_headers(admin), status=404)
    assert app.get(f"{detail}?status=<x>&page=²", headers=_headers(admin)).status_code == 200


def test_only_sysadmins_see_the_webhook_pages(app, admin, body, local_receivers, receiver):
    _post(app, admin, PAGES, url=receiver.url())
    detail = f"{PAGES}/{_endpoint().id}"
    anonymous = app.get(PAGES, status=302, follow_redirects=False)
    assert "/user/login" in anonymous.headers["Location"]
    steward = factories.UserWithToken()
    for path in (PAGES, detail):
        refused = app.get(path, headers=_headers(steward), status=403)
        assert "只有系统管理员可以管理 Webhook 接收地址" in refused.body
    token = CSRF.search(app.get("/dataset/", headers=_headers(steward)).body).group(1)
    app.post(detail, headers=_headers(steward), status=403,
             data={"_csrf_token": token, "do": "pause"})
    assert _endpoint().state == "active"


def test_subscribe_buttons_on_a_dataset_a_body_and_a_search(app, api, body):
    _dataset(api, "budget-2026")
    reader = factories.UserWithToken(email="reader@nanjing.example")
    signed = _headers(reader)
    expected = "/feeds/subscriptions?" + urllib.parse.urlencode(
        {"kind": "dataset", "target": "budget-2026"})
    dataset_page = app.get("/open_dataset/budget-2026")
    assert expected.replace("&", "&amp;") in dataset_page.body    # anonymous visitors too
    body_page = app.get("/organization/feeds-org").body
    assert "kind=organization&amp;target=feeds-org" in body_page
    assert "kind=search&amp;target=%E9%A2%84%E7%AE%97" in app.get("/search?q=预算").body
    assert "订阅此检索" in app.get("/dataset/?q=预算").body

    login = app.get(expected, status=302, follow_redirects=False)   # kept through the login
    came_from = urllib.parse.parse_qs(urllib.parse.urlparse(login.headers["Location"]).query)
    assert came_from["came_from"][0] == expected

    form = app.get(expected, headers=signed)
    assert 'value="budget-2026"' in form.body and 'value="dataset" selected' in form.body
    token = CSRF.search(form.body).group(1)
    app.post("/feeds/subscriptions", headers=signed, data={
        "_csrf_token": token, "kind": "dataset", "target": "budget-2026", "frequency": "weekly"})
    assert model.Session.query(Subscription).count() == 1
    followed = app.get("/open_dataset/budget-2026", headers=signed)
    assert "已订阅每周更新邮件" in followed.body
