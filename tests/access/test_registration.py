"""Self-registration of the public at /user/register: an individual or an
organisation opens an account that can log in only after the link mailed
to it (by a real SMTP server the test starts) is opened; every bad field
gets a Chinese message and creates nothing; links that are forged, late or
for a changed address are refused; the Action API still cannot create
accounts."""
from __future__ import annotations

import re
import time

import pytest

import ckan.model as model

from ckanext.nanjing.access.model import Profile

CREDIT_CODE = "91320100134889325M"
PASSWORD = "Nanjing-2026!"


def form(**overrides) -> dict:
    fields = {"kind": "individual", "name": "zhang-san", "email": "zhangsan@example.cn",
              "fullname": "张三", "password1": PASSWORD, "password2": PASSWORD,
              "agree": "true"}
    fields.update(overrides)
    return fields


def link_in(message) -> str:
    found = re.search(r"https?://\S+/user/register/verify/\S+", message.get_content())
    assert found, message.get_content()
    return found.group(0)


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def module_of(body: str) -> str:
    return body.split('<div class="module-content">', 1)[1].split("</article>", 1)[0]


def logs_in(app, name: str, password: str = PASSWORD) -> bool:
    app.post("/user/login", data={"login": name, "password": password})
    signed_in = app.get("/access/mine", follow_redirects=False).status_code == 200
    app.get("/user/_logout")
    return signed_in


@pytest.mark.usefixtures("clean_db")
def test_a_person_registers_proves_the_address_and_logs_in(app, inbox):
    page = app.get("/user/register")
    assert page.status_code == 200 and "注册账号" in page.body and "no-store" in page.headers[
        "Cache-Control"]
    assert 'href="/user/register"' in app.get("/user/login").body  # “Create an Account”

    sent = app.post("/user/register", data=form())
    assert sent.status_code == 200 and "验证邮件已发送到" in sent.body
    user = model.User.get("zhang-san")
    assert user.state == "pending" and user.fullname == "张三"
    # Pending: the right password does not open it yet.
    assert not logs_in(app, "zhang-san")

    [message] = inbox.to("zhangsan@example.cn")
    assert message["Subject"].endswith("请验证您的邮箱") and "zhang-san" in message.get_content()
    link = path_of(link_in(message))
    opened = app.get(link, follow_redirects=False)
    assert opened.status_code == 302 and "/user/login" in opened.headers["Location"]
    model.Session.expire_all()
    assert model.User.get("zhang-san").state == "active"
    assert logs_in(app, "zhang-san")
    # The link again: the account is already active, no harm done.
    assert app.get(link, follow_redirects=False).status_code == 302
    # Signed in, the register page sends one on.
    app.post("/user/login", data={"login": "zhang-san", "password": PASSWORD})
    assert "/access/mine" in app.get("/user/register", follow_redirects=False).headers["Location"]


@pytest.mark.usefixtures("clean_db")
def test_an_organisation_registers_with_its_credit_code(app, inbox):
    fields = form(kind="organisation", name="nj-data-lab", email="lab@example.cn",
                  fullname="南京某数据科技有限公司", credit_code=CREDIT_CODE[:-1] + "0",
                  contact_person="李四", phone="025-83631234")
    wrong = app.post("/user/register", data=fields, status=None)
    assert wrong.status_code == 400 and "统一社会信用代码有误" in wrong.body
    assert model.User.get("nj-data-lab") is None and not inbox.messages

    missing = app.post("/user/register", status=None,
                       data=dict(fields, credit_code=CREDIT_CODE, contact_person="", phone=""))
    assert missing.status_code == 400 and "请填写联系人" in missing.body
    assert "请填写联系电话" in missing.body

    done = app.post("/user/register", data=dict(fields, credit_code=CREDIT_CODE))
    assert done.status_code == 200
    user = model.User.get("nj-data-lab")
    profile = model.Session.get(Profile, user.id)
    assert profile.kind == "organisation" and profile.real_name == "南京某数据科技有限公司"
    assert profile.id_number_masked != CREDIT_CODE and CREDIT_CODE not in profile.id_number_sealed
    assert len(inbox.to("lab@example.cn")) == 1


@pytest.mark.usefixtures("clean_db")
@pytest.mark.parametrize("overrides, field, message", [
    ({"name": "Zhang San"}, "name", "小写英文字母"),
    ({"name": "<script>x</script>"}, "name", "小写英文字母"),
    ({"name": "x" * 101}, "name", "不能超过 100 字"),
    ({"name": ""}, "name", "请填写用户名"),
    ({"email": "not-an-address"}, "email", "不是有效的电子邮箱地址"),
    ({"email": "a" * 300 + "@example.cn"}, "email", "不能超过 254 字"),
    ({"password1": "short", "password2": "short"}, "password1", "密码至少 8 位"),
    ({"password2": "Nanjing-2027!"}, "password2", "两次输入的密码不一致"),
    ({"agree": ""}, "agree", "请阅读并同意注册须知"),
    ({"fullname": "张\x00三"}, "fullname", "控制字符"),
    ({"kind": "robot"}, "kind", "注册类型应为"),
])
def test_bad_fields_are_named_in_chinese_and_create_nothing(app, inbox, overrides, field,
                                                            message):
    answer = app.post("/user/register", data=form(**overrides), status=None)
    assert answer.status_code == 400
    assert f'id="error-{field}"' in answer.body or field == "kind", answer.body
    assert message in answer.body
    assert "<script>x" not in answer.body and PASSWORD not in answer.body
    assert model.Session.query(model.User).filter(model.User.email.ilike("%example.cn")
                                                  ).count() == 0
    assert not inbox.messages


@pytest.mark.usefixtures("clean_db")
def test_a_taken_name_or_address_is_refused(app, inbox):
    assert app.post("/user/register", data=form()).status_code == 200
    again = app.post("/user/register", data=form(email="other@example.cn"), status=None)
    assert again.status_code == 400 and "该用户名已被使用" in again.body
    same_address = app.post("/user/register", data=form(name="li-si", email="ZhangSan@Example.cn"),
                            status=None)
    assert same_address.status_code == 400 and "该邮箱已注册" in same_address.body


@pytest.mark.usefixtures("clean_db")
def test_forged_late_and_stale_links_are_refused(app, inbox, ckan_config, monkeypatch):
    app.post("/user/register", data=form())
    link = path_of(link_in(inbox.to("zhangsan@example.cn")[0]))
    forged = app.get(link[:-3] + "abc", status=None)
    assert forged.status_code == 400 and "验证链接无效" in forged.body
    assert app.get("/user/register/verify/%3Cscript%3E", status=None).status_code == 400

    # The address changed since the link was sent.
    user = model.User.get("zhang-san")
    user.email = "new@example.cn"
    model.repo.commit()
    stale = app.get(link, status=None)
    assert stale.status_code == 400 and "邮箱已更改" in stale.body
    assert model.User.get("zhang-san").state == "pending"

    monkeypatch.setitem(ckan_config, "ckanext.nanjing.access.verify_hours", 0)
    app.post("/user/register/resend", data={"email": "new@example.cn"})
    late = path_of(link_in(inbox.to("new@example.cn")[0]))
    time.sleep(1.1)  # the signature's age is counted in whole seconds
    expired = app.get(late, status=None)
    assert expired.status_code == 400 and "验证链接已过期" in expired.body
    assert model.User.get("zhang-san").state == "pending"


@pytest.mark.usefixtures("clean_db")
def test_resending_does_not_tell_who_has_registered(app, inbox):
    app.post("/user/register", data=form())
    known = app.post("/user/register/resend", data={"email": "zhangsan@example.cn"})
    unknown = app.post("/user/register/resend", data={"email": "nobody@example.cn"})
    assert "如果该邮箱注册的账号尚未验证" in known.body
    assert module_of(known.body).replace("zhangsan", "nobody") == module_of(unknown.body)
    assert len(inbox.to("zhangsan@example.cn")) == 2 and not inbox.to("nobody@example.cn")
    bad = app.post("/user/register/resend", data={"email": "<b>x"}, status=None)
    assert bad.status_code == 400 and "不是有效的电子邮箱地址" in bad.body


@pytest.mark.usefixtures("clean_db")
@pytest.mark.ckan_config("ckanext.nanjing.access.registrations_per_day", "2")
def test_registrations_from_one_address_are_limited(app, inbox):
    for number in range(2):
        assert app.post("/user/register", data=form(name=f"person-{number}",
                                                   email=f"p{number}@example.cn")).status_code == 200
    third = app.post("/user/register", data=form(name="person-2", email="p2@example.cn"),
                     status=None)
    assert third.status_code == 429 and "24 小时内最多注册" in third.body
    assert model.User.get("person-2") is None
    # A bot that fills the hidden field is told nothing and gets nothing.
    trapped = app.post("/user/register", data=form(name="bot-1", email="bot@example.cn",
                                                   homepage="http://spam.example"))
    assert trapped.status_code == 200 and model.User.get("bot-1") is None


@pytest.mark.usefixtures("clean_db")
def test_without_mail_there_is_no_self_registration(app, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "smtp.server", "")
    page = app.get("/user/register")
    assert "平台未配置邮件服务" in page.body and "nanjing-register-form" not in page.body
    app.post("/user/register", data=form())
    assert model.User.get("zhang-san") is None
    assert 'href="/user/register"' not in app.get("/user/login").body


@pytest.mark.usefixtures("clean_db")
@pytest.mark.ckan_config("ckanext.nanjing.access.self_registration", "false")
def test_a_deployment_behind_single_sign_on_turns_registration_off(app, inbox):
    page = app.get("/user/register")
    assert "不开放自助注册" in page.body and "nanjing-register-form" not in page.body
    app.post("/user/register", data=form())
    assert model.User.get("zhang-san") is None and not inbox.messages


@pytest.mark.usefixtures("clean_db")
def test_a_mail_that_cannot_be_sent_leaves_no_account(app, ckan_config, monkeypatch):
    from tests.mailbox import free_port
    monkeypatch.setitem(ckan_config, "smtp.server", f"127.0.0.1:{free_port()}")  # nobody there
    answer = app.post("/user/register", status=None, data=form(
        kind="organisation", fullname="南京某数据科技有限公司", credit_code=CREDIT_CODE,
        contact_person="李四", phone="025-83631234"))
    assert answer.status_code == 429 and "验证邮件未能发出，账号未创建" in answer.body
    assert model.User.get("zhang-san") is None and model.Session.query(Profile).count() == 0
    # Name and address are free for the next try.
    assert "该用户名已被使用" not in answer.body


@pytest.mark.usefixtures("clean_db")
def test_the_action_api_still_cannot_create_accounts(app, inbox):
    answer = app.post("/api/3/action/user_create", status=None,
                      json={"name": "api-person", "email": "api@example.cn",
                            "password": PASSWORD})
    assert answer.status_code == 403 and model.User.get("api-person") is None
