"""Load benchmark of the served portal (make bench-load).

Drives 127.0.0.1 only, with 1, 20 and 50 concurrent clients for 60 s each
(--clients, --duration), over the public paths a visitor and a reuser
take: the home page, the disclosure-catalog tree, search pages with Chinese
queries and facets, dataset pages, the Action API (package_search,
package_show), DataStore searches and downloads (exports of the gate's
tables, the original files, DCAT). Each client is a new anonymous visitor
that keeps its cookies, as a browser does; each waits for its answer before
the next request (a closed loop) and stops at the deadline.

Prints, per run, requests/s and p50/p95/p99 latency, and every non-2xx
answer counted by path and status; with --compare URL the same run at the
highest concurrency against that server (the development server `ckan run`).
At the highest concurrency the served portal is also driven by visitors
that hold a session cookie, as a logged-in user or one who filled in a
form does: nginx's micro-cache passes those to gunicorn, so that run shows
what the application servers alone sustain.

Last, the same number of visitors search for different things: 400
unspaced pairs of words from the catalog's own titles (benchmarks/
searches.py), pages 1 to 3 of the search pages of the open data and the
disclosure catalog, each passed on to gunicorn as a search the micro-cache
has not seen.
"""
from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from collections import Counter
from urllib.parse import quote, urlsplit

import aiohttp

from searches import SEARCH_TYPES, word_pairs

BASELINE_RPS = 15.0  # `ckan run`, 50 clients, recorded in issue 14
# Any `ckan` cookie makes nginx pass the request on (scripts/serving.py).
PAST_CACHE = {"ckan": "session"}
QUERIES = ["公共交通", "南京", "环境", "监测", "教育", "政务公开", "交通 线路", "财政 预算"]


def local_only(url: str) -> str:
    host = urlsplit(url).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        sys.exit(f"只对本机压测：{url} 不是 127.0.0.1")
    return url.rstrip("/")


async def action(session: aiohttp.ClientSession, base: str, name: str, **params) -> dict:
    async with session.get(f"{base}/api/3/action/{name}", params=params) as response:
        body = await response.json()
        if not body.get("success"):
            sys.exit(f"{name} 失败：{body.get('error')}")
        return body["result"]


async def public_paths(base: str) -> list[tuple[str, str]]:
    """(label, path) pairs from the catalog as it is: real names and ids."""
    async with aiohttp.ClientSession() as session:
        found = await action(session, base, "package_search", rows=1000,
                             fl="name,title,type,organization,num_resources")
        datasets = found["results"]
        if not datasets:
            sys.exit("目录为空：先运行 make demo 载入演示目录")
        organizations = await action(session, base, "organization_list")
        tables, files = [], []
        for dataset in datasets[:40]:
            shown = await action(session, base, "package_show", id=dataset["name"])
            if shown.get("open_type") == "conditional":
                continue  # 有条件开放: its data is for approved applicants only
            for resource in shown["resources"]:
                if resource.get("datastore_active"):
                    tables.append((shown["name"], resource["id"]))
                elif resource.get("url_type") == "upload":
                    files.append(resource["url"])
    names = [d["name"] for d in datasets]
    types = sorted({d.get("type") or "dataset" for d in datasets})
    paths = [("home", "/"), ("gkml tree", "/gkml")]
    paths += [("gkml tree by organization", f"/gkml?organization={o}") for o in organizations[:5]]
    for query in QUERIES:
        paths.append(("search", f"/dataset/?q={quote(query)}"))
        paths.append(("api package_search", f"/api/3/action/package_search?q={quote(query)}&rows=10"))
    for org in organizations[:5]:
        paths.append(("search with facets",
                      f"/dataset/?q={quote(random.choice(QUERIES))}&organization={org}"))
    for kind in types:
        paths.append(("search by type", f"/{kind}/"))
    for name in names[:30]:
        paths.append(("dataset page", f"/dataset/{name}"))
        paths.append(("api package_show", f"/api/3/action/package_show?id={name}"))
    for name, rid in tables[:15]:
        paths.append(("datastore_search", f"/api/3/action/datastore_search?resource_id={rid}&limit=20"))
        paths.append(("datastore_search q", f"/api/3/action/datastore_search?resource_id={rid}"
                                            f"&q={quote('南京')}&limit=20"))
        paths.append(("export csv", f"/resource/{rid}/export.csv"))
        paths.append(("resource page", f"/dataset/{name}/resource/{rid}"))
    for url in files[:10]:
        paths.append(("download", urlsplit(url).path))
    paths += [("dcat dataset", f"/dataset/{n}.ttl") for n in names[:5]]
    return paths, [d["title"] for d in datasets]


PAGES = (1, 2, 3)


def different_searches(pairs: list[str]) -> list[tuple[str, str]]:
    """Each word pair once on each search page and page 1-3, shuffled so
    that the clients, starting at different places, search differently."""
    paths = [("different searches", f"/{kind}/?q={quote(pair)}&page={number}")
             for pair in pairs for kind in SEARCH_TYPES for number in PAGES]
    random.Random(36).shuffle(paths)
    return paths


async def client(base, paths, deadline, offset, results, errors, cookies):
    # A new visitor each: own connection and cookies, as a browser.
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(timeout=timeout, cookies=cookies) as session:
        i = offset
        while time.monotonic() < deadline:
            label, path = paths[i % len(paths)]
            i += 1
            start = time.perf_counter()
            try:
                async with session.get(base + path, allow_redirects=False) as response:
                    await response.read()
                    status = response.status
            except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                status = type(error).__name__
            results.append(time.perf_counter() - start)
            if not (isinstance(status, int) and 200 <= status < 300):
                errors[(label, path, status)] += 1


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


async def run(base: str, paths, clients: int, duration: float, cookies=None) -> dict:
    results: list[float] = []
    errors: Counter = Counter()
    deadline = time.monotonic() + duration
    started = time.monotonic()
    # Clients start spread over the paths, so no two repeat each other.
    spread = max(1, len(paths) // clients)
    await asyncio.gather(*(client(base, paths, deadline, n * spread, results, errors, cookies)
                           for n in range(clients)))
    elapsed = time.monotonic() - started
    return {"clients": clients, "requests": len(results), "rps": len(results) / elapsed,
            "p50": percentile(results, 50), "p95": percentile(results, 95),
            "p99": percentile(results, 99), "errors": errors}


def report(name: str, result: dict) -> None:
    print(f"{name:<26} {result['clients']:>4} 个并发  {result['requests']:>6} 次请求  "
          f"{result['rps']:7.1f} 次/秒  p50 {result['p50'] * 1000:6.0f} ms  "
          f"p95 {result['p95'] * 1000:6.0f} ms  p99 {result['p99'] * 1000:6.0f} ms  "
          f"非 2xx {sum(result['errors'].values())}", flush=True)
    for (label, path, status), count in sorted(result["errors"].items(), key=lambda e: -e[1]):
        print(f"      {status}  ×{count}  {label}: {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="the served portal, http://127.0.0.1:PORT")
    parser.add_argument("--clients", default="1,20,50")
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--compare", help="another server of the same catalog (ckan run)")
    args = parser.parse_args()
    base = local_only(args.url)
    levels = [int(c) for c in args.clients.split(",")]
    paths, titles = asyncio.run(public_paths(base))
    pairs = word_pairs(titles)
    searches = different_searches(pairs)
    print(f"{len(paths)} 条公开路径（{len({p[0] for p in paths})} 类），每档 {args.duration:.0f} 秒", flush=True)
    results = []
    for clients in levels:
        results.append(asyncio.run(run(base, paths, clients, args.duration)))
        report("nginx + gunicorn", results[-1])
    top = results[-1]
    uncached = asyncio.run(run(base, paths, top["clients"], args.duration, cookies=PAST_CACHE))
    report("nginx + gunicorn（不经缓存）", uncached)
    # Passed on, as a search nobody made before is: the micro-cache serves a
    # stale copy of any URL it has seen, so repeats would be measured as hits.
    differing = asyncio.run(run(base, searches, top["clients"], args.duration, cookies=PAST_CACHE))
    report("nginx + gunicorn（不同检索，不经缓存）", differing)
    if args.compare:
        compare = asyncio.run(run(local_only(args.compare), paths, top["clients"], args.duration))
        report("ckan run（开发服务器）", compare)
        baseline, source = compare["rps"], "同次测得的 ckan run"
    else:
        baseline, source = BASELINE_RPS, "记录的 ckan run"
    ratio = top["rps"] / baseline if baseline else float("inf")
    print(f"\n{top['clients']} 个并发：{top['rps']:.1f} 次/秒，为{source}（{baseline:.1f} 次/秒）的 "
          f"{ratio:.1f} 倍；p95 {top['p95'] * 1000:.0f} ms；非 2xx {sum(top['errors'].values())}")
    print(f"{top['clients']} 个并发检索不同内容（{len(searches)} 条检索，"
          f"{len(pairs)} 组词对）：{differing['rps']:.1f} 次/秒；"
          f"p95 {differing['p95'] * 1000:.0f} ms，p99 {differing['p99'] * 1000:.0f} ms；"
          f"非 2xx {sum(differing['errors'].values())}")
    aims = [("吞吐 ≥ 3 × 15 次/秒", top["rps"] >= 3 * BASELINE_RPS),
            ("p95 < 1 s", top["p95"] < 1.0),
            ("不同检索 p95 < 1 s", differing["p95"] < 1.0),
            ("0 个非 2xx", all(not r["errors"] for r in results + [differing]))]
    print("目标：" + "；".join(f"{name} {'达到' if ok else '未达到'}" for name, ok in aims))


if __name__ == "__main__":
    main()
