"""DCAT output (ckanext-dcat) carries the catalog's own fields."""
from __future__ import annotations

import pytest
from rdflib import Graph, Literal, Namespace, URIRef

from tests.catalog.test_schemas import VALID_CODE, _open_dataset

DCT = Namespace("http://purl.org/dc/terms/")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
EU = "http://publications.europa.eu/resource/authority/"


@pytest.fixture
def air_quality(api, org):
    created = api("package_create", **_open_dataset(
        org, open_type="conditional", open_conditions="实名注册后获取",
        related_resource_codes=["320100-05-0002"]))
    assert created["success"], created
    return created["result"]


def test_dataset_turtle_has_our_fields(app, air_quality):
    turtle = app.get(f"/dataset/{air_quality['name']}.ttl").body
    graph = Graph().parse(data=turtle, format="turtle")
    [dataset] = graph.subjects(DCT.title, Literal("南京市环境空气质量监测日报"))
    assert graph.value(dataset, DCT.accrualPeriodicity) == URIRef(f"{EU}frequency/DAILY")
    assert graph.value(dataset, DCT.accessRights) == URIRef(f"{EU}access-right/RESTRICTED")
    assert str(graph.value(dataset, DCT.issued)) == "2026-01-15"
    assert Literal("环境保护", lang="zh") in set(graph.objects(dataset, DCAT.keyword))
    assert Literal("320100-05-0002") in set(graph.objects(dataset, DCT.relation))
    notations = {str(graph.value(node, SKOS.notation)) for node in graph.objects(dataset, ADMS.identifier)}
    assert "320100-05-0001" in notations
    publisher = graph.value(dataset, DCT.publisher)
    assert Literal(VALID_CODE) in set(graph.objects(publisher, DCT.identifier))
