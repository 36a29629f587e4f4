"""The letters of the requests for disclosure: every kind rendered, printed
to PDF and DOCX and read back; applicants' markup stays text; an
administrator's override is used, and a broken one is refused naming the
file and line."""
from __future__ import annotations

import copy
import datetime
import io
import os

import docx
import pypdf
import pytest

from ckanext.nanjing import localtime, printing, workdays
from ckanext.nanjing.requests import letters
from ckanext.nanjing.requests.letters import KINDS, LetterTemplateError

from ..documents import docx_text, flat, pdf_text

NUMBER = "宁发改公开申〔2026〕第3号"
ORG = "南京市发展和改革委员会"
NAME = "王晓明"
REMEDY = "如对本答复不服，可以自收到本答复之日起60日内向南京市人民政府申请行政复议，或者在6个月内向南京铁路运输法院提起行政诉讼。"

REQUEST = {
    "id": "0d5c6b1e-3f1d-4c1e-9a63-2b8f3c1d7e01", "number": NUMBER,
    "organization": {"id": "org-1", "name": "nanjing-fgw", "title": ORG},
    "state": "registered", "state_label": "办理中", "pause_kind": None,
    "applicant": {"type": "natural", "category": "natural", "name": NAME, "id_type": "id_card",
                  "id_number_masked": "3201**********1234", "phone": "13905161234",
                  "email": "wxm@example.cn", "address": "南京市玄武区北京东路41号"},
    "description": "2025年南京市重大项目投资计划及其调整情况",
    "doc_number": "宁发改投资〔2025〕12号", "purpose": "学术研究",
    "provision": "email", "delivery": "email", "fee_waiver": False, "channel": "online",
    "received": "2026-12-01", "created": "2026-12-01T09:30:00",
    "deadline": {"due": "2026-12-29", "provisional": False,
                 "explanation": "自 2026-12-01 起算（次日计第 1 日），20 个工作日；截止 2026-12-29",
                 "days_left": 18, "status": "on_time"},
    "extension_days": 0, "result": None, "result_label": None, "result_group": None,
    "events": [], "letters": [], "files": [], "appeals": [], "published_package_id": None,
}

EVENTS = {
    "receipt": {"transition": "create", "data": {}},
    "correction": {"transition": "request_correction",
                   "data": {"items": ["所需信息的具体项目名称", "所需信息的时间范围"], "reply_within": 10}},
    "consultation": {"transition": "start_consultation",
                     "data": {"kind": "third_party", "party": "南京金陵建设发展有限公司"}},
    "agency": {"transition": "start_consultation", "data": {"kind": "other_agency", "party": "南京市财政局"}},
    "extension": {"transition": "approve_extension", "data": {"days": 15, "reason": "需要调取档案馆馆藏资料"}},
    "fee": {"transition": "charge_fee",
            "data": {"method": "per_page", "pages": 120, "amount": 1300,
                     "breakdown": ["第1—30页：免费", "第31—100页：70页×10元＝700元", "第101—120页：20页×20元＝400元"]}},
    "reply": {"transition": "reply", "data": {"result": "disclose", "text": "经检索，本机关制作了该信息。",
                                              "files": [{"id": "f1", "name": "2025年重大项目投资计划.pdf", "size": 1024}]}},
}


def context(kind: str, **request) -> dict:
    req = copy.deepcopy(REQUEST)
    req.update(request)
    if kind == "reply" and not req.get("result_group"):
        req.update(result="disclose", result_label="予以公开", result_group="disclose", state="replied")
    event = dict(copy.deepcopy(EVENTS[kind]), note="", created="2026-12-03T10:00:00")
    return {"request": req, "event": event, "org": {"title": ORG, "name": "nanjing-fgw"},
            "today": datetime.date(2026, 12, 3), "due": None,
            "remedy": {"reconsideration_body": "南京市人民政府", "court": "南京铁路运输法院"}}


# Letters addressed to a third party or another agency do not name the applicant.
TO_APPLICANT = [kind for kind in KINDS if kind not in ("consultation", "agency")]


@pytest.fixture
def override(tmp_path, ckan_config, monkeypatch):
    """An administrator's template directory, configured."""
    monkeypatch.setitem(ckan_config, letters.OPTION, str(tmp_path))

    def write(name: str, text: str):
        (tmp_path / name).write_text(text, encoding="utf-8")
        return str(tmp_path / name)
    return write


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_renders_to_html_pdf_and_docx(kind):
    letter = letters.render_html(kind, context(kind))
    assert (letter.kind, letter.title) == (kind, KINDS[kind])
    assert f"<title>{KINDS[kind]}</title>" in letter.html
    assert letter.text.startswith(KINDS[kind] + "\n" + NUMBER + "\n")
    assert "2026年12月3日" in letter.text  # the date of the letter, in Chinese form

    for text in (pdf_text(printing.to_pdf(letter)), docx_text(printing.to_docx(letter))):
        text = flat(text)
        assert flat(KINDS[kind]) in text
        assert NUMBER in text
        assert ORG in text
        assert "2026年12月3日" in text
        assert (NAME in text) == (kind in TO_APPLICANT)
        assert (flat(REMEDY) in text) == (kind == "reply")


def test_receipt_gives_the_number_the_dates_and_the_deadline():
    text = letters.render_html("receipt", context("receipt")).text
    assert "收到日期：2026年12月1日" in text
    assert "登记编号：" + NUMBER in text
    assert "答复期限：2026年12月29日前" in text
    assert "提供形式：电子邮件" in text
    assert "申请方式：网上申请" in text
    assert "暂定" not in text and "费用减免" not in text
    values = context("receipt", fee_waiver=True, fee_waiver_reason="低保户")
    assert "费用减免：申请减免信息处理费：低保户" in letters.render_html("receipt", values).text


def test_receipt_of_a_deadline_beyond_the_calendars_says_it_is_provisional():
    # Received 2026-12-01, 20 + 20 working days: the deadline lies in 2027,
    # which no calendar covers yet.
    due = workdays.deadline(datetime.date(2026, 12, 1), 20, extension=20, cal=workdays.Calendar(""))
    assert due.provisional
    values = context("receipt")
    values["due"] = due
    letter = letters.render_html("receipt", values)
    assert f"答复期限：{localtime.cn_date(due.due)}前（暂定）" in letter.text
    assert "暂定：" + due.explanation() in letter.text
    assert "（暂定）" in flat(pdf_text(printing.to_pdf(letter)))
    assert "尚无2027年的法定节假日安排" in flat(pdf_text(printing.to_pdf(letter)))


def test_correction_lists_the_items_the_period_and_the_restart():
    letter = letters.render_html("correction", context("correction"))
    assert "1. 所需信息的具体项目名称\n2. 所需信息的时间范围\n" in letter.text
    assert "自收到本告知书之日起10个工作日内" in letter.text
    assert "答复期限（20个工作日）自本机关收到补正后的申请之日起重新计算" in letter.text
    assert "第三十条" in letter.text
    document = docx_text(printing.to_docx(letter))
    assert "所需信息的时间范围" in document


def test_consultation_and_agency_name_the_party_and_fifteen_working_days():
    for kind, party, article in (("consultation", "南京金陵建设发展有限公司", "第三十二条"),
                                 ("agency", "南京市财政局", "第三十四条")):
        text = letters.render_html(kind, context(kind)).text
        assert f"\n{party}：\n" in text
        assert "15个工作日内" in text
        assert article in text
        assert NAME not in text and "13905161234" not in text


def test_extension_gives_the_days_the_new_due_date_and_the_reason():
    due = workdays.deadline(datetime.date(2026, 9, 18), 20, extension=15, cal=workdays.Calendar(""))
    values = context("extension", extension_days=15)
    values["due"] = due
    text = letters.render_html("extension", values).text
    assert "因需要调取档案馆馆藏资料" in text
    assert "答复期限延长15个工作日" in text
    assert f"延长后的答复期限为{localtime.cn_date(due.due)}。" in text
    assert due.due == datetime.date(2026, 11, 12)


def test_fee_gives_method_amount_breakdown_and_payment_period():
    text = letters.render_html("fee", context("fee")).text
    assert "按量计收信息处理费，应缴金额为人民币1,300.00元" in text
    assert "· 第31—100页：70页×10元＝700元" in text
    assert "自收到本通知书之日起20个工作日内缴纳" in text
    assert "国办函〔2020〕109号" in text


REPLIES = [
    # group, result, label, event data, what the letter must say
    ("disclose", "disclose", "予以公开", {"files": [{"name": "投资计划.pdf"}, "调整说明.docx"]},
     ["第三十六条第（二）项", "本机关予以公开", "1. 投资计划.pdf", "2. 调整说明.docx",
      "上述信息以电子邮件形式通过电子邮件方式向您提供。"]),
    ("disclose", "disclose", "予以公开", {"where": "南京市发展和改革委员会网站“政府信息公开”栏目"},
     ["已经主动公开", "第三十六条第（一）项", "“政府信息公开”栏目"]),
    ("partial", "partial", "部分公开", {"files": ["投资计划（删除个人信息）.pdf"], "reasons": "第5页含有个人隐私"},
     ["第三十七条", "可以公开的部分", "投资计划（删除个人信息）.pdf", "1. 第5页含有个人隐私"]),
    ("withhold", "withhold_secret", "国家秘密", {"reasons": ["该信息经定密为秘密级"]},
     ["属于国家秘密的情形", "第十四条", "不予公开", "该信息经定密为秘密级"]),
    ("withhold", "withhold_third_party", "保护第三方合法权益", {"reasons": ["涉及企业商业秘密，第三方不同意公开"]},
     ["第十五条", "第三方不同意公开"]),
    ("withhold", "withhold_process", "四类过程性信息", {"reasons": ["属于讨论记录"]}, ["第十六条第二款"]),
    ("withhold", "withhold_internal", "三类内部事务信息", {"reasons": ["人事管理信息"]}, ["第十六条第一款"]),
    ("unable", "unable_not_held", "本机关不掌握相关政府信息", {"reasons": ["经检索，本机关未制作或获取该信息"]},
     ["本机关不掌握相关政府信息", "第三十六条", "无法向您提供"]),
    ("not_handled", "not_handled_repeat", "重复申请", {"reasons": ["与2026年10月的申请内容相同，已答复"]},
     ["第三十六条第（六）项", "不作为政府信息公开申请处理"]),
    ("other", "other_no_correction", "逾期不补正", {}, ["逾期未作补正", "第三十条", "视为您放弃申请"]),
    ("other", "other_unpaid", "逾期未缴费", {}, ["逾期未缴纳", "第四十二条", "视为您放弃申请"]),
]


@pytest.mark.parametrize("group, result, label, data, says", REPLIES)
def test_reply_says_what_its_result_requires_and_always_the_remedy(group, result, label, data, says):
    values = context("reply", result=result, result_label=label, result_group=group, state="replied")
    values["event"]["data"] = dict(data, result=result, text="答复如下。")
    letter = letters.render_html("reply", values)
    for words in says:
        assert words in letter.text, words
    assert REMEDY in letter.text
    assert "经审查，现答复如下：\n答复如下。\n" in letter.text
    assert flat(REMEDY) in flat(pdf_text(printing.to_pdf(letter)))
    assert REMEDY in docx_text(printing.to_docx(letter))


def test_reply_without_remedy_bodies_is_refused():
    values = context("reply")
    values["remedy"] = {"reconsideration_body": "", "court": "南京铁路运输法院"}
    with pytest.raises(ValueError, match="救济途径"):
        letters.render_html("reply", values)


def test_unknown_kind_is_refused_in_chinese():
    with pytest.raises(ValueError, match="未知的文书类型"):
        letters.render_html("summons", context("receipt"))


def test_applicant_markup_is_text_in_html_pdf_and_docx():
    typed = "<script>alert(1)</script>和<b>加粗</b>"
    values = context("reply")
    values["request"]["description"] = typed
    values["request"]["applicant"]["name"] = "<b>王</b>"
    values["event"]["data"]["text"] = "<img src=x onerror=alert(2)>"
    letter = letters.render_html("reply", values)
    assert "<script>" not in letter.html and "<b>王" not in letter.html and "<img" not in letter.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in letter.html
    assert typed in letter.text
    for text in (pdf_text(printing.to_pdf(letter)), docx_text(printing.to_docx(letter))):
        assert typed in flat(text)
        assert "<b>王</b>：" in flat(text)
        assert "<imgsrc=xonerror=alert(2)>" in flat(text)


def test_control_characters_typed_by_an_applicant_do_not_break_the_files():
    values = context("receipt")
    values["request"]["description"] = "投资\x00计划\x0b表\x1f"
    letter = letters.render_html("receipt", values)
    assert "投资计划表" in flat(pdf_text(printing.to_pdf(letter)))
    assert "投资计划表" in docx_text(printing.to_docx(letter))


def test_docx_is_a4_with_official_margins_and_east_asian_fonts():
    document = docx.Document(io.BytesIO(printing.to_docx(letters.render_html("reply", context("reply")))))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert (round(section.top_margin.mm), round(section.left_margin.mm)) == (37, 28)
    fonts = document.styles["Normal"].element.rPr.rFonts
    assert fonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == "宋体"
    assert document.core_properties.title == KINDS["reply"]
    title = document.paragraphs[0]
    assert title.text == KINDS["reply"] and title.alignment == 1  # centred
    assert document.paragraphs[-1].text == "2026年12月3日" and document.paragraphs[-1].alignment == 2
    footer = section.footer.paragraphs[0]._p.xml
    assert 'w:instr="PAGE"' in footer and "— " in footer  # — 1 — at the foot, as in the PDF


def test_pdf_is_a4_and_uses_the_noto_cjk_fonts():
    reader = pypdf.PdfReader(io.BytesIO(printing.to_pdf(letters.render_html("receipt", context("receipt")))))
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (210, 297)
    fonts = {str(font["/BaseFont"]) for page in reader.pages
             for font in page["/Resources"]["/Font"].get_object().values()
             for font in [font.get_object()]}
    assert any(name.endswith("+Noto-Serif-CJK-SC") for name in fonts), fonts


def test_an_override_replaces_the_shipped_template(override):
    override("reply.html", '{% extends "_base.html" %}{% block body %}'
                           "<p>经本局研究，对{{ request.applicant.name }}的申请答复如下：{{ request.result_label }}。</p>"
                           "{% endblock %}")
    letter = letters.render_html("reply", context("reply"))
    assert f"经本局研究，对{NAME}的申请答复如下：予以公开。" in letter.text
    assert "经审查，现答复如下" not in letter.text
    assert f"{NAME}的申请答复如下" in flat(pdf_text(printing.to_pdf(letter)))
    # The other kinds keep the shipped wording.
    assert "特此回执。" in letters.render_html("receipt", context("receipt")).text
    assert letters.check_templates() == ["reply.html"]


def test_an_edited_override_is_used_without_a_restart(override):
    path = override("agency.html", "<p>第一稿{{ event.data.party }}</p>")
    assert "第一稿南京市财政局" in letters.render_html("agency", context("agency")).text
    override("agency.html", "<p>第二稿{{ event.data.party }}</p>")
    later = os.stat(path).st_mtime + 2  # a distinct modification time, as an edit minutes later has
    os.utime(path, (later, later))
    assert "第二稿南京市财政局" in letters.render_html("agency", context("agency")).text


def test_an_override_of_the_layout_applies_to_every_kind(override):
    shipped = open(f"{letters.SHIPPED}/_base.html", encoding="utf-8").read()
    override("_base.html", shipped.replace('<p class="signature">{{ org.title }}</p>',
                                           '<p class="signature">{{ org.title }}（印章）</p>'))
    for kind in KINDS:
        assert f"{ORG}（印章）" in letters.render_html(kind, context(kind)).text


def test_a_syntax_error_in_an_override_names_the_file_and_line(override):
    path = override("correction.html", '{% extends "_base.html" %}\n{% block body %}\n'
                                       "<p>{% if letter.corrections %}补正</p>\n{% endblock %}\n")
    with pytest.raises(LetterTemplateError) as error:
        letters.render_html("correction", context("correction"))
    message = str(error.value)
    assert path in message and "第 4 行" in message and "语法错误" in message
    with pytest.raises(LetterTemplateError, match="correction.html"):
        letters.check_templates()
    # Nothing else is broken by it.
    assert letters.render_html("reply", context("reply")).text


def test_an_unknown_variable_in_an_override_names_the_file_and_line(override):
    path = override("fee.html", '{% extends "_base.html" %}\n{% block body %}\n<p>金额</p>\n'
                                "<p>{{ reqest.number }}</p>\n{% endblock %}\n")
    with pytest.raises(LetterTemplateError) as error:
        letters.render_html("fee", context("fee"))
    message = str(error.value)
    assert path in message and "第 4 行" in message and "变量 reqest 未定义" in message


def test_an_override_may_not_reach_python_internals(override):
    path = override("receipt.html", "<p>{{ request.__class__ }}</p>\n")
    with pytest.raises(LetterTemplateError) as error:
        letters.render_html("receipt", context("receipt"))
    assert path in str(error.value) and "第 1 行" in str(error.value)


def test_an_override_that_fails_while_rendering_is_reported(override):
    path = override("extension.html", "<p>延期</p>\n<p>{{ event.data.days / 0 }}</p>\n")
    with pytest.raises(LetterTemplateError) as error:
        letters.render_html("extension", context("extension"))
    assert path in str(error.value) and "第 2 行" in str(error.value) and "ZeroDivisionError" in str(error.value)


def test_an_override_not_saved_as_utf8_is_reported(override, tmp_path):
    (tmp_path / "reply.html").write_bytes("<p>答复{{ request.number }}</p>".encode("gbk"))
    with pytest.raises(LetterTemplateError, match=f"文书模板 {tmp_path}/reply.html 不是 UTF-8 编码"):
        letters.render_html("reply", context("reply"))


def test_an_override_including_a_missing_file_names_the_line(override):
    path = override("fee.html", "<p>收费</p>\n{% include 'fee_table.html' %}\n")
    with pytest.raises(LetterTemplateError) as error:
        letters.render_html("fee", context("fee"))
    assert path in str(error.value) and "第 2 行" in str(error.value) and "找不到模板 fee_table.html" in str(error.value)


def test_an_override_directory_that_does_not_exist_is_reported(ckan_config, monkeypatch, tmp_path):
    monkeypatch.setitem(ckan_config, letters.OPTION, str(tmp_path / "missing"))
    with pytest.raises(LetterTemplateError, match="文书模板目录 .*missing 不存在"):
        letters.render_html("receipt", context("receipt"))


def test_the_shipped_templates_pass_the_check():
    assert letters.check_templates() == []
