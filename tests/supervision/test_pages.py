"""The yearly report's page and its PDF and DOCX, as a steward and a
reviewer of the openness office fetch them."""
from __future__ import annotations

import re

import pytest

from ..documents import docx_text, flat, pdf_text
from .test_report import _apply, _reply

pytestmark = pytest.mark.usefixtures("people")


@pytest.fixture
def answered(api):
    request = _apply(api, "2026-03-02")
    _reply(api, request, "2026-03-20", "withhold_state_secret")
    _apply(api, "2026-11-30")
    return request


def _get(app, path, user=None, status=200, **params):
    headers = {"Authorization": user["token"]} if user else {}
    return app.get(path, headers=headers, query_string=params, status=status)


def test_a_steward_sees_the_tables_and_the_checks(app, people, answered):
    page = _get(app, "/supervision/report", people.steward, organization="nanjing-fgw",
                year="2026").body
    assert "南京市发展和改革委员会2026年政府信息公开工作年度报告" in page
    assert "1．属于国家秘密" in page and "四、结转下年度继续办理" in page
    assert "本年制发件数" in page and "行政复议" in page
    assert "表内核对全部通过" in page
    # Only its own body is offered, and not the city.
    assert "南京市财政局" not in page and "全市汇总" not in page


def test_refusals_are_shown_in_chinese(app, people, answered):
    other = _get(app, "/supervision/report", people.steward, status=403,
                 organization="nanjing-czj", year="2026").body
    assert "只有本机关的工作人员和公开办审核人员可以查看年度报告" in other
    bad_year = _get(app, "/supervision/report", people.steward, status=400,
                    organization="nanjing-fgw", year="二〇二五").body
    assert "年度应为四位数年份" in bad_year
    nobody = _get(app, "/supervision/report", people.outsider, status=403).body
    assert "没有可以查看的年度报告" in nobody
    anonymous = app.get("/supervision/report", follow_redirects=False)
    assert anonymous.status_code == 302 and "/user/login" in anonymous.headers["Location"]
    assert _get(app, "/supervision/report/nanjing-fgw/2026.exe", people.steward,
                status=404).body.count("不支持的下载格式") == 1
    file_refused = _get(app, "/supervision/report/nanjing-czj/2026.pdf", people.steward,
                        status=403).body
    assert "可以查看年度报告" in file_refused


def test_the_reviewer_downloads_the_report_as_pdf_and_docx(app, people, answered):
    city = _get(app, "/supervision/report", people.reviewer, organization="city",
                year="2026").body
    assert "南京市（全市汇总）" in city and "南京市财政局" in city
    pdf = _get(app, "/supervision/report/nanjing-fgw/2026.pdf", people.reviewer)
    assert pdf.headers["Content-Type"] == "application/pdf"
    text = flat(pdf_text(pdf.data))
    assert "南京市发展和改革委员会2026年政府信息公开工作年度报告" in text
    assert "三、收到和处理政府信息公开申请情况" in text and "属于国家秘密" in text
    word = _get(app, "/supervision/report/nanjing-fgw/2026.docx", people.reviewer)
    assert "attachment" in word.headers["Content-Disposition"]
    words = docx_text(word.data)
    assert "四、结转下年度继续办理" in words and "本年新收" in words
    # Table 三 as the official template lays it out: three heading rows, the
    # row labels over three merged columns; 一、本年新收 — two natural
    # persons, total 2.
    import docx, io  # noqa: E401
    tables = docx.Document(io.BytesIO(word.data)).tables
    table3 = [[cell.text for cell in row.cells] for row in tables[2].rows]
    assert table3[0][3:] == ["申请人情况"] * 7 and table3[1][4:9] == ["法人或其他组织"] * 5
    assert table3[1][3] == table3[2][3] == "自然人"  # merged down
    assert table3[3][:3] == ["一、本年新收政府信息公开申请数量"] * 3
    assert table3[3][3] == "2" and table3[3][-1] == "2"
    results = [row for row in table3 if row[0] == "三、本年度办理结果"]
    assert len(results) == 1 + 1 + 8 + 3 + 5 + 3 + 1  # (一) (二) (三)×8 (四)×3 (五)×5 (六)×3 (七)
    assert sum(row[1] == "（三）不予公开" for row in results) == 8
    assert results[2][1:3] == ["（三）不予公开", "1．属于国家秘密"]
    # Table 四: 行政复议 once over five columns, 行政诉讼 once over ten.
    table4 = [[cell.text for cell in row.cells] for row in tables[3].rows]
    assert table4[0] == ["行政复议"] * 5 + ["行政诉讼"] * 10
    assert table4[1][5:] == ["未经复议直接起诉"] * 5 + ["复议后起诉"] * 5
    assert table4[2][:5] == ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    assert len(tables[3]._tbl.tr_lst[0].tc_lst) == 2  # two merged cells, not fifteen
    assert "本年度发出收费通知 0 件" in words


CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')


def _post(app, path, user, **data):
    page = _get(app, "/supervision/report", user, status=None).body  # the user's own form
    data["_csrf_token"] = CSRF.search(page).group(1)
    return app.post(path, data=data, headers={"Authorization": user["token"]}, status=None,
                    follow_redirects=False)


def test_a_steward_fills_in_the_report_and_publishes_it(app, people):
    page = _get(app, "/supervision/report", people.steward, organization="nanjing-fgw",
                year="2025").body
    assert "发布期限：2026-01-31" in page and "已超过发布期限，尚未发布" in page
    assert "发布前还需填写：表二“行政许可”" in page
    # A wrong figure is shown in Chinese and what was typed is kept.
    refused = _post(app, "/supervision/report/edit", people.steward, organization="nanjing-fgw",
                    year="2025", licensing="十二", penalty="3", enforcement="0", charges="0",
                    overview="全年主动公开政府信息 120 条。", problems="", other="")
    assert refused.status_code == 400
    assert "“行政许可”应为不小于 0 的整数" in refused.body
    assert 'value="十二"' in refused.body and "全年主动公开政府信息 120 条。" in refused.body
    saved = _post(app, "/supervision/report/edit", people.steward, organization="nanjing-fgw",
                  year="2025", licensing="12", penalty="3", enforcement="0", charges="0",
                  figures_source="", overview="全年主动公开政府信息 120 条。",
                  problems="解读形式单一。", other="")
    assert saved.status_code == 302
    page = _get(app, "/supervision/report", people.steward, organization="nanjing-fgw",
                year="2025").body
    assert "已保存年度报告内容" in page and "全年主动公开政府信息 120 条。" in page
    assert "发布前还需填写" not in page
    published = _post(app, "/supervision/report/publish", people.steward,
                      organization="nanjing-fgw", year="2025")
    assert published.status_code == 302
    page = _get(app, "/supervision/report", people.steward, organization="nanjing-fgw",
                year="2025").body
    assert "年度报告已发布" in page and "晚于期限" in page
    assert "/policy_document/annual-report-2025-nanjing-fgw" in page
    # Another body's report is neither written nor published.
    other = _post(app, "/supervision/report/publish", people.other_steward,
                  organization="nanjing-fgw", year="2025")
    assert other.status_code == 403 and "只有本机关的工作人员" in other.body
