"""The demo document system (OA/公文系统): a small HTTP service serving the
fixture documents of harvesters/fixtures/document_api/ as the paged JSON
API the document-API harvester reads. For the demo and the tests only.

    python -m ckanext.nanjing_harvest.fixtures_server --port 8765 \\
        --folder harvesters/fixtures/document_api [--token SECRET]

- `GET /api/documents?page=1&page_size=20&modified_since=2026-03-01T00:00:00%2B08:00`
  → `{"total": N, "page": 1, "page_size": 20, "documents": [...]}`, ordered
  by (modified, id); `modified_since` keeps documents modified at or after
  it; `fields=id,modified` returns only those keys.
- `GET /files/<name>`: an attachment from the folder's `files/`.
- `GET /api`: what the service offers (not a list of documents).

Every document is a file `documents/<id>.json`, read again on every
request: edit, add or remove one and the API changes at once. With a token,
requests without `Authorization: Bearer <token>` get 401.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import mimetypes
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

__all__ = ["DocumentServer", "parse_time"]


def parse_time(text: str) -> dt.datetime:
    """An ISO 8601 time; a time without offset is Beijing time."""
    value = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))
    return value


_NEVER = dt.datetime.min.replace(tzinfo=dt.timezone.utc)


def _time(doc: dict[str, Any]) -> dt.datetime:
    """A document's modification time; a bad one (as some systems send)
    sorts first and is always listed."""
    try:
        return parse_time(str(doc["modified"]))
    except (KeyError, ValueError):
        return _NEVER


class DocumentServer:
    """The service on 127.0.0.1:`port` (0: a free one), in a thread."""

    def __init__(self, folder: str | Path, port: int = 0, token: str | None = None):
        self.folder = Path(folder)
        self.token = token
        self.requests: list[str] = []   # paths with queries, for the tests
        handler = type("Handler", (_Handler,), {"service": self})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.port = self.httpd.server_address[1]
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "DocumentServer":
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> "DocumentServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def documents(self) -> list[dict[str, Any]]:
        docs = [json.loads(path.read_text(encoding="utf-8"))
                for path in sorted((self.folder / "documents").glob("*.json"))]
        return sorted(docs, key=lambda d: (_time(d), str(d.get("id"))))


class _Handler(BaseHTTPRequestHandler):
    service: DocumentServer
    server_version = "NanjingOA/1.0"

    def log_message(self, format: str, *args) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self.service.requests.append(self.path)
        parts = urlsplit(self.path)
        if self.service.token and \
                self.headers.get("Authorization") != f"Bearer {self.service.token}":
            return self._json(401, {"error": "unauthorized", "message": "令牌无效"})
        if parts.path.rstrip("/") == "/api/documents":
            return self._list(parse_qs(parts.query))
        if parts.path.rstrip("/") == "/api":
            return self._json(200, {"service": "南京市公文系统（演示）", "version": "1.0",
                                    "endpoints": ["/api/documents", "/files/<name>"]})
        if parts.path.startswith("/files/"):
            name = unquote(parts.path[len("/files/"):])
            path = self.service.folder / "files" / name
            if "/" in name or not path.is_file():
                return self._json(404, {"error": "not found"})
            body = path.read_bytes()
            self.send_response(200)
            self.send_header("Content-Type",
                             mimetypes.guess_type(name)[0] or "application/octet-stream")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return None
        return self._json(404, {"error": "not found"})

    def _list(self, query: dict[str, list[str]]) -> None:
        try:
            page = int(query.get("page", ["1"])[0])
            size = int(query.get("page_size", ["20"])[0])
            since = query.get("modified_since", [""])[0]
            since_time = parse_time(since) if since else None
        except ValueError:
            return self._json(400, {"error": "bad request"})
        if page < 1 or not 1 <= size <= 500:
            return self._json(400, {"error": "bad request"})
        docs = self.service.documents()
        if since_time is not None:
            docs = [d for d in docs if _time(d) >= since_time or _time(d) == _NEVER]
        chosen = docs[(page - 1) * size:page * size]
        keys = [k for k in query.get("fields", [""])[0].split(",") if k]
        if keys:
            chosen = [{k: d.get(k) for k in keys} for d in chosen]
        return self._json(200, {"total": len(docs), "page": page, "page_size": size,
                                "documents": chosen})

    def _json(self, status: int, value: Any) -> None:
        body = json.dumps(value, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="演示公文系统的分页 JSON 接口")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--folder", required=True, help="含 documents/ 和 files/ 的目录")
    parser.add_argument("--token", help="要求请求带 Authorization: Bearer <token>")
    args = parser.parse_args(argv)
    service = DocumentServer(args.folder, args.port, args.token)
    print(f"公文系统演示接口：{service.url}/api/documents（目录 {service.folder}）", flush=True)
    try:
        service.httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        service.httpd.server_close()


if __name__ == "__main__":
    main()
