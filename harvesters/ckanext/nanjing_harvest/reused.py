"""ckanext-harvest's CKAN harvester and ckanext-dcat's DCAT RDF harvester,
reused as they are but for the two things that break them on this
platform (CKAN 2.12 with the validation gate); registered as the plugins
`nanjing_ckan_harvester` and `nanjing_dcat_rdf_harvester`. They keep their source
types, `ckan` and `dcat_rdf`, and replace the stock plugins
(`ckan_harvester`, `dcat_rdf_harvester`) in `ckan.plugins`: load one or
the other, never both, since ckanext-harvest picks a harvester by type.

1. A refused dataset must be reported, not crash the import. Both
   importers point the harvest object at the dataset's new id (foreign key
   deferred) and flush before calling package_create. CKAN core rolls the
   session back when its own validation fails, but the gate refuses a
   dataset whose file fails (or cannot be fetched) in the chained
   package_create, before core runs: the session still holds the dangling
   reference, and saving the object error commits it. The job then shows a
   ForeignKeyViolation instead of the gate's Chinese report. Rolling back
   first, as core does, keeps the report (and leaves the object not current,
   so the next run tries again).

2. Re-harvesting an unchanged catalog must change nothing. ckanext-dcat's
   importer updates every dataset of the catalog on every run with the
   dataset as parsed from the RDF, which lacks what the platform added:
   the `datastore_active` flag of files the gate loaded (package_update
   would clear it, and the DataStore preview disappears), and the
   harvest_object_id/harvest_source_id/harvest_source_title extras that
   ckanext-harvest puts into the search index's copy of the dataset, which
   the gate's save of datastore_active (publishing/publish.py) stores back. Both are
   carried over, so the update of an unchanged dataset is one that CKAN
   2.12 skips: metadata_modified does not move. (The CKAN harvester only
   updates datasets whose remote metadata_modified is newer, and copies
   the district's own flag, set by the same gate.)

Messages. ckanext-harvest's and ckanext-dcat's own messages stay in
English as they wrote them: gather errors ("Unable to search remote CKAN
for datasets…", "Could not get content from…", "Error parsing the RDF
file…"), the prefixes of object errors ("Invalid package with GUID …: {…}",
"Create validation Error: …", whose reasons, from the gate and the
catalog's validation, are Chinese) and their configuration checks
("api_version must be an integer"). Added here, in Chinese: a gather
that failed gets a second gather error saying what to check, and the
configuration is checked first for what goes wrong most (not JSON, an
unknown remote_orgs/remote_groups value, which ckanext-harvest silently
treats as "ignore", an unknown rdf_format).
"""
from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins as p
from ckanext.dcat.harvesters.rdf import DCATRDFHarvester
from ckanext.dcat.interfaces import IDCATRDFHarvester
from ckanext.dcat.processors import RDFParser
from ckanext.harvest.harvesters.ckanharvester import CKANHarvester
from ckanext.harvest.model import HarvestGatherError, HarvestObjectError

from . import config

__all__ = ["CkanHarvester", "DcatRdfHarvester"]

HARVEST_EXTRAS = ("harvest_object_id", "harvest_source_id", "harvest_source_title")
_KIND = {"remote_orgs": "部门（组织）", "remote_groups": "分组"}


class _Reused:
    what = "目录"

    def _save_object_error(self, message, obj, stage="Fetch", line=None):
        # See 1. in the module's docstring.
        model.Session.rollback()
        HarvestObjectError.create(message, obj, stage, line)

    def gather_stage(self, harvest_job):
        before = _gather_errors(harvest_job)
        result = super().gather_stage(harvest_job)
        if not result and _gather_errors(harvest_job) > before:
            self._save_gather_error(
                f"无法从采集源 {harvest_job.source.url} 读取{self.what}（原因见 ckanext-harvest/"
                f"ckanext-dcat 给出的英文错误）：请检查采集源地址是否正确、对方是否在运行、"
                f"返回的是否是{self.what}", harvest_job)
        return result

    def _check_config(self, obj: dict[str, Any]) -> None:
        pass

    def validate_config(self, text):
        if text and text.strip():
            self._check_config(config.parse(text))
        return super().validate_config(text)


def _gather_errors(job) -> int:
    return model.Session.query(HarvestGatherError).filter_by(harvest_job_id=job.id).count()


class CkanHarvester(_Reused, CKANHarvester):
    """`ckan`: a remote CKAN portal, e.g. a district portal of this platform."""
    what = " CKAN 门户的数据集目录"

    def _check_config(self, obj: dict[str, Any]) -> None:
        for key in ("remote_orgs", "remote_groups"):
            if key in obj and obj[key] not in ("only_local", "create"):
                raise config.ConfigError(
                    f"配置项“{key}”应为 \"only_local\"（只用本平台已有的同名{_KIND[key]}）或 "
                    f"\"create\"（没有则按对方门户新建）；不需要时删去该项")

    def info(self):
        return dict(super().info(), title="CKAN 门户",
                    description="汇聚另一个 CKAN 门户（如区级门户）的数据集，字段原样保留")


class DcatRdfHarvester(_Reused, DCATRDFHarvester):
    """`dcat_rdf`: a DCAT catalog in RDF (Turtle, RDF/XML, JSON-LD)."""
    p.implements(IDCATRDFHarvester, inherit=True)
    what = " DCAT 目录"

    def _check_config(self, obj: dict[str, Any]) -> None:
        formats = RDFParser().supported_formats()
        if "rdf_format" in obj and obj["rdf_format"] not in formats:
            raise config.ConfigError(
                f"配置项“rdf_format”的值“{obj['rdf_format']}”不是可解析的 RDF 格式；"
                f"常用的有 turtle、xml、json-ld，全部可用值：{'、'.join(sorted(map(str, formats)))}")

    def info(self):
        return dict(super().info(), title="DCAT 目录（RDF）",
                    description="采集 DCAT-AP 目录（Turtle、RDF/XML、JSON-LD），"
                                "映射为开放数据集（open_dataset）")

    # IDCATRDFHarvester

    def before_update(self, harvest_object, dataset_dict: dict[str, Any], temp_dict) -> None:
        # See 2. in the module's docstring.
        if not dataset_dict:
            return
        for resource in dataset_dict.get("resources") or []:
            existing = model.Resource.get(resource["id"]) if resource.get("id") else None
            if existing is not None and "datastore_active" in (existing.extras or {}):
                resource.setdefault("datastore_active", existing.extras["datastore_active"])
        package = model.Package.get(dataset_dict.get("id") or "")
        stored = package.extras if package is not None else {}
        extras = dataset_dict.setdefault("extras", [])
        given = {extra["key"] for extra in extras}
        extras.extend({"key": key, "value": value} for key, value in stored.items()
                      if key in HARVEST_EXTRAS and key not in given)
