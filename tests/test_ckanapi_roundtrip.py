"""Nothing is lost through the standard tools: the public catalog of the test
portal, dumped with the real `ckanapi dump` and loaded with `ckanapi load`
into an empty second site of this platform (its own PostgreSQL databases,
Solr core, storage folder and process), arrives field by field, its files
pass the target's gate, and a dump of the target equals the first dump
apart from timestamps, the site's address and the ids the target gives
anew (tags, the creating account)."""
from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import openpyxl
import pytest
import requests
import yaml
from sqlalchemy.engine import make_url

import ckan.plugins.toolkit as tk
from ckanext.nanjing import loader

from .support import CKAN_BIN, ROOT, ini_with, port_is_open, wait_until_answering

DATASETS = ROOT / "datasets"
LOCAL = Path(os.environ.get("NANJING_LOCAL", ROOT / ".local"))
CKANAPI = Path(sys.executable).with_name("ckanapi")
# One or more of every type our schemas define, with CSV files in several
# areas, a policy and its interpretation, a power item and its service guide,
# and a withheld entry (private until reviewed: not in the public dump).
PARTS = [
    "packages/budgets/jianye-general-budget-2026.yaml",
    "packages/municipal-services/nanjing-bus-routes.yaml",
    "packages/environment/nanjing-air-quality-daily.yaml",
    "packages/public-legal/nanjing-law-firms.yaml",
    "packages/gkml/gkml-jianye-budget-government.yaml",
    "packages/gkml/gkml-nanjing-air-quality.yaml",
    "packages/gkml/gkml-nanjing-tax-confidential-info.yaml",
    "packages/power/power-building-permit.yaml",
    "packages/service/service-building-permit.yaml",
    "packages/policy/jianye-budget-disclosure-notice-2026.yaml",
    "packages/policy/jianye-budget-disclosure-notice-2026-jd.yaml",
]
WITHHELD = "gkml-nanjing-tax-confidential-info"
XLSX_DATASET = "nanjing-bus-routes"
PDF_DATASET = "jianye-budget-disclosure-notice-2026"
MINIMAL_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
               b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
# What differs between two sites by nature: when a record was written, the
# site's own address inside links, and ids the target gives anew: of its
# tags (ckanapi sends tag names) and of the account that created a dataset
# (accounts are not part of the public catalog). Datasets, resources and
# organizations keep their ids.
TIMESTAMPS = {"metadata_created", "metadata_modified", "created", "last_modified"}
SITE_IDS = {"creator_user_id"}


# The second site

class Site:
    """The target site, prepared in a thread of its own while the source is
    loaded and dumped; `ready()` waits for it and gives its address."""

    def __init__(self, ini: Path, port: int, work: Path, databases: tuple[str, str]):
        self.ini, self.url, self.databases = ini, f"http://127.0.0.1:{port}", databases
        self.token = ""
        self.process: subprocess.Popen | None = None
        self.log = work / "ckan.log"
        self.failure = ""
        self._thread = threading.Thread(target=self._prepare, args=(port, work), daemon=True)
        self._thread.start()

    def _prepare(self, port: int, work: Path) -> None:
        try:
            self._start(port, work)
        except BaseException as error:  # reported by ready(), in the test
            self.failure = f"{type(error).__name__}: {error}"

    def _start(self, port: int, work: Path) -> None:
        ckan_db, datastore_db = self.databases
        drop = "; ".join(f"psql_super -d postgres -c 'DROP DATABASE IF EXISTS {db} WITH (FORCE)'"
                         for db in (ckan_db, datastore_db))
        _script(f"{drop}; ensure_database {ckan_db}; ensure_database {datastore_db}; "
                f"init_ckan_db '{self.ini}' {datastore_db}")
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [str(CKAN_BIN), "-c", str(self.ini), "run", "-H", "127.0.0.1", "-p", str(port),
                 "--disable-reloader"], stdout=log, stderr=subprocess.STDOUT)
        token_file = work / "token"
        admin = subprocess.run(
            [str(CKAN_BIN), "-c", str(self.ini), "nanjing", "ensure-admin", "copy_admin",
             "--token-file", str(token_file)],
            env=dict(os.environ, NANJING_ADMIN_PASSWORD=secrets.token_hex(12)),
            capture_output=True, text=True, timeout=180)
        assert admin.returncode == 0, admin.stdout + admin.stderr
        self.token = token_file.read_text().strip()
        problem = wait_until_answering(self.url, self.process, self.log, 120)
        assert problem is None, f"ckan run 没有响应：{problem}"

    def ready(self) -> "Site":
        self._thread.join(timeout=400)
        if self.failure or self._thread.is_alive():
            pytest.fail(f"复制目标门户没有准备好：{self.failure or '超时'}")
        return self

    def stop(self) -> None:
        self._thread.join(timeout=400)
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)


def _script(step: str) -> None:
    """Runs functions of scripts/*.sh the way scripts/nanjing does."""
    script = f". scripts/lib.sh; . scripts/services.sh; . scripts/init.sh; set -e; {step}"
    result = subprocess.run(["bash", "-c", script], cwd=ROOT, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def _copy_port() -> int:
    """Beside the test portal's port, so parallel port sets never meet."""
    return int(os.environ.get("NANJING_COPY_CKAN_PORT")
               or urlsplit(tk.config["ckan.site_url"]).port + 400)


def _empty_solr_core(solr: str, core: str) -> str:
    """A core of its own (the platform's configset), created once, emptied."""
    base = solr.rsplit("/", 1)[0]
    status = requests.get(f"{base}/admin/cores", params={"action": "STATUS", "core": core},
                          timeout=30).json()
    if not status["status"].get(core):
        requests.get(f"{base}/admin/cores", params={
            "action": "CREATE", "name": core, "configSet": "ckan"}, timeout=120
        ).raise_for_status()
    requests.post(f"{base}/{core}/update", params={"commit": "true"},
                  json={"delete": {"query": "*:*"}}, timeout=60).raise_for_status()
    return f"{base}/{core}"


def _with_database(url: str, database: str) -> str:
    return make_url(url).set(database=database).render_as_string(hide_password=False)


@pytest.fixture(scope="module")
def copy_site(ckan_ini, tmp_path_factory):
    """An empty site of this platform: the test config (same plugins and
    options) with its own databases and Solr core named after the test's
    (ckan_test → ckan_test_copy) and its own storage folder, made ready as
    scripts/init.sh makes a portal (db upgrade, DataStore permissions), with
    a sysadmin, served by `ckan run` on the test port + 400."""
    stem = Path(ckan_ini).stem
    site_id = tk.config["ckan.site_id"] + "_copy"
    storage = LOCAL / f"storage-{stem}-copy"
    port = _copy_port()
    if port_is_open(port):
        pytest.fail(f"端口 {port} 已被占用，无法启动复制目标门户；设置 NANJING_COPY_CKAN_PORT 后重新运行")
    shutil.rmtree(storage, ignore_errors=True)
    storage.mkdir(parents=True)
    ckan_db = make_url(tk.config["sqlalchemy.url"]).database + "_copy"
    datastore_db = make_url(tk.config["ckan.datastore.write_url"]).database + "_copy"
    ini = ini_with(ckan_ini, LOCAL / f"{stem}-copy.ini", **{
        "ckan.site_url": f"http://127.0.0.1:{port}",
        "ckan.site_id": site_id,
        "sqlalchemy.url": _with_database(tk.config["sqlalchemy.url"], ckan_db),
        "ckan.datastore.write_url": _with_database(tk.config["ckan.datastore.write_url"],
                                                   datastore_db),
        "ckan.datastore.read_url": _with_database(tk.config["ckan.datastore.read_url"],
                                                  datastore_db),
        "solr_url": _empty_solr_core(tk.config["solr_url"], site_id),
        "ckan.storage_path": str(storage),
    })
    os.chmod(ini, 0o600)
    site = Site(ini, port, tmp_path_factory.mktemp("copy"), (ckan_db, datastore_db))
    yield site
    site.stop()


# The source catalog

def _xlsx_from_csv(csv: Path, xlsx: Path) -> None:
    """The same table as a workbook, numbers as numbers."""
    book = openpyxl.Workbook()
    sheet = book.active
    for line in csv.read_text(encoding="utf-8-sig").splitlines():
        sheet.append([int(cell) if cell.isdigit() else cell for cell in line.split(",")])
    book.save(xlsx)


@pytest.fixture
def source_catalog(clean_db, clean_index, tmp_path):
    """Part of the demo catalog, loaded as `make demo` loads all of it, plus
    a workbook resource; every tabular file passes the gate."""
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    shutil.copy(DATASETS / "organizations.yaml", catalog)
    for part in PARTS:
        (catalog / part).parent.mkdir(parents=True, exist_ok=True)
        data = yaml.safe_load((DATASETS / part).read_text(encoding="utf-8"))
        for resource in data.get("resources", []):
            if "file" in resource:
                (catalog / resource["file"]).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(DATASETS / resource["file"], catalog / resource["file"])
        if data["name"] == PDF_DATASET:  # a document, not a table: the gate lets it by
            (catalog / "files" / "policy.pdf").write_bytes(MINIMAL_PDF)
            data["resources"] = [{"name": "通知原文（PDF）", "format": "PDF",
                                  "file": "files/policy.pdf"}]
        if data["name"] == XLSX_DATASET:
            csv = catalog / data["resources"][0]["file"]
            _xlsx_from_csv(csv, csv.with_suffix(".xlsx"))
            data["resources"].append({
                "name": "公交线路基础信息（2026年11月，Excel）", "format": "XLSX",
                "description": "与 CSV 相同的数据，Excel 工作簿。",
                "file": str(csv.with_suffix(".xlsx").relative_to(catalog))})
        (catalog / part).write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                                    encoding="utf-8")
    loader.load_catalog(str(catalog))
    return catalog


# ckanapi, as a user runs it

def _ckanapi(*args: str, site: str, token: str | None = None, timeout: int = 300) -> float:
    """Runs the ckanapi command against a site; returns its run time."""
    command = [str(CKANAPI), *args, "-r", site] + (["-a", token] if token else [])
    # ckanapi starts its worker processes as `ckanapi` from PATH.
    env = dict(os.environ, PATH=f"{CKANAPI.parent}{os.pathsep}{os.environ['PATH']}")
    started = time.monotonic()
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env)
    elapsed = time.monotonic() - started
    failed = [line for line in result.stderr.splitlines()
              if re.search(r"\b(ValidationError|NotAuthorized|NotFound|SearchIndexError|Traceback)\b",
                           line)]
    assert result.returncode == 0 and not failed, (
        f"ckanapi {' '.join(args)} 失败（退出码 {result.returncode}）：\n"
        + "\n".join(failed or result.stderr.splitlines()[-30:]))
    return elapsed


def _records(path: Path) -> dict[str, dict]:
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return {record["name"]: record for record in records}


def _normalised(value, sites: tuple[str, ...], key: str = ""):
    """The record with exactly what may differ replaced: timestamps, the
    site's address inside links, the target's own ids (SITE_IDS, tag ids)."""
    if isinstance(value, dict):
        return {k: ("<时间>" if k in TIMESTAMPS and v else "<本站编号>" if k in SITE_IDS and v
                    or (key == "tags" and k == "id") else _normalised(v, sites, k))
                for k, v in value.items()}
    if isinstance(value, list):
        return [_normalised(v, sites, key) for v in value]
    if isinstance(value, str):
        for site in sites:
            value = value.replace(site, "<站点>")
    return value


def _diff(first: dict, second: dict) -> str:
    def lines(record):
        return json.dumps(record, ensure_ascii=False, indent=1, sort_keys=True).splitlines()
    return "\n".join(difflib.unified_diff(lines(first), lines(second), "源站导出", "目标站导出",
                                          lineterm="", n=2))


def _sha256(url: str) -> str:
    response = requests.get(url, timeout=30)
    response.raise_for_status()
    return hashlib.sha256(response.content).hexdigest()


def test_the_public_catalog_survives_ckanapi_dump_and_load(
        source_catalog, live_server, copy_site, tmp_path, capsys):
    source = live_server
    dump, again = tmp_path / "dump", tmp_path / "again"
    dump.mkdir()
    again.mkdir()

    copy_site.ready()  # made while the source was loaded; timed steps do not overlap it
    # What a user runs: the public catalog, read anonymously, ...
    timings = {
        "dump organizations": _ckanapi("dump", "organizations", "--all", "-q",
                                       "-O", str(dump / "organizations.jsonl"), site=source),
        "dump datasets": _ckanapi("dump", "datasets", "--all", "-q",
                                  "-O", str(dump / "datasets.jsonl"), site=source),
    }
    organizations = _records(dump / "organizations.jsonl")
    datasets = _records(dump / "datasets.jsonl")
    assert WITHHELD not in datasets  # private until reviewed: not public
    assert {d["type"] for d in datasets.values()} == {
        "open_dataset", "gkml_item", "power_item", "service_item", "policy_document",
        "policy_interpretation"}
    assert len(datasets) == len(PARTS) - 1
    assert len(organizations) == len(yaml.safe_load(
        (DATASETS / "organizations.yaml").read_text(encoding="utf-8")))

    # ... loaded by the target's sysadmin, files uploaded again.
    timings["load organizations"] = _ckanapi(
        "load", "organizations", "-I", str(dump / "organizations.jsonl"),
        site=copy_site.url, token=copy_site.token)
    timings["load datasets"] = _ckanapi(
        "load", "datasets", "--upload-resources", "-I", str(dump / "datasets.jsonl"),
        site=copy_site.url, token=copy_site.token)

    # The second dump, from the target, equals the first.
    with ThreadPoolExecutor(2) as pool:
        for dumped in [pool.submit(_ckanapi, "dump", thing, "--all", "-q",
                                   "-O", str(again / f"{thing}.jsonl"), site=copy_site.url)
                       for thing in ("organizations", "datasets")]:
            dumped.result()
    sites = (source, copy_site.url)
    for kind, first, second in (
            ("组织", organizations, _records(again / "organizations.jsonl")),
            ("数据集", datasets, _records(again / "datasets.jsonl"))):
        assert sorted(second) == sorted(first), f"目标站的{kind}与源站不同"
        lost = []
        for name in first:
            a, b = _normalised(first[name], sites), _normalised(second[name], sites)
            fields = [f for f in sorted(set(a) | set(b)) if a.get(f) != b.get(f)]
            if fields:
                lost.append(f"{kind} {name} 的字段 {'、'.join(fields)} 经 ckanapi 复制后不同：\n"
                            + _diff(a, b))
        assert not lost, "\n\n".join(lost)

    # The target's gate checked every file, and holds the same bytes.
    target = requests.Session()
    target.headers["Authorization"] = copy_site.token
    copied = _records(again / "datasets.jsonl")
    tabular = 0
    for name, dataset in datasets.items():
        for resource, arrived in zip(dataset["resources"], copied[name]["resources"]):
            if resource.get("url_type") != "upload":
                continue
            assert _sha256(arrived["url"]) == _sha256(resource["url"]), (
                f"{name} 的资源“{resource['name']}”的文件与源站不同")
            if resource["format"].upper() not in ("CSV", "XLSX"):
                continue
            tabular += 1
            verdict = target.post(f"{copy_site.url}/api/3/action/nanjing_validation_show",
                                  json={"resource_id": arrived["id"]}, timeout=30).json()
            assert verdict["success"] and verdict["result"]["status"] == "valid", verdict
            assert arrived["datastore_active"], f"{name} 的资源没有载入目标站的 DataStore"
            tables = [requests.post(f"{site}/api/3/action/datastore_search", timeout=30,
                                    json={"resource_id": resource["id"], "limit": 0}
                                    ).json()["result"] for site in sites]
            assert [(t["total"], t["fields"]) for t in tables[1:]] == [
                (tables[0]["total"], tables[0]["fields"])], f"{name} 的 DataStore 表与源站不同"
    assert tabular >= 6
    assert any(r["format"] == "PDF" for r in copied[PDF_DATASET]["resources"])
    found = requests.get(f"{copy_site.url}/api/3/action/package_search",
                         params={"q": "公交线路"}, timeout=30).json()["result"]
    assert [d["name"] for d in found["results"]] == [XLSX_DATASET]  # the target indexed it

    with capsys.disabled():
        print(f"\nckanapi 复制 {len(organizations)} 个组织、{len(datasets)} 个数据集"
              f"（{tabular} 个表格文件）：" + "，".join(
                  f"{step} {seconds:.1f} 秒" for step, seconds in timings.items()))
