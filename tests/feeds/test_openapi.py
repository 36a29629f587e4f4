"""The Action API's OpenAPI 3.1 document (/api/openapi.json): generated
from the action registry, every action of ours described with typed
parameters and results in Chinese and English; schemathesis, against the
served test portal, checks that our actions answer as documented; the docs
page shows it with Swagger UI from the portal itself (no CDN)."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

import ckan.plugins.toolkit as tk
from ckan import logic
from ckan.lib.redis import connect_to_redis
from ckan.tests import factories

from ckanext.nanjing.feeds import openapi

HAN = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]{3}")
ST = Path(sys.executable).with_name("st")


def _ours() -> set[str]:
    logic.get_action("status_show")
    return {name for name in logic._actions if name.startswith(openapi.OURS)}


def test_every_action_of_ours_is_documented_typed_in_chinese_and_english(app):
    document = app.get("/api/openapi.json").json
    assert document["openapi"] == "3.1.0"
    operations = {path.rsplit("/", 1)[1]: item for path, item in document["paths"].items()}
    assert _ours() <= set(operations), _ours() - set(operations)
    for name in _ours():
        post = operations[name]["post"]
        assert HAN.search(post["summary"]) and LATIN.search(post["summary"]), name
        params = post["requestBody"]["content"]["application/json"]["schema"]
        assert params["type"] == "object", name
        for field, schema in params.get("properties", {}).items():
            assert set(schema) & {"type", "$ref", "enum", "const", "oneOf", "anyOf"}, (name, field)
        result = post["responses"]["200"]["content"]["application/json"]["schema"]
        assert result["properties"]["result"], f"{name}: no result schema"
        assert {"403", "409"} <= set(post["responses"])
    for core in ("package_search", "package_show", "organization_list", "datastore_search"):
        params = operations[core]["post"]["requestBody"]["content"]["application/json"]["schema"]
        assert params["properties"], core           # from CKAN's docstring
    assert "get" in operations["nanjing_changes"] and "get" not in operations["nanjing_webhook_create"]


def test_an_action_of_ours_left_undocumented_is_caught(monkeypatch):
    def nanjing_feeds_forgotten(context, data_dict):
        return {}
    nanjing_feeds_forgotten.__module__ = "ckanext.nanjing.feeds.actions"
    logic.get_action("status_show")
    monkeypatch.setitem(logic._actions, "nanjing_feeds_forgotten", nanjing_feeds_forgotten)
    assert openapi.undocumented() == ["nanjing_feeds_forgotten"]
    with pytest.raises(openapi.Undocumented):
        openapi.document()


@pytest.fixture
def fresh_counters():
    """The fuzzer guesses 查询码 and the like by the thousand from 127.0.0.1:
    the rate-limit counters it fills are emptied, so that no later test (or
    run) finds the address throttled."""
    def empty():
        redis = connect_to_redis()
        for key in redis.scan_iter(f"{tk.config['ckan.site_id']}:nanjing:*"):
            redis.delete(key)
    empty()
    yield
    empty()


def test_our_actions_answer_as_documented(live_server, clean_db, tmp_path, fresh_counters):
    """schemathesis generates requests from the document (valid and invalid)
    for every action of ours and checks each answer: no 5xx, a documented
    status and content type, and a body that matches the documented schema."""
    sysadmin = factories.SysadminWithToken()
    run = _schemathesis(live_server, sysadmin["token"], r"^nanjing_", tmp_path)
    errored = _internal_errors(run.stdout)
    if run.returncode and errored:
        # schemathesis itself now and then fails to generate for an operation
        # ("Runtime Error", hypothesis's inconsistent-results check): those
        # operations, and only they, are run once more.
        run = _schemathesis(live_server, sysadmin["token"],
                            "^(" + "|".join(map(re.escape, errored)) + ")$", tmp_path)
    assert run.returncode == 0, "\n".join(_findings(run.stdout))[:8000] or run.stderr[-3000:]
    assert re.search(r"\d+ operations? tested|\bpassed\b", run.stdout), run.stdout[-2000:]


def _schemathesis(site: str, token: str, operations: str, folder) -> subprocess.CompletedProcess:
    run = subprocess.run(
        [str(ST), "run", f"{site}/api/openapi.json",
         "--include-operation-id-regex", operations,
         "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,"
                     "response_schema_conformance",
         "--phases", "examples,coverage,fuzzing", "--max-examples", "8", "--seed", "20261207",
         "--workers", "2", "--request-timeout", "60", "--no-color", "--warnings", "off",
         "--generation-database", "none", "-H", f"Authorization: {token}",
         "--report", "junit", "--report-dir", str(folder)],
        capture_output=True, text=True, timeout=900, cwd=folder)   # its cache stays there
    with open(folder / "schemathesis.txt", "a") as log:
        log.write(run.stdout + run.stderr)
    return run


def _internal_errors(output: str) -> list[str]:
    """The actions schemathesis could not test for an error of its own, when
    nothing failed a check (otherwise an empty list)."""
    if re.search(r"^=+ FAILURES =+$", output, re.MULTILINE):
        return []
    errors = output.split("= ERRORS =", 1)[1] if "= ERRORS =" in output else ""
    found = re.findall(r"_{3,} (?:GET|POST) /api/3/action/(nanjing_\w+) _{3,}\n(Runtime Error)?",
                       errors)
    if not found or any(not runtime for _, runtime in found):
        return []
    return sorted({name for name, _ in found})


def _findings(output: str) -> list[str]:
    """Each failing operation, what failed, and how to reproduce it (shortened)."""
    return [line.strip()[:300] for line in output.splitlines()
            if re.match(r"\s*(_{3,} (GET|POST)|- |\[\d{3}\]|curl )", line)]


@pytest.mark.browser
def test_the_docs_page_shows_every_action_without_outside_requests(live_server, page):
    outside = []
    origin = urlsplit(live_server).netloc
    page.on("request", lambda request: urlsplit(request.url).netloc in (origin, "")
            or outside.append(request.url))
    page.goto(f"{live_server}/api/docs")
    page.locator(".opblock-tag").first.wait_for(timeout=30000)
    # Each tag starts folded; open ours and find the change feed.
    page.locator(".opblock-tag", has_text="变更与推送").click()
    operation = page.locator(".opblock", has_text="nanjing_changes").first
    operation.wait_for()
    assert "读取变更记录" in operation.inner_text()
    assert page.locator(".opblock-tag").count() >= 5
    assert outside == []
