"""Broken, hostile and huge uploads: each gets a clear Chinese answer (409,
never a 500), and what was there before is still there."""
from __future__ import annotations

import io
import threading
import time
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from .conftest import VALID_CSV, dataset_dict

HEADER = "监测点,所在区,监测日期,PM2.5浓度,备注\n"


@pytest.fixture
def dataset(call, steward, org):
    result = call("package_create", steward, **dataset_dict(org))
    assert result["success"], result
    return result["result"]


@pytest.fixture
def refused(upload, steward, dataset, call):
    """Uploads a new resource that must be refused; returns the message and
    checks that the dataset still has no resource."""
    def send(content: bytes, filename: str, format: str = "CSV") -> str:
        status, body = upload("resource_create", steward, content, filename,
                              package_id=dataset["id"], name="上传文件", format=format)
        assert status == 409, body
        assert call("package_show", id=dataset["id"])["result"]["resources"] == []
        messages = body["error"].get("url") or body["error"].get("upload")
        return messages[0]
    return send


def test_empty_file(refused):
    assert "文件是空的" in refused(b"", "air.csv")


def test_header_only(refused):
    assert "只有表头，没有数据行" in refused(HEADER.encode(), "air.csv")


def test_ragged_rows(refused):
    message = refused((HEADER + "玄武湖,玄武区,2026-11-01\n"
                       "草场门,鼓楼区,2026-11-01,41,,多余\n").encode(), "air.csv")
    assert "第 2 行“PM2.5浓度”列缺失：该行的列数少于表头" in message
    assert "第 3 行第 6 列多出一个单元格" in message


def test_duplicate_and_blank_headers(refused):
    message = refused("监测点,所在区,,PM2.5浓度,监测点\n玄武湖,玄武区,2026-11-01,3,x\n".encode(),
                      "air.csv")
    assert "表头第 3 列名称为空（信息项中为“监测日期”）" in message
    assert "表头第 5 列“监测点”与前面的列重名" in message


def test_a_file_whose_extension_lies(refused):
    message = refused(VALID_CSV.encode(), "air.xlsx", format="XLSX")
    assert "文件声明为 Excel（.xlsx），但内容是 文本" in message
    workbook = io.BytesIO()
    with zipfile.ZipFile(workbook, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    assert "声明为 CSV，但内容是 ZIP 压缩包" in refused(workbook.getvalue(), "air.csv")


def test_a_binary_file_named_csv(refused):
    assert "二进制内容" in refused(bytes(range(256)) * 64, "air.csv")


def test_a_zip_bomb_disguised_as_xlsx(refused):
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (64 << 20))
    assert len(bomb.getvalue()) < 1 << 20
    assert "疑似压缩炸弹，已拒绝" in refused(bomb.getvalue(), "air.xlsx", format="XLSX")


def test_mixed_encodings_in_one_file(refused):
    content = (HEADER.encode("utf-8") + "玄武湖,玄武区,2026-11-01,3,正常\n".encode("utf-8")
               + "草场门,鼓楼区,2026-11-01,4,正常\n".encode("gbk"))
    message = refused(content, "air.csv")
    assert "混用了多种字符编码" in message and "第 1、2 行是 UTF-8" in message


def test_a_200_mb_single_field(refused):
    huge = HEADER.encode() + b'"' + b"x" * (200 << 20) + b'",a,2026-11-01,1,\n'
    assert "超过 16 MB" in refused(huge, "air.csv")


def test_personal_numbers_block_publication(refused):
    # A valid ID number (check character computed), unmasked, in free text.
    body = "32010219900307001"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights)) % 11]
    content = HEADER + f"玄武湖,玄武区,2026-11-01,3,联系人身份证{body}{check}\n"
    message = refused(content.encode(), "air.csv")
    assert "第 2 行“备注”列" in message and "身份证" in message
    assert body + check not in message  # the report does not repeat the number


def test_a_schema_that_does_not_parse(call, steward, org):
    result = call("package_create", steward,
                  **dataset_dict(org, information_items='{"fields": [ {"name": '))
    assert result["success"] is False
    assert "信息项" in result["error"]["information_items"][0]
    assert call("package_show", id="nanjing-air-quality")["success"] is False


class _SlowServer(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's naming
        time.sleep(3)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(VALID_CSV.encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def slow_url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SlowServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/air.csv"
    server.shutdown()


@pytest.mark.ckan_config("ckanext.nanjing.validation.fetch_timeout", "1")
def test_a_resource_url_that_times_out(call, steward, dataset, slow_url):
    result = call("resource_create", steward, package_id=dataset["id"], name="外部链接",
                  format="CSV", url=slow_url)
    assert result["success"] is False
    assert "下载资源文件超时（1 秒无响应）" in result["error"]["url"][0]
    assert call("package_show", id=dataset["id"])["result"]["resources"] == []


def _zip(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


def _ole(stream: str) -> bytes:
    return (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
            + stream.encode("utf-16-le") + b"\x00" * 64)


NOT_TABLES = {
    "PDF 文档": b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n" + VALID_CSV.encode(),
    "Word 文档（.docx）": _zip("[Content_Types].xml", "word/document.xml"),
    "PowerPoint 演示文稿（.pptx）": _zip("[Content_Types].xml", "ppt/presentation.xml"),
    "Word 97-2003 文档（.doc）": _ole("WordDocument"),
    "PowerPoint 97-2003 演示文稿（.ppt）": _ole("PowerPoint Document"),
    "PNG 图片": b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
    "JPEG 图片": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64,
    "GIF 图片": b"GIF89a" + b"\x00" * 64,
    "WebP 图片": b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 64,
    "BMP 图片": b"BM\x36\x00\x00\x00\x00\x00\x00\x00" + b"\x00" * 64,
    "TIFF 图片": b"II*\x00\x08\x00\x00\x00" + b"\x00" * 64,
    "ZIP 压缩包": _zip("report.txt"),
    "gzip 压缩包": b"\x1f\x8b\x08\x00" + b"\x00" * 64,
    "7z 压缩包": b"7z\xbc\xaf\x27\x1c\x00\x04" + b"\x00" * 64,
    "RAR 压缩包": b"Rar!\x1a\x07\x01\x00" + b"\x00" * 64,
    "tar 归档": b"a.csv".ljust(257, b"\x00") + b"ustar\x0000" + b"\x00" * 240,
    "ELF 可执行程序": b"\x7fELF\x02\x01\x01" + b"\x00" * 64,
    "Windows 可执行程序（PE/MZ）": b"MZ\x90\x00\x03\x00" + b"\x00" * 64,
    "Mach-O 可执行程序": b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + b"\x00" * 64,
    "HTML 网页": b"<!DOCTYPE html><html><body><table><tr><td>1</td></tr></table></body></html>",
    "XML 文档": b"<?xml version='1.0'?><rows><row>1</row></rows>",
}


@pytest.mark.parametrize("kind", sorted(NOT_TABLES))
def test_a_file_that_is_not_a_table_whatever_its_name(refused, kind):
    message = refused(NOT_TABLES[kind], "air.csv")
    assert f"文件内容是{kind}，不是表格数据" in message


def test_a_pdf_declared_as_a_workbook(refused):
    assert "文件内容是PDF 文档" in refused(NOT_TABLES["PDF 文档"], "air.xlsx", format="XLSX")


def test_a_table_whose_header_starts_like_a_signature(call, upload, steward, dataset):
    # "BM"/"MZ" begin ordinary words too: text is never taken for a bitmap.
    status, body = upload("resource_create", steward,
                          ("BMI" + VALID_CSV[3:]).encode(), "air.csv",
                          package_id=dataset["id"], name="上传文件", format="CSV")
    assert status != 409 or "不是表格数据" not in str(body), body
