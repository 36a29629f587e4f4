"""One HTTP POST of a webhook message, to the address the SSRF check
resolved (not to whatever the name resolves to by then), with short
timeouts, no redirects followed and at most a little of the answer read.
It never raises: every outcome, including a refused or unreachable
address, comes back as an Outcome for the delivery log."""
from __future__ import annotations

import email.utils
import datetime
import time
from dataclasses import dataclass

import urllib3

from . import addresses

__all__ = ["Outcome", "post", "USER_AGENT"]

USER_AGENT = "ckanext-nanjing-webhooks/1 (+Standard Webhooks)"
READ_AT_MOST = 4096


@dataclass
class Outcome:
    code: int | None             # the HTTP status, None when there was no answer
    error: str                   # why it failed, in Chinese ("" when delivered)
    milliseconds: int
    retry_after: float | None = None   # seconds the receiver asked to wait
    unreachable: bool = False    # no answer at all (the endpoint's next messages wait too)

    @property
    def delivered(self) -> bool:
        return self.code is not None and 200 <= self.code < 300


def _retry_after(value: str | None, now: float) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    return max(0.0, when.timestamp() - now)


def _pool(target: addresses.Target, connect: float, read: float):
    timeout = urllib3.Timeout(connect=connect, read=read)
    if target.scheme == "https":
        return urllib3.HTTPSConnectionPool(
            target.address, target.port, timeout=timeout, retries=False, maxsize=1,
            server_hostname=target.host, assert_hostname=target.host, cert_reqs="CERT_REQUIRED")
    return urllib3.HTTPConnectionPool(target.address, target.port, timeout=timeout,
                                      retries=False, maxsize=1)


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> Outcome:
    started = time.monotonic()

    def took() -> int:
        return int((time.monotonic() - started) * 1000)
    try:
        target = addresses.resolve(url)
    except addresses.Refused as refused:
        return Outcome(None, str(refused), took(), unreachable=True)
    pool = _pool(target, connect=min(3.0, timeout), read=timeout)
    try:
        response = pool.urlopen("POST", target.path, body=body,
                                headers=dict(headers, host=target.host_header,
                                             **{"user-agent": USER_AGENT}),
                                redirect=False, retries=False, preload_content=False,
                                assert_same_host=False)
        try:
            response.read(READ_AT_MOST)
        except (urllib3.exceptions.HTTPError, OSError):
            pass
        finally:
            response.release_conn()
    except urllib3.exceptions.NewConnectionError:
        # Before TimeoutError: urllib3 makes a refused connection a kind of timeout.
        return Outcome(None, "无法连接接收端：连接被拒绝或网络不通", took(), unreachable=True)
    except urllib3.exceptions.TimeoutError:
        return Outcome(None, f"接收端在 {timeout:g} 秒内没有应答", took(), unreachable=True)
    except urllib3.exceptions.SSLError as error:
        return Outcome(None, f"接收端的 HTTPS 证书无效：{error}", took(), unreachable=True)
    except (urllib3.exceptions.HTTPError, OSError) as error:
        return Outcome(None, f"无法连接接收端：{error.__class__.__name__}", took(),
                       unreachable=True)
    finally:
        pool.close()
    code = response.status
    if 200 <= code < 300:
        return Outcome(code, "", took())
    wait = _retry_after(response.headers.get("retry-after"), time.time())
    if 300 <= code < 400:
        error = f"接收端返回重定向（{code}），平台不跟随重定向，请登记最终地址"
    elif code == 410:
        error = "接收端返回 410（已不存在），此接收地址已停用"
    else:
        error = f"接收端返回 HTTP {code}"
    return Outcome(code, error, took(), retry_after=wait)
