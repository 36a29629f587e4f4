"""A person applies for government information on a phone, keeps the
receipt, looks the request up, answers the handler's request for a
correction and downloads the reply, in headless Chromium."""
from __future__ import annotations

import pytest
import requests

from ckan.tests import factories

from tests.requests.test_views import id_card

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}


@pytest.fixture
def handling_body(clean_db):
    handler = factories.UserWithToken()
    factories.Organization(name="nanjing-fgw", title="南京市发展和改革委员会",
                           users=[{"name": handler["name"], "capacity": "editor"}])
    return handler


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True,
                                  has_touch=True, accept_downloads=True)
    page = context.new_page()
    yield page
    context.close()


def handler_does(live_server, handler, transition, **data):
    """The handler acts through the Action API of the running portal."""
    answer = requests.post(f"{live_server}/api/3/action/nanjing_request_transition",
                           json=dict(data, transition=transition),
                           headers={"Authorization": handler["token"]}, timeout=60).json()
    assert answer["success"], answer
    return answer["result"]


def fits_the_screen(page):
    """Nothing of the page's own content reaches past the phone's width (the
    theme's rows overhang their container by a few pixels; the content not)."""
    widest = page.evaluate("""() => Math.max(...Array.from(
        document.querySelectorAll('.nanjing-requests .module-content *'),
        element => element.getBoundingClientRect().right))""")
    assert widest <= PHONE["width"]
    assert page.locator("header.masthead img").first.bounding_box()["width"] <= PHONE["width"]


def look_up(page, live_server, number, code):
    page.goto(f"{live_server}/requests/lookup")
    page.fill("#number", number)
    page.fill("#code", code)
    page.click(".nanjing-lookup-form button[type=submit]")
    page.wait_for_selector(".nanjing-status")


def test_apply_on_a_phone_answer_the_correction_and_download_the_reply(
        live_server, phone, handling_body):
    page = phone
    page.goto(f"{live_server}/")
    page.goto(f"{live_server}/requests")
    page.click("a:has-text('在线提交申请')")
    page.wait_for_url("**/requests/new")
    fits_the_screen(page)
    # Inputs take the phone's whole width, buttons are easy to tap.
    group = page.locator(".nanjing-form-group").first.bounding_box()
    assert page.locator("#name").bounding_box()["width"] >= group["width"] - 30 > 300
    assert page.locator(".nanjing-submit").bounding_box()["height"] >= 44

    page.select_option("#organization", label="南京市发展和改革委员会")
    page.check("#applicant_type-natural")
    page.fill("#name", "王小明")
    page.select_option("#id_type", "id_card")
    page.fill("#id_number", id_card())
    page.fill("#phone", "13800000000")
    page.fill("#description", "2025年玄武区老旧小区改造项目的资金使用情况。")
    page.check("#provision-email")
    page.check("#delivery-email")
    page.fill("#email", "wang@example.com")
    page.click(".nanjing-submit")

    page.wait_for_selector(".nanjing-receipt")
    fits_the_screen(page)
    number = page.inner_text(".nanjing-receipt-number").strip()
    code = page.inner_text(".nanjing-receipt-code").strip()
    assert "公开申" in number and code
    assert "请妥善保存" in page.inner_text(".nanjing-code-warning")
    assert code not in page.url

    look_up(page, live_server, number, code)
    assert "办理中" in page.inner_text(".nanjing-status-state")
    request_id = requests.post(
        f"{live_server}/api/3/action/nanjing_request_show", json={"number": number, "code": code},
        timeout=60).json()["result"]["id"]

    handler_does(live_server, handling_body, "request_correction", id=request_id,
                 items="请写明所需资金使用情况的年份和项目名称。")
    look_up(page, live_server, number, code)
    assert "待补正" in page.inner_text(".nanjing-status-state")
    assert "请写明所需资金使用情况的年份和项目名称。" in page.inner_text(".nanjing-correction")
    page.fill("#correction-text", "2025年度，玄武区梅园新村片区改造项目。")
    page.click(".nanjing-correction button[type=submit]")
    page.wait_for_selector(".nanjing-status-message")
    assert "补正材料已提交" in page.inner_text(".nanjing-status-message")
    assert "办理中" in page.inner_text(".nanjing-status-state")

    handler_does(live_server, handling_body, "reply", id=request_id, result="disclose",
                 text="现将所申请的资金使用情况提供给您。",
                 where="南京市发展和改革委员会门户网站“政府信息公开”栏目")
    look_up(page, live_server, number, code)
    assert "已答复" in page.inner_text(".nanjing-status-state")
    reply = page.locator(".nanjing-letter", has_text="答复书")
    with page.expect_download() as download:
        reply.locator(".nanjing-letter-pdf").click()
    path = download.value.path()
    with open(path, "rb") as pdf:
        assert pdf.read(4) == b"%PDF"
    assert download.value.suggested_filename.endswith(".pdf")


def test_a_mistake_in_the_form_is_explained_and_nothing_typed_is_lost(
        live_server, phone, handling_body):
    page = phone
    page.goto(f"{live_server}/requests/new")
    # A legal person picks from the organization categories and the credit code.
    page.check("#applicant_type-legal")
    assert page.locator("#applicant_category").is_visible()
    assert page.locator("#id_type").input_value() == "credit_code"
    page.check("#applicant_type-natural")
    assert not page.locator("#applicant_category").is_visible()
    assert page.locator("#id_type").input_value() == "id_card"

    page.select_option("#organization", label="南京市发展和改革委员会")
    page.fill("#name", "王小明")
    page.fill("#id_number", id_card()[:-1] + ("0" if id_card()[-1] != "0" else "1"))
    page.fill("#phone", "13800000000")
    page.fill("#description", "2025年玄武区老旧小区改造项目的资金使用情况。")
    page.click(".nanjing-submit")
    # By email (the form's default) needs an address: said before sending.
    assert page.inner_text("#live-error-email") == "请填写电子邮箱"
    assert page.url.endswith("/requests/new") and page.evaluate("document.activeElement.id") == "email"
    page.fill("#email", "wang@example.com")
    page.click(".nanjing-submit")

    # The ID number's check character is the server's to judge.
    page.wait_for_selector("#error-id_number")
    fits_the_screen(page)
    assert page.locator("#error-id_number").is_visible()
    assert "申请未提交" in page.content()
    assert page.input_value("#name") == "王小明"
    assert page.input_value("#description") == "2025年玄武区老旧小区改造项目的资金使用情况。"
    assert page.input_value("#email") == "wang@example.com"
    page.fill("#id_number", id_card())
    page.click(".nanjing-submit")
    page.wait_for_selector(".nanjing-receipt")


def test_the_form_says_what_is_missing_before_it_is_sent(live_server, phone, handling_body):
    page = phone
    page.goto(f"{live_server}/requests/new")
    email, address = page.locator("label[for=email]"), page.locator("label[for=address]")
    # The default choices (电子邮件) need an e-mail address, and the form says so.
    assert "*" in email.inner_text() and page.locator("#email").evaluate("field => field.required")
    page.check("#provision-paper")
    page.check("#delivery-pickup")
    assert "*" not in email.inner_text() and "*" not in address.inner_text()
    page.check("#delivery-post")
    assert "*" in address.inner_text()

    page.fill("#email", "wang-at-example")
    page.locator("#email").blur()
    assert "电子邮箱格式不正确" in page.inner_text("#live-error-email")
    page.click(".nanjing-submit")
    assert page.url.endswith("/requests/new")  # not sent
    assert page.evaluate("document.activeElement.id") == "name"  # the first field to fix
    assert page.inner_text("#live-error-name").startswith("请填写")
    assert page.inner_text("#live-error-address") == "请填写通信地址"
    page.fill("#email", "wang@example.com")
    page.locator("#email").blur()
    assert page.locator("#live-error-email").is_hidden()

    # One way to reach the applicant is needed (条例第二十九条), any one.
    page.check("#provision-paper")
    page.check("#delivery-pickup")
    for field in ("#phone", "#email", "#address"):
        page.fill(field, "")
    page.click(".nanjing-submit")
    assert page.url.endswith("/requests/new")
    assert page.inner_text("#live-error-phone") == "请至少填写一种联系方式：联系电话、电子邮箱或通信地址"
    page.fill("#address", "南京市玄武区北京东路41号")
    page.locator("#address").blur()
    assert page.locator("#live-error-phone").is_hidden()
