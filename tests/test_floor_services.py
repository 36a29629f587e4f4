"""The shared floor's printer, file sniffing and spreadsheet writers, used
directly as a feature would: documents are parsed back, files are real
bytes on disk, workbooks are opened with openpyxl."""
from __future__ import annotations

import csv
import io
import zipfile

import openpyxl
import pytest

from ckanext.nanjing import printing, sniffing, spreadsheets

from .documents import docx_text, flat, pdf_text

HTML = """<html><head><title>不应出现</title></head><body>
<h1>南京市某局政府信息公开告知书</h1>
<p class="number">宁某公开〔2026〕第1号</p>
<p>王小明：<b>您的申请</b>已收到。\x0b</p>
<ol><li>第一项</li><li>第二项</li></ol>
<table><tr><th>项目</th><td>金额（万元）</td></tr><tr><td>合计</td><td>1,234.5</td></tr></table>
<p class="date">2026年12月7日</p>
</body></html>"""


def _document() -> printing.Document:
    return printing.Document(kind="sample", title="告知书", html=HTML,
                             text=printing.plain_text(HTML))


def test_the_text_keeps_paragraphs_lists_and_table_rows():
    text = printing.plain_text(HTML)
    assert "不应出现" not in text
    assert "1. 第一项\n2. 第二项" in text
    assert "项目：金额（万元）\n合计：1,234.5" in text
    assert text.rstrip().endswith("2026年12月7日")


def test_pdf_and_docx_carry_the_same_words():
    document = _document()
    pdf, docx = pdf_text(printing.to_pdf(document)), docx_text(printing.to_docx(document))
    for words in ("南京市某局政府信息公开告知书", "您的申请已收到", "第二项", "1,234.5",
                  "2026年12月7日"):
        assert words in flat(pdf) and words in flat(docx), words


def test_docx_merges_cells_as_the_html_does():
    html = """<table>
    <tr><th colspan="2" rowspan="2">说明</th><th colspan="2">法人或其他组织</th></tr>
    <tr><th>商业企业</th><th>科研机构</th></tr>
    <tr><td rowspan="2">三、办理结果</td><td>（一）予以公开</td><td>1</td><td>2</td></tr>
    <tr><td>（二）部分公开</td><td>3</td><td>4</td></tr>
    <tr><td colspan="99999" rowspan="x">过宽的合并</td></tr></table>"""
    import docx
    table = docx.Document(io.BytesIO(printing.to_docx(printing.Document(
        kind="sample", title="表", html=html, text="")))).tables[0]
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows[0][:4] == ["说明", "说明", "法人或其他组织", "法人或其他组织"]
    assert rows[1][:4] == ["说明", "说明", "商业企业", "科研机构"]
    assert rows[2][:4] == ["三、办理结果", "（一）予以公开", "1", "2"]
    assert rows[3][:4] == ["三、办理结果", "（二）部分公开", "3", "4"]
    assert len(rows[4]) == printing.MAX_SPAN  # a hostile span is cut, not obeyed
    first = table._tbl.tr_lst[0].tc_lst
    assert (first[0].grid_span, first[1].grid_span) == (2, 2)  # merged, not repeated


@pytest.mark.parametrize("content, expected", [
    (b"%PDF-1.7\n", "PDF 文档"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 16, "PNG 图片"),
    (b"MZ\x90\x00" + b"\x00" * 60, "Windows 可执行程序（PE/MZ）"),
    (b"\xef\xbb\xbf  <!DOCTYPE html><html>", "HTML 网页"),
    ("名称,数量\n南京,1\n".encode("utf-8"), None),
    (b"BM is how this line of text begins", None),  # two-byte signatures need binary bytes
])
def test_foreign_files_are_named_by_their_bytes(tmp_path, content, expected):
    path = tmp_path / "upload.csv"
    path.write_bytes(content)
    assert sniffing.foreign(path) == expected


def test_zip_containers_are_told_apart(tmp_path):
    def container(name: str) -> str:
        path = tmp_path / f"{name.replace('/', '_')}.zip"
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr(name, "x")
        return path
    assert sniffing.foreign(container("xl/workbook.xml")) is None
    assert sniffing.foreign(container("word/document.xml")) == "Word 文档（.docx）"
    assert sniffing.foreign(container("notes.txt")) == "ZIP 压缩包"
    assert sniffing.sniff(container("xl/workbook.xml")) == "zip"
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(sniffing.ZIP_MAGIC + b"not a zip")
    assert sniffing.foreign(broken) is None  # the workbook reader explains it


def test_spreadsheets_neutralise_formulas_and_keep_chinese():
    header = ["机关", "说明", "得分"]
    rows = [["南京市财政局", "=HYPERLINK(\"http://evil\")", 92.5], ["市\x01场监管局", "-1", None]]
    data = spreadsheets.table_csv(header, rows)
    assert data.startswith("\ufeff".encode("utf-8"))
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert parsed[0] == header
    assert parsed[1] == ["南京市财政局", "'=HYPERLINK(\"http://evil\")", "92.5"]
    assert parsed[2][1:] == ["'-1", ""]
    book = openpyxl.load_workbook(io.BytesIO(spreadsheets.table_xlsx("排名:2026/12", header, rows)))
    sheet = book.active
    assert sheet.title == "排名_2026_12"
    assert [c.value for c in sheet[2]] == ["南京市财政局", "=HYPERLINK(\"http://evil\")", 92.5]
    assert sheet["B2"].data_type == "s"  # text, never a formula
    assert sheet["A3"].value == "市场监管局"  # a control character XML cannot hold is dropped


def test_a_page_number_as_typed_and_kept_within_the_pages():
    from ckanext.nanjing import paging

    typed = ("", "0", "-1", "²", "3", "abc", "1e3")
    assert [paging.requested_page({"page": value}) for value in typed] == [1, 1, 1, 1, 3, 1, 1]
    assert paging.requested_page({"page": "99999"}, 100) == 100
    assert paging.within(7, 41, 20) == 3 and paging.within(0, 0, 20) == 1
    assert paging.within(500, 10**6, 20, 100) == 100
