"""ckanext-harvest's CKAN harvester and ckanext-dcat's DCAT harvester,
reused as they are, end to end against real sources: a district portal
(玄武区) that is a second `ckan run` process of this platform with its own
databases, and the provincial DCAT catalog (江苏省) served over HTTP. The
sources are the demo's own definitions (harvesters/demo_sources/), pointed
at these servers. Every harvested file passes the city's validation gate."""
from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
import yaml
from sqlalchemy.engine import make_url

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from ..support import CKAN_BIN, ROOT, free_port, wait_until_answering
from .conftest import snapshot

SOURCES = ROOT / "harvesters" / "demo_sources"
PROVINCE = ROOT / "harvesters" / "fixtures" / "dcat_province"
DISTRICT_CATALOG = ROOT / "datasets" / "district-xuanwu"
DEMO_PROVINCE = "http://127.0.0.1:8766"
LOCAL = Path(os.environ.get("NANJING_LOCAL", ROOT / ".local"))
DISTRICT_DATASETS = {"xuanwu-general-budget-2026", "xuanwu-food-sampling-2026",
                     "xuanwu-cultural-venues", "xuanwu-work-safety-penalties-2026"}
LINKED = "xuanwu-air-quality-province-link"


# The provincial DCAT catalog

class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@dataclass
class Province:
    url: str
    folder: Path

    def edit(self, old: str, new: str) -> None:
        catalog = self.folder / "catalog.ttl"
        text = catalog.read_text(encoding="utf-8")
        assert old in text
        catalog.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    """The demo provincial catalog, served from a copy whose addresses name
    this server's port."""
    folder = tmp_path_factory.mktemp("province") / "site"
    shutil.copytree(PROVINCE, folder)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    catalog = folder / "catalog.ttl"
    catalog.write_text(catalog.read_text(encoding="utf-8").replace(DEMO_PROVINCE, url),
                       encoding="utf-8")
    # The file the district's linked dataset points at (see district()).
    shutil.copy(folder / "files" / "js-city-air-quality-monthly-2026.csv",
                folder / "files" / "xuanwu-linked.csv")
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", port), functools.partial(_Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Province(url, folder)
    server.shutdown()
    server.server_close()


# The district portal

@dataclass
class District:
    url: str
    ini: Path
    catalog: Path

    def load(self) -> str:
        """What a district steward does: `ckan nanjing load` of the catalog folder."""
        return _ckan(self.ini, "nanjing", "load", str(self.catalog))

    def edit(self, name: str, **changes) -> None:
        path = self.catalog / "packages" / f"{name}.yaml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data.update(changes)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                        encoding="utf-8")

    def show(self, name: str) -> dict:
        return requests.get(f"{self.url}/api/3/action/package_show", params={"id": name},
                            timeout=10).json()["result"]


def _ckan(ini: Path, *args: str) -> str:
    result = subprocess.run([str(CKAN_BIN), "-c", str(ini), *args], capture_output=True,
                            text=True, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    return result.stdout


def _script(step: str) -> None:
    """Runs functions of scripts/*.sh the way scripts/nanjing does."""
    script = (". scripts/lib.sh; . scripts/install.sh; . scripts/services.sh; "
              f". scripts/init.sh; . scripts/district.sh; set -e; {step}")
    result = subprocess.run(["bash", "-c", script], cwd=ROOT, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def district(province, ckan_ini, tmp_path_factory):
    """A district portal of this platform on a free port, set up by
    scripts/district.sh with databases named after the test config's
    (ckan_test → ckan_test_district), loaded with the district demo catalog
    plus one dataset whose file is a link to the provincial server."""
    city_db = make_url(tk.config["sqlalchemy.url"]).database
    city_datastore = make_url(tk.config["ckan.datastore.write_url"]).database
    stem = Path(ckan_ini).stem
    ini = LOCAL / f"{stem}-district.ini"
    port = free_port()
    _script(f"init_district '{ini}' '{tk.config['ckan.site_id']}_district' '{city_db}_district' "
            f"'{city_datastore}_district' {tk.config['ckan.harvest.mq.redis_db']} "
            f"'{LOCAL}/storage-{stem}-district' {port}")
    catalog = tmp_path_factory.mktemp("district") / "catalog"
    shutil.copytree(DISTRICT_CATALOG, catalog)
    linked = yaml.safe_load((catalog / "packages" / "xuanwu-cultural-venues.yaml")
                            .read_text(encoding="utf-8"))
    linked.update(
        name=LINKED, title="江苏省设区市环境空气质量月报（玄武区转载）", owner_org="xuanwu-zfb",
        notes="转载江苏省生态环境厅发布的设区市环境空气质量月报，文件链接到省级目录。",
        area="environment", resource_code="320102-05-0009", update_frequency="monthly",
        tag_string="环境保护,空气质量,玄武区", provider_credit_code="11320102MB15724402",
        resources=[{"name": "设区市环境空气质量月报（省级链接）", "format": "CSV",
                    "url": f"{province.url}/files/xuanwu-linked.csv"}])
    del linked["information_items"]
    (catalog / "packages" / f"{LINKED}.yaml").write_text(
        yaml.safe_dump(linked, allow_unicode=True, sort_keys=False), encoding="utf-8")
    site = District(f"http://127.0.0.1:{port}", ini, catalog)
    site.load()
    # Search results carry download links made with the site_url of when
    # each dataset was indexed: the port is new, index them again.
    _ckan(ini, "search-index", "rebuild", "--quiet")
    log = (tmp_path_factory.mktemp("district-log") / "ckan.log").open("wb")
    process = subprocess.Popen([str(CKAN_BIN), "-c", str(ini), "run", "-H", "127.0.0.1",
                                "-p", str(port), "--disable-reloader"],
                               stdout=log, stderr=subprocess.STDOUT)
    problem = wait_until_answering(site.url, process, Path(log.name))
    if problem:
        process.kill()
        pytest.fail(f"区级门户没有启动：{problem}")
    yield site
    process.terminate()
    process.wait(timeout=30)
    log.close()


# The city side

@pytest.fixture
def city_org(clean_db, clean_index):
    return factories.Organization(name="nanjing-zfbgt", title="南京市人民政府办公厅")


def _definition(file: str, url: str) -> dict:
    definition = json.loads((SOURCES / file).read_text(encoding="utf-8"))
    return dict(definition, url=url)


@pytest.fixture
def make_source(sysadmin, city_org):
    """Creates a demo source through the API, as the demo command does."""
    def make(definition: dict) -> dict:
        return helpers.call_action(
            "harvest_source_create", {"user": sysadmin["name"]},
            **dict(definition, config=json.dumps(definition["config"], ensure_ascii=False)))
    return make


def _datasets() -> dict[str, dict]:
    model.Session.expire_all()
    names = [p.name for p in model.Session.query(model.Package)
             .filter(model.Package.type == "open_dataset", model.Package.state == "active")]
    return {name: helpers.call_action("package_show", {"ignore_auth": True}, id=name)
            for name in names}


def _loaded(resource: dict) -> int:
    """Rows of a resource in the city's DataStore."""
    return helpers.call_action("datastore_search", {"ignore_auth": True},
                               resource_id=resource["id"], limit=0)["total"]


def test_ckan_harvester_aggregates_the_district_catalog(district, make_source, run):
    source = make_source(_definition("xuanwu-ckan.json", district.url))

    job = run(source)
    assert job["gather_errors"] == [] and job["object_errors"] == []
    datasets = _datasets()
    assert set(datasets) == DISTRICT_DATASETS | {LINKED}
    budget = datasets["xuanwu-general-budget-2026"]
    remote = district.show("xuanwu-general-budget-2026")
    # Our own fields come over as the district wrote them.
    for field in ("title", "notes", "area", "resource_code", "catalog", "resource_format",
                  "provider_credit_code", "share_type", "open_type", "update_frequency",
                  "release_date", "information_items", "license_id"):
        assert budget[field] == remote[field], field
    assert {t["name"] for t in budget["tags"]} == {"财政预决算", "预算", "玄武区"}
    # Each district department becomes a city organization of the same name.
    assert budget["organization"]["name"] == "xuanwu-czj"
    assert budget["organization"]["title"] == "南京市玄武区财政局"
    assert datasets[LINKED]["organization"]["name"] == "xuanwu-zfb"
    # Every file passed the city's gate and is in its DataStore, so public.
    for dataset in datasets.values():
        assert dataset["private"] is False
        for resource in dataset["resources"]:
            assert resource["datastore_active"] is True
    # Links to the district's files: the city fetched and checked each one.
    assert budget["resources"][0]["url"].startswith(f"{district.url}/open_dataset/")
    assert _loaded(budget["resources"][0]) == 21

    before = snapshot()
    again = run(source)
    assert again["gather_errors"] == [] and again["object_errors"] == []
    assert snapshot() == before

    district.edit("xuanwu-food-sampling-2026",
                  notes="玄武区市场监督管理局2026年食品安全监督抽检结果，每批次一行，按月更新。")
    district.load()
    changed = run(source)
    assert changed["object_errors"] == []
    after = snapshot()
    assert {name for name in after if after[name] != before[name]} == {"xuanwu-food-sampling-2026"}
    assert _datasets()["xuanwu-food-sampling-2026"]["notes"].startswith("玄武区市场监督管理局2026年")


def test_a_district_file_the_city_cannot_fetch_stays_out_and_is_reported(
        district, province, make_source, run):
    source = make_source(_definition("xuanwu-ckan.json", district.url))
    linked = province.folder / "files" / "xuanwu-linked.csv"
    kept = linked.read_bytes()
    linked.unlink()  # the province moved the file the district links to
    try:
        job = run(source)
    finally:
        linked.write_bytes(kept)

    assert set(_datasets()) == DISTRICT_DATASETS
    assert job["gather_errors"] == []
    [error] = job["object_errors"]
    assert "设区市环境空气质量月报（省级链接）" in error and "HTTP 404" in error
    assert job["stats"]["errored"] == 1 and job["stats"]["added"] == 4

    # The file is back: the next run imports the dataset, published once it passes.
    again = run(source)
    assert again["object_errors"] == []
    dataset = _datasets()[LINKED]
    assert dataset["private"] is False
    assert dataset["resources"][0]["datastore_active"] is True


def test_dcat_harvester_imports_the_provincial_catalog(province, make_source, run):
    source = make_source(_definition("jiangsu-dcat.json", f"{province.url}/catalog.ttl"))

    job = run(source)
    assert job["gather_errors"] == []
    datasets = _datasets()
    assert set(datasets) == {"320000-05-0012", "320000-06-0031"}
    air = datasets["320000-05-0012"]
    assert air["type"] == "open_dataset"
    assert air["title"] == "江苏省设区市环境空气质量月报（2026年）"
    assert air["organization"]["name"] == "nanjing-zfbgt"
    assert {k: air[k] for k in ("resource_code", "area", "update_frequency", "open_type",
                                "share_type", "resource_format", "provider_credit_code",
                                "release_date", "related_resource_codes", "license_id")} == {
        "resource_code": "320000-05-0012", "area": "environment", "update_frequency": "monthly",
        "open_type": "unconditional", "share_type": "unconditional",
        "resource_format": "spreadsheet", "provider_credit_code": "11320000014000417G",
        "release_date": "2026-02-10", "related_resource_codes": ["320100-05-0001"],
        "license_id": "cc-by"}
    assert {t["name"] for t in air["tags"]} == {"环境保护", "空气质量", "设区市", "月报"}
    [resource] = air["resources"]
    assert resource["datastore_active"] is True and air["private"] is False
    assert _loaded(resource) == 130

    # The file with two ragged rows did not pass the gate: not imported, named in the report.
    [error] = job["object_errors"]
    assert "危险化学品生产企业安全生产许可证（南京市）" in error
    assert "未通过数据校验" in error

    before = snapshot()
    again = run(source)
    assert again["gather_errors"] == []
    assert snapshot() == before
    # Still unpublished, still in the report: the province has not fixed the file.
    assert [e for e in again["object_errors"] if "危险化学品" in e] == [error]

    province.edit("全省13个设区市的月均", "江苏省13个设区市的月均")
    changed = run(source)
    assert changed["gather_errors"] == []
    after = snapshot()
    assert {name for name in after if after[name] != before[name]} == {"320000-05-0012"}
    assert _datasets()["320000-05-0012"]["notes"].startswith("江苏省13个设区市")


@pytest.mark.parametrize("file, url", [
    ("xuanwu-ckan.json", "http://127.0.0.1:{port}"),
    ("jiangsu-dcat.json", "http://127.0.0.1:{port}/catalog.ttl"),
])
def test_an_unreachable_source_is_a_gather_error_in_chinese(file, url, make_source, run):
    source = make_source(_definition(file, url.format(port=free_port())))
    job = run(source)
    assert _datasets() == {}
    # ckanext-harvest's and ckanext-dcat's own message (English), and ours.
    english, chinese = sorted(job["gather_errors"], key=lambda m: not m.isascii())
    assert english.startswith(("Unable to search remote CKAN", "Could not get content"))
    assert chinese.startswith(f"无法从采集源 {source['url']} 读取")


def test_a_page_that_is_not_a_catalog_is_a_gather_error_in_chinese(province, make_source, run):
    source = make_source(_definition("jiangsu-dcat.json",
                                     f"{province.url}/files/js-food-sampling-nanjing-2026.csv"))
    job = run(source)
    assert _datasets() == {}
    english, chinese = sorted(job["gather_errors"], key=lambda m: not m.isascii())
    assert english.startswith("Error parsing the RDF file")
    assert chinese.startswith(f"无法从采集源 {source['url']} 读取 DCAT 目录")


@pytest.mark.parametrize("file, config, message", [
    ("xuanwu-ckan.json", '{"remote_orgs": "creat"}', "配置项“remote_orgs”应为"),
    ("xuanwu-ckan.json", '{"remote_orgs": "create",}', "采集配置不是合法的 JSON"),
    ("jiangsu-dcat.json", '{"rdf_format": "csv"}', "配置项“rdf_format”的值“csv”不是可解析的"),
    # ckanext-harvest's own check: its message is English after our prefix.
    ("xuanwu-ckan.json", '{"api_version": "three"}', "采集配置有误：api_version must be an integer"),
])
def test_a_bad_config_is_refused_with_a_chinese_message(file, config, message, sysadmin,
                                                       city_org):
    definition = _definition(file, "http://127.0.0.1:5070")
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("harvest_source_create", {"user": sysadmin["name"]},
                            **dict(definition, config=config))
    [text] = error.value.error_dict["config"]
    assert text.startswith("采集配置有误：") and message in text


def test_the_demo_sources_run_on_the_platforms_harvesters():
    from ckanext.harvest.queue import get_harvester
    from ckanext.nanjing_harvest.reused import CkanHarvester, DcatRdfHarvester

    for file, kind in (("xuanwu-ckan.json", CkanHarvester),
                       ("jiangsu-dcat.json", DcatRdfHarvester)):
        source_type = json.loads((SOURCES / file).read_text(encoding="utf-8"))["source_type"]
        assert isinstance(get_harvester(source_type), kind), (
            f"{source_type} 应由 {kind.__name__} 采集：ckan.plugins 中应以 nanjing_ckan_harvester、"
            f"nanjing_dcat_rdf_harvester 代替 ckan_harvester、dcat_rdf_harvester")


def test_dcat_harvester_reads_back_the_platforms_own_catalog(district, make_source, run):
    """The district's /catalog.ttl (ckanext-dcat with our profile) harvested
    as DCAT: our fields survive the round trip through DCAT-AP."""
    definition = dict(_definition("jiangsu-dcat.json", f"{district.url}/catalog.ttl"),
                      name="xuanwu-dcat")
    job = run(make_source(definition))
    assert job["gather_errors"] == [] and job["object_errors"] == []
    datasets = _datasets()
    assert set(datasets) == {"320102-03-0001", "320102-06-0001", "320102-07-0001",
                             "320102-08-0001", "320102-05-0009"}
    budget = datasets["320102-03-0001"]
    remote = district.show("xuanwu-general-budget-2026")
    for field in ("title", "notes", "area", "resource_code", "resource_format", "share_type",
                  "open_type", "update_frequency", "release_date", "provider_credit_code"):
        assert budget[field] == remote[field], field
    assert {t["name"] for t in budget["tags"]} == {t["name"] for t in remote["tags"]}
    assert budget["resources"][0]["datastore_active"] is True
