"""Link checks: is each URL that a dataset, policy or catalog entry links to
reachable? A HEAD request (GET when the server refuses HEAD), a timeout and
at most five redirects; the result of each URL is kept in
`nanjing_supervision_link_check` for the quality score and the lists."""
from __future__ import annotations

import concurrent.futures
import dataclasses
import datetime
import ipaddress
import time
import urllib.parse
from collections.abc import Iterable

import requests

import ckan.model as model
import ckan.plugins.toolkit as tk

from ..identifiers import is_web_link
from .model import LinkCheck

__all__ = ["Result", "check", "check_all", "results", "verdicts", "Verdicts"]

MAX_REDIRECTS = 5
# The address itself is at fault, whatever the network: a verdict.
TOO_MANY_REDIRECTS = f"重定向超过 {MAX_REDIRECTS} 次"
INVALID_URL = "网址格式不正确"
USER_AGENT = "ckanext-nanjing-link-check/1.0"  # HTTP headers are Latin-1


@dataclasses.dataclass
class Result:
    url: str
    ok: bool
    status_code: int | None
    message: str
    elapsed_ms: int


def _session() -> requests.Session:
    session = requests.Session()
    session.max_redirects = MAX_REDIRECTS
    session.headers["User-Agent"] = USER_AGENT
    return session


def check(url: str, timeout: float | None = None) -> Result:
    """One URL; never raises. A server that hangs costs at most `timeout`
    seconds per attempt."""
    timeout = timeout or tk.config.get("ckanext.nanjing.supervision.link_timeout")
    started = time.monotonic()

    def done(ok: bool, code: int | None, message: str) -> Result:
        return Result(url, ok, code, message, int((time.monotonic() - started) * 1000))

    session = _session()
    try:
        answer = session.head(url, timeout=timeout, allow_redirects=True)
        if answer.status_code in (403, 405, 501):
            # Some servers refuse HEAD but serve GET: ask for the headers only.
            answer = session.get(url, timeout=timeout, allow_redirects=True, stream=True)
            answer.close()
    except requests.TooManyRedirects:
        return done(False, None, TOO_MANY_REDIRECTS)
    except requests.Timeout:
        return done(False, None, f"{timeout:g} 秒内没有响应")
    except requests.exceptions.InvalidURL:
        return done(False, None, INVALID_URL)
    except requests.ConnectionError:
        return done(False, None, "无法连接服务器")
    except requests.RequestException as error:
        return done(False, None, f"请求失败：{type(error).__name__}")
    except (ValueError, UnicodeError):
        # e.g. a host name that cannot be encoded, or a port out of range
        return done(False, None, INVALID_URL)
    finally:
        session.close()
    if answer.status_code < 400:
        return done(True, answer.status_code, "可以访问")
    return done(False, answer.status_code, f"服务器返回 HTTP {answer.status_code}")


def check_all(urls: Iterable[str], workers: int | None = None) -> list[Result]:
    """Check `urls` a few at a time and store each result."""
    urls = sorted({url for url in urls if is_web_link(url)})
    workers = workers or tk.config.get("ckanext.nanjing.supervision.link_workers")
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        found = list(pool.map(check, urls))
    now = datetime.datetime.utcnow()
    for result in found:
        row = model.Session.get(LinkCheck, result.url) or LinkCheck(url=result.url)
        row.ok, row.status_code, row.message = result.ok, result.status_code, result.message
        row.elapsed_ms, row.checked = result.elapsed_ms, now
        model.Session.add(row)
    model.Session.commit()
    return found


def results() -> dict[str, LinkCheck]:
    return {row.url: row for row in model.Session.query(LinkCheck)}


def _answered(row) -> bool:
    """A server answered, or the address itself is wrong."""
    return bool(row.ok) or row.status_code is not None \
        or row.message in (TOO_MANY_REDIRECTS, INVALID_URL)


def _outside(url: str) -> bool:
    """Whether `url` is on the internet (not this machine or the intranet)."""
    host = (urllib.parse.urlsplit(url).hostname or "").lower()
    if host in ("localhost", "") or host.endswith((".local", ".localhost", ".internal")):
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return True
    return not (address.is_private or address.is_loopback or address.is_link_local)


@dataclasses.dataclass
class Verdicts:
    """Each checked URL: True reachable, False broken, None unknown (no
    server on the internet answered any check, so the checker itself had no
    network: its failures say nothing about the targets)."""
    by_url: dict[str, bool | None]
    offline: bool
    messages: dict[str, str]

    def get(self, url: str) -> bool | None:
        return self.by_url.get(url)

    @property
    def unknown(self) -> int:
        return sum(value is None for value in self.by_url.values())


def verdicts(rows: dict[str, LinkCheck] | None = None) -> Verdicts:
    rows = results() if rows is None else rows
    outside = [row for url, row in rows.items() if _outside(url)]
    offline = bool(outside) and not any(_answered(row) for row in outside)
    by_url: dict[str, bool | None] = {}
    for url, row in rows.items():
        if row.ok:
            by_url[url] = True
        elif _answered(row) or not (offline and _outside(url)):
            by_url[url] = False
        else:
            by_url[url] = None
    return Verdicts(by_url, offline, {url: row.message for url, row in rows.items()})
