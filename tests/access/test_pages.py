"""The pages of conditional data as people use them: “申请获取” on the
dataset page, the real-name form, the application form and its Chinese
errors, the owning body's queue and decision, reading and signing the
agreement, downloading with the grant, revocation; what an applicant
types is escaped in pages and the agreement and mailed as plain text."""
from __future__ import annotations

import io
import re

from ckanext.nanjing import localtime

from .conftest import account
from .test_applications import ID_NUMBER, PDF, profile_of

SCRIPT = "<script>alert('x')</script><b>研究</b>"


def _as(user: dict) -> dict:
    return {"Authorization": user["token"]}


def test_a_member_of_the_public_applies_and_is_granted(app, call, conditional, steward, inbox):
    name = conditional.package["name"]
    table = conditional.table["id"]
    dataset_page = app.get(f"/dataset/{name}").body
    assert "申请获取" in dataset_page and f"/dataset/{name}/apply" in dataset_page
    login = app.get(f"/dataset/{name}/apply", follow_redirects=False)
    assert login.status_code == 302 and "/user/login" in login.headers["Location"]

    person = account("reader")
    person_headers = _as(person)
    # No profile yet: the form sends the person to give one, and back.
    to_profile = app.get(f"/dataset/{name}/apply", headers=person_headers,
                         follow_redirects=False)
    assert "/access/profile" in to_profile.headers["Location"]
    wrong = app.post("/access/profile", headers=person_headers, status=None,
                     data=dict(profile_of(), id_number="320102199003071230"))
    assert wrong.status_code == 400 and "身份证号码有误" in wrong.body
    assert "320102199003071230" not in wrong.body
    saved = app.post("/access/profile", headers=person_headers, follow_redirects=False,
                     data=dict(profile_of(), next=f"/dataset/{name}/apply"))
    assert saved.headers["Location"].endswith(f"/dataset/{name}/apply")
    hostile = app.post("/access/profile", headers=person_headers, follow_redirects=False,
                       data=dict(profile_of(), next="//evil.example/"))
    assert "evil.example" not in hostile.headers["Location"]

    form = app.get(f"/dataset/{name}/apply", headers=person_headers).body
    assert "许可证清单" in form and "安全保障措施" in form and "no-store" in app.get(
        f"/dataset/{name}/apply", headers=person_headers).headers["Cache-Control"]
    day = localtime.today().isoformat()
    fields = {"purpose": SCRIPT, "scenario": "课题组内部分析", "starts_on": day,
              "ends_on": "", "delivery": "both", "security": "内网专人管理",
              "resource_ids": table, "undertaking_accepted": "on"}
    refused = app.post(f"/dataset/{name}/apply", headers=person_headers, status=None,
                       data=fields)
    assert refused.status_code == 400 and 'id="error-ends_on"' in refused.body
    assert "&lt;script&gt;" in refused.body and "<script>alert" not in refused.body
    fields["ends_on"] = (localtime.today().replace(day=1).replace(year=localtime.today().year + 1)
                         ).isoformat()
    done = app.post(f"/dataset/{name}/apply", headers=person_headers, follow_redirects=False,
                    data=dict(fields, undertaking=(io.BytesIO(PDF), "安全承诺书.pdf")))
    assert done.status_code == 302, done.body
    page_url = done.headers["Location"]
    page = app.get(page_url, headers=person_headers).body
    assert "&lt;script&gt;" in page and "<script>alert" not in page
    assert "审核中" in page and "安全承诺书.pdf" in page and ID_NUMBER not in page
    # The owning body was told, in plain text.
    told = [m for rcpt, m in inbox.messages if steward["email"] in rcpt]
    assert told and told[0].get_content_type() == "text/plain"
    assert SCRIPT in told[0].get_content() and "危险化学品经营许可证信息" in told[0].get_content()

    # The body sees it in its queue and approves.
    steward_headers = _as(steward)
    queue = app.get("/access/queue", headers=steward_headers).body
    assert "王小明" in queue and "期限" in queue
    application_id = page_url.rsplit("/", 1)[-1]
    assert app.get(page_url, headers=_as(account("nosy")), status=None).status_code == 404
    approved = app.post(f"/access/application/{application_id}/step/approve",
                        headers=steward_headers, follow_redirects=True,
                        data={"resource_ids": table})
    assert "待签署协议" in approved.body
    mails = [m for rcpt, m in inbox.messages if person["email"] in rcpt]
    assert mails and "已同意" in mails[-1]["Subject"]

    # The applicant reads the agreement, where the purpose is text, and signs it.
    page = app.get(page_url, headers=person_headers).body
    assert "公共数据有条件开放利用协议" in page and "&lt;script&gt;" in page
    pdf = app.get(f"/access/application/{application_id}/agreement.pdf", headers=person_headers)
    assert pdf.data.startswith(b"%PDF") and "no-store" in pdf.headers["Cache-Control"]
    digest = re.search(r'name="text_sha256" value="([0-9a-f]{64})"', page).group(1)
    unticked = app.post(f"/access/application/{application_id}/step/accept_agreement",
                        headers=person_headers, status=None, data={"text_sha256": digest})
    assert unticked.status_code == 400 and "同意并签署" in unticked.body
    signed = app.post(f"/access/application/{application_id}/step/accept_agreement",
                      headers=person_headers, follow_redirects=True,
                      data={"text_sha256": digest, "agree": "on"})
    assert "授权已生效" in signed.body

    download = f"/dataset/{name}/resource/{table}/download/table.csv"
    assert "玄武湖" in app.get(download, headers=person_headers).body
    mine = app.get("/access/mine", headers=person_headers).body
    assert "有效" in mine and "利用情况" in mine

    # The body revokes it from the queue; the next download is refused.
    grant_id = call("nanjing_access_grant_list", person)["result"][0]["id"]
    no_reason = app.post(f"/access/grant/{grant_id}/revoke", headers=steward_headers,
                         follow_redirects=True, data={"reason": ""})
    assert "请填写理由" in no_reason.body
    app.post(f"/access/grant/{grant_id}/revoke", headers=steward_headers,
             follow_redirects=True, data={"reason": "违反协议向第三方提供"})
    refused_download = app.get(download, headers=person_headers, status=403)
    assert "撤销" in refused_download.body and "玄武湖" not in refused_download.body
    reported = app.post(f"/access/grant/{grant_id}/report", headers=person_headers,
                        follow_redirects=True, data={"usage": ""})
    assert "请填写利用情况" in reported.body


def test_pages_refuse_strangers_and_unknown_steps(app, conditional, steward):
    stranger = _as(account("stranger"))
    assert app.get("/access/application/nope", headers=stranger, status=None).status_code == 404
    assert app.post("/access/application/nope/step/explode", headers=stranger,
                    status=None).status_code == 404
    queue = app.get("/access/queue", headers=stranger, status=None)
    assert queue.status_code == 403 and "数据提供单位" in queue.body
    assert app.get("/access/application/x/agreement.exe", headers=stranger,
                   status=None).status_code == 404
