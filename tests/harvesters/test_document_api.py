"""The document-system API harvester end to end against the real portal
database: the demo OA system (harvesters/fixtures/document_api/, a copy per
test) served page by page by the fixtures' HTTP service on a free port."""
from __future__ import annotations

import json
import shutil
import socket
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers
from ckanext.nanjing_harvest.fixtures_server import DocumentServer

from ..support import free_port
from .conftest import FIXTURES, snapshot

SOURCE_TYPE = "nanjing_document_api"
TOKEN = "oa-test-token-7f3a9c"
BUDGET = "oa-njczj-2026-0005"             # 市财政局 部门预算公开工作规程, with its 政策解读
BUDGET_JD = "oa-njczj-2026-0005-jd"
PROCUREMENT_JD = "oa-njczj-2026-0009-jd"  # 图解
LEGAL = "oa-njsfj-2026-0003"              # 市司法局
FOOD = "oa-njscjgj-2026-0011"             # 市市场监管局
WITHDRAWN_AT_SOURCE = "oa-njzfbgt-2026-0040"
DOCUMENTS = 6                             # 7 documents, one 撤回
INTERPRETATIONS = 2
LATEST = "2026-03-02T11:20:00+08:00"      # the latest `modified` of a live document


class Oa:
    """A copy of the demo OA system and its HTTP service."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.server = DocumentServer(folder, token=TOKEN).start()

    @property
    def api_url(self) -> str:
        return f"{self.server.url}/api/documents"

    def config(self, **changes) -> dict:
        config = json.loads((FIXTURES / "document_api" / "source.json").read_text("utf-8"))
        del config["token_env"]
        config.update(api_url=self.api_url, token=TOKEN, timeout=5)
        config.update(changes)
        return config

    def path(self, doc_id: str) -> Path:
        return self.folder / "documents" / f"{doc_id}.json"

    def edit(self, doc_id: str, **changes) -> None:
        doc = json.loads(self.path(doc_id).read_text("utf-8"))
        doc.update(changes)
        self.path(doc_id).write_text(json.dumps(doc, ensure_ascii=False), "utf-8")

    def list_requests(self) -> list[dict]:
        return [parse_qs(urlsplit(r).query) for r in self.server.requests
                if urlsplit(r).path == "/api/documents"]


@pytest.fixture
def oa(tmp_path):
    folder = tmp_path / "document_api"
    shutil.copytree(FIXTURES / "document_api", folder)
    oa = Oa(folder)
    yield oa
    oa.server.stop()


@pytest.fixture
def oa_orgs(clean_db, clean_index):
    return {name: factories.Organization(name=name, title=title) for name, title in (
        ("nanjing-zfbgt", "南京市人民政府办公厅"), ("nanjing-czj", "南京市财政局"),
        ("nanjing-scjgj", "南京市市场监督管理局"), ("nanjing-sfj", "南京市司法局"))}


@pytest.fixture
def make_source(oa_orgs, sysadmin, oa):
    def make(config: dict | None = None, name: str = "oa-demo") -> dict:
        config = oa.config() if config is None else config
        return helpers.call_action(
            "harvest_source_create", {"user": sysadmin["name"]},
            name=name, title="公文系统：市政府办公厅、市财政局等", url=oa.api_url,
            source_type=SOURCE_TYPE, owner_org=oa_orgs["nanjing-zfbgt"]["id"],
            config=config if isinstance(config, str) else json.dumps(config, ensure_ascii=False))
    return make


def show(name: str) -> dict:
    return helpers.call_action("package_show", {"ignore_auth": True}, id=name)


def harvested(dataset_type: str) -> list[model.Package]:
    model.Session.expire_all()
    return model.Session.query(model.Package).filter_by(type=dataset_type, state="active").all()


def test_first_run_creates_documents_interpretations_and_attachments(make_source, run, oa, app):
    source = make_source()
    oa.server.requests.clear()

    job = run(source)

    assert job["status"] == "Finished"
    assert job["gather_errors"] == [] and job["object_errors"] == []
    assert job["stats"]["added"] == DOCUMENTS + INTERPRETATIONS
    documents, interpretations = harvested("policy_document"), harvested("policy_interpretation")
    assert len(documents) == DOCUMENTS and len(interpretations) == INTERPRETATIONS
    assert not any(p.private for p in documents + interpretations)
    assert WITHDRAWN_AT_SOURCE not in {p.name for p in documents}

    budget = show(BUDGET)
    assert budget["title"] == "南京市财政局关于印发《南京市市级部门预算公开工作规程》的通知"
    assert (budget["doc_number"], budget["issued_date"], budget["area"]) == \
        ("宁财预〔2026〕5号", "2026-01-15", "budgets")
    assert budget["organization"]["name"] == "nanjing-czj"
    assert budget["notes"].startswith("市各部门、各单位：")
    assert sorted(t["name"] for t in budget["tags"]) == ["部门预算", "预算公开"]
    # The two records name each other.
    assert budget["interpretation"] == BUDGET_JD
    jd = show(BUDGET_JD)
    assert jd["policy"] == BUDGET and jd["interpretation_type"] == "text"
    assert jd["title"] == "《南京市市级部门预算公开工作规程》政策解读"
    assert jd["organization"]["name"] == "nanjing-czj"
    assert show(PROCUREMENT_JD)["interpretation_type"] == "graphic"

    # Attachments were downloaded and uploaded; the gate ignores PDF/DOCX.
    resources = {r["name"]: r for r in budget["resources"]}
    assert set(resources) == {"南京市市级部门预算公开工作规程（PDF）", "部门预算公开表格模板（DOCX）"}
    pdf = resources["南京市市级部门预算公开工作规程（PDF）"]
    assert (pdf["url_type"], pdf["format"]) == ("upload", "PDF")
    assert pdf["url"].endswith("/ningcaiyu-2026-5-bumen-yusuan-gongkai-guicheng.pdf")
    response = app.get(urlsplit(pdf["url"]).path)
    assert response.status_code == 200 and response.get_data().startswith(b"%PDF")
    assert [r["format"] for r in jd["resources"]] == ["PDF"]

    # Organizations: by the configured mapping, by title, else the source's.
    assert show(LEGAL)["organization"]["name"] == "nanjing-sfj"
    assert show(FOOD)["organization"]["name"] == "nanjing-scjgj"
    assert "area" not in show("oa-njzfbgt-2026-0012") or not show("oa-njzfbgt-2026-0012")["area"]
    # Every request was authorised and paged.
    assert all(q["page_size"] == ["20"] for q in oa.list_requests())


def test_second_run_with_no_change_creates_and_changes_nothing(make_source, run, oa):
    source = make_source(oa.config(page_size=2))
    run(source)
    before = snapshot()
    oa.server.requests.clear()

    job = run(source)

    assert job["objects"] == 0
    assert job["gather_errors"] == [] and job["object_errors"] == []
    assert snapshot() == before
    # Incremental: documents modified since the latest one harvested, and
    # a listing of ids only to notice documents gone from the API.
    requests = oa.list_requests()
    documents = [q for q in requests if "fields" not in q]
    assert documents == [{"page": ["1"], "page_size": ["2"], "modified_since": [LATEST]}]
    ids = [q for q in requests if "fields" in q]
    assert len(ids) == 4, "7 documents, 2 a page"
    assert all(q["fields"] == ["id,modified"] and "modified_since" not in q for q in ids)


def test_changed_document_updates_exactly_its_record(make_source, run, oa):
    source = make_source()
    run(source)
    before = snapshot()
    oa.edit("NJSFJ-2026-0003", title="南京市司法局关于加快推进2026年公共法律服务网络建设的通知（修订）",
            modified="2026-03-10T08:00:00+08:00")

    job = run(source)

    after = snapshot()
    assert job["gather_errors"] == [] and job["object_errors"] == []
    assert job["stats"]["updated"] == 1 and job["objects"] == 1
    assert {name for name in after if after[name] != before[name]} == {LEGAL}
    assert show(LEGAL)["title"].endswith("（修订）")
    assert len(show(LEGAL)["resources"]) == 1
    # The watermark moved to the change.
    oa.server.requests.clear()
    assert run(source)["objects"] == 0
    assert {q.get("modified_since", [None])[0] for q in oa.list_requests()
            if "fields" not in q} == {"2026-03-10T08:00:00+08:00"}


def test_changed_interpretation_updates_only_the_interpretation(make_source, run, oa):
    source = make_source()
    run(source)
    before = snapshot()
    doc = json.loads(oa.path("NJCZJ-2026-0005").read_text("utf-8"))
    doc["interpretation"]["title"] = "一图读懂《南京市市级部门预算公开工作规程》"
    oa.edit("NJCZJ-2026-0005", interpretation=doc["interpretation"],
            modified="2026-03-11T09:00:00+08:00")

    job = run(source)

    after = snapshot()
    assert job["stats"]["updated"] == 1 and job["objects"] == 1
    assert {name for name in after if after[name] != before[name]} == {BUDGET_JD}


@pytest.mark.parametrize("how", ["撤回", "gone"])
def test_withdrawn_document_is_withdrawn_with_its_interpretation(make_source, run, oa, how):
    source = make_source()
    run(source)
    if how == "撤回":
        oa.edit("NJCZJ-2026-0005", status="撤回", modified="2026-03-12T10:00:00+08:00")
    else:
        oa.path("NJCZJ-2026-0005").unlink()

    job = run(source)

    assert job["object_errors"] == [] and job["gather_errors"] == []
    assert job["stats"]["deleted"] == 2
    for name in (BUDGET, BUDGET_JD):
        dataset = show(name)
        assert dataset["private"] is True
        assert dataset["notes"].startswith("【已撤回】来源系统于")
    assert len([p for p in harvested("policy_document") if not p.private]) == DOCUMENTS - 1
    # Withdrawn once: the next run has nothing to do.
    before = snapshot()
    assert run(source)["objects"] == 0
    assert snapshot() == before


def test_interpretation_removed_from_a_document_is_withdrawn(make_source, run, oa):
    source = make_source()
    run(source)
    oa.edit("NJCZJ-2026-0009", interpretation=None, modified="2026-03-12T10:00:00+08:00")

    job = run(source)

    assert job["stats"]["deleted"] == 1 and job["stats"]["updated"] == 1
    assert show(PROCUREMENT_JD)["private"] is True
    assert not show("oa-njczj-2026-0009").get("interpretation")


def test_attachments_as_links(make_source, run, oa):
    source = make_source(oa.config(attachments="link"))

    job = run(source)

    assert job["object_errors"] == []
    (resource,) = show(LEGAL)["resources"]
    assert resource["url"] == f"{oa.server.url}/files/ningsifa-2026-3-gonggong-falv-fuwu.pdf"
    assert resource["url_type"] in (None, "")
    assert show(LEGAL)["private"] is False


def _silent_port():
    """A port that accepts connections and never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    return sock


BAD_CONFIGS = {
    "not JSON": ('{"api_url": ', "不是合法的 JSON"),
    "bad URL": ({"api_url": "oa.nanjing.gov.cn/api"}, "接口地址 api_url“oa.nanjing.gov.cn/api”不正确"),
    "unreachable": ({"api_url": "closed"}, "无法连接公文系统接口"),
    "unknown host": ({"api_url": "http://oa.invalid/api/documents"},
                     "找不到公文系统接口的服务器“oa.invalid”"),
    "timeout": ({"api_url": "silent", "timeout": 1}, "在 1 秒内没有响应"),
    "not JSON response": ({"api_url": "file"}, "返回的不是 JSON（application/pdf）"),
    "wrong shape": ({"api_url": "root"}, "返回的 JSON 格式不对：应是含有文件列表 “documents”"),
    "not found": ({"api_url": "missing"}, "不存在（HTTP 404）"),
    "wrong token": ({"token": "wrong"}, "拒绝访问（HTTP 401）：令牌 token 缺失、无效或没有权限"),
    "unknown organization": ({"organization": "nanjing-xxx"}, "组织“nanjing-xxx”不存在"),
    "bad page size": ({"page_size": 0}, "page_size（每页文件数）应在 1 到 500 之间"),
    "unknown field": ({"fields": {"titel": "title"}}, "没有字段“titel”"),
    "typo in a key": ({"page_sise": 20}, "不认识的配置项：page_sise"),
}


@pytest.mark.parametrize("case", BAD_CONFIGS)
def test_bad_config_is_refused_in_chinese_when_saved(case, make_source, oa):
    change, expected = BAD_CONFIGS[case]
    silent = _silent_port()
    try:
        if isinstance(change, str):
            config = change
        else:
            config = oa.config(**change)
            config["api_url"] = {
                "closed": f"http://127.0.0.1:{free_port()}/api/documents",
                "silent": f"http://127.0.0.1:{silent.getsockname()[1]}/api/documents",
                "file": f"{oa.server.url}/files/ningsifa-2026-3-gonggong-falv-fuwu.pdf",
                "root": f"{oa.server.url}/api",
                "missing": f"{oa.server.url}/api/docs",
            }.get(config["api_url"], config["api_url"])
        with pytest.raises(tk.ValidationError) as raised:
            make_source(config)
    finally:
        silent.close()
    (message,) = raised.value.error_dict["config"]
    assert message.startswith("采集配置有误："), message
    assert expected in message, message
    assert "Error parsing" not in message and "Traceback" not in message
    assert TOKEN not in message
    assert model.Session.query(model.Package).filter_by(type="harvest").count() == 0


def test_token_is_never_shown(make_source, run, oa, sysadmin):
    source = make_source()
    context = {"user": sysadmin["name"]}

    shown = helpers.call_action("harvest_source_show", context, id=source["id"])
    assert TOKEN not in json.dumps(source) + json.dumps(shown)
    assert json.loads(shown["config"])["token"] == "******"
    listed = helpers.call_action("harvest_source_list", context)
    assert listed and TOKEN not in json.dumps(listed)

    # Saved back as shown: the token is kept and the API still answers.
    helpers.call_action("harvest_source_patch", context, id=source["id"], title="公文系统（改名）")
    assert TOKEN not in json.dumps(helpers.call_action("harvest_source_show", context,
                                                       id=source["id"]))
    job = run(source)
    assert job["gather_errors"] == [] and job["stats"]["added"] == DOCUMENTS + INTERPRETATIONS
    found = helpers.call_action("package_search", context, fq="dataset_type:harvest",
                                include_private=True)
    assert found["count"] == 1 and TOKEN not in json.dumps(found)


def test_server_down_at_run_is_a_chinese_gather_error(make_source, run, oa):
    source = make_source()
    run(source)
    before = snapshot()
    oa.server.stop()

    job = run(source)

    assert job["status"] == "Finished"
    assert job["gather_errors"] == [f"无法连接公文系统接口 {oa.api_url}：连接被拒绝或主机不可达，"
                                    "请检查地址、端口以及对方服务是否在运行"]
    assert snapshot() == before, "an unreachable API withdraws nothing"


def test_after_a_failed_job_every_document_is_read_again(make_source, run, oa):
    source = make_source()
    run(source)
    oa.server.stop()
    run(source)
    oa.server = DocumentServer(oa.folder, port=oa.server.port, token=TOKEN).start()

    job = run(source)

    assert job["gather_errors"] == [] and job["objects"] == 0
    assert not any("modified_since" in q for q in oa.list_requests())


def test_bad_document_is_reported_with_its_key_and_others_harvested(make_source, run, oa):
    oa.edit("NJSFJ-2026-0003", modified="上周三")
    oa.edit("NJSCJGJ-2026-0011", department="南京市某不存在的局")
    source = make_source(oa.config(organization=None))
    # The source's own organization (市政府办公厅) takes unknown bodies.
    job = run(source)

    assert job["gather_errors"] == ["记录 NJSFJ-2026-0003：修改时间 modified“上周三”不是 ISO 8601 时间，未采集"]
    assert job["stats"]["added"] == DOCUMENTS - 1 + INTERPRETATIONS
    assert show(FOOD)["organization"]["name"] == "nanjing-zfbgt"


def test_failed_download_is_an_object_error_and_retried(make_source, run, oa):
    attachment = oa.folder / "files" / "ningsifa-2026-3-gonggong-falv-fuwu.pdf"
    body = attachment.read_bytes()
    attachment.unlink()
    source = make_source()

    job = run(source)

    (message,) = job["object_errors"]
    assert message.startswith("记录 NJSFJ-2026-0003：") and "下载失败" in message
    assert "不存在（HTTP 404）" in message
    model.Session.expire_all()
    package = model.Package.get(LEGAL)
    assert package is None or package.private
    attachment.write_bytes(body)
    job = run(source)
    assert job["object_errors"] == []
    assert show(LEGAL)["private"] is False


def test_demo_service_pages_filters_and_requires_its_token(tmp_path):
    """The demo OA system itself (no portal needed)."""
    import requests

    with DocumentServer(FIXTURES / "document_api", token=TOKEN) as server:
        url = f"{server.url}/api/documents"
        auth = {"Authorization": f"Bearer {TOKEN}"}
        assert requests.get(url, timeout=5).status_code == 401
        pages = [requests.get(url, params={"page": n, "page_size": 3}, headers=auth,
                              timeout=5).json() for n in (1, 2, 3)]
        assert [p["total"] for p in pages] == [7, 7, 7]
        ids = [d["id"] for p in pages for d in p["documents"]]
        assert len(ids) == 7 == len(set(ids)) and ids[0] == "NJCZJ-2026-0005"
        since = requests.get(url, params={"modified_since": LATEST, "fields": "id"}, headers=auth,
                             timeout=5).json()
        assert since["documents"] == [{"id": "NJCZJ-2026-0009"}, {"id": "NJZFBGT-2026-0040"}]
        attachment = requests.get(f"{server.url}/files/ningsifa-2026-3-gonggong-falv-fuwu.pdf",
                                  headers=auth, timeout=5)
        assert attachment.headers["Content-Type"] == "application/pdf"
        assert attachment.content.startswith(b"%PDF")


def test_killed_fetch_consumer_then_run_again_loses_and_duplicates_nothing(
        make_source, oa, harvest_consumers):
    from .queues import current_objects_per_guid, interrupt_and_run_again

    template = json.loads(oa.path("NJSFJ-2026-0003").read_text("utf-8"))
    template.pop("interpretation", None)
    template["attachments"] = []
    for number in range(60):
        doc = dict(template, id=f"NJSFJ-2026-{500 + number:04d}",
                   title=f"南京市司法局关于第{number + 1}批行政执法公示事项的通知",
                   doc_number=f"宁司规〔2026〕{500 + number}号")
        oa.path(doc["id"]).write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    source = make_source()

    interrupt_and_run_again(harvest_consumers, source, after=15)

    model.Session.expire_all()
    names = [p.name for p in harvested("policy_document")]
    assert len(names) == len(set(names)) == DOCUMENTS + 60
    assert len(harvested("policy_interpretation")) == INTERPRETATIONS
    assert set(current_objects_per_guid(source["id"]).values()) == {1}
