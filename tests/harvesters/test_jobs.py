"""What stewards see of a harvest job: the manual run's progress and
summary, the job page's counts while the job runs, and every error with
its record's key (ckanext-harvest's summary keeps only the 20 most frequent)."""
from __future__ import annotations

import copy
import json
import os
import subprocess

import pytest

import ckan.model as model
from ckan.tests import helpers
from ckanext.harvest import queue
from ckanext.harvest.model import HarvestJob, HarvestObject

from ..support import CKAN_BIN
from .test_file_drop import ALL, DEPARTMENTS, drop, manifest, public_names, write_manifest  # noqa: F401
from .test_file_drop import czj, make_source  # noqa: F401


def _job_page(app, sysadmin, source: dict, job_id: str) -> str:
    response = app.get(f"/harvest/{source['name']}/job/{job_id}",
                       headers={"Authorization": sysadmin["token"]})
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.fixture
def sysadmin_with_token(sysadmin):
    from ckan.tests import factories
    return dict(sysadmin, token=factories.APIToken(user=sysadmin["name"])["token"])


def test_manual_run_prints_progress_counts_and_errors(make_source, drop, ckan_ini):
    source = make_source({"folder": str(drop)})
    value = manifest(drop)
    value["datasets"][3]["files"][0]["path"] = "2026/不存在.csv"
    write_manifest(drop, value)

    result = subprocess.run([str(CKAN_BIN), "-c", ckan_ini, "nanjing-harvest", "run", source["name"]],
                            capture_output=True, text=True, timeout=300, env=dict(os.environ))

    assert result.returncode == 1, "a run with errors fails, for cron and scripts"
    assert "导入 3 条变更" in result.stdout
    assert "Finished；新增 3，更新 0，删除 0，出错 1" in result.stdout
    assert f"错误：清单第 4 项（{DEPARTMENTS}）：找不到文件“2026/不存在.csv”" in result.stderr
    assert public_names() == ALL - {DEPARTMENTS}

    again = subprocess.run([str(CKAN_BIN), "-c", ckan_ini, "nanjing-harvest", "run", "no-such-source"],
                           capture_output=True, text=True, timeout=300)
    assert again.returncode != 0
    assert "没有名称或 ID 为“no-such-source”的采集源" in again.stderr
    assert "Traceback" not in again.stderr


def test_job_page_shows_counts_while_the_job_runs(make_source, drop, app, sysadmin_with_token):
    source = make_source({"folder": str(drop)})
    job = helpers.call_action("harvest_job_create", {"ignore_auth": True},
                              source_id=source["id"], run=False)
    job_obj = HarvestJob.get(job["id"])
    job_obj.status = "Running"
    job_obj.save()
    harvester = queue.get_harvester("nanjing_file_drop")
    ids = queue.gather_stage(harvester, job_obj)
    assert len(ids) == 4
    for object_id in ids[:2]:
        queue.fetch_and_import_stages(harvester, HarvestObject.get(object_id))

    page = _job_page(app, sysadmin_with_token, source, job["id"])

    assert "已处理 2 / 4 条记录" in page
    assert '<meta http-equiv="refresh" content="5">' in page
    assert 'aria-valuenow="50"' in page

    for object_id in ids[2:]:
        queue.fetch_and_import_stages(harvester, HarvestObject.get(object_id))
    helpers.call_action("harvest_jobs_run", {"ignore_auth": True}, source_id=source["id"])
    page = _job_page(app, sysadmin_with_token, source, job["id"])
    assert "已处理" not in page and 'http-equiv="refresh"' not in page


def test_every_error_is_kept_and_shown_with_its_key(make_source, run, drop, app,
                                                    sysadmin_with_token):
    """25 datasets whose files fail the gate: 25 object errors, each on the
    job page and in harvest_job_report with the record's key."""
    value = manifest(drop)
    template = value["datasets"][3]
    template["fields"]["information_items"]["fields"][2]["constraints"]["maximum"] = 1000
    value["datasets"] = []
    for number in range(25):
        entry = copy.deepcopy(template)
        entry["name"] = f"dept-budget-copy-{number:02d}"
        entry["fields"]["resource_code"] = f"320100-03-{100 + number:04d}"
        value["datasets"].append(entry)
    write_manifest(drop, value)
    source = make_source({"folder": str(drop)})

    job = run(source)

    assert job["stats"]["errored"] == 25
    assert len(job["object_errors"]) == 25
    keys = {f"dept-budget-copy-{n:02d}" for n in range(25)}
    assert {m.split("：", 1)[0] for m in job["object_errors"]} == {f"记录 {k}" for k in keys}
    page = _job_page(app, sysadmin_with_token, source, job["id"])
    for key in keys:
        assert f"记录 {key}：" in page
    model.Session.expire_all()
    assert not {p.name for p in model.Session.query(model.Package)
                .filter_by(private=False, state="active")} & keys


def _demo_sources(ckan_ini, folder, *args):
    return subprocess.run([str(CKAN_BIN), "-c", ckan_ini, "nanjing-harvest", "demo-sources",
                           str(folder), *args], capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("text, expected", [
    ('{"name": "czj-file-drop", ', "czj.json 不是合法的 JSON：第 1 行"),
    ('["not", "an", "object"]', "czj.json 应是一个 JSON 对象"),
    ('{"name": "czj-file-drop", "title": "文件投递"}', "czj.json 缺少 url、source_type、config"),
    ('{"name": "x", "title": "t", "url": "u", "source_type": "nanjing_file_drop", "config": {}}',
     "czj.json 的名称“x”无效"),
    ('{"name": "czj-file-drop", "title": "t", "url": "u", "source_type": "nanjing_file_drop",'
     ' "owner_org": "nanjing-nosuch", "config": {"folder": "/srv"}}', "组织“nanjing-nosuch”不存在"),
])
def test_bad_demo_source_definition_is_refused_in_chinese(czj, ckan_ini, tmp_path, text, expected):
    (tmp_path / "czj.json").write_text(text, encoding="utf-8")

    result = _demo_sources(ckan_ini, tmp_path)

    assert result.returncode != 0 and expected in result.stderr, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert helpers.call_action("harvest_source_list", {"ignore_auth": True}) == []


def test_demo_sources_are_registered_run_and_rerun_without_change(czj, ckan_ini, tmp_path, drop):
    (tmp_path / "czj.json").write_text(json.dumps({
        "name": "czj-file-drop", "title": "文件投递：市财政局预算公开表", "url": "file://${DROP}",
        "source_type": "nanjing_file_drop", "owner_org": "nanjing-czj",
        "config": {"folder": "${DROP}"}}, ensure_ascii=False), encoding="utf-8")

    first = _demo_sources(ckan_ini, tmp_path, "--var", f"DROP={drop}")
    again = _demo_sources(ckan_ini, tmp_path, "--var", f"DROP={drop}")

    assert first.returncode == 0, first.stderr[-2000:]
    assert "已登记采集源 czj-file-drop" in first.stdout and "新增 4" in first.stdout
    assert again.returncode == 0 and "已更新采集源 czj-file-drop" in again.stdout
    assert "新增 0，更新 0，删除 0，出错 0" in again.stdout
    assert public_names() == ALL
