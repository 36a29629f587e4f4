"""The request tests' people and application form serve the report tests."""
from __future__ import annotations

from ..requests.conftest import application, fresh_counters, id_number, people  # noqa: F401

import http.server
import threading
import time

import pytest


class _Links(http.server.BaseHTTPRequestHandler):
    """A real local web server for the link checks: a page, a missing one,
    one that refuses HEAD, a redirect loop and one that hangs."""

    def _answer(self, body: bool):
        path = self.path.split("?")[0]
        if path == "/hang":
            time.sleep(3)
        if path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
        elif path == "/no-head" and self.command == "HEAD":
            self.send_response(405)
        elif path in ("/ok", "/no-head", "/hang"):
            self.send_response(200)
        else:
            self.send_response(404)
        self.send_header("Content-Length", "2")
        self.end_headers()
        if body:
            self.wfile.write(b"ok")

    def do_HEAD(self):
        self._answer(False)

    def do_GET(self):
        self._answer(True)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def link_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Links)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
