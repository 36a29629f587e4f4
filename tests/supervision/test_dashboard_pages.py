"""The 监督考核 dashboard, its CSV and XLSX exports (read back), and the
public 公开情况 page, as stewards, reviewers and the public fetch them."""
from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from ckanext.nanjing.supervision import supervise

from .test_indicators import catalog  # noqa: F401  (the hand-worked records)
from .test_pages import _get

pytestmark = pytest.mark.usefixtures("people")


def test_a_reviewer_sees_the_ranking_the_charts_and_the_lists(app, people, catalog):
    page = _get(app, "/supervision", people.reviewer).body
    assert "各部门排名" in page and "南京市发展和改革委员会" in page and "南京市财政局" in page
    assert 'id="chart-scores"' in page and 'id="chart-trend"' in page
    assert "/webassets/nanjing_supervision/" in page and "_echarts.js" in page
    assert 'id="supervision-data"' in page
    # The city's lists by default, each body named, each item linked.
    assert "缺少公开内容的目录事项（3）" in page and 'href="/gkml_item/e2-nothing"' in page
    assert "逾期的依申请公开（2）" in page and "已逾期" in page
    body = _get(app, "/supervision", people.reviewer, organization="nanjing-fgw").body
    assert "南京市发展和改革委员会：" in body and "失分项" in body


def test_a_steward_sees_only_its_body(app, people, catalog):
    page = _get(app, "/supervision", people.steward).body
    assert "南京市发展和改革委员会" in page and "南京市财政局" not in page
    refused = _get(app, "/supervision", people.steward, status=403,
                   organization="nanjing-czj").body
    assert "只能查看本部门的监督考核数据" in refused
    outsider = _get(app, "/supervision", people.outsider, status=403).body
    assert "只有公开办审核人员和各部门工作人员可以查看监督考核" in outsider
    anonymous = app.get("/supervision", follow_redirects=False, status=302)
    assert "/user/login" in anonymous.headers["Location"]


def test_bad_parameters_get_a_chinese_page_not_a_500(app, people, catalog):
    assert "月份应写作 YYYY-MM" in _get(app, "/supervision", people.reviewer, status=400,
                                         month="<script>").body
    missing = _get(app, "/supervision", people.reviewer, status=404, organization="x" * 500).body
    assert "没有“" + "x" * 60 + "”" in missing  # the name is cut, not echoed whole
    _get(app, "/supervision/export/ranking.pdf", people.reviewer, status=404)
    _get(app, "/supervision/export/nothing.csv", people.reviewer, status=404)
    _get(app, "/openness/export.exe", status=404)


def test_every_table_exports_as_csv_and_xlsx(app, people, catalog):
    ranking = _get(app, "/supervision/export/ranking.csv", people.reviewer)
    assert ranking.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(ranking.body.lstrip("\ufeff"))))
    assert rows[0][:4] == ["排名", "部门", "得分", "公开目录完整率"]
    fgw = next(row for row in rows if row[1] == "南京市发展和改革委员会")
    assert fgw[0] == "1" and fgw[3] == "40.0"
    book = openpyxl.load_workbook(io.BytesIO(_get(
        app, "/supervision/export/completeness.xlsx", people.steward,
        organization="nanjing-fgw").data))
    sheet = book.active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == ["部门", "名称或编号", "标题或资源", "问题", "期限", "地址"]
    assert sorted(row[1] for row in values[1:]) == ["e2-nothing", "e3-stale", "e5-broken"]
    assert all(row[5].endswith(f"/gkml_item/{row[1]}") for row in values[1:])


def test_the_public_page_shows_headline_figures_only(app, catalog):
    page = _get(app, "/openness").body
    assert "政务公开情况" in page and "南京市发展和改革委员会" in page
    assert "申请按期答复率" in page and "33.3" in page
    assert "e2-nothing" not in page and "得分" not in page
    sheet = openpyxl.load_workbook(io.BytesIO(_get(app, "/openness/export.xlsx").data)).active
    header = [cell.value for cell in next(sheet.iter_rows())]
    assert header[0] == "部门" and "申请按期答复率（%）" in header


def test_before_the_first_run_the_pages_say_so(app, people, clean_db):
    assert "尚未计算监督考核指标" in _get(app, "/supervision", people.reviewer).body
    # Today's counts are shown at once; the rates wait for the daily run.
    assert "目录完整率等考核比率尚未计算" in _get(app, "/openness").body
    supervise.run(check_links=False)
    assert "各部门排名" in _get(app, "/supervision", people.reviewer).body


def test_figures_per_post_are_shown_and_exported(app, people, catalog):
    """Every record and request of the hand-worked catalog was made by one
    sysadmin: 11 public records (2 datasets, 6 proactive or on-request
    entries, 2 policies, 1 interpretation), 2 replies (1 on time), 1 open
    request overdue."""
    page = _get(app, "/supervision", people.steward).body
    assert "各岗位情况" in page
    posts = _get(app, "/supervision/export/posts.csv", people.steward,
                 organization="nanjing-fgw")
    rows = list(csv.reader(io.StringIO(posts.body.lstrip("\ufeff"))))
    assert rows[0] == ["经办人员", "发布公开记录", "答复申请", "按期答复", "按期答复率（%）",
                       "平均答复用时（工作日）", "逾期未答复"]
    assert len(rows) == 2 and rows[1][1:5] == ["11", "2", "1", "50.0"]
    assert rows[1][6] == "1"
    # The city has no posts of its own: the header only.
    city = _get(app, "/supervision/export/posts.csv", people.reviewer, organization="city")
    assert len(list(csv.reader(io.StringIO(city.body.lstrip("\ufeff"))))) == 1
