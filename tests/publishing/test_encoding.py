"""Encodings decided over the whole file, and formats checked against the bytes."""
from __future__ import annotations

import codecs

import pytest

from ckanext.nanjing.publishing import encoding, formats


@pytest.fixture(autouse=True)
def plugins_from_ini():
    """Overrides the suite's: these functions need no CKAN."""


@pytest.mark.parametrize("content, expected", [
    ("名称\n南京\n".encode("utf-8"), "utf-8"),
    (codecs.BOM_UTF8 + "名称\n南京\n".encode("utf-8"), "utf-8-sig"),
    ("名称\n南京\n".encode("utf-16"), "utf-16"),
    ("名称\n南京\n".encode("gbk"), "gb18030"),
    # ASCII for a megabyte, then one GB18030 character: a sample would say UTF-8.
    (b"a,b\n" + b"1,2\n" * 300_000 + "3,镕\n".encode("gb18030"), "gb18030"),
])
def test_the_encoding_is_decided_over_the_whole_file(tmp_path, content, expected):
    path = tmp_path / "t.csv"
    path.write_bytes(content)
    assert encoding.detect(path) == expected


def test_normalising_keeps_the_text_and_drops_the_bom(tmp_path):
    source, target = tmp_path / "gbk.csv", tmp_path / "utf8.csv"
    source.write_bytes(codecs.BOM_UTF8 + "名称,区\n鼓楼,玄武\n".encode("utf-8"))
    encoding.normalise(source, encoding.detect(source), target)
    assert target.read_bytes() == "名称,区\n鼓楼,玄武\n".encode("utf-8")


@pytest.mark.parametrize("resource, expected", [
    ({"format": "CSV", "url": "x.txt"}, "csv"),
    ({"format": ".xlsx", "url": ""}, "xlsx"),
    ({"format": "", "url": "http://example.com/data.TSV?x=1"}, "tsv"),
    ({"format": "PDF", "url": "a.csv"}, None),
    ({"format": "", "url": "report.docx"}, None),
])
def test_which_resources_are_tabular(resource, expected):
    assert formats.tabular_format(resource) == expected
