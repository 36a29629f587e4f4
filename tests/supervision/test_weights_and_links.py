"""The weights file and the link checks, with broken and hostile input:
each refused or recorded with a Chinese message, never an exception."""
from __future__ import annotations

import subprocess
import time

import pytest

from ckanext.nanjing.supervision import links, weights

from ..support import CKAN_BIN


def _file(tmp_path, text, encoding="utf-8"):
    path = tmp_path / "weights.yaml"
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return str(path)


def test_the_shipped_weights_add_up_to_100():
    shipped = weights.load(weights.PACKAGED)
    assert sum(shipped.values()) == 100 and set(shipped) <= set(weights.INDICATORS)


@pytest.mark.parametrize("text, message", [
    ("indicators:\n\tcompleteness: 20\n", "第 2 行无法解析（应为 YAML）"),
    ("- 1\n- 2\n", "应有 indicators: 一节"),
    ("indicators:\n  completeness: 60\n  quality: 30\n", "各指标权重合计为 90，应为 100"),
    ("indicators:\n  completeness: 100\n  speed: 0\n", "指标“speed”不存在"),
    ("indicators:\n  completeness: 120\n  quality: -20\n", "quality（开放数据元数据质量）的权重应为不小于 0 的数"),
    ("indicators:\n  completeness: 一百\n", "completeness（公开目录完整率）的权重应为不小于 0 的数"),
    ("indicators:\n  completeness: .nan\n", "的权重应为不小于 0 的数"),
    ("indicators:\n  completeness: true\n", "的权重应为不小于 0 的数"),
    (b"\xff\xfe\x00indicators", "不是 UTF-8 编码的文本"),
    ("", "应有 indicators: 一节"),
])
def test_a_weights_file_that_cannot_be_used_is_refused(tmp_path, text, message):
    with pytest.raises(weights.WeightsError) as raised:
        weights.load(_file(tmp_path, text))
    assert message in str(raised.value)


def test_a_missing_weights_file_is_named(tmp_path):
    with pytest.raises(weights.WeightsError, match="找不到权重文件"):
        weights.load(str(tmp_path / "none.yaml"))


def test_the_command_refuses_a_broken_weights_file_and_keeps_the_figures(
        tmp_path, ckan_ini, clean_db):
    broken = _file(tmp_path, "indicators:\n  completeness: 50\n")
    ini = tmp_path / "broken.ini"
    ini.write_text(f"[app:main]\nuse = config:{ckan_ini}\n"
                   f"ckanext.nanjing.supervision.weights_file = {broken}\n")
    result = subprocess.run([str(CKAN_BIN), "-c", str(ini), "nanjing", "supervise", "--no-links"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 1
    assert "未重算：各指标权重合计为 50，应为 100" in result.stderr
    future = subprocess.run([str(CKAN_BIN), "-c", ckan_ini, "nanjing", "supervise", "--no-links",
                             "--date", "2999-01-01"], capture_output=True, text=True, timeout=300)
    assert future.returncode == 2 and "不能按未来的日期计算" in future.stderr
    done = subprocess.run([str(CKAN_BIN), "-c", ckan_ini, "nanjing", "supervise", "--no-links"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "已重算" in done.stdout


def test_link_checks_answer_for_every_kind_of_server(link_server):
    assert links.check(f"{link_server}/ok").ok
    assert links.check(f"{link_server}/no-head").ok  # HEAD refused, GET served
    missing = links.check(f"{link_server}/missing")
    assert (missing.ok, missing.status_code, missing.message) == (False, 404, "服务器返回 HTTP 404")
    loop = links.check(f"{link_server}/loop")
    assert (loop.ok, loop.message) == (False, "重定向超过 5 次")
    started = time.monotonic()
    hang = links.check(f"{link_server}/hang", timeout=0.5)
    assert (hang.ok, hang.message) == (False, "0.5 秒内没有响应")
    assert time.monotonic() - started < 2.5
    for url, message in [("http://127.0.0.1:1/", "无法连接服务器"),
                         ("http://[::1/", "网址格式不正确"),
                         ("http://" + "很长" * 40 + ".example/", "网址格式不正确"),
                         ("http://127.0.0.1:99999/", "网址格式不正确")]:
        result = links.check(url, timeout=2)
        assert (result.ok, result.message) == (False, message), url
