"""A ckanext-dcat profile adding the catalog's own fields to the DCAT-AP
output of ckanext-dcat (used after `euro_dcat_ap_2`)."""
from __future__ import annotations

from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from ckanext.dcat.profiles import RDFProfile
from ckanext.dcat.profiles.base import ADMS, DCAT, DCT, SKOS

from . import codelists

__all__ = ["NanjingDCATProfile"]

EU = "http://publications.europa.eu/resource/authority/"
FREQUENCIES = {
    "realtime": "CONT", "daily": "DAILY", "weekly": "WEEKLY", "monthly": "MONTHLY",
    "quarterly": "QUARTERLY", "yearly": "ANNUAL", "irregular": "IRREG",
}
ACCESS_RIGHTS = {"unconditional": "PUBLIC", "conditional": "RESTRICTED", "not-open": "NON_PUBLIC"}


class NanjingDCATProfile(RDFProfile):

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
