"""Who runs the site, on every page and on 关于本站 (国办发〔2017〕47号), from
config; the 网站地图 lists the site's real sections; no page sends a
visitor to another site for its avatars."""
from __future__ import annotations

import re

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories

from ckanext.nanjing import doctor

pytestmark = pytest.mark.usefixtures("clean_db")


def _footer(body: str) -> str:
    return body[body.index('<footer class="site-footer'):body.index("</footer>")]


def test_every_page_names_who_runs_the_site_not_ckan(app):
    for path in ("/", "/open_dataset/", "/gkml", "/requests/new", "/user/login", "/about"):
        footer = _footer(app.get(path).body)
        assert "南京市人民政府办公厅" in footer and "主办单位" in footer, path
        assert "网站标识码" in footer and "3201000000" in footer, path
        assert '<a href="https://beian.miit.gov.cn/" rel="noopener">苏ICP备00000000号</a>' in footer
        assert "https://beian.mps.gov.cn/#/query/webSearch?code=32010202000000" in footer
        assert 'href="tel:02512345"' in footer
        for ckan_leftover in ("CKAN API", "CKAN 协会", "ckan.org", "技术支持", "opendefinition"):
            assert ckan_leftover not in footer, (path, ckan_leftover)


def test_the_footer_reads_in_english_too(app):
    footer = _footer(app.get("/en/").body)
    assert "Sponsored by" in footer and "Website identifier" in footer
    assert "About this site" in footer and "Site map" in footer


def test_about_page_gives_contact_and_accessibility(app):
    body = app.get("/about").body
    assert "<h1 class=\"page-heading\">关于本站</h1>" in body
    assert 'id="contact"' in body and 'id="accessibility"' in body
    for shown in ("南京市大数据管理局", "南京市建邺区江东中路265号", "210019",
                  'href="mailto:zwgk@nanjing.gov.cn"', "GB/T 37668"):
        assert shown in body, shown
    assert 'href="/requests/new"' in body and 'href="/sitemap"' in body


@pytest.mark.ckan_config("ckanext.nanjing.site.organizer", "")
@pytest.mark.ckan_config("ckanext.nanjing.site.email", "")
@pytest.mark.ckan_config("ckanext.nanjing.site.conac_url", "https://bszs.conac.cn/sitename?id=1")
def test_what_is_not_configured_is_left_out_not_shown_blank(app):
    footer = _footer(app.get("/").body)
    assert "承办单位" not in footer and "mailto:" not in footer
    # The mark without an image of its own is named, never fetched from conac.cn.
    assert '<a class="nanjing-conac" href="https://bszs.conac.cn/sitename?id=1"' in footer
    assert "党政机关网站标识" in footer and "<img" not in footer


def _links(html: str) -> set[str]:
    return set(re.findall(r'href="([^"#]+)"', html))


def test_site_map_lists_every_header_section_area_and_department(app):
    factories.Organization(name="nanjing-czj", title="南京市财政局")
    factories.Organization(name="nanjing-xwq", title="玄武区人民政府")
    home = app.get("/").body
    navigation = home[home.index('id="main-navigation-toggle"'):]
    navigation = navigation[:navigation.index("</ul>")]
    body = app.get("/sitemap").body
    site_map = body[body.index('class="module-content nanjing-site-map"'):]
    assert "<h1 class=\"page-heading\">网站地图</h1>" in site_map
    assert _links(navigation) and _links(navigation) <= _links(site_map)
    for link in ("/organization/nanjing-czj", "/organization/nanjing-xwq",
                 "/open_dataset/?area=budgets", "/gkml?area=budgets",
                 "/policy_interpretation/", "/requests/lookup", "/about"):
        assert f'href="{link}"' in site_map, link
    assert "南京市财政局" in site_map and "玄武区人民政府" in site_map
    assert "财政预决算" in site_map


def test_signed_in_pages_show_a_local_avatar_not_gravatar(app):
    user = factories.UserWithToken(email="zhang@example.org", image_url="")
    for path in ("/dashboard/datasets", f"/user/{user['name']}"):
        body = app.get(path, headers={"Authorization": user["token"]}).body
        assert "gravatar" not in body, path
        assert "/base/images/placeholder-user.png" in body, path


def test_doctor_reminds_of_missing_identity_and_a_malformed_identifier():
    config = dict(tk.config)
    assert doctor.check_site_identity(config).warning is False
    config.update({"ckanext.nanjing.site.sponsor": "", "ckanext.nanjing.site.identifier": "32-01"})
    check = doctor.check_site_identity(config)
    assert check.ok and check.warning
    assert "主办单位" in check.summary and "网站标识码“32-01”应为 10 位字母或数字" in check.summary


def test_a_picture_linked_from_another_site_shows_the_local_placeholder(app):
    user = factories.UserWithToken(image_url="https://dummyimage.com/820x20")
    own = factories.UserWithToken(image_url="/uploads/user/zhang.png")
    body = app.get(f"/user/{user['name']}", headers={"Authorization": user["token"]}).body
    assert "dummyimage.com" not in body and "/base/images/placeholder-user.png" in body
    body = app.get(f"/user/{own['name']}", headers={"Authorization": own["token"]}).body
    assert "/uploads/user/zhang.png" in body


def test_the_site_map_lists_every_department_in_pinyin_order(app):
    # More than organization_list gives with all fields at once (25).
    for number in range(26):
        factories.Organization(name=f"district-office-{number:02d}", title=f"街道办事处{number:02d}")
    factories.Organization(name="nanjing-jtj", title="南京市交通运输局")
    factories.Organization(name="nanjing-fgw", title="南京市发展和改革委员会")
    site_map = app.get("/sitemap").body
    for number in range(26):
        assert f"/organization/district-office-{number:02d}" in site_map
    # 发 fa before 交 jiao, though 交 comes first by code point.
    assert site_map.index("南京市发展和改革委员会") < site_map.index("南京市交通运输局")
    assert site_map.index("街道办事处25") < site_map.index("南京市发展和改革委员会")  # jie < nan
