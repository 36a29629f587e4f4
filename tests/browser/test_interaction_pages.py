"""互动交流 in headless Chromium at a phone's size (390×844), on the served
test portal: a member of the public sends a 纠错 and a 数据需求 (solving
the anti-spam question), the office reviews them with personal data masked
and routes them, the body answers (the data request with a link to the new
dataset), and the sender reads the answer and rates it 不满意, which
reopens the message for 复核; the office sees the body's figures on the
supervision dashboard."""
from __future__ import annotations

import re

import pytest

from ckan.tests import factories

from ckanext.nanjing.supervision import supervise

from tests.browser.test_feeds_pages import PASSWORD, _sign_in
from tests.interaction.conftest import fresh_counters, solve  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "locale": "zh-CN"}


@pytest.fixture
def bodies(clean_db):
    office = factories.User(password=PASSWORD, fullname="李审看")
    steward = factories.User(password=PASSWORD, fullname="张办理")
    factories.Organization(name="nanjing-zfbgt", title="南京市人民政府办公厅",
                           users=[{"name": office["name"], "capacity": "editor"}])
    fgw = factories.Organization(name="nanjing-jtj", title="南京市交通运输局",
                                 users=[{"name": steward["name"], "capacity": "editor"}])
    dataset = factories.Dataset(owner_org=fgw["id"], name="bus-stops", title="南京市公交站点")
    return office, steward, dataset


def _send(page, kind, title, text):
    """Fills in and sends the form the page shows."""
    page.check(f"#kind-{kind}")
    page.fill("#title", title)
    page.fill("#text", text)
    question = page.inner_text("label[for=challenge_answer]")
    page.fill("#challenge_answer", solve(re.search(r"(\S+等于几)", question).group(1)))
    page.wait_for_timeout(3100)              # a person takes a few seconds
    page.click("form.nanjing-interaction-form button[type=submit]")
    page.wait_for_selector(".nanjing-interaction-receipt, .nanjing-field-error, .nanjing-form-errors")
    assert page.query_selector(".nanjing-interaction-receipt"), page.inner_text("[role=main]")
    return page.inner_text(".nanjing-number"), page.inner_text(".nanjing-code")


def _step(page, step, fill):
    page.click(f".nanjing-step-{step} summary")
    fill()
    page.click(f".nanjing-step-{step} button[type=submit]")
    page.wait_for_selector(".flash-messages .alert, .alert-success")


def test_a_correction_and_a_data_request_from_a_phone_to_an_answer_and_a_rating(
        live_server, browser, bodies):
    office, steward, dataset = bodies
    public = browser.new_context(**PHONE).new_page()
    public.goto(f"{live_server}/gkml")
    public.click("a.nanjing-report-error")                       # 本页纠错 from the page itself
    assert public.input_value("#target_url") == "/gkml"
    correction, code = _send(public, "correction", "目录错别字",
                             "“公开”写成了“公升”，我的电话 13912345678")
    public.goto(f"{live_server}/interaction")
    public.click("a[href='/interaction/new']")
    request, _ = _send(public, "data_request", "公交站点数据",
                       "希望开放全市公交站点及坐标")
    assert public.evaluate("document.documentElement.scrollWidth") <= 390

    staff = browser.new_context(**PHONE).new_page()
    _sign_in(staff, live_server, office["name"])
    staff.goto(f"{live_server}/interaction/queue")
    assert correction in staff.inner_text(".nanjing-queue")
    staff.click(f"a[href='/interaction/{correction}']")
    assert "13912345678" not in staff.inner_text(".nanjing-interaction-text")   # masked for the public
    assert "电话" in staff.inner_text(".nanjing-interaction-handling .text-danger")
    _step(staff, "moderate", lambda: staff.select_option("#moderate-organization", "nanjing-jtj"))
    staff.goto(f"{live_server}/interaction/{request}")
    _step(staff, "moderate", lambda: staff.select_option("#moderate-organization", "nanjing-jtj"))

    staff.context.close()
    body = browser.new_context(**PHONE).new_page()
    _sign_in(body, live_server, steward["name"])
    body.goto(f"{live_server}/interaction/{correction}")
    _step(body, "answer", lambda: body.fill("#answer-text", "已更正为“公开”，感谢指正。"))
    body.goto(f"{live_server}/interaction/{request}")

    def open_the_data():
        body.fill("#answer-text", "已开放全市公交站点数据。")
        body.select_option("#answer-outcome", "opened")
        body.fill("#answer-dataset", dataset["name"])
    _step(body, "answer", open_the_data)
    body.context.close()

    public.goto(f"{live_server}/interaction/{request}")
    assert "已开放" in public.inner_text(".nanjing-interaction-item")
    public.click(f".nanjing-interaction-answer a[href$='/{dataset['name']}']")
    assert "南京市公交站点" in public.inner_text("h1")

    public.goto(f"{live_server}/interaction/lookup")
    public.fill("#number", correction)
    public.fill("#code", code)
    public.click("form.nanjing-lookup-form button[type=submit]")
    assert "已更正为“公开”" in public.inner_text(".nanjing-interaction-answer")
    public.check("#rating-dissatisfied")
    public.fill("#note", "别处还有同样的错字")
    public.click("form.nanjing-rate-form button[type=submit]")
    assert "转入复核" in public.inner_text(".flash-messages, .alert")
    assert "复核中" in public.inner_text("body")
    assert public.evaluate("document.documentElement.scrollWidth") <= 390
    public.context.close()

    # The office sees the body's figures on the supervision dashboard.
    supervise.run(check_links=False)
    office_page = browser.new_context(**PHONE).new_page()
    _sign_in(office_page, live_server, office["name"])
    office_page.goto(f"{live_server}/supervision")
    figures = office_page.inner_text("#interaction")
    assert "互动交流：答复与评价" in figures and "南京市交通运输局" in figures
    office_page.context.close()
