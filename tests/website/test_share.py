"""Sharing as readers in China share: a WeChat QR code made on the server
and a Weibo link instead of X and Facebook, and Open Graph tags for the
share card."""
from __future__ import annotations

import html
import re

import pytest
import segno

import ckan.plugins.toolkit as tk
from ckan.tests import factories

from ckanext.nanjing import qrcodes

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")


def _meta(body: str, prop: str) -> list[str]:
    return [html.unescape(value) for value in
            re.findall(rf'<meta property="{prop}" content="([^"]*)"', body)]


def _qr_images(body: str) -> list[str]:
    return [html.unescape(src) for src in re.findall(r'<img src="(data:image/svg\+xml[^"]+)"', body)]


def test_a_dataset_page_shares_to_wechat_and_weibo_with_one_share_card(app):
    org = factories.Organization(title="南京市交通运输局")
    factories.Dataset(name="bus-routes", title="南京市公交线路", notes="主城区公交线路。",
                      owner_org=org["id"])
    body = app.get("/dataset/bus-routes").body
    url = tk.config["ckan.site_url"] + "/dataset/bus-routes"
    assert _qr_images(body) == [qrcodes.svg_data_uri(url)]  # the code of this page's address
    assert "微信扫一扫" in body and "分享到微博" in body
    assert f"https://service.weibo.com/share/share.php?url={url.replace(':', '%3A')}" in body
    for gone in ("x.com/share", "facebook.com/sharer"):
        assert gone not in body
    assert len(_meta(body, "og:title")) == 1 and _meta(body, "og:title")[0].startswith("南京市公交线路")
    assert _meta(body, "og:description") == ["主城区公交线路。"]
    assert _meta(body, "og:url") == [url] and _meta(body, "og:locale") == ["zh_CN"]
    assert _meta(body, "og:image")[0].startswith(tk.config["ckan.site_url"] + "/")


def test_every_page_has_a_share_card_titled_as_the_page(app):
    body = app.get("/gkml").body
    assert _meta(body, "og:title") == [re.search(r"<title>([^<]*)</title>", body).group(1).strip()]
    assert _meta(body, "og:site_name") and _meta(body, "og:url")[0].endswith("/gkml")


def test_a_qr_code_refuses_empty_and_huge_text():
    for text in ("", "x" * (qrcodes.MAX_TEXT + 1)):
        with pytest.raises(ValueError, match="二维码内容"):
            qrcodes.svg_data_uri(text)
    assert qrcodes.svg_data_uri("https://data.nanjing.gov.cn/") == \
        segno.make("https://data.nanjing.gov.cn/", error="m").svg_data_uri(scale=4, border=2)
