"""The portal served as in production (scripts/serving.py): nginx answers
pages through gunicorn, serves CKAN's static files itself with gzip, refuses
oversized uploads with the platform's Chinese 413, shares anonymous answers
that start no session (micro-cache), and supervisord brings back a background process that
was killed."""
from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time

import pytest
import requests

from ckan.tests import factories

from .support import LOCAL, ROOT

SUPERVISORD = LOCAL / "venv" / "bin" / "supervisord"
SUPERVISORCTL = LOCAL / "venv" / "bin" / "supervisorctl"
OVERSIZED = (1024 + 1) * 1024 * 1024 + 1  # ckan.max_resource_size + the form's 1 MB, plus one byte


def _render(*args: str) -> None:
    subprocess.run([str(LOCAL / "venv" / "bin" / "python"), str(ROOT / "scripts" / "serving.py"),
                    *args], check=True, capture_output=True, timeout=120)


def test_pages_come_from_ckan_through_nginx(live_server):
    response = requests.get(f"{live_server}/dataset/", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["Server"] == "nginx"
    # CKAN's own answer (its security headers), compressed by nginx.
    assert "Content-Security-Policy" in response.headers
    assert response.headers["Content-Encoding"] == "gzip"
    assert "数据集" in response.text or "dataset" in response.text


def test_static_files_are_served_by_nginx_with_gzip(live_server):
    home = requests.get(live_server)
    stylesheets = re.findall(r'href="(/webassets/[^"]+\.css)"', home.text)
    assert stylesheets, "the home page links CKAN's built stylesheets"
    for path in (stylesheets[0], "/nanjing/portal.css", "/base/javascript/client.js"):
        response = requests.get(live_server + path, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200, path
        assert response.headers.get("Content-Encoding") == "gzip", path
        # Not CKAN's answer: CKAN adds its CSP to everything it serves.
        assert "Content-Security-Policy" not in response.headers, path
        assert "max-age=" in response.headers["Cache-Control"], path
    missing = requests.get(f"{live_server}/nanjing/no-such-file.css")
    assert missing.status_code == 404
    assert "Content-Security-Policy" in missing.headers, "a missing file is CKAN's 404 page"


def _post_declaring(url: str, path: str, length: int, content_type: str) -> http.client.HTTPResponse:
    """Sends only the headers of a request that says it is `length` bytes:
    nginx must refuse it before reading any body."""
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    connection.putrequest("POST", path)
    connection.putheader("Content-Type", content_type)
    connection.putheader("Content-Length", str(length))
    connection.endheaders()
    return connection.getresponse()


@pytest.mark.parametrize("path, kind", [
    ("/api/3/action/resource_create", "application/json"),
    ("/dataset/new", "text/html"),
])
def test_an_oversized_upload_gets_the_chinese_413_from_nginx(live_server, path, kind):
    response = _post_declaring(live_server, path, OVERSIZED, "multipart/form-data; boundary=x")
    body = response.read().decode()
    assert response.status == 413
    assert response.getheader("Content-Type").startswith(kind)
    assert "上传的内容超过了平台允许的 1024 MB 上限，未被接收" in body
    if kind == "application/json":
        assert json.loads(body)["success"] is False


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path: str):
        super().__init__("127.0.0.1", timeout=30)
        self.socket_path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(30)
        self.sock.connect(self.socket_path)


@pytest.fixture
def cached_nginx(live_server, ckan_ini):
    """The demo's nginx settings with the micro-cache on, on a unix socket in
    front of the test portal's gunicorn."""
    name = "test-cache"
    listen = LOCAL / "run" / name / "nginx.sock"
    listen.parent.mkdir(parents=True, exist_ok=True)
    listen.unlink(missing_ok=True)
    # Answers an earlier run stored would come back STALE instead of MISS.
    shutil.rmtree(LOCAL / "run" / name / "nginx" / "cache", ignore_errors=True)
    _render(name, ckan_ini, f"unix:{listen}", "--cache", "30", "--nginx-only", "--upstream", "test")
    serve = LOCAL / "serve" / name
    subprocess.run(["nginx", "-p", str(serve), "-c", str(serve / "nginx.conf"),
                    "-e", str(LOCAL / "log" / f"{name}-nginx-error.log")], check=True)
    pid = int((LOCAL / "run" / name / "nginx.pid").read_text())

    def get(path: str, **headers: str) -> http.client.HTTPResponse:
        connection = UnixHTTPConnection(str(listen))
        connection.request("GET", path, headers={"Host": "127.0.0.1", **headers})
        response = connection.getresponse()
        response.read()
        return response
    yield get
    os.kill(pid, signal.SIGQUIT)


def test_only_anonymous_requests_are_micro_cached(cached_nginx, org):
    factories.Dataset(name="micro-cache-check", title="缓存检查", owner_org=org["id"])
    path = "/api/3/action/package_show?id=micro-cache-check"
    assert cached_nginx(path).getheader("X-Cache-Status") == "MISS"
    assert cached_nginx(path).getheader("X-Cache-Status") == "HIT"
    # A signed-in browser (session or remember-me cookie) or an API client: never shared.
    for headers in ({"Cookie": "ckan=abc"}, {"Cookie": "remember_token=abc"},
                    {"Authorization": "token"}):
        assert cached_nginx(path, **headers).getheader("X-Cache-Status") == "BYPASS", headers
    # An anonymous page starts no session (no form, no CSRF token): stored and
    # shared. A page with a form does, and is never stored, so no visitor
    # gets another's token.
    first = cached_nginx("/dataset/micro-cache-check")
    assert first.status == 200 and first.getheader("Set-Cookie") is None
    assert cached_nginx("/dataset/micro-cache-check").getheader("X-Cache-Status") == "HIT"
    for _ in range(2):
        login = cached_nginx("/user/login")
        assert login.getheader("Set-Cookie", "").startswith("ckan=")
        assert login.getheader("X-Cache-Status") == "MISS"


def _status(conf, program: str) -> tuple[str, int]:
    out = subprocess.run([str(SUPERVISORCTL), "-c", str(conf), "status", program],
                         capture_output=True, text=True, timeout=30).stdout
    match = re.search(r"(\w+)\s+pid (\d+)", out)
    return (match.group(1), int(match.group(2))) if match else (out.split()[1] if out else "", 0)


@pytest.fixture
def background_processes(ckan_ini):
    """The demo's supervisord programs for the background processes, on the
    test config."""
    name = "test-workers"
    _render(name, ckan_ini, "0", "--with-workers", "--without-web")
    conf = LOCAL / "serve" / name / "supervisord.conf"
    process = subprocess.Popen([str(SUPERVISORD), "-c", str(conf)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    yield conf
    process.terminate()
    process.wait(timeout=60)
    # A program restarted just before the stop can outlive supervisord; a
    # jobs worker left behind would take later tests' jobs.
    _kill_session(process.pid)


def _kill_session(session: int) -> None:
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == session:
            try:
                os.kill(int(entry), signal.SIGKILL)
            except ProcessLookupError:
                pass


@pytest.mark.parametrize("program, command", [
    ("harvest-fetch", "nanjing-harvest consumer fetch"),
    ("jobs-worker", "jobs worker"),
])
def test_supervisord_restarts_a_killed_background_process(background_processes, program, command):
    deadline = time.monotonic() + 60
    while _status(background_processes, program)[0] != "RUNNING":
        assert time.monotonic() < deadline, _status(background_processes, program)
        time.sleep(0.5)
    pid = _status(background_processes, program)[1]
    assert command in open(f"/proc/{pid}/cmdline").read().replace("\0", " ")

    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 60
    while True:
        state, new_pid = _status(background_processes, program)
        if state == "RUNNING" and new_pid not in (0, pid):
            break
        assert time.monotonic() < deadline, (state, new_pid)
        time.sleep(0.5)
    assert command in open(f"/proc/{new_pid}/cmdline").read().replace("\0", " ")
