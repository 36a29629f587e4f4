"""A ckanext-dcat profile for the catalog's own fields (used after
`euro_dcat_ap_2`): adds them to the DCAT-AP output of ckanext-dcat, and
maps DCAT-AP back to them when ckanext-dcat parses a catalog, so that the
DCAT harvester (`dcat_rdf`) makes `open_dataset` records: 信息资源代码 from
adms:identifier (skos:notation) or a code-shaped dct:identifier, 领域 from a
keyword that is an area's label, 更新周期 and 开放属性 from the EU
vocabularies, 信息资源格式 from the distributions' formats, the provider
organization by its title. What a source does not say stays empty, and the
catalog's validation then names the missing field in the harvest report."""
from __future__ import annotations

import json
import re
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

import ckan.model as model
from ckanext.dcat.profiles import RDFProfile
from ckanext.dcat.profiles.base import ADMS, DCAT, DCT, SKOS

from . import codelists, identifiers

__all__ = ["NanjingDCATProfile"]

EU = "http://publications.europa.eu/resource/authority/"
FREQUENCIES = {
    "realtime": "CONT", "daily": "DAILY", "weekly": "WEEKLY", "monthly": "MONTHLY",
    "quarterly": "QUARTERLY", "yearly": "ANNUAL", "irregular": "IRREG",
}
ACCESS_RIGHTS = {"unconditional": "PUBLIC", "conditional": "RESTRICTED", "not-open": "NON_PUBLIC"}
# 信息资源代码-shaped identifiers (320100-05-0001), not UUIDs or URIs.
RESOURCE_CODE = re.compile(r"^\d{6}-\d{2}-\d{3,6}$")
# Distribution formats → 信息资源格式 (政务信息资源目录编制指南).
RESOURCE_FORMATS = {
    "spreadsheet": {"CSV", "TSV", "XLS", "XLSX", "ODS"},
    "self-describing": {"JSON", "XML", "RDF", "GEOJSON", "JSON-LD"},
    "document": {"PDF", "DOC", "DOCX", "TXT", "HTML", "ODT", "OFD", "WPS"},
    "image": {"JPG", "JPEG", "PNG", "GIF", "TIFF", "SVG"},
    "media": {"MP4", "AVI", "MP3", "FLV", "M3U8"},
    "database": {"SQL", "API", "WMS", "WFS"},
}
# DCAT-AP extras that become catalog fields here (kept once, as the field).
MAPPED_EXTRAS = {"frequency", "access_rights", "related_resource", "alternate_identifier"}


class NanjingDCATProfile(RDFProfile):

    def parse_dataset(self, dataset_dict: dict[str, Any], dataset_ref) -> dict[str, Any]:
        extras = {e["key"]: e["value"] for e in dataset_dict.get("extras", [])}
        dataset_dict.setdefault("type", "open_dataset")
        code = self._resource_code(dataset_ref, extras.get("identifier"))
        if code:
            dataset_dict["resource_code"] = code
        area, tags = self._area(dataset_dict.get("tags") or [])
        dataset_dict["tags"] = tags
        if area:
            dataset_dict["area"] = area
        frequency = _reverse(FREQUENCIES, extras.get("frequency"))
        if frequency:
            dataset_dict["update_frequency"] = frequency
        openness = _reverse(ACCESS_RIGHTS, extras.get("access_rights"))
        if openness:
            dataset_dict["open_type"] = openness
            # A resource open to the public is shared on the same terms
            # within government; a closed one's sharing the source does not say.
            if openness != "not-open":
                dataset_dict["share_type"] = openness
            else:
                # Never public here (access/validators.py).
                dataset_dict["private"] = True
        rights = self._object_value(dataset_ref, DCT.rights)
        if rights and openness == "conditional":
            dataset_dict["open_conditions"] = rights
        issued = self._object_value(dataset_ref, DCT.issued)
        if re.match(r"^\d{4}-\d{2}-\d{2}", issued or ""):
            dataset_dict["release_date"] = issued[:10]
        related = [v for v in _json_list(extras.get("related_resource")) if RESOURCE_CODE.match(v)]
        if related:
            dataset_dict["related_resource_codes"] = related
        identifier = extras.get("publisher_identifier") or ""
        if identifiers.is_credit_code(identifier):
            dataset_dict["provider_credit_code"] = identifier
        resource_format = self._resource_format(dataset_dict.get("resources") or [])
        if resource_format:
            dataset_dict["resource_format"] = resource_format
        org = _organization_titled(extras.get("publisher_name"))
        if org:
            dataset_dict["owner_org"] = org
        if code and not dataset_dict.get("name"):
            # Chinese titles make no URL name; the code is unique and stable.
            dataset_dict["name"] = code.lower()
        if not dataset_dict.get("license_id"):
            dataset_dict["license_id"] = _license(dataset_dict.get("resources") or [])
        dataset_dict["extras"] = [e for e in dataset_dict.get("extras", [])
                                  if e["key"] not in MAPPED_EXTRAS]
        return dataset_dict

    def _resource_code(self, dataset_ref, identifier: str | None) -> str | None:
        for node in self.g.objects(dataset_ref, ADMS.identifier):
            notation = self._object_value(node, SKOS.notation)
            if notation:
                return notation.strip()
        if identifier and RESOURCE_CODE.match(identifier.strip()):
            return identifier.strip()
        return None

    @staticmethod
    def _area(tags: list[dict[str, Any]]) -> tuple[str | None, list[dict[str, Any]]]:
        """The area named by a keyword (its Chinese or English label, or its
        code); English labels, which our own output adds, are not kept as tags."""
        found = None
        kept = []
        for tag in tags:
            name = (tag.get("name") or "").strip()
            for item in codelists.get("areas").values:
                if name in (item["value"], item["label"], item.get("label_en")):
                    found = found or item["value"]
                    if name != item["label"]:
                        break
            else:
                kept.append(tag)
        return found, kept

    @staticmethod
    def _resource_format(resources: list[dict[str, Any]]) -> str | None:
        for resource in resources:
            declared = (resource.get("format") or "").upper().rsplit("/", 1)[-1]
            for value, formats in RESOURCE_FORMATS.items():
                if declared in formats:
                    return value
        return None

    def graph_from_dataset(self, dataset_dict: dict[str, Any], dataset_ref) -> None:
        g = self.g
        code = dataset_dict.get("resource_code") or dataset_dict.get("item_code")
        if code:
            # 信息资源代码 / 事项编码: a second identifier, as DCAT-AP's adms:identifier.
            identifier = self._add_identifier_node(code)
            g.add((dataset_ref, ADMS.identifier, identifier))
        if dataset_dict.get("area"):
            area = codelists.get("areas")
            g.add((dataset_ref, DCAT.keyword,
                   Literal(area.label_of(dataset_dict["area"], "zh"), lang="zh")))
            g.add((dataset_ref, DCAT.keyword,
                   Literal(area.label_of(dataset_dict["area"], "en"), lang="en")))
        frequency = FREQUENCIES.get(dataset_dict.get("update_frequency", ""))
        if frequency:
            g.set((dataset_ref, DCT.accrualPeriodicity, URIRef(f"{EU}frequency/{frequency}")))
        access = ACCESS_RIGHTS.get(dataset_dict.get("open_type", ""))
        if access:
            g.set((dataset_ref, DCT.accessRights, URIRef(f"{EU}access-right/{access}")))
        if dataset_dict.get("open_conditions"):
            g.add((dataset_ref, DCT.rights, Literal(dataset_dict["open_conditions"], lang="zh")))
        if dataset_dict.get("release_date"):
            g.set((dataset_ref, DCT.issued,
                   Literal(dataset_dict["release_date"], datatype=XSD.date)))
        for related in dataset_dict.get("related_resource_codes") or []:
            g.add((dataset_ref, DCT.relation, Literal(related)))
        credit_code = dataset_dict.get("provider_credit_code")
        if credit_code:
            for publisher in g.objects(dataset_ref, DCT.publisher):
                g.add((publisher, DCT.identifier, Literal(credit_code)))

    def _add_identifier_node(self, code: str):
        from rdflib import BNode

        node = BNode()
        self.g.add((node, SKOS.notation, Literal(code)))
        return node


def _reverse(mapping: dict[str, str], uri: str | None) -> str | None:
    tail = (uri or "").rstrip("/").rsplit("/", 1)[-1]
    return next((code for code, value in mapping.items() if value == tail), None)


def _json_list(value: str | None) -> list[str]:
    try:
        items = json.loads(value) if value else []
    except ValueError:
        return [value]
    return [str(i) for i in items] if isinstance(items, list) else [str(items)]


def _organization_titled(title: str | None) -> str | None:
    """The id of the platform's organization with this title, if any."""
    if not title:
        return None
    org = (model.Session.query(model.Group.id)
           .filter(model.Group.is_organization.is_(True), model.Group.state == "active",
                   model.Group.title == title.strip()).first())
    return org[0] if org else None


def _license(resources: list[dict[str, Any]]) -> str:
    """CC BY when the distributions carry it (DCAT-AP puts licences there)."""
    for resource in resources:
        if "creativecommons.org/licenses/by/" in (resource.get("license") or ""):
            return "cc-by"
    return ""
