"""make bench-harvest: the harvesters' end-to-end speed.

Fills the bench exchange database (scripts/bench.sh creates it) with N
budget-disclosure rows of 市财政局's system, as the demo source's
`czj-budget` mapping reads them (one gkml_item catalog entry per row),
creates the source through the Action API and runs one job through
ckanext-harvest's Redis queues, with `ckan harvester gather-consumer` and
`fetch-consumer` as child processes, as in production: gather, fetch, import
(schema validation, the gate's hooks, activity, Solr). Then an unchanged
re-run. Prints records per second of both and their ratio against the
aims (20 records/s; a re-run 10 times faster), and checks that the catalog,
Solr and the activity stream each hold N entries and that no stage
reported an error: it exits 1 if such a check fails.

It empties the CKAN database and the Solr site of the config it runs on,
so it refuses any config whose ckan.site_id does not end in `_bench`.
Run as `python benchmarks/harvest.py --ini .local/bench.ini`
(scripts/bench.sh prepares that config and its databases).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

import argparse
import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool

import ckan.model as model
import ckan.plugins.toolkit as tk

__all__ = ["generate_rows", "run", "main", "in_app", "require_bench_site"]

FIXTURES = Path(__file__).resolve().parents[1] / "harvesters" / "fixtures"
SOURCE_TYPE = "nanjing_exchange_db"
SOURCE_NAME = "bench-exchange"
MAPPING = "czj-budget"
ORGANIZATION = ("nanjing-czj", "南京市财政局")
READER_ENV = "NANJING_BENCH_READER_PASSWORD"
OWNER_ENV = "NANJING_BENCH_OWNER_PASSWORD"
DATABASE_ENV = "NANJING_BENCH_EXCHANGE_DB"
SEED = 20261127
FIRST_AIM = 20.0          # new records per second
RERUN_AIM = 10.0          # an unchanged re-run this many times faster
POLL = 0.25               # seconds between looks at the job
STALL = 600               # seconds without progress before giving up

# 市级部门 and the path of their pages on 市财政局's disclosure site.
DEPARTMENTS = [
    ("南京市发展和改革委员会", "fgw"), ("南京市教育局", "jyj"), ("南京市科学技术局", "kjj"),
    ("南京市工业和信息化局", "gxj"), ("南京市公安局", "gaj"), ("南京市民政局", "mzj"),
    ("南京市司法局", "sfj"), ("南京市财政局", "czj"), ("南京市人力资源和社会保障局", "rsj"),
    ("南京市规划和自然资源局", "ghzy"), ("南京市生态环境局", "sthjj"),
    ("南京市城乡建设委员会", "cjw"), ("南京市城市管理局", "cgj"), ("南京市交通运输局", "jtysj"),
    ("南京市水务局", "swj"), ("南京市农业农村局", "nync"), ("南京市商务局", "swj2"),
    ("南京市文化和旅游局", "whlyj"), ("南京市卫生健康委员会", "wjw"),
    ("南京市退役军人事务局", "tyjrj"), ("南京市应急管理局", "yjglj"), ("南京市审计局", "sjj"),
    ("南京市市场监督管理局", "scjgj"), ("南京市体育局", "tyj"), ("南京市统计局", "tjj"),
    ("南京市医疗保障局", "ybj"), ("南京市政务服务管理办公室", "zwb"),
    ("南京市数据局", "sjglj"), ("南京市地方金融管理局", "jrj"), ("南京市人民防空办公室", "rfb"),
    ("南京市住房保障和房产局", "fcj"), ("南京市园林局", "ylj"), ("南京市粮食和物资储备局", "lsj"),
    ("南京市档案馆", "daj"), ("南京市机关事务管理局", "jgswj"), ("南京市信访局", "xfj"),
    ("南京市民族宗教事务委员会", "mzzj"), ("南京市外事办公室", "wb"),
    ("南京市人民政府办公厅", "zfbgt"), ("南京市国有资产监督管理委员会", "gzw"),
]
# The department itself (its 部门 figures) or one of its budget units.
UNITS = ["", "机关", "机关服务中心", "信息中心", "综合行政执法支队", "培训中心", "宣传教育中心",
         "发展研究中心", "财务核算中心", "档案室", "后勤服务中心", "监测中心"]
BASIS = ("《中华人民共和国预算法》第十四条；《中华人民共和国政府信息公开条例》；"
         "《地方预决算公开操作规程》（财预〔2016〕143号）")
KINDS = [  # category, URL path, content, year offset, deadline
    ("部门预算", "bmys", "部门收支总表、部门收入总表、部门支出总表、财政拨款收支总表、一般公共预算支出表、"
     "一般公共预算基本支出表、一般公共预算“三公”经费支出表、政府性基金预算支出表、部门预算项目支出表"
     "及部门预算情况说明", 0, "财政部门批复后20日内"),
    ("部门决算", "bmjs", "收入支出决算总表、收入决算表、支出决算表、财政拨款收入支出决算总表、一般公共预算"
     "财政拨款支出决算表、一般公共预算财政拨款“三公”经费支出决算表、政府性基金预算财政拨款收入支出决算表"
     "及部门决算情况说明（含绩效评价结果）", -1, "财政部门批复后20日内"),
    ("“三公”经费预算", "sgys", "因公出国（境）费、公务用车购置及运行费、公务接待费的预算数及其增减原因",
     0, "随部门预算公开"),
    ("“三公”经费决算", "sgjs", "因公出国（境）费、公务用车购置及运行费、公务接待费的决算数、"
     "与预算的差异及其原因", -1, "随部门决算公开"),
    ("项目支出绩效目标", "jxmb", "重点项目支出绩效目标表：项目名称、资金规模、年度目标、产出与效益指标",
     0, "随部门预算公开"),
]
CHANNELS = ["政府网站、两微一端", "政府网站", "政府网站、政府公报", "政府网站、两微一端、政府公报"]
CHANNEL_WEIGHTS = [60, 20, 12, 8]
OPERATORS = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨"
YEARS = range(2019, 2027)
COLUMNS = ["item_id", "dept_name", "title", "category", "content", "basis", "deadline",
           "channels", "attribute", "formed_date", "doc_url", "operator", "status", "updated_at"]


class BenchError(Exception):
    """The benchmark cannot run (Chinese message)."""


# The exchange database

def generate_rows(count: int, seed: int = SEED) -> list[dict[str, Any]]:
    """`count` rows of 市财政局's disclosure system: every department or
    budget unit, year and kind of disclosure at most once (then again as
    更正 rows), in a shuffled but repeatable order."""
    rng = random.Random(seed)
    combos = [(d, u, y, k) for d in DEPARTMENTS for u in UNITS for y in YEARS for k in KINDS]
    rng.shuffle(combos)
    rows = []
    for number in range(count):
        (department, code), unit, published, kind = combos[number % len(combos)]
        category, path, content, offset, deadline = kind
        year = published + offset  # 决算 are of the year before
        again = number // len(combos)
        body = f"{department}{unit}" if unit else department
        formed = dt.date(published, 8 if offset else 2, 1) + dt.timedelta(days=rng.randrange(28))
        updated = dt.datetime.combine(formed, dt.time(9)) + dt.timedelta(minutes=rng.randrange(600))
        rows.append({
            "item_id": f"GK-320100-{number + 1:06d}",
            "dept_name": department,
            "title": f"{body}{year}年{category}" + (f"（更正{again}）" if again else ""),
            "category": category,
            "content": content,
            "basis": BASIS,
            "deadline": deadline,
            "channels": rng.choices(CHANNELS, CHANNEL_WEIGHTS)[0],
            "attribute": "主动公开",
            "formed_date": formed.isoformat(),
            "doc_url": f"https://czj.nanjing.gov.cn/ysgk/{year}/{path}/{code}/{number + 1:06d}/",
            "operator": rng.choice(OPERATORS) + "*",
            "status": "正常",
            "updated_at": updated.isoformat() + "+08:00",
        })
    return rows


def _exchange_url(user: str, password: str | None = None) -> URL:
    ckan_db = make_url(tk.config["sqlalchemy.url"])
    return URL.create("postgresql", username=user, password=password, host=ckan_db.host,
                      port=ckan_db.port, database=os.environ.get(DATABASE_ENV, "exchange_bench"))


def fill_exchange(count: int) -> None:
    """The demo exchange database's tables and view (the fixture), with
    `count` generated rows in czj_budget_disclosure."""
    password = os.environ.get(OWNER_ENV)
    if not password or not os.environ.get(READER_ENV):
        raise BenchError(f"没有前置库账号的密码（环境变量 {OWNER_ENV}、{READER_ENV}）："
                         f"请用 make bench-harvest 运行，它从 .local/secrets.env 读取")
    engine = sa.create_engine(_exchange_url("exchange_owner", password), poolclass=NullPool)
    try:
        raw = engine.raw_connection()
    except sa.exc.OperationalError as error:
        raise BenchError(f"无法连接基准前置库：{str(error.orig).strip().splitlines()[0]}"
                         f"（scripts/bench.sh 创建它；请用 make bench-harvest 运行）") from None
    try:
        out = io.StringIO()
        writer = csv.DictWriter(out, COLUMNS, lineterminator="\n")
        writer.writerows(generate_rows(count))
        out.seek(0)
        with raw.cursor() as cursor:
            cursor.execute((FIXTURES / "exchange_db.sql").read_text(encoding="utf-8"))
            cursor.execute("TRUNCATE czj_budget_disclosure")
            cursor.copy_expert(f"COPY czj_budget_disclosure ({', '.join(COLUMNS)}) "
                               f"FROM STDIN WITH (FORMAT csv)", out)
            cursor.execute("ANALYZE czj_budget_disclosure")
        raw.commit()
    finally:
        raw.close()
        engine.dispose()


def source_config() -> dict[str, Any]:
    """The demo source's czj-budget mapping, on the bench exchange database."""
    demo = json.loads((FIXTURES / "exchange_demo_source.json").read_text(encoding="utf-8"))
    (mapping,) = [m for m in demo["mappings"] if m["name"] == MAPPING]
    return {"database_url": _exchange_url("exchange_reader").render_as_string(hide_password=False),
            "password_env": READER_ENV, "on_withdraw": "withdraw", "mappings": [mapping]}


# The catalog

def clear_catalog() -> None:
    """Empties the bench's CKAN database, its Solr documents and its queues."""
    from ckan.lib import search
    from ckanext.harvest.queue import (get_connection, get_fetch_routing_key,
                                       get_gather_routing_key, purge_queues)

    model.Session.remove()
    tables = [row[0] for row in model.Session.execute(sa.text(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
        "AND tablename NOT LIKE '%alembic_version'"))]
    if tables:
        model.Session.execute(sa.text(
            "TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
    model.Session.commit()
    search.clear_all()
    purge_queues()
    # Messages a consumer had taken when it was stopped: ckanext-harvest
    # would queue them again after three minutes (resubmit_jobs).
    redis = get_connection()
    for key in (get_gather_routing_key(), get_fetch_routing_key()):
        for taken in redis.keys(key + ":*"):
            redis.delete(taken)


def _site_user() -> str:
    return tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]


def create_source() -> dict[str, Any]:
    user = _site_user()
    organization = tk.get_action("organization_create")(
        {"user": user}, {"name": ORGANIZATION[0], "title": ORGANIZATION[1]})
    return tk.get_action("harvest_source_create")({"user": user}, {
        "name": SOURCE_NAME, "title": "基准：前置库（市财政局预决算公开系统）",
        "url": f"postgresql://前置库/{os.environ.get(DATABASE_ENV, 'exchange_bench')}",
        "source_type": SOURCE_TYPE, "owner_org": organization["id"],
        "config": json.dumps(source_config(), ensure_ascii=False)})


# Consumers and jobs

class Consumers:
    """`ckan harvester gather-consumer` and `fetch-consumer` processes,
    restarted when they exit as a process supervisor does in production:
    with the redis client CKAN 2.12 pins (8.0.1, 5-second socket timeout),
    ckanext-harvest's consumers exit after about a minute with an empty
    queue (redis TimeoutError)."""

    def __init__(self, fetchers: int, log_dir: Path):
        self.kinds = ["gather-consumer"] + ["fetch-consumer"] * fetchers
        self.log_dir = log_dir
        self.processes: list[subprocess.Popen | None] = [None] * len(self.kinds)
        self.started = [0.0] * len(self.kinds)
        self.restarts = 0

    def _log(self, number: int) -> Path:
        return self.log_dir / f"bench-harvest-{self.kinds[number]}-{number}.log"

    def _start(self, number: int) -> None:
        ckan = Path(sys.executable).with_name("ckan")
        with self._log(number).open("a") as log:
            self.processes[number] = subprocess.Popen(
                [str(ckan), "-c", tk.config["__file__"], "harvester", self.kinds[number]],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.started[number] = time.monotonic()

    def __enter__(self) -> "Consumers":
        self.log_dir.mkdir(parents=True, exist_ok=True)
        for number in range(len(self.kinds)):
            self._log(number).write_text("")
            self._start(number)
        return self

    def check(self) -> None:
        """Restarts the consumers that exited; one that exits within 30
        seconds of its start cannot run at all."""
        for number, process in enumerate(self.processes):
            if process is None or process.poll() is None:
                continue
            if time.monotonic() - self.started[number] < 30:
                raise BenchError(f"消费进程 {self.kinds[number]} 启动后即退出（退出码 "
                                 f"{process.returncode}），日志：{self._log(number)}")
            self.restarts += 1
            self._start(number)

    def wait_ready(self) -> None:
        """Until every consumer waits on its Redis queue."""
        from ckanext.harvest.queue import get_connection

        redis = get_connection()
        db = int(tk.config.get("ckan.harvest.mq.redis_db") or 0)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            self.check()
            waiting = [c for c in redis.client_list()
                       if c.get("cmd") == "blpop" and int(c.get("db", -1)) == db]
            if len(waiting) >= len(self.kinds):
                return
            time.sleep(0.2)
        raise BenchError(f"采集队列的消费进程 2 分钟内未就绪（日志：{self.log_dir}）")

    def fetch_cpu_seconds(self) -> float:
        """CPU time the running fetch consumers have used so far."""
        total = 0.0
        for kind, process in zip(self.kinds, self.processes):
            if kind == "fetch-consumer" and process is not None and process.poll() is None:
                try:
                    fields_ = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                total += (int(fields_[11]) + int(fields_[12])) / os.sysconf("SC_CLK_TCK")
        return total

    def __exit__(self, *exc) -> None:
        running = [p for p in self.processes if p is not None and p.poll() is None]
        for process in running:
            process.terminate()
        for process in running:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def run_job(source_id: str, consumers: Consumers, total: int,
            echo: Callable[[str], None]) -> tuple[float, dict[str, Any]]:
    """Creates a job (onto the gather queue) and waits until it is
    Finished; its seconds and report."""
    from ckanext.harvest.model import HarvestJob, HarvestObject

    user = _site_user()
    consumers.wait_ready()
    cpu = consumers.fetch_cpu_seconds()
    started = time.perf_counter()
    job_id = tk.get_action("harvest_job_create")({"user": user},
                                                 {"source_id": source_id, "run": True})["id"]
    done_before, moved, shown = -1, time.monotonic(), time.monotonic()
    while True:
        time.sleep(POLL)
        consumers.check()
        model.Session.remove()
        job = model.Session.get(HarvestJob, job_id)
        if job.status == "Finished":
            break
        objects = model.Session.query(HarvestObject.state).filter_by(harvest_job_id=job_id)
        left = objects.filter(HarvestObject.state.notin_(["COMPLETE", "ERROR"])).count()
        done = objects.count() - left
        if job.gather_finished and left == 0:
            # What `ckan harvester run` (cron) does: mark the job Finished.
            # Only now, as its resubmit_objects would queue again objects
            # that gather has saved but not yet queued.
            tk.get_action("harvest_jobs_run")({"user": user}, {"source_id": source_id})
            continue
        if done != done_before:
            done_before, moved = done, time.monotonic()
        elif time.monotonic() - moved > STALL:
            raise BenchError(f"采集任务 {STALL} 秒没有进展（已完成 {done} 个对象）")
        if time.monotonic() - shown >= 30:
            shown = time.monotonic()
            elapsed = time.perf_counter() - started
            echo(f"    …… {elapsed:.0f} 秒：已导入 {done} / {total}（{done / elapsed:.1f} 条/秒）")
    seconds = time.perf_counter() - started
    report = job_report(job_id)
    report["fetch_cpu"] = consumers.fetch_cpu_seconds() - cpu
    return seconds, report


def job_report(job_id: str) -> dict[str, Any]:
    from ckanext.harvest.model import HarvestObject

    context = {"ignore_auth": True}
    job = tk.get_action("harvest_job_show")(context, {"id": job_id})
    report = tk.get_action("harvest_job_report")(context, {"id": job_id})
    job["errors"] = [e["message"] for e in report["gather_errors"]] + \
        [e["message"] for obj in report["object_errors"].values() for e in obj["errors"]]
    job["objects"] = model.Session.query(HarvestObject).filter_by(harvest_job_id=job_id).count()
    return job


# Checks

def catalog_state() -> dict[str, Any]:
    """Entries in the database, in Solr and in the activity stream."""
    from ckanext.activity.model import Activity

    model.Session.remove()
    entries = model.Session.query(model.Package).filter_by(type="gkml_item", state="active",
                                                           private=False)
    ids = entries.with_entities(model.Package.id).subquery()
    result = tk.get_action("package_search")({"ignore_auth": True}, {
        "fq": "+dataset_type:gkml_item +state:active", "rows": 0, "include_private": True})
    return {
        "database": entries.count(),
        "solr": result["count"],
        "activities": model.Session.query(Activity).filter(
            Activity.object_id.in_(sa.select(ids.c.id))).count(),
        "modified": model.Session.query(sa.func.max(model.Package.metadata_modified))
        .filter_by(type="gkml_item").scalar(),
    }


def require_bench_site(target: str) -> str:
    """The config's site id, or BenchError unless it is a bench config: the
    benchmark empties its CKAN database and Solr site."""
    site_id = tk.config.get("ckan.site_id") or ""
    if not site_id.endswith("_bench"):
        raise BenchError(f"基准会清空所用配置的 CKAN 数据库和 Solr 索引，只能在基准专用配置上运行"
                         f"（ckan.site_id 以 _bench 结尾；当前为“{site_id}”）：请用 make {target}")
    return site_id


def run(records: int, fetchers: int, echo: Callable[[str], None]) -> bool:
    site_id = require_bench_site("bench-harvest")
    echo(f"采集性能基准：前置库 1 个视图 {records:,} 行 → {records:,} 个政务公开事项目录条目"
         f"（gkml_item）；CPU 核数 {os.cpu_count()}")
    echo(f"  数据库 {make_url(tk.config['sqlalchemy.url']).database}，Solr site_id {site_id}，"
         f"队列 Redis db {tk.config.get('ckan.harvest.mq.redis_db')}；"
         f"gather 消费进程 1 个，fetch 消费进程 {fetchers} 个")
    load_before = os.getloadavg()[0]
    clear_catalog()
    fill_exchange(records)
    source = create_source()
    log_dir = Path(tk.config["__file__"]).resolve().parent / "log"
    with Consumers(fetchers, log_dir) as consumers:
        echo("首次采集（全部新增）……")
        first_seconds, first = run_job(source["id"], consumers, records, echo)
        after_first = catalog_state()
        echo("再次采集（前置库无变化）……")
        second_seconds, second = run_job(source["id"], consumers, records, echo)
        after_second = catalog_state()

    load_after = os.getloadavg()[0]
    first_rate, second_rate = records / first_seconds, records / second_seconds
    ratio = first_seconds / second_seconds
    echo("")
    echo(f"首次采集：{records:,} 条，用时 {first_seconds:.1f} 秒，{first_rate:.1f} 条/秒"
         f"（新增 {first['stats'].get('added', 0)}，出错 {first['stats'].get('errored', 0)}；"
         f"fetch 消费进程 CPU {first['fetch_cpu'] / records * 1000:.0f} 毫秒/条）")
    echo(f"再次采集（无变化）：{records:,} 条，用时 {second_seconds:.1f} 秒，{second_rate:.1f} 条/秒"
         f"（采集对象 {second['objects']} 个）")
    echo(f"再次采集比首次快 {ratio:.1f} 倍")
    if consumers.restarts:
        echo(f"（消费进程重启 {consumers.restarts} 次：CKAN 2.12 所用的 redis 客户端有 5 秒读超时，"
             f"队列空闲约一分钟的消费进程会退出，生产环境须由进程守护自动重启）")
    echo(f"系统平均负载（1 分钟）：开始 {load_before:.1f}，结束 {load_after:.1f}"
         f"（{os.cpu_count()} 核；机器上的其他进程会拉低结果）")
    echo(f"核对：目录 {after_first['database']:,} 个公开条目，Solr {after_first['solr']:,} 条，"
         f"动态 {after_first['activities']:,} 条；错误 {len(first['errors']) + len(second['errors'])} 个")
    for message in (first["errors"] + second["errors"])[:10]:
        echo(f"  · {message}")
    aims = [
        (f"首次采集 ≥ {FIRST_AIM:.0f} 条/秒", first_rate >= FIRST_AIM),
        (f"再次采集比首次快 ≥ {RERUN_AIM:.0f} 倍", ratio >= RERUN_AIM),
    ]
    musts = [
        ("两次采集都已完成（Finished）", first["status"] == second["status"] == "Finished"),
        (f"首次采集新增 {records:,} 个条目，没有错误",
         first["stats"].get("added") == records and not first["errors"]),
        (f"目录、Solr 与动态各有 {records:,} 条",
         after_first["database"] == after_first["solr"] == after_first["activities"] == records),
        ("再次采集没有采集对象、没有错误，目录与动态不变",
         second["objects"] == 0 and not second["errors"] and after_second == after_first),
    ]
    echo("")
    for text, ok in aims:
        echo(f"目标：{text} …… {'达到' if ok else '未达到'}")
    for text, ok in musts:
        echo(f"必须：{text} …… {'满足' if ok else '不满足'}")
    return all(ok for _, ok in musts)


def main() -> int:
    parser = argparse.ArgumentParser(description="采集器端到端性能基准（前置库 → 目录，约 10 分钟）")
    parser.add_argument("--ini", required=True, help="基准专用的 CKAN 配置（ckan.site_id 以 _bench 结尾）")
    parser.add_argument("--records", type=int, default=10_000,
                        help="前置库中生成的行数（每行一个目录条目），默认 10000")
    parser.add_argument("--fetch-consumers", type=int, default=min(os.cpu_count() or 1, 8),
                        choices=range(1, 9), metavar="1-8",
                        help="fetch 消费进程个数（默认与 CPU 核数相同）")
    args = parser.parse_args()
    if args.records < 1:
        parser.error("--records 至少为 1")

    return in_app(args.ini, lambda: run(args.records, args.fetch_consumers, print))


def in_app(ini: str, bench: Callable[[], bool]) -> int:
    """Runs `bench` inside the CKAN app of `ini`; the exit status: 0 when
    its checks held, 1 when one failed, 2 when it could not run."""
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(ini))
    try:
        with app._wsgi_app.test_request_context():
            ok = bench()
    except BenchError as error:
        print(f"基准无法运行：{error}", file=sys.stderr)
        return 2
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
