"""Catalog search at 100,000 datasets (make bench-search-scale).

Loads the demo catalog (datasets/) into the benchmark's own database and
Solr core (never the demo's), then makes 100,000 records of it (--count):
each a demo record of the same type, body and 领域 retitled for a district
and a year (南京市江宁区环境空气质量监测日报（2019年）), with its own id,
name, notes, tags and dates. They go into the database's package table (as
rows copied from the source record) and into the Solr core as CKAN indexes
them (validated_data_dict and all).

Then gunicorn serves the benchmark's config as `make demo` does (2 gthread
workers × 4 threads) and the benchmark issues package_search as the search
pages /open_dataset/ and /gkml_item/ do: an unspaced Chinese query (two
words of a real title, or a query of the relevance set), the page's facet
fields, the page's type as a filter, half the time a 领域 or body chosen in
the facets, pages 1 to 3, 20 rows, CKAN's default sort. Every search is
different (Solr's result cache cannot answer one twice).

Printed, for 1 and 20 concurrent clients: p50, p95, p99 and requests/s
through CKAN, and beside them the floor: the same kind of search sent
straight to Solr with the parameters CKAN sends (recorded from
package_search itself). The core, databases and storage are removed at the
end (the core here, the rest by scripts/bench.sh).
"""
from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import random
import subprocess
import sys
import time
import uuid
from pathlib import Path

import aiohttp
import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.load import percentile  # noqa: E402
from benchmarks.searches import SEARCH_TYPES, word_pairs  # noqa: E402
from tests.catalog.relevance import load_queries  # noqa: E402
from scripts.serving import gunicorn_options  # noqa: E402
from tests.support import drop_core, wait_until_answering  # noqa: E402

TIMEOUT = 120
DISTRICTS = ["玄武区", "秦淮区", "建邺区", "鼓楼区", "浦口区", "栖霞区", "雨花台区",
             "江宁区", "六合区", "溧水区", "高淳区", "江北新区"]
# Filled by Solr from other fields (copyField, defaults): not posted.
DERIVED_FIELDS = ("_version_", "title_ngram", "name_ngram", "urls", "text", "indexed_ts")
ROWS = 20
BATCH = 1000
AIM_P95 = {1: 0.050, 20: 0.300}


# -- the catalog ----------------------------------------------------------

def create_core(solr: str, core: str) -> None:
    drop_core(solr, core)
    created = requests.get(f"{solr}/admin/cores", timeout=TIMEOUT, params={
        "action": "CREATE", "name": core, "instanceDir": core, "configSet": "ckan"})
    if not created.ok:
        sys.exit(f"无法创建 Solr 核心 {core}：{created.text[:500]}")


def load_demo_catalog(ini: str) -> None:
    from ckan.cli.cli import ckan as ckan_command
    from click.testing import CliRunner

    loaded = CliRunner().invoke(ckan_command, ["-c", ini, "nanjing", "load", str(ROOT / "datasets")])
    if loaded.exit_code != 0:
        sys.exit(f"载入演示目录失败：{loaded.output[-2000:]}")


def source_documents(solr: str, core: str) -> list[dict]:
    docs = requests.get(f"{solr}/{core}/select", timeout=TIMEOUT, params={
        "q": "*:*", "fq": "dataset_type:(" + " OR ".join(SEARCH_TYPES) + " OR power_item"
        " OR service_item OR policy_document OR policy_interpretation)",
        "rows": 10_000, "fl": "*", "wt": "json"}).json()["response"]["docs"]
    for doc in docs:
        for key in DERIVED_FIELDS:
            doc.pop(key, None)
    return docs


def retitle(title: str, district: str, year: int) -> str:
    if title.startswith("南京市"):
        title = "南京市" + district + title[3:]
    else:
        title = district + title
    return f"{title}（{year}年）"


def variant(doc: dict, n: int, rng: random.Random, site_id: str) -> dict:
    """Record n: the demo record `doc` for a district and a year."""
    district, year = rng.choice(DISTRICTS), rng.randint(2012, 2026)
    moment = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:00:00"
    new = dict(doc)
    new["id"] = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    new["name"] = f"{doc['name'][:80]}-{n}"
    new["title"] = retitle(doc["title"], district, year)
    new["notes"] = f"{district}{year}年度。{doc.get('notes') or ''}"
    new["tags"] = list(doc.get("tags") or []) + [district]
    new["metadata_created"] = new["metadata_modified"] = moment + "Z"
    new["index_id"] = hashlib.md5(f"{new['id']}{site_id}".encode()).hexdigest()
    for stored in ("validated_data_dict", "data_dict"):
        if stored in doc:
            whole = json.loads(doc[stored])
            whole.update(id=new["id"], name=new["name"], title=new["title"], notes=new["notes"],
                         metadata_created=moment, metadata_modified=moment)
            whole["tags"] = list(whole.get("tags") or []) + [{"name": district, "display_name": district,
                                                               "state": "active"}]
            new[stored] = json.dumps(whole, ensure_ascii=False)
    return new


def make_catalog(solr: str, core: str, engine, docs: list[dict], count: int, site_id: str) -> None:
    """`count` variants into the package table and the core, in batches."""
    from psycopg2.extras import execute_values

    columns = ["id", "name", "title", "version", "url", "notes", "author", "author_email",
               "maintainer", "maintainer_email", "state", "license_id", "type", "owner_org",
               "private", "metadata_modified", "creator_user_id", "metadata_created",
               "plugin_data", "extras"]
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute(f"SELECT {', '.join(columns[:-2])}, plugin_data::text, extras::text "
                       "FROM package WHERE id = ANY(%s)", ([d["id"] for d in docs],))
        rows = {row[0]: row for row in cursor.fetchall()}
        docs = [d for d in docs if d["id"] in rows]
        rng = random.Random(100_000)
        session = requests.Session()
        template = "(" + ", ".join(["%s"] * (len(columns) - 2)) + ", %s::jsonb, %s::jsonb)"
        for start in range(0, count, BATCH):
            batch = [variant(docs[n % len(docs)], n, rng, site_id)
                     for n in range(start, min(start + BATCH, count))]
            values = []
            for new, n in zip(batch, range(start, start + len(batch))):
                row = list(rows[docs[n % len(docs)]["id"]])
                row[0:3] = [new["id"], new["name"], new["title"]]
                row[5] = new["notes"]
                row[15] = row[17] = new["metadata_modified"].rstrip("Z")
                values.append(row)
            execute_values(cursor, f"INSERT INTO package ({', '.join(columns)}) VALUES %s",
                           values, template=template, page_size=BATCH)
            posted = session.post(f"{solr}/{core}/update", json=batch, timeout=TIMEOUT)
            if not posted.ok:
                sys.exit(f"Solr 拒收第 {start} 条起的一批：{posted.text[:500]}")
            raw.commit()
        session.get(f"{solr}/{core}/update", params={"commit": "true"}, timeout=600).raise_for_status()
    finally:
        raw.close()


# -- the searches ----------------------------------------------------------

def search_plan(docs: list[dict], count: int, seed: int = 7) -> list[dict]:
    """`count` different package_search calls, as the search pages make them."""
    from ckanext.nanjing.catalog.facets import FIELDS_OF_TYPE

    titles = [d["title"] for d in docs]
    relevance = [q["q"] for q in load_queries() if not q["q"].isascii()]
    queries = word_pairs(titles, 400) + relevance
    choices = {}
    for kind in SEARCH_TYPES:
        of_kind = [d for d in docs if d["dataset_type"] == kind]
        choices[kind] = ([None]
                         + [f'area:"{a}"' for a in sorted({d.get("extras_area") for d in of_kind} - {None})]
                         + [f'organization:"{o}"' for o in sorted({d.get("organization") for d in of_kind} - {None})])
    rng, seen, plan = random.Random(seed), set(), []
    while len(plan) < count:
        kind = rng.choice(SEARCH_TYPES)
        chosen = rng.choice(choices[kind]) if rng.random() < 0.5 else None
        key = (rng.choice(queries), kind, chosen, rng.randint(1, 3))
        if key in seen:
            continue
        seen.add(key)
        query, kind, chosen, page = key
        fq = (f"{chosen} " if chosen else "") + f"+dataset_type:{kind}"
        plan.append({"q": query, "fq": fq, "facet.field": json.dumps(FIELDS_OF_TYPE[kind]),
                     "rows": ROWS, "start": (page - 1) * ROWS, "include_private": "true"})
    return plan


class Recorded(Exception):
    """Raised instead of querying Solr once the parameters are recorded."""


def solr_parameters(plan: list[dict]) -> list[dict]:
    """What package_search sends to Solr for each search of `plan`,
    recorded from package_search itself as an anonymous visitor."""
    import pysolr
    from ckan.logic import get_action

    recorded = []

    def record(self, q, search_handler=None, **kwargs):
        recorded.append({"q": q, **kwargs, "wt": "json"})
        raise Recorded()

    search = pysolr.Solr.search
    pysolr.Solr.search = record
    try:
        for params in plan:
            data = dict(params, **{"facet.field": json.loads(params["facet.field"])})
            try:
                get_action("package_search")({"user": ""}, data)
            except Recorded:
                pass
    finally:
        pysolr.Solr.search = search
    return recorded


async def drive(url: str, searches: list[dict], clients: int, check) -> dict:
    """Each client takes the next search of `searches` until none is left."""
    pending = iter(searches)
    timings: list[float] = []
    failures: list[str] = []

    async def client(session):
        for params in pending:
            started = time.perf_counter()
            async with session.get(url, params=params) as response:
                body = await response.read()
            timings.append(time.perf_counter() - started)
            problem = check(response.status, body)
            if problem:
                failures.append(problem)

    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(connector=connector,
                                     timeout=aiohttp.ClientTimeout(total=60)) as session:
        started = time.perf_counter()
        await asyncio.gather(*(client(session) for _ in range(clients)))
        elapsed = time.perf_counter() - started
    return {"requests": len(timings), "rps": len(timings) / elapsed, "p50": percentile(timings, 50),
            "p95": percentile(timings, 95), "p99": percentile(timings, 99), "failures": failures}


def ckan_answer(status: int, body: bytes) -> str | None:
    if status != 200:
        return f"HTTP {status}: {body[:200]!r}"
    if not json.loads(body).get("success"):
        return f"失败：{body[:200]!r}"
    return None


def solr_answer(status: int, body: bytes) -> str | None:
    return None if status == 200 else f"HTTP {status}: {body[:200]!r}"


def params_for_http(params: dict) -> list[tuple[str, str]]:
    pairs = []
    for key, value in params.items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append((key, str(item)))
    return pairs


# -- serving ----------------------------------------------------------------

def serve(ini: str, port: int, log: Path) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), *gunicorn_options(),
         "--bind", f"127.0.0.1:{port}", "--chdir", str(ROOT / "config"), "wsgi:application"],
        env={**os.environ, "CKAN_INI": os.path.abspath(ini)},
        stdout=log.open("w"), stderr=subprocess.STDOUT)
    if wait_until_answering(f"http://127.0.0.1:{port}", server, log, seconds=180) is None:
        return server
    server.terminate()
    sys.exit(f"gunicorn 未能启动（详见 {log}）")


def line(label: str, clients: int, result: dict) -> str:
    return (f"  {label:<22} {clients:>3} 个并发  {result['requests']:>5} 次  "
            f"{result['rps']:7.1f} 次/秒  p50 {result['p50'] * 1000:6.1f} ms  "
            f"p95 {result['p95'] * 1000:6.1f} ms  p99 {result['p99'] * 1000:6.1f} ms  "
            f"失败 {len(result['failures'])}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ini", required=True)
    parser.add_argument("--solr", required=True, help="http://127.0.0.1:PORT/solr")
    parser.add_argument("--core", required=True)
    parser.add_argument("--port", type=int, required=True, help="where gunicorn serves the config")
    parser.add_argument("--log", default=str(ROOT / ".local" / "log" / "bench-search-scale.log"))
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--searches", type=int, default=1500, help="searches per run of 20 clients")
    args = parser.parse_args()

    create_core(args.solr, args.core)
    server = None
    try:
        from ckan.cli import load_config
        from ckan.config.middleware import make_app
        from ckan.model import meta

        config = load_config(args.ini)
        app = make_app(config)
        started = time.perf_counter()
        load_demo_catalog(args.ini)
        docs = source_documents(args.solr, args.core)
        make_catalog(args.solr, args.core, meta.engine, docs, args.count, config["ckan.site_id"])
        numbers = requests.get(f"{args.solr}/{args.core}/select", timeout=TIMEOUT, params={
            "q": "*:*", "rows": 0, "wt": "json", "facet": "true",
            "facet.field": "dataset_type"}).json()
        total = numbers["response"]["numFound"]
        kinds = numbers["facet_counts"]["facet_fields"]["dataset_type"]
        print(f"基准目录：{total:,} 条记录（{', '.join(f'{k} {v:,}' for k, v in zip(kinds[::2], kinds[1::2]))}），"
              f"由演示目录 {len(docs)} 条变化而来；生成并建立索引 {time.perf_counter() - started:.0f} 秒",
              flush=True)

        # Runs in this order, each with searches of its own: 1 client
        # (Solr, then CKAN), then 20 clients (Solr, then CKAN).
        single = args.searches // 3
        sizes = [("solr", 1, single), ("ckan", 1, single),
                 ("solr", 20, args.searches), ("ckan", 20, args.searches)]
        warm = 40
        plan = search_plan(docs, warm + sum(size for _, _, size in sizes))
        with app._wsgi_app.test_request_context():
            recorded = solr_parameters(plan)
        print(f"检索：{len(plan):,} 个互不相同（{len(set(p['q'] for p in plan))} 个连写中文查询 × "
              f"{'/'.join(SEARCH_TYPES)} × 领域或部门筛选 × 第 1–3 页），每页 {ROWS} 条，带分面", flush=True)

        server = serve(args.ini, args.port, Path(args.log))
        ckan_url = f"http://127.0.0.1:{args.port}/api/3/action/package_search"
        solr_url = f"{args.solr}/{args.core}/select"
        # Warm-up: both gunicorn workers load the app's lazy parts (jieba).
        asyncio.run(drive(ckan_url, plan[:warm], 4, ckan_answer))
        asyncio.run(drive(solr_url, [params_for_http(p) for p in recorded[:warm]], 4, solr_answer))

        results = {}
        offset = warm
        for where, clients, size in sizes:
            if where == "ckan":
                searches, url, check = plan[offset:offset + size], ckan_url, ckan_answer
            else:
                searches = [params_for_http(p) for p in recorded[offset:offset + size]]
                url, check = solr_url, solr_answer
            offset += size
            results[where, clients] = asyncio.run(drive(url, searches, clients, check))
        print("package_search（/api/3/action/package_search，gunicorn 2 进程 × 4 线程）与同样检索直接发给 Solr（底线）：")
        for clients in (1, 20):
            print(line("Solr 直接查询（底线）", clients, results["solr", clients]))
            print(line("CKAN package_search", clients, results["ckan", clients]))
        for (where, clients), result in results.items():
            for failure in result["failures"][:5]:
                print(f"      {where} {clients}：{failure}")
        verdicts = []
        for clients, aim in AIM_P95.items():
            p95 = results["ckan", clients]["p95"]
            verdicts.append(f"{clients} 个并发 p95 < {aim * 1000:.0f} ms {'达到' if p95 < aim else '未达到'}"
                            f"（{p95 * 1000:.0f} ms）")
        failed = sum(len(r["failures"]) for r in results.values())
        print("目标：" + "；".join(verdicts) + f"；失败 {failed}")
    finally:
        if server:
            server.terminate()
            server.wait(30)
        drop_core(args.solr, args.core)
    return 0


if __name__ == "__main__":
    sys.exit(main())
