"""The pages of requests for disclosure, as the public and handlers use them:
the form and its Chinese errors, the receipt, the lookup by number and
查询码, letters, the queue and the request page, and escaping."""
from __future__ import annotations

import datetime
import html
import io
import re
from urllib.parse import urlencode

import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories

from ckanext.nanjing import localtime, qrcodes, workdays
from ckanext.nanjing.requests import privacy

WRONG_CODE = "申请编号或查询码不正确"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')


def id_card(body: str = "32010219900307123") -> str:
    """A 居民身份证 number with its GB 11643 check character."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(digit) * weight for digit, weight in zip(body, weights))
    return body + "10X98765432"[total % 11]


def application(org_name: str, **changes) -> dict:
    data = {"organization": org_name, "applicant_type": "natural", "name": "王小明",
            "id_type": "id_card", "id_number": id_card(), "phone": "13800000000",
            "email": "wang@example.com", "address": "南京市玄武区北京东路41号",
            "description": "2025年玄武区老旧小区改造项目的资金使用情况。",
            "provision": "email", "delivery": "email"}
    data.update(changes)
    return data


def token(app, path: str) -> str:
    """The CSRF token of the form at `path` (the test client keeps the session)."""
    match = CSRF.search(app.get(path).body)
    return match.group(1) if match else ""


def no_store(response) -> bool:
    cache = response.headers["Cache-Control"]
    return "no-store" in cache and "public" not in cache and "max-age" not in cache


def post_form(app, path: str, data: dict, form_page: str | None = None, **kwargs):
    data = dict(data, _csrf_token=token(app, form_page or path))
    return app.post(path, data=data, status=None, **kwargs)


@pytest.fixture
def bodies(clean_db):
    """Two organizations, each with its own handler (an editor)."""
    handler, other = factories.UserWithToken(), factories.UserWithToken()
    org = factories.Organization(name="nanjing-fgw", title="南京市发展和改革委员会",
                                 users=[{"name": handler["name"], "capacity": "editor"}])
    second = factories.Organization(name="nanjing-jtj", title="南京市交通运输局",
                                    users=[{"name": other["name"], "capacity": "editor"}])
    return {"org": org, "handler": handler, "second": second, "other": other}


def send_application(call, org_name: str, user=None, **changes) -> dict:
    """An application through the Action API, as the public sends it (or a
    handler registers a paper one)."""
    data = application(org_name, **changes)
    data["undertaking"] = True
    answer = call("nanjing_request_create", user, **data)
    assert answer["success"], answer
    return answer["result"]


def lookup(app, request: dict, code: str | None = None):
    return post_form(app, "/requests/lookup",
                     {"number": request["number"], "code": code or request["lookup_code"]})


def test_guidance_and_public_statistics(app, call, bodies):
    send_application(call, "nanjing-fgw")
    page = app.get("/requests")
    body = page.body
    assert page.status_code == 200
    for text in ("依申请公开", "20 个工作日", "7 个工作日", "第四十二条", "在线提交申请", "查询办理进度"):
        assert text in body
    assert "/requests/new" in body and "/requests/lookup" in body
    statistics = body[body.index("办理情况统计"):]
    assert "南京市发展和改革委员会" in statistics
    # Counts only: no request text, no applicant.
    assert "王小明" not in body and "老旧小区" not in body


def test_the_header_and_the_home_page_link_to_the_requests_pages(app, bodies):
    home = app.get("/").body
    assert re.search(r'<a href="/requests"[^>]*>依申请公开</a>', home)
    assert "需要的政府信息尚未公开？在线申请公开" in home
    english = app.get("/en/requests").body
    assert "Requests for disclosure" in english and "在线提交申请" in english


def test_form_has_every_field_in_chinese(app, bodies):
    body = app.get("/requests/new").body
    for text in ("申请人信息", "所需信息", "提供方式", "自然人", "法人或其他组织", "商业企业",
                 "科研机构", "社会公益组织", "法律服务机构", "居民身份证", "护照",
                 "统一社会信用代码", "纸质", "光盘/U盘", "当场查阅", "自行领取", "邮寄",
                 "申请减免信息处理费", "至少填写一项", "南京市发展和改革委员会", "南京市交通运输局"):
        assert text in body, text
    for name in ("organization", "applicant_type", "applicant_category", "name", "id_type",
                 "id_number", "phone", "email", "address", "description", "doc_number",
                 "purpose", "provision", "delivery", "fee_waiver", "fee_waiver_reason"):
        assert f'name="{name}"' in body, name
    # Only what 条例第二十九条 asks for is required: no promise to tick, and one
    # way to reach the applicant, whichever it is.
    assert 'name="undertaking"' not in body
    assert not re.search(r'id="phone"[^>]*required', body)


def _error_beside(body: str, field: str) -> str:
    error = re.search(rf'id="error-{field}">([^<]+)<', body)
    assert error, field
    assert re.search(r"[\u4e00-\u9fff]", error.group(1)), error.group(1)
    return error.group(1)


def test_form_groups_the_bodies_by_level_with_each_government_first(app, bodies):
    # A district body known by the division code in its credit code, one by
    # the district in its name; the district government before its bureaus.
    factories.Organization(name="jianye-czj", title="南京市建邺区财政局",
                           extras=[{"key": "credit_code", "value": "11320105014300418Q"}])
    factories.Organization(name="jianye-gov", title="南京市建邺区人民政府",
                           extras=[{"key": "credit_code", "value": "11320105014300127M"}])
    factories.Organization(name="gulou-sfj", title="南京市鼓楼区司法局")
    form = app.get("/requests/new").body
    groups = re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', form, re.S)
    listed = [(label, re.findall(r'<option value="([^"]+)"', options)) for label, options in groups]
    assert listed == [("市级机关", ["nanjing-fgw", "nanjing-jtj"]),
                      ("建邺区", ["jianye-gov", "jianye-czj"]),
                      ("鼓楼区", ["gulou-sfj"])]


def test_form_errors_are_chinese_beside_their_fields_and_values_are_kept(app, bodies):
    empty = post_form(app, "/requests/new", application("nanjing-fgw", description="",
                                                         name="李<四>"))
    assert empty.status_code == 400
    assert "申请未提交" in empty.body
    assert "所需信息" in _error_beside(empty.body, "description")
    # What the person typed is still there, escaped.
    assert 'value="李&lt;四&gt;"' in empty.body and 'value="13800000000"' in empty.body
    assert "南京市玄武区北京东路41号" in empty.body
    assert no_store(empty)

    good = id_card()
    bad = application("nanjing-fgw", id_number=good[:-1] + ("0" if good[-1] != "0" else "1"))
    bad.update(phone="", email="", address="", provision="paper", delivery="pickup")
    page = post_form(app, "/requests/new", bad)
    assert page.status_code == 400
    assert "身份证" in _error_beside(page.body, "id_number")
    assert "至少填写一种联系方式" in _error_beside(page.body, "phone")
    assert "2025年玄武区老旧小区改造项目的资金使用情况。</textarea>" in page.body
    assert '<option value="nanjing-fgw" selected>' in page.body
    assert 'id="provision-paper" name="provision" value="paper" checked' in page.body


def test_success_shows_the_number_and_the_code_once(app, bodies):
    page = post_form(app, "/requests/new", application("nanjing-fgw"), follow_redirects=False)
    assert page.status_code == 200  # the receipt is the POST's own answer
    assert no_store(page)
    body = page.body
    number = re.search(r'class="nanjing-receipt-number">([^<]+)<', body).group(1)
    code = re.search(r'class="nanjing-receipt-code"><code>([^<]+)<', body).group(1)
    assert "公开申" in number and code
    assert "请妥善保存" in body and "南京市发展和改革委员会" in body
    assert re.search(r"\d{4}-\d{2}-\d{2}", body)
    # The code is in no link of the page.
    assert not re.search(rf'href="[^"]*{re.escape(code)}', body)
    status = post_form(app, "/requests/lookup", {"number": number, "code": code})
    assert status.status_code == 200 and "办理中" in status.body


def test_the_receipt_qr_code_opens_the_lookup_with_the_number_filled_in(app, bodies):
    body = post_form(app, "/requests/new", application("nanjing-fgw")).body
    number = html.unescape(re.search(r'class="nanjing-receipt-number">([^<]+)<', body).group(1))
    code = re.search(r'class="nanjing-receipt-code"><code>([^<]+)<', body).group(1)
    lookup = tk.config["ckan.site_url"] + "/requests/lookup?" + urlencode({"number": number})
    images = re.findall(r'<img src="(data:image/svg\+xml[^"]+)"', body)
    assert [html.unescape(src) for src in images] == [qrcodes.svg_data_uri(lookup)]
    assert code not in lookup  # the 查询码 is typed, never scanned
    form = app.get(lookup.replace(tk.config["ckan.site_url"], "")).body
    assert f'value="{html.escape(number)}"' in form


def test_lookup_with_the_right_code_shows_the_status(app, call, bodies):
    request = send_application(call, "nanjing-fgw")
    page = lookup(app, request)
    assert page.status_code == 200
    assert no_store(page)
    body = page.body
    for text in (request["number"], "办理中", "南京市发展和改革委员会", "答复期限",
                 request["deadline"]["due"], "办理过程", "撤回申请"):
        assert text in body, text
    # Applicant-facing only: no handler notes, and no ID number.
    assert id_card() not in body


def _typed_on_a_phone(number: str) -> list[str]:
    """宁发改公开申〔2026〕第1号 as people type it without the 〔〕 keys."""
    prefix, rest = number.split("〔")
    year, sequence = rest.split("〕第")
    sequence = sequence.rstrip("号")
    wide = str.maketrans("0123456789", "０１２３４５６７８９")
    return [f"{prefix}{year}第{sequence}号", f"{prefix}[{year}]{sequence}",
            f"{prefix}（{year.translate(wide)}）第{sequence.translate(wide)}号",
            f" {prefix} ({year}) 第 {sequence} 号 ", f"{prefix}【{year}】第0{sequence}号"]


def test_lookup_takes_the_number_without_brackets_or_in_full_width(app, call, bodies):
    request = send_application(call, "nanjing-fgw")
    wide_code = request["lookup_code"].lower().translate(
        str.maketrans("abcdefghijklmnopqrstuvwxyz0123456789",
                      "ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ０１２３４５６７８９"))
    for typed in _typed_on_a_phone(request["number"]):
        page = post_form(app, "/requests/lookup", {"number": typed, "code": wide_code})
        assert page.status_code == 200, typed
        assert request["number"] in page.body and "办理中" in page.body, typed
    # Another year or sequence is another request, not a near match.
    other = request["number"].replace("〕第", "〕第1")
    near = post_form(app, "/requests/lookup", {"number": other, "code": request["lookup_code"]})
    assert near.status_code == 403 and WRONG_CODE in near.body
    assert request["description"] not in near.body
    # Hostile or huge input is an ordinary wrong number, not an error page.
    for typed in ("公开申" * 40, "宁发改公开申〔2026〕第" + "9" * 500 + "号", "<script>1</script>"):
        page = post_form(app, "/requests/lookup", {"number": typed, "code": request["lookup_code"]})
        assert page.status_code == 403 and WRONG_CODE in page.body, typed[:20]


def test_a_wrong_code_and_an_unknown_number_get_the_same_answer(app, call, bodies):
    request = send_application(call, "nanjing-fgw")
    wrong = lookup(app, request, code="WRONG-CODE")
    unknown = post_form(app, "/requests/lookup",
                        {"number": "宁发改公开申〔2026〕第999号", "code": request["lookup_code"]})
    for page in (wrong, unknown):
        assert page.status_code == 403
        assert WRONG_CODE in page.body
        assert request["description"] not in page.body
    empty = post_form(app, "/requests/lookup", {"number": "", "code": ""})
    assert empty.status_code == 400 and "请填写申请编号和查询码" in empty.body


def _correction(call, handler, request) -> dict:
    answer = call("nanjing_request_transition", handler, id=request["id"],
                  transition="request_correction", items="请写明所需资金使用情况的年份和项目名称。")
    assert answer["success"], answer
    return answer["result"]


def test_the_applicant_answers_a_correction_and_downloads_the_letter(app, call, bodies):
    request = send_application(call, "nanjing-fgw")
    corrected = _correction(call, bodies["handler"], request)
    page = lookup(app, request)
    assert "待补正" in page.body and "提交补正" in page.body
    assert "请写明所需资金使用情况的年份和项目名称。" in page.body

    letter = corrected["letters"][-1]
    pdf = post_form(app, f"/requests/lookup/letter/{letter['id']}.pdf",
                    {"number": request["number"], "code": request["lookup_code"]},
                    form_page="/requests/lookup")
    assert pdf.status_code == 200
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    assert no_store(pdf)
    refused = post_form(app, f"/requests/lookup/letter/{letter['id']}.pdf",
                        {"number": request["number"], "code": "WRONG-CODE"},
                        form_page="/requests/lookup")
    assert refused.status_code == 403 and WRONG_CODE in refused.body
    assert not refused.data.startswith(b"%PDF")

    empty = post_form(app, "/requests/lookup/transition",
                      {"number": request["number"], "code": request["lookup_code"],
                       "transition": "submit_correction", "text": ""}, form_page="/requests/lookup")
    assert empty.status_code == 400 and "待补正" in empty.body
    answered = post_form(app, "/requests/lookup/transition",
                         {"number": request["number"], "code": request["lookup_code"],
                          "transition": "submit_correction",
                          "text": "2025年度，玄武区梅园新村片区改造项目。"},
                         form_page="/requests/lookup")
    assert answered.status_code == 200
    assert "补正材料已提交" in answered.body and "办理中" in answered.body


def test_the_applicant_withdraws_only_after_confirming(app, call, bodies):
    request = send_application(call, "nanjing-fgw")
    data = {"number": request["number"], "code": request["lookup_code"],
            "transition": "withdraw", "reason": "信息已在网站上找到。"}
    unconfirmed = post_form(app, "/requests/lookup/transition", data, form_page="/requests/lookup")
    assert unconfirmed.status_code == 400 and "我确认撤回本申请" in unconfirmed.body
    assert "信息已在网站上找到。" in unconfirmed.body  # kept
    done = post_form(app, "/requests/lookup/transition", dict(data, confirm="on"),
                     form_page="/requests/lookup")
    assert done.status_code == 200 and "已撤回" in done.body
    assert "撤回申请</button>" not in done.body
    wrong = post_form(app, "/requests/lookup/transition", dict(data, code="WRONG-CODE"),
                      form_page="/requests/lookup")
    assert wrong.status_code == 403 and WRONG_CODE in wrong.body


def test_the_queue_needs_a_login_and_shows_the_handlers_organizations(app, call, bodies):
    mine = send_application(call, "nanjing-fgw")
    theirs = send_application(call, "nanjing-jtj", description="公交线路调整的论证材料。")
    anonymous = app.get("/requests/queue", follow_redirects=False)
    assert anonymous.status_code == 302 and "/user/login" in anonymous.headers["Location"]

    page = app.get("/requests/queue", headers={"Authorization": bodies["handler"]["token"]})
    assert page.status_code == 200
    assert mine["number"] in page.body and theirs["number"] not in page.body
    assert f'/requests/{mine["id"]}"' in page.body
    assert "办理中" in page.body
    other = app.get("/requests/queue", headers={"Authorization": bodies["other"]["token"]}).body
    assert theirs["number"] in other and mine["number"] not in other
    filtered = app.get("/requests/queue", query_string={"state": "replied"},
                       headers={"Authorization": bodies["handler"]["token"]}).body
    assert mine["number"] not in filtered


def test_the_request_page_shows_the_forms_of_the_allowed_transitions(app, call, bodies):
    request = send_application(call, "nanjing-fgw")
    handler = {"Authorization": bodies["handler"]["token"]}
    url = f"/requests/{request['id']}"
    assert app.get(url, follow_redirects=False).status_code == 302
    assert app.get(url, headers={"Authorization": bodies["other"]["token"]},
                   status=None).status_code == 403

    body = app.get(url, headers=handler).body
    for text in ("王小明", "答复期限", "办理过程", "申请人", "答复结果", "不予公开", "属于国家秘密",
                 "需补正的内容", "延期理由", 'name="files"', 'multiple'):
        assert text in body, text
    assert id_card() not in body and re.search(r"\*{4,}", body)
    assert '<optgroup label="不予公开">' in body

    # A reply without its text: the Chinese reason beside the field, the choice kept.
    refused = app.post(f"{url}/transition", headers=handler, status=None,
                       data={"transition": "reply", "result": "disclose", "text": ""})
    assert refused.status_code == 400
    assert re.search(r'id="error-text">[^<]*[\u4e00-\u9fff]', refused.body)
    assert '<option value="disclose" selected>' in refused.body

    done = app.post(f"{url}/transition", headers=handler, follow_redirects=True,
                    data={"transition": "reply", "result": "disclose",
                          "text": "现将所申请的资金使用情况提供给您。",
                          "files": [(io.BytesIO(PDF), "资金使用情况.pdf"),
                                    (io.BytesIO(PDF), "项目清单.pdf")]})
    assert done.status_code == 200 and "已答复" in done.body
    assert "资金使用情况.pdf" in done.body and "项目清单.pdf" in done.body
    assert "转为主动公开" in done.body and "登记行政复议/诉讼" in done.body
    shown = call("nanjing_request_show", bodies["handler"], id=request["id"])["result"]
    reply = [letter for letter in shown["letters"] if letter["kind"] == "reply"][-1]
    pdf = app.get(f"{url}/letters/{reply['id']}.pdf", headers=handler)
    assert pdf.headers["Content-Type"] == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert app.get(f"{url}/letters/{reply['id']}.pdf",
                   headers={"Authorization": bodies["other"]["token"]},
                   status=None).status_code == 403
    provided = shown["files"][0]
    assert app.get(f"{url}/files/{provided['id']}", headers=handler).data == PDF

    # The applicant downloads what was provided, with the code only.
    status = lookup(app, request)
    assert "提供的政府信息" in status.body and "项目清单.pdf" in status.body
    credentials = {"number": request["number"], "code": request["lookup_code"]}
    got = post_form(app, f"/requests/lookup/file/{provided['id']}", credentials,
                    form_page="/requests/lookup")
    assert got.status_code == 200 and got.data == PDF and no_store(got)
    assert "filename*=UTF-8''" in got.headers["Content-Disposition"]
    wrong = post_form(app, f"/requests/lookup/file/{provided['id']}",
                      dict(credentials, code="WRONG-CODE"), form_page="/requests/lookup")
    assert wrong.status_code == 403 and wrong.data != PDF


def test_a_transition_the_state_does_not_allow_is_refused_in_chinese(app, call, bodies):
    request = send_application(call, "nanjing-fgw")
    page = app.post(f"/requests/{request['id']}/transition", status=None,
                    headers={"Authorization": bodies["handler"]["token"]},
                    data={"transition": "archive"})
    assert page.status_code in (400, 403)
    assert re.search(r'nanjing-form-errors[\s\S]*[\u4e00-\u9fff]', page.body)


def test_an_unknown_request_is_refused_in_chinese_like_another_bodys(app, bodies):
    handler = {"Authorization": bodies["handler"]["token"]}
    page = app.get("/requests/no-such-request", headers=handler, status=None)
    assert page.status_code == 403 and "只有办理机关" in page.body
    letter = app.get("/requests/no-such-request/letters/x.pdf", headers=handler, status=None)
    assert letter.status_code == 403 and "只有办理机关" in letter.body
    assert app.get("/requests/no-such-request/letters/x.exe", headers=handler,
                   status=None).status_code == 404


def test_script_in_the_description_is_shown_as_text(app, call, bodies):
    script = "<script>alert('x')</script>"
    request = send_application(call, "nanjing-fgw", description=f"所需信息{script}", name=f"张三{script}")
    detail = app.get(f"/requests/{request['id']}",
                     headers={"Authorization": bodies["handler"]["token"]}).body
    status = lookup(app, request).body
    for body in (detail, status):
        assert script not in body
        assert "&lt;script&gt;alert(" in body


def test_a_disclosed_reply_becomes_a_draft_and_an_appeal_is_recorded(app, call, bodies):
    request = send_application(call, "nanjing-fgw")
    answer = call("nanjing_request_transition", bodies["handler"], id=request["id"],
                  transition="reply", result="disclose", text="现将所申请的资金使用情况提供给您。",
                  where="本机关门户网站“政府信息公开”栏目")
    assert answer["success"], answer
    handler = {"Authorization": bodies["handler"]["token"]}
    url = f"/requests/{request['id']}"
    assert "财政预决算" in app.get(url, headers=handler).body  # the area choices

    no_area = app.post(f"{url}/publish", headers=handler, data={}, status=None)
    assert no_area.status_code == 400
    assert re.search(r'nanjing-form-errors[\s\S]*[\u4e00-\u9fff]', no_area.body)
    published = app.post(f"{url}/publish", headers=handler, data={"area": "budgets"},
                         follow_redirects=False)
    assert published.status_code == 302 and "/gkml_item/ysq-" in published.headers["Location"]
    page = app.get(url, headers=handler).body
    assert "已据此答复生成主动公开条目" in page and "转为主动公开</button>" not in page

    missing = app.post(f"{url}/appeal", headers=handler, status=None,
                       data={"kind": "reconsideration", "outcome": "pending"})
    assert missing.status_code == 400
    assert re.search(r'id="error-filed">[^<]*[\u4e00-\u9fff]', missing.body)
    assert '<option value="reconsideration" selected>' in missing.body
    recorded = app.post(f"{url}/appeal", headers=handler, follow_redirects=True,
                        data={"kind": "reconsideration", "outcome": "upheld",
                              "filed": "2026-01-05", "decided": "2026-03-01"})
    assert "行政复议" in recorded.body and "结果维持" in recorded.body and "2026-03-01" in recorded.body


def test_the_queue_colours_requests_near_and_past_their_deadline(app, call, bodies):
    """Paper applications registered by the handler with an earlier receipt date."""
    handler = bodies["handler"]
    today = localtime.today()
    late = send_application(call, "nanjing-fgw", user=handler, channel="letter",
                            received=(today - datetime.timedelta(days=60)).isoformat())
    assert late["deadline"]["status"] == "overdue"
    near = None
    for back in range(16, 36):
        received = today - datetime.timedelta(days=back)
        if received.year != today.year:
            break
        # Received 16-19 working days ago: 1-4 working days are left.
        if 16 <= workdays.working_days_between(received, today) <= 19:
            near = send_application(call, "nanjing-fgw", user=handler, channel="letter",
                                    received=received.isoformat())
            assert near["deadline"]["status"] == "near", near["deadline"]
            break
    page = app.get("/requests/queue", headers={"Authorization": handler["token"]}).body
    rows = {number: row for row, number in re.findall(
        r'<tr class="nanjing-request-row([^"]*)">\s*<td><a [^>]*>([^<]+)</a>', page)}
    assert "table-danger" in rows[late["number"]] and "已超期" in page
    if near is not None:  # none when the year began less than 20 working days ago
        assert "table-warning" in rows[near["number"]]
    overdue_only = app.get("/requests/queue", query_string={"overdue": "1"},
                           headers={"Authorization": handler["token"]}).body
    assert late["number"] in overdue_only
    assert near is None or near["number"] not in overdue_only


def test_a_logged_in_applicant_finds_the_request_under_mine(app, bodies):
    person = factories.UserWithToken()
    headers = {"Authorization": person["token"]}
    receipt = app.post("/requests/new", data=application("nanjing-fgw"), headers=headers)
    number = re.search(r'class="nanjing-receipt-number">([^<]+)<', receipt.body).group(1)
    mine = app.get("/requests/mine", headers=headers)
    assert mine.status_code == 200 and number in mine.body
    assert number not in app.get("/requests/mine",
                                 headers={"Authorization": bodies["other"]["token"]}).body
    assert app.get("/requests/mine", follow_redirects=False).status_code == 302


@pytest.mark.ckan_config("ckanext.nanjing.requests.lookup_attempts", "3")
def test_repeated_wrong_codes_are_slowed_down_on_the_page(app, call, bodies):
    request = send_application(call, "nanjing-fgw")
    for _ in range(3):
        assert WRONG_CODE in lookup(app, request, code="WRONG-CODE").body
    refused = lookup(app, request)  # even the right code, for a while
    assert refused.status_code == 403
    assert "错误次数过多" in refused.body and request["description"] not in refused.body


def test_the_applicant_sees_no_letter_addressed_to_a_third_party(app, call, bodies):
    request = send_application(call, "nanjing-fgw")
    answer = call("nanjing_request_transition", bodies["handler"], id=request["id"],
                  transition="start_consultation", kind="third_party",
                  party="南京某某置业有限公司")
    assert answer["success"], answer
    assert any(letter["kind"] == "consultation" for letter in answer["result"]["letters"])
    body = lookup(app, request).body
    assert "暂停计时" in body and "登记回执" in body
    assert "征求第三方意见书" not in body and "南京某某置业有限公司" not in body
    handler_page = app.get(f"/requests/{request['id']}",
                           headers={"Authorization": bodies["handler"]["token"]}).body
    assert "征求第三方意见书" in handler_page and "南京某某置业有限公司" in handler_page


def test_every_demo_request_renders_for_its_handler_and_its_applicant(app, clean_db):
    """The demo holds every state, pause, result, correction, extension, fee
    and appeal: each request's page, the queue and the statistics render."""
    from ckanext.nanjing.requests import demo
    from ckanext.nanjing.requests.model import Request

    admin = factories.SysadminWithToken(name=tk.config.get("ckanext.nanjing.demo_user"))
    factories.Organization(name="nanjing-zfbgt", title="南京市人民政府办公厅")
    for name in demo.ORGANIZATIONS:
        factories.Organization(name=name, title=f"演示机关{name}")
    demo.load(echo=lambda line: None)
    headers = {"Authorization": admin["token"]}

    queue = app.get("/requests/queue", query_string={"state": ""}, headers=headers).body
    rows = [(r.id, r.number, r.state) for r in model.Session.query(Request)]
    assert f"共 {len(rows)} 件申请" in queue
    assert "table-danger" in queue and "table-warning" in queue
    statistics = app.get("/requests").body
    assert "演示机关nanjing-fgw" in statistics
    for id, number, state in rows:
        page = app.get(f"/requests/{id}", headers=headers, status=None)
        assert page.status_code == 200, (number, state)
        assert number in page.body
    # The lookup page of a request in each state, with the code its applicant holds.
    code = "DEMO-CODE-1"
    for state in {state for _id, _number, state in rows}:
        id, number, _state = next(row for row in rows if row[2] == state)
        model.Session.query(Request).filter(Request.id == id).update(
            {"lookup_code_hash": privacy.code_hash(code)})
        model.Session.commit()
        status = lookup(app, {"number": number, "lookup_code": code})
        assert status.status_code == 200, state
        assert number in status.body


def test_the_queue_shows_the_reminders_of_open_requests(app, call, bodies):
    from ckanext.nanjing.requests import reminders

    handler = bodies["handler"]
    received = (localtime.today() - datetime.timedelta(days=60)).isoformat()
    late = send_application(call, "nanjing-fgw", user=handler, channel="letter",
                            received=received)
    reminders.remind()
    page = app.get("/requests/queue", headers={"Authorization": handler["token"]}).body
    assert "办理提醒" in page and f"{late['number']} 已逾期" in page
    other = app.get("/requests/queue", headers={"Authorization": bodies["other"]["token"]}).body
    assert "办理提醒" not in other
