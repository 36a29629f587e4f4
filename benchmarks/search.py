"""Catalog search relevance (make bench-search).

Loads the demo catalog (datasets/) into the benchmark's own database
(ckan_bench_search) and Solr core (bench_search), never the demo's, then
runs the relevance set (tests/catalog/relevance.yaml, 58 queries) three
ways and prints recall@10, MRR and irrelevant hits for each, and recall per
kind of query:
  1. CKAN's stock schema (a second core, bench_search_stock, with CKAN
     2.12's own schema.xml and the same documents), queried as CKAN
     queries it;
  2. the platform's schema read as CKAN reads a query (defType=dismax:
     each unspaced Chinese run one exact phrase), i.e. before querywords;
  3. the platform as it answers package_search and the search page.
Both cores are removed at the end; scripts/bench.sh drops the database.
"""
from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.catalog.relevance import load_queries, package_search_hits, score  # noqa: E402
from tests.support import create_stock_ckan_core, drop_core  # noqa: E402

STOCK_SUFFIX = "_stock"
TIMEOUT = 60


def create_cores(solr: str, core: str) -> None:
    """The benchmark's core with the platform's configset, and a second
    one with CKAN's stock schema.xml beside the same solrconfig."""
    drop_cores(solr, core)
    created = requests.get(f"{solr}/admin/cores", timeout=TIMEOUT, params={
        "action": "CREATE", "name": core, "instanceDir": core, "configSet": "ckan"})
    if not created.ok:
        sys.exit(f"无法创建 Solr 核心 {core}：{created.text[:500]}")
    create_stock_ckan_core(solr, core + STOCK_SUFFIX)


def drop_cores(solr: str, core: str) -> None:
    for name in (core, core + STOCK_SUFFIX):
        drop_core(solr, name)


def copy_documents(solr: str, core: str) -> int:
    """The benchmark core's documents into the stock core, as stored (the
    copyField targets are rebuilt there by the stock schema)."""
    docs = requests.get(f"{solr}/{core}/select", timeout=TIMEOUT, params={
        "q": "*:*", "rows": 10_000, "fl": "*", "wt": "json"}).json()["response"]["docs"]
    for doc in docs:
        for key in ("_version_", "title_ngram", "name_ngram", "urls", "text"):
            doc.pop(key, None)
        doc["permission_labels"] = ["public"] if doc.get("capacity") == "public" else []
    requests.post(f"{solr}/{core}{STOCK_SUFFIX}/update", params={"commit": "true"},
                  json=docs, timeout=TIMEOUT).raise_for_status()
    return len(docs)


def stock_hits(solr: str, core: str, site_id: str):
    from ckan.lib.search.query import QUERY_FIELDS

    def hits_of(query: str) -> list[str]:
        # What CKAN's PackageSearchQuery.run sends for an anonymous search.
        params = {"q": query, "defType": "dismax", "tie": "0.1", "mm": "2<-1 5<80%",
                  "qf": QUERY_FIELDS, "q.op": "AND", "df": "text", "rows": 10, "fl": "name",
                  "fq": [f'+site_id:"{site_id}"', "+state:active", "+capacity:public"],
                  "wt": "json"}
        answer = requests.get(f"{solr}/{core}{STOCK_SUFFIX}/select", params=params, timeout=TIMEOUT)
        return [doc["name"] for doc in answer.json()["response"]["docs"]]
    return hits_of


def by_kind(hits_of, queries) -> str:
    kinds = defaultdict(list)
    for item in queries:
        kinds[item["kind"]].append(item)
    return "  ".join(f"{kind} {score(hits_of, items).recall:.2f}（{len(items)}）"
                     for kind, items in kinds.items())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ini", required=True)
    parser.add_argument("--solr", required=True, help="http://127.0.0.1:PORT/solr")
    parser.add_argument("--core", required=True)
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()

    create_cores(args.solr, args.core)
    try:
        from ckan.cli import load_config
        from ckan.cli.cli import ckan as ckan_command
        from ckan.config.middleware import make_app
        from click.testing import CliRunner

        config = load_config(args.ini)
        app = make_app(config)
        started = time.perf_counter()
        loaded = CliRunner().invoke(ckan_command, ["-c", args.ini, "nanjing", "load",
                                                   str(ROOT / "datasets")])
        if loaded.exit_code != 0:
            sys.exit(f"载入演示目录失败：{loaded.output[-2000:]}")
        copied = copy_documents(args.solr, args.core)
        print(f"演示目录载入基准库与核心 {args.core}：{copied} 条记录，"
              f"{time.perf_counter() - started:.1f} 秒")
        queries = load_queries()
        with app._wsgi_app.test_request_context():
            readings = [
                ("CKAN 原版 schema（英文分词）", stock_hits(args.solr, args.core, config["ckan.site_id"])),
                ("本平台 schema，CKAN 的读法（改进前）", package_search_hits(defType="dismax")),
                ("本平台（分词 + 近邻短语 + 同义词）", package_search_hits()),
            ]
            print(f"相关性测试集：{len(queries)} 个查询（tests/catalog/relevance.yaml），前 10 条")
            for label, hits_of in readings:
                result = score(hits_of, queries)
                print(f"  {label:<30} {result.line()}")
                print(f"      按类别的 recall@10：{by_kind(hits_of, queries)}")
                if args.show_misses:
                    for miss in result.misses:
                        print(f"      {miss}")
        final = score(readings[-1][1], queries)
        verdict = "达到" if final.recall >= 0.95 else "未达到"
        print(f"目标 recall@10 ≥ 0.95：{verdict}（{final.recall:.3f}）；不相关命中 {final.irrelevant}")
    finally:
        drop_cores(args.solr, args.core)
    return 0


if __name__ == "__main__":
    sys.exit(main())
