"""A real webhook receiver a test starts on 127.0.0.1: it keeps every
request (raw body, headers, time of arrival) and answers as the test tells
it: a status (with headers such as Retry-After or Location), or not at all
for a while (a receiver that hangs)."""
from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

__all__ = ["Received", "Receiver", "receiver"]


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float                      # time.time() on arrival

    @property
    def json(self):
        return json.loads(self.body)

    @property
    def message_id(self) -> str:
        return self.headers["webhook-id"]


@dataclass
class Answer:
    status: int = 204
    headers: dict[str, str] = field(default_factory=dict)
    hang: float = 0.0              # seconds to wait before answering


class Receiver:
    def __init__(self, port: int = 0):
        self.received: list[Received] = []
        self.answers: list[Answer] = []     # answered in turn; then `usual`
        self.usual = Answer()
        self.lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                with owner.lock:
                    owner.received.append(Received(self.path, {k.lower(): v for k, v in
                                                               self.headers.items()},
                                                   body, time.time()))
                    answer = owner.answers.pop(0) if owner.answers else owner.usual
                if answer.hang:
                    time.sleep(answer.hang)
                try:
                    self.send_response(answer.status)
                    for key, value in answer.headers.items():
                        self.send_header(key, value)
                    self.send_header("content-length", "0")
                    self.end_headers()
                except OSError:
                    pass   # the sender gave up waiting

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def messages(self, path: str | None = None) -> list[Received]:
        with self.lock:
            return [r for r in self.received if path is None or r.path == path]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    running = Receiver()
    yield running
    running.stop()
