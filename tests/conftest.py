"""Fixtures shared by the whole suite. Tests run against the real services
that `make test` starts, through CKAN's pytest plugin (--ckan-ini)."""
from __future__ import annotations

import io
import os
import subprocess
import time
from urllib.parse import urlsplit

import pytest
import requests

import ckan.plugins
import ckan.plugins.toolkit as tk
from ckan.tests import factories

from .mailbox import inbox, smtp_settings  # noqa: F401  (fixtures for every test)
from .support import LOCAL, ROOT, port_is_open


# Plugins whose tables come from their own alembic migrations.
MIGRATED_PLUGINS = ("activity", "harvest", "nanjing", "nanjing_requests", "nanjing_supervision",
                    "nanjing_access", "nanjing_feeds", "nanjing_interaction")


@pytest.fixture(autouse=True)
def plugins_from_ini(request):
    """CKAN's pytest plugin unloads every plugin before the tests run; every
    test here runs with the plugins of test.ini, as the portal does.

    Loading them costs more than a second (CKAN rebuilds its whole
    configuration), so they are loaded once and kept. A test that changes the
    configuration with a `ckan_config` mark gets CKAN's `with_plugins`: the
    plugins are loaded with its configuration and unloaded after it, and the
    next test loads them again from test.ini."""
    if any(request.node.iter_markers("ckan_config")):
        request.getfixturevalue("with_plugins")
    elif not ckan.plugins.plugin_loaded("nanjing"):
        ckan.plugins.load_all()


@pytest.fixture
def clean_db(plugins_from_ini, reset_db, migrate_db_for):
    """CKAN's clean_db rebuilds only core tables; add the plugins' ones."""
    reset_db()
    for plugin in MIGRATED_PLUGINS:
        migrate_db_for(plugin)


@pytest.fixture(scope="session")
def ckan_ini(request) -> str:
    return os.path.abspath(request.config.getoption("ckan_ini"))


def _serving(*args: str, timeout: int = 240) -> subprocess.CompletedProcess:
    # One gunicorn worker (its threads serve the tests' one browser): half
    # the start-up of the demo's one per core.
    env = {**os.environ, "NANJING_WEB_WORKERS": os.environ.get("NANJING_WEB_WORKERS", "1")}
    return subprocess.run([str(ROOT / "scripts" / "nanjing"), *args], cwd=ROOT, text=True,
                          capture_output=True, timeout=timeout, env=env)


@pytest.fixture(scope="session")
def live_server(ckan_ini):
    """The test portal served as `make demo` serves the portal (nginx in front
    of gunicorn under supervisord, scripts/serving.py) at test.ini's site_url,
    as a person meets it, without the micro-cache: tests change the catalog
    between requests. It must be that address: CKAN caches full download
    links of datasets indexed by the test process."""
    site_url = tk.config["ckan.site_url"]
    port = urlsplit(site_url).port
    _serving("stop-serving", "test", "quiet")  # what an interrupted run left
    if port_is_open(port):
        pytest.fail(f"端口 {port} 已被占用，浏览器测试无法启动测试门户；"
                    f"停止占用者或设置 NANJING_TEST_CKAN_PORT 后重新运行 make test")
    started = _serving("serve", "test", ckan_ini, str(port), "--cache", "0")
    if started.returncode:
        pytest.fail(f"测试门户没有启动：{started.stderr[-3000:]}")
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{site_url}/api/3/action/status_show", timeout=10).ok:
                break
        except requests.RequestException:  # not listening yet, or a worker still starting
            pass
        time.sleep(0.25)
    else:
        log = (LOCAL / "log" / "test-gunicorn.log").read_text()[-3000:]
        _serving("stop-serving", "test")
        pytest.fail(f"gunicorn did not answer in 180 s: {log}")
    yield site_url
    _serving("stop-serving", "test")


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright (no downloaded browser)."""
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("NANJING_CHROMIUM", "/usr/bin/chromium")
    if not os.path.exists(executable):
        pytest.fail(f"Chromium not found at {executable}; `make test` installs it")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"])
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def org(clean_db):
    return factories.Organization(name="nanjing-sthjj", title="南京市生态环境局")


@pytest.fixture
def steward(clean_db, org):
    user = factories.UserWithToken()
    tk.get_action("organization_member_create")(
        {"ignore_auth": True}, {"id": org["id"], "username": user["name"], "role": "editor"})
    return user


@pytest.fixture
def upload(app):
    """Sends a file to resource_create/resource_update as multipart, like
    ckanapi and the web form do; returns (status code, JSON body)."""
    def send(action, user, content: bytes, filename: str, **fields):
        data = {key: str(value) for key, value in fields.items()}
        data["upload"] = (io.BytesIO(content), filename)
        response = app.post(f"/api/3/action/{action}", data=data,
                            headers={"Authorization": user["token"]},
                            content_type="multipart/form-data", status=None)
        return response.status_code, response.json
    return send


@pytest.fixture
def call(app):
    """Calls the Action API as `user` (a factory user with a token) or
    anonymously, in the site's language or under /`lang`/."""
    def call(action, user=None, lang="", **data):
        prefix = f"/{lang}" if lang else ""
        headers = {"Authorization": user["token"]} if user else {}
        return app.post(f"{prefix}/api/3/action/{action}", json=data, headers=headers,
                        status=None).json
    return call


@pytest.fixture
def api(call, clean_db):
    """Calls the Action API as a sysadmin, as a data steward's client would."""
    sysadmin = factories.SysadminWithToken()

    def call_as_sysadmin(action, lang="", **data):
        return call(action, sysadmin, lang, **data)
    return call_as_sysadmin
