"""The metadata quality of an open dataset, in the manner of data.europa.eu's
Metadata Quality Assessment (MQA): 405 points in five dimensions, each
metric mapped to a field of our schema (README, “监督考核”). A metric the
dataset meets gives its points; the lost ones are listed by name."""
from __future__ import annotations

import dataclasses
from collections.abc import Iterable

__all__ = ["MAX_POINTS", "METRICS", "BANDS", "DatasetFacts", "ResourceFacts", "score", "band"]

MAX_POINTS = 405

# (key, dimension, points, what users read)
METRICS = (
    ("keywords", "可发现性", 30, "有标签"),
    ("theme", "可发现性", 30, "有领域分类"),
    ("spatial", "可发现性", 20, "有提供方（统一社会信用代码）"),
    ("temporal", "可发现性", 20, "有更新周期"),
    ("access_reachable", "可访问性", 50, "访问地址可以访问"),
    ("download_present", "可访问性", 20, "有下载文件"),
    ("download_reachable", "可访问性", 30, "下载地址全部可以访问"),
    ("format", "互操作性", 20, "标明文件格式"),
    ("media_type", "互操作性", 10, "标明媒体类型"),
    ("format_vocabulary", "互操作性", 10, "格式属于常用格式表"),
    ("non_proprietary", "互操作性", 20, "有开放格式（非专有）"),
    ("machine_readable", "互操作性", 20, "有机器可读格式"),
    ("valid", "互操作性", 30, "表格资源全部通过数据校验"),
    ("licence", "可重用性", 20, "有数据许可"),
    ("known_licence", "可重用性", 10, "许可属于许可目录"),
    ("access_rights", "可重用性", 10, "有开放属性"),
    ("access_rights_vocabulary", "可重用性", 5, "开放属性取自代码表"),
    ("contact_point", "可重用性", 20, "有信息资源代码（可联系提供方）"),
    ("publisher", "可重用性", 10, "有发布部门"),
    ("rights", "情境性", 5, "有使用条件（开放条件或许可）"),
    ("byte_size", "情境性", 5, "标明文件大小"),
    ("issued", "情境性", 5, "有发布日期"),
    ("modified", "情境性", 5, "有更新时间"),
)
assert sum(points for _, _, points, _ in METRICS) == MAX_POINTS

# data.europa.eu's bands: excellent 351–405, good 221–350, sufficient 121–220.
BANDS = ((351, "优秀"), (221, "良好"), (121, "合格"), (0, "较差"))

FORMATS = {"csv", "tsv", "json", "geojson", "xml", "rdf", "ttl", "jsonld", "xlsx", "xls",
           "ods", "txt", "pdf", "doc", "docx", "odt", "zip", "shp", "kml", "html", "api"}
OPEN_FORMATS = {"csv", "tsv", "json", "geojson", "xml", "rdf", "ttl", "jsonld", "ods", "txt",
                "odt", "kml", "html", "api"}
MACHINE_READABLE = {"csv", "tsv", "json", "geojson", "xml", "rdf", "ttl", "jsonld", "xlsx",
                    "xls", "ods", "kml", "shp", "api"}
MEDIA_TYPES = {"csv", "tsv", "json", "geojson", "xml", "xlsx", "xls", "ods", "txt", "pdf",
               "doc", "docx", "odt", "zip", "html"}


@dataclasses.dataclass
class ResourceFacts:
    url: str
    uploaded: bool
    format: str
    mimetype: str
    size: int | None
    reachable: bool | None  # None: an external link not checked yet
    tabular: bool
    valid: bool | None      # the gate's verdict; None for a file it does not read


@dataclasses.dataclass
class DatasetFacts:
    tags: int
    area: str
    provider_credit_code: str
    update_frequency: str
    resource_code: str
    owner_org: str
    license_id: str
    known_licence: bool
    open_type: str
    open_types: frozenset[str]
    open_conditions: str
    release_date: str
    modified: bool
    resources: list[ResourceFacts]


def _formats(resources: Iterable[ResourceFacts]) -> set[str]:
    return {r.format.lower().lstrip(".") for r in resources if r.format}


def _met(d: DatasetFacts) -> dict[str, bool]:
    resources = d.resources
    formats = _formats(resources)
    tabular = [r for r in resources if r.tabular]
    return {
        "keywords": d.tags > 0,
        "theme": bool(d.area),
        "spatial": bool(d.provider_credit_code),
        "temporal": bool(d.update_frequency),
        # An uploaded file is served by the portal itself.
        "access_reachable": any(r.uploaded or r.reachable for r in resources),
        "download_present": any(r.url for r in resources),
        "download_reachable": bool(resources) and all(r.uploaded or r.reachable
                                                      for r in resources),
        "format": bool(resources) and all(r.format for r in resources),
        "media_type": bool(resources) and all(
            r.mimetype or r.format.lower() in MEDIA_TYPES for r in resources),
        "format_vocabulary": bool(formats) and formats <= FORMATS,
        "non_proprietary": bool(formats & OPEN_FORMATS),
        "machine_readable": bool(formats & MACHINE_READABLE),
        "valid": bool(tabular) and all(r.valid for r in tabular),
        "licence": bool(d.license_id),
        "known_licence": d.known_licence,
        "access_rights": bool(d.open_type),
        "access_rights_vocabulary": d.open_type in d.open_types,
        "contact_point": bool(d.resource_code),
        "publisher": bool(d.owner_org),
        "rights": bool(d.open_conditions or d.license_id),
        "byte_size": bool(resources) and all(r.uploaded or r.size for r in resources),
        "issued": bool(d.release_date),
        "modified": d.modified,
    }


def band(points: float) -> str:
    return next(name for floor, name in BANDS if points >= floor)


def score(dataset: DatasetFacts) -> dict:
    """{points, band, lost: [what users read, points]} of one dataset."""
    met = _met(dataset)
    points = sum(weight for key, _, weight, _ in METRICS if met[key])
    lost = [{"metric": key, "dimension": dimension, "label": label, "points": weight}
            for key, dimension, weight, label in METRICS if not met[key]]
    return {"points": points, "band": band(points), "lost": lost}
