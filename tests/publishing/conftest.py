"""Fixtures for the gate's tests: datasets with a Table Schema, uploads
through the Action API as a steward's client sends them, and the jobs worker."""
from __future__ import annotations

import subprocess

import pytest


from ..support import CKAN_BIN

SCHEMA = {"fields": [
    {"name": "监测点", "type": "string", "constraints": {"required": True}},
    {"name": "所在区", "type": "string",
     "constraints": {"enum": ["玄武区", "秦淮区", "鼓楼区", "江宁区"]}},
    {"name": "监测日期", "type": "date", "constraints": {"required": True}},
    {"name": "PM2.5浓度", "type": "number", "constraints": {"minimum": 0}},
    {"name": "备注", "type": "string"},
]}

VALID_CSV = ("监测点,所在区,监测日期,PM2.5浓度,备注\n"
             "玄武湖,玄武区,2026-11-01,35.5,\n"
             "草场门,鼓楼区,2026-11-01,41,=HYPERLINK(\"http://evil\")\n"
             "仙林大学城,江宁区,2026-11-02,28.25,-1+2\n")


def dataset_dict(org, **extra):
    data = {
        "type": "open_dataset", "name": "nanjing-air-quality", "title": "南京市空气质量监测数据",
        "notes": "各监测点每日空气质量。", "owner_org": org["id"],
        "resource_code": "320100-05-0001", "area": "environment",
        "resource_format": "spreadsheet", "share_type": "unconditional",
        "open_type": "unconditional", "update_frequency": "daily",
        "information_items": SCHEMA, "private": False,
    }
    data.update(extra)
    return data


@pytest.fixture
def publish_table(call, upload, steward, org):
    """Creates a public dataset whose 信息项 are `schema` and uploads
    `content` (CSV text) to it; returns (dataset, status code, JSON body)."""
    def publish(name: str, title: str, schema: dict, content: str):
        result = call("package_create", steward,
                      **dataset_dict(org, name=name, title=title, information_items=schema))
        assert result["success"], result
        status, body = upload("resource_create", steward, content.encode("utf-8"), "table.csv",
                              package_id=result["result"]["id"], name=title, format="CSV")
        return result["result"], status, body
    return publish


@pytest.fixture
def run_jobs(ckan_ini):
    """Runs the background jobs queued so far in a real `ckan jobs worker`."""
    def run():
        result = subprocess.run([str(CKAN_BIN), "-c", ckan_ini, "jobs", "worker", "--burst"],
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr[-3000:]
        return result
    return run
