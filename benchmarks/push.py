"""make bench-push: from publication to webhook delivery.

Fills the bench exchange database with N budget-disclosure rows (as make
bench-harvest does), registers a webhook endpoint on a local receiver
(an HTTP server in this process on 127.0.0.1), starts the webhook worker
(`ckan nanjing-feeds deliver`, as supervisord runs it) and the harvest
consumers, and harvests the N records. For every record it takes the time
from its publication (the change log's timestamp, written in the
publishing transaction just before it commits) to its arrival at the
receiver, and prints p50, p95 and the maximum against the aim (p95 under
5 s). It checks that every record arrived once, signed (the reference
verifier, standardwebhooks), after one attempt each. Then it reads the
whole change log through nanjing_changes (1,000 a page) and prints the
feed's records per second.

It empties the CKAN database and Solr site of the config it runs on, so it
refuses any config whose ckan.site_id does not end in `_bench`.
Run as `python benchmarks/push.py --ini .local/bench.ini` (scripts/bench.sh
prepares it).
"""
from __future__ import annotations

import argparse
import configparser
import datetime as dt
import os
import statistics
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import ckan.model as model
import ckan.plugins.toolkit as tk

import harvest
from harvest import BenchError

AIM_P95 = 5.0          # seconds from publication to delivery
ARRIVAL_WAIT = 300     # seconds to wait for the last message after the job


class Receiver:
    """Keeps (raw body, headers, arrival time) of every POST; answers 204."""

    def __init__(self):
        self.received: list[tuple[bytes, dict[str, str], float]] = []
        self.lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                with owner.lock:
                    owner.received.append((body, {k.lower(): v for k, v in self.headers.items()},
                                           time.time()))
                self.send_response(204)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/bench-hook"

    def count(self) -> int:
        with self.lock:
            return len(self.received)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _worker_ini() -> Path:
    """The bench config, with the receiver's loopback network allowed."""
    parser = configparser.RawConfigParser(strict=False)
    parser.optionxform = str
    parser.read(tk.config["__file__"], encoding="utf-8")
    parser["app:main"]["ckanext.nanjing.webhooks.allowed_networks"] = "127.0.0.0/8"
    # Beside the bench config: %(here)s in it means the same folder.
    target = Path(tk.config["__file__"]).resolve().parent / "bench-push-worker.ini"
    with target.open("w", encoding="utf-8") as out:
        parser.write(out)
    return target


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def _latencies(received, secret: str) -> tuple[list[float], set[str], int, int]:
    """Seconds from publication to arrival per message; the record ids;
    messages whose signature failed; messages with a repeated id."""
    import json
    from standardwebhooks.webhooks import Webhook, WebhookVerificationError
    from ckanext.nanjing.feeds.model import Change

    verifier = Webhook(secret)
    published = {seq: occurred for seq, occurred in
                 model.Session.query(Change.seq, Change.occurred)}
    seconds, ids, bad, seen = [], set(), 0, set()
    for body, headers, arrived in received:
        try:
            verifier.verify(body, headers)
        except WebhookVerificationError:
            bad += 1
        data = json.loads(body)["data"]
        ids.add(data["id"])
        seen.add(headers["webhook-id"])
        at = published[data["seq"]].replace(tzinfo=dt.timezone.utc).timestamp()
        seconds.append(arrived - at)
    return seconds, ids, bad, len(received) - len(seen)


def _feed_rate() -> tuple[int, float]:
    """Every change read through nanjing_changes, 1,000 a page."""
    action = tk.get_action("nanjing_changes")
    cursor, total = "", 0
    started = time.perf_counter()
    while True:
        page = action({"user": ""}, {"since": cursor, "limit": 1000})
        total += len(page["changes"])
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    return total, time.perf_counter() - started


def run(records: int, fetchers: int, echo) -> bool:
    from ckanext.nanjing.feeds.model import Attempt, Delivery

    harvest.require_bench_site("bench-push")
    echo(f"推送基准：前置库 {records:,} 行 → 采集发布 {records:,} 个目录条目 → Webhook 接收端；"
         f"CPU 核数 {os.cpu_count()}")
    harvest.clear_catalog()
    harvest.fill_exchange(records)
    source = harvest.create_source()
    receiver = Receiver()
    admin = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    log_dir = Path(tk.config["__file__"]).resolve().parent / "log"
    log_dir.mkdir(parents=True, exist_ok=True)
    ini = _worker_ini()
    tk.config["ckanext.nanjing.webhooks.allowed_networks"] = "127.0.0.0/8"
    endpoint = tk.get_action("nanjing_webhook_create")(
        {"user": admin}, {"url": receiver.url, "type": "gkml_item",
                          "description": "推送基准的接收端"})
    worker_log = (log_dir / "bench-push-worker.log").open("w")
    worker = subprocess.Popen(
        [str(Path(sys.executable).with_name("ckan")), "-c", str(ini), "nanjing-feeds", "deliver"],
        stdout=worker_log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        with harvest.Consumers(fetchers, log_dir) as consumers:
            echo("采集并发布……")
            seconds, report = harvest.run_job(source["id"], consumers, records, echo)
        deadline = time.monotonic() + ARRIVAL_WAIT
        while receiver.count() < records and time.monotonic() < deadline:
            if worker.poll() is not None:
                raise BenchError(f"Webhook 发送进程已退出（日志：{log_dir / 'bench-push-worker.log'}）")
            time.sleep(0.2)
        time.sleep(2)    # anything sent twice would arrive now
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        receiver.stop()
        os.unlink(ini)

    model.Session.remove()
    latencies, ids, bad, repeated = _latencies(receiver.received, endpoint["secret"])
    public = {package_id for (package_id,) in model.Session.query(model.Package.id).filter_by(
        type="gkml_item", state="active", private=False)}
    attempts = model.Session.query(Attempt).count()
    delivered = model.Session.query(Delivery).filter_by(status="delivered").count()
    feed_total, feed_seconds = _feed_rate()

    echo("")
    echo(f"采集发布：{records:,} 条，用时 {seconds:.1f} 秒（{records / seconds:.1f} 条/秒），"
         f"出错 {len(report['errors'])} 个")
    if latencies:
        echo(f"发布 → 送达（{len(latencies):,} 条）：p50 {_percentile(latencies, 0.5):.2f} 秒，"
             f"p95 {_percentile(latencies, 0.95):.2f} 秒，最长 {max(latencies):.2f} 秒，"
             f"平均 {statistics.mean(latencies):.2f} 秒")
    echo(f"变更接口 nanjing_changes：读出 {feed_total:,} 条变更，用时 {feed_seconds:.2f} 秒，"
         f"{feed_total / feed_seconds:,.0f} 条/秒（每页 1000 条，进程内调用）")
    p95 = _percentile(latencies, 0.95) if latencies else float("inf")
    musts = [
        (f"{records:,} 个公开条目全部送达", ids == public and len(public) == records),
        ("没有重复送达（每个 webhook-id 一次）", repeated == 0),
        ("每条消息的签名都通过参考实现验证", bad == 0),
        ("每条消息一次送达，没有重试", attempts == delivered == records),
    ]
    echo("")
    echo(f"目标：发布到送达 p95 < {AIM_P95:.0f} 秒 …… {'达到' if p95 < AIM_P95 else '未达到'}")
    for text, ok in musts:
        echo(f"必须：{text} …… {'满足' if ok else '不满足'}")
    harvest.clear_catalog()
    return all(ok for _, ok in musts)


def main() -> int:
    parser = argparse.ArgumentParser(description="推送基准：采集发布到 Webhook 送达的时间（约 2 分钟）")
    parser.add_argument("--ini", required=True, help="基准专用的 CKAN 配置（ckan.site_id 以 _bench 结尾）")
    parser.add_argument("--records", type=int, default=1000, help="采集发布的条目数，默认 1000")
    parser.add_argument("--fetch-consumers", type=int, default=min(os.cpu_count() or 1, 8),
                        choices=range(1, 9), metavar="1-8", help="fetch 消费进程个数")
    args = parser.parse_args()
    if args.records < 1:
        parser.error("--records 至少为 1")

    return harvest.in_app(args.ini, lambda: run(args.records, args.fetch_consumers, print))


if __name__ == "__main__":
    sys.exit(main())
