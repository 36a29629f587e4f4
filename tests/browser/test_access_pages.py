"""A member of the public gets conditional data in headless Chromium, on
the served test portal: registers and opens the link mailed to the local
mailbox, gives a real name, applies, sees the owning body approve (through
its Action API), signs the agreement, downloads the file and queries the
table with an API token made on the token page, and loses both when the
body revokes the grant."""
from __future__ import annotations

import datetime
import mailbox
import re
import time
import uuid

import pytest
import requests

from tests.access.conftest import conditional, fresh_register_counter  # noqa: F401
from tests.access.test_applications import ID_NUMBER
from tests.support import LOCAL

pytestmark = pytest.mark.browser

PASSWORD = "Walk-through-2026!"


def mailed_link(address: str, seconds: float = 30) -> str:
    """The verification link of the newest mail to `address` in the local
    mailbox the portal mails to (scripts/localmail.py)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for message in mailbox.Maildir(LOCAL / "mail", create=False):
            if address in (message["To"] or ""):
                text = message.get_payload(decode=True).decode("utf-8")
                return re.search(r"https?://\S+/user/register/verify/\S+", text).group(0)
        time.sleep(0.25)
    raise AssertionError(f"no mail to {address} in {LOCAL / 'mail'}")


def body_acts(live_server, steward, action, **data) -> dict:
    answer = requests.post(f"{live_server}/api/3/action/{action}", json=data,
                           headers={"Authorization": steward["token"]}, timeout=60).json()
    assert answer["success"], answer
    return answer["result"]


def table_rows(live_server, token, resource_id) -> requests.Response:
    return requests.post(f"{live_server}/api/3/action/datastore_search",
                         json={"resource_id": resource_id, "limit": 5},
                         headers={"Authorization": token}, timeout=60)


def test_a_member_of_the_public_registers_applies_signs_downloads_and_is_revoked(
        live_server, browser, conditional):
    context = browser.new_context(locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    name = f"walk-{uuid.uuid4().hex[:8]}"
    address = f"{name}@example.cn"
    dataset = conditional.package["name"]
    table = conditional.table

    # 1. Registers, and opens the mailed link.
    page.goto(f"{live_server}/user/login")
    page.click("a[href='/user/register']")
    page.fill("#name", name)
    page.fill("#email", address)
    page.fill("#fullname", "王小明")
    page.fill("#password1", PASSWORD)
    page.fill("#password2", PASSWORD)
    page.check("#agree")
    page.click(".nanjing-register-form button[type=submit]")
    assert "验证邮件已发送到" in page.inner_text(".nanjing-register-sent")
    page.goto(mailed_link(address))
    assert "已启用" in page.inner_text(".flash-messages, .alert")
    page.fill("#field-login", name)
    page.fill("#field-password", PASSWORD)
    page.click("#field-password >> xpath=ancestor::form//button[@type='submit']")
    page.wait_for_selector(".account.authed, a[href*='/user/_logout']", state="attached")

    # 2. Applies from the dataset page, giving a real name on the way.
    page.goto(f"{live_server}/dataset/{dataset}")
    page.click(f"a[href$='/dataset/{dataset}/apply']")
    page.wait_for_selector("form.nanjing-access-profile")
    page.fill("#real_name", "王小明")
    page.fill("#id_number", ID_NUMBER)
    page.fill("#phone", "13912345678")
    page.click("form.nanjing-access-profile button[type=submit]")
    page.wait_for_selector("form.nanjing-access-apply")
    ends = datetime.date.today() + datetime.timedelta(days=90)
    page.fill("#ends_on", ends.isoformat())
    page.check("#delivery-both")
    page.fill("#purpose", "研究全市危险化学品经营许可的空间分布")
    page.fill("#scenario", "课题组内部分析，不对外发布")
    page.fill("#security", "存放于内网服务器，专人管理，期满删除")
    page.check("#undertaking_accepted")
    page.click("form.nanjing-access-apply button[type=submit]")
    page.wait_for_url(re.compile(r".*/access/application/[^/]+$"))
    application_id = page.url.rsplit("/", 1)[-1]
    assert "审核中" in page.inner_text("body")

    # 3. The owning body approves; the applicant sees it.
    body_acts(live_server, conditional.steward, "nanjing_access_application_step",
              id=application_id, step="approve", resource_ids=[table["id"]],
              reason="用途明确，同意开放")
    page.reload()
    assert "已同意" in page.inner_text("body")

    # 4. Reads and signs the agreement.
    assert "公共数据有条件开放利用协议" in page.inner_text(".nanjing-agreement-text")
    page.check("form.nanjing-step-accept_agreement #agree")
    page.click("form.nanjing-step-accept_agreement button[type=submit]")
    assert "授权已生效" in page.inner_text(".flash-messages, .alert-success")

    # 5. Downloads the file, makes an API token and queries the table with it.
    page.goto(f"{live_server}/dataset/{dataset}/resource/{table['id']}")
    with page.expect_download() as download:
        page.click("a.resource-url-analytics")
    assert "玄武湖,玄武区" in download.value.path().read_bytes().decode("utf-8-sig")
    page.goto(f"{live_server}/user/{name}/api-tokens")
    page.fill("form[hx-post$='/api-tokens'] input[name=name]", "数据分析")
    page.click("form[hx-post$='/api-tokens'] button[type=submit]")
    token = page.inner_text("code[style*='word-break']").strip()
    rows = table_rows(live_server, token, table["id"])
    assert rows.status_code == 200 and rows.json()["result"]["records"], rows.text
    # The link resource the body did not grant stays closed.
    link = requests.get(f"{live_server}/api/3/action/resource_show",
                        params={"id": conditional.link["id"]},
                        headers={"Authorization": token}, timeout=60).json()
    assert link["result"]["url"] != conditional.link["url"]

    # 6. The body revokes the grant: the API and the download close at once.
    shown = body_acts(live_server, conditional.steward, "nanjing_access_application_show",
                      id=application_id)
    body_acts(live_server, conditional.steward, "nanjing_access_grant_change",
              id=shown["grant"]["id"], change="revoke", reason="发现超出约定用途使用")
    refused = table_rows(live_server, token, table["id"])
    assert refused.status_code == 403 and "撤销" in refused.json()["error"]["message"]
    closed = page.goto(f"{live_server}/dataset/{dataset}/resource/{table['id']}/download/"
                       f"table.csv")
    assert closed.status == 403 and "撤销" in page.inner_text("body")
    context.close()
