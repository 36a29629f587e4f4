"""Licences named in Chinese on the pages. Only on the pages: a record's
`license_title` in the API is CKAN's (English) title, whatever language
the record was indexed in, so clients and copies of the catalog
(ckanapi dump/load) see the same value everywhere."""
from __future__ import annotations

from types import MappingProxyType

__all__ = ["CHINESE_NAMES", "shown_title"]

# CKAN's licence register, by id, with the short name people know.
CHINESE_NAMES = MappingProxyType({
    "cc-by": "知识共享署名许可协议（CC BY）",
    "cc-by-sa": "知识共享署名-相同方式共享许可协议（CC BY-SA）",
    "cc-zero": "知识共享零权利保留声明（CC0）",
    "cc-nc": "知识共享非商业性使用许可协议（CC BY-NC）",
    "odc-odbl": "开放数据共享开放数据库许可协议（ODbL）",
    "odc-by": "开放数据共享署名许可协议（ODC-By）",
    "odc-pddl": "开放数据共享公共领域贡献和许可协议（PDDL）",
    "gfdl": "GNU 自由文档许可证（GFDL）",
    "uk-ogl": "英国开放政府许可协议（OGL）",
    "other-open": "其他（开放）",
    "other-pd": "其他（公共领域）",
    "other-at": "其他（署名）",
    "other-nc": "其他（非商业性使用）",
    "other-closed": "其他（不开放）",
    "notspecified": "未指定许可协议",
})


def shown_title(license_id: str | None, license_title: str | None, lang: str) -> str:
    """The licence's name for a page in `lang`."""
    if lang != "en" and license_id in CHINESE_NAMES:
        return CHINESE_NAMES[license_id]
    return license_title or license_id or ""
