"""CKAN against a 2-shard SolrCloud collection built from the project's configset.

Opt-in (NANJING_SOLRCLOUD=1): it fetches ~70 MB of jars on first use and starts
a local cluster (config/solr/cloud/CloudLauncher.java: 2 Solr nodes and an
embedded ZooKeeper in one JVM). It proves that a SolrCloud deployment needs no
other CKAN setting than solr_url, and that the index really is split in shards.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import requests

from ckan.plugins import toolkit
from ckan.tests import factories, helpers

from .support import ROOT

pytestmark = [
    pytest.mark.solrcloud,
    pytest.mark.skipif(os.environ.get("NANJING_SOLRCLOUD") != "1",
                       reason="starts a SolrCloud cluster; set NANJING_SOLRCLOUD=1"),
]

CLOUD_DIR = ROOT / "config" / "solr" / "cloud"
CLOUD_LIB = ROOT / ".local" / "solr" / "cloud-lib"
FETCHED = CLOUD_LIB / ".fetched"  # written after a complete download
SHARDS = 2

BUS = "南京市公共交通线路数据"
BUDGET = "建邺区2026年一般公共预算收支表"
# 16 datasets: documents go to a shard by a hash of their (random) id, so all of
# them landing on one shard, which would fail the test, has odds of 1 in 32768.
TITLES = [BUS, BUDGET] + [f"南京市政务公开事项目录第{n}批" for n in range(1, 15)]


def _fetch_jars() -> None:
    """Download the cluster's jars once, and again when the pom changes."""
    pom = CLOUD_DIR / "pom.xml"
    if FETCHED.exists() and FETCHED.stat().st_mtime >= pom.stat().st_mtime:
        return
    if not shutil.which("mvn"):
        pytest.fail("mvn not found: it fetches the SolrCloud jars from Maven Central")
    shutil.rmtree(CLOUD_LIB, ignore_errors=True)  # no stale jars from an older pom
    command = ["mvn", "-B", "-q", "-f", str(pom),
               "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies",
               f"-DoutputDirectory={CLOUD_LIB}", "-DincludeScope=runtime"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=900)
    if result.returncode:
        pytest.fail(f"fetching the SolrCloud jars failed ({' '.join(command)}):\n"
                    f"{(result.stdout + result.stderr)[-3000:]}")
    FETCHED.touch()


def _ready_url(log: Path) -> str | None:
    """Node 1's base URL once the launcher has printed SOLRCLOUD_READY."""
    for line in log.read_text().splitlines():
        if line.startswith("SOLRCLOUD_READY "):
            return line.split()[1]
    return None


@pytest.fixture(scope="module")
def solrcloud(tmp_path_factory):
    """URL of the `ckan` collection on a fresh 2-node, 2-shard cluster."""
    _fetch_jars()
    if not shutil.which("java"):
        pytest.fail("java not found: SolrCloud needs Java 17")
    base = tmp_path_factory.mktemp("solrcloud")
    log = base / "launcher.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            ["java", "-Xmx512m", "-cp", f"{CLOUD_LIB}/*", str(CLOUD_DIR / "CloudLauncher.java"),
             str(base / "cluster"), "2", str(SHARDS)],
            stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 180
        while (url := _ready_url(log)) is None:
            if process.poll() is not None:
                pytest.fail(f"CloudLauncher exited {process.returncode}:\n{log.read_text()[-3000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"SolrCloud not ready in 180 s:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)
        yield f"{url}/ckan"
    finally:
        process.terminate()  # SIGTERM: the launcher shuts the nodes and ZooKeeper down
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def cloud_solr_url(solrcloud, monkeypatch):
    """CKAN reads solr_url on every Solr call, so this redirects all indexing and
    searching. Requested before clean_db, so the standalone core is never touched."""
    monkeypatch.setitem(toolkit.config, "solr_url", solrcloud)
    return solrcloud


def _solr(url: str, **params) -> dict:
    response = requests.get(url, params=params, timeout=30)
    response.raise_for_status()
    return response.json()


def _docs_per_shard(collection_url: str) -> dict[str, int]:
    """Ask each shard's core alone (distrib=false) how many documents it holds."""
    base = collection_url.rsplit("/", 1)[0]
    status = _solr(f"{base}/admin/collections", action="CLUSTERSTATUS", collection="ckan")
    counts = {}
    for name, shard in status["cluster"]["collections"]["ckan"]["shards"].items():
        (replica,) = shard["replicas"].values()  # replicationFactor 1
        core = f"{replica['base_url']}/{replica['core']}"
        counts[name] = _solr(f"{core}/select", q="*:*", rows=0, distrib="false")["response"]["numFound"]
    return counts


def test_ckan_indexes_and_searches_a_sharded_collection(cloud_solr_url, clean_db):
    org = factories.Organization()
    datasets = [factories.Dataset(title=title, owner_org=org["id"]) for title in TITLES]

    found = helpers.call_action("package_search", q="公共交通", rows=50)["results"]
    assert [d["title"] for d in found] == [BUS]  # the Chinese schema works in the cloud

    # the collection answers for all its shards, through CKAN and directly
    assert helpers.call_action("package_search", rows=0)["count"] == len(TITLES)
    assert _solr(f"{cloud_solr_url}/select", q="*:*", rows=0)["response"]["numFound"] == len(TITLES)
    per_shard = _docs_per_shard(cloud_solr_url)
    assert len(per_shard) == SHARDS
    assert all(count > 0 for count in per_shard.values()), per_shard
    assert sum(per_shard.values()) == len(TITLES)

    # CKAN removes a deleted dataset with a delete-by-query, which Solr sends to every shard
    admin = factories.Sysadmin()  # the activity plugin records who deleted it
    helpers.call_action("package_delete", context={"user": admin["name"]}, id=datasets[0]["id"])
    assert helpers.call_action("package_search", q="公共交通")["count"] == 0
    assert sum(_docs_per_shard(cloud_solr_url).values()) == len(TITLES) - 1
