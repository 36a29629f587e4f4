"""make bench-validate: the validation gate against frictionless
and against the floor (pyarrow reading the file), and our DataStore load
against a bare COPY, on a generated million-row file of inspection records.

Each validation runs in its own child process (`python
benchmarks/validate.py TOOL CSV SCHEMA`), which reports its time and its
own peak memory. The peak is the child's VmHWM (/proc/self/status), not
`getrusage`'s ru_maxrss: Linux carries a process's peak over exec, so the
ru_maxrss of a freshly started child already counts the memory of the
process that started it, here one with the whole of CKAN loaded.

Run as `python benchmarks/validate.py --ini .local/ckan.ini [--rows N]
[--keep-file]`; the DataStore load needs that CKAN configuration.
"""
from __future__ import annotations

import csv
import datetime
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import unicodedata
import uuid
from pathlib import Path
from typing import Any, Callable

from ckanext.nanjing import identifiers

__all__ = ["generate", "table_schema", "run"]

SEED = 20240601
CHUNK = 50_000
GATE_MAX_MB = 500
LOAD_RATIO_AIM = 2.0
EARLY_ROWS = 100_000
# Streamed, a dump grows by its first pages and no further.
DUMP_GROWTH_MB = 30

DISTRICTS = identifiers.NANJING_DISTRICTS
CATEGORIES = ["日常检查", "专项检查", "双随机抽查", "投诉举报核查", "跟踪复查"]
CONCLUSIONS = ["合格", "基本合格", "责令整改", "立案查处", "不合格"]
CONCLUSION_WEIGHTS = [60, 20, 12, 3, 5]
TRADE_NAMES = ["金陵", "钟山", "紫金", "秦淮", "玄武", "石头城", "栖霞", "雨花", "鼎盛", "华泰",
               "宏达", "恒信", "新城", "苏润", "长江", "扬子", "汇通", "瑞丰", "天元", "博远",
               "江宁", "六朝", "明城", "凤凰", "梧桐", "云锦", "仁和", "永安", "嘉禾", "同创"]
TRADES = ["科技", "餐饮管理", "建设工程", "商贸", "食品", "医药连锁", "物流", "环保科技",
          "文化传媒", "物业管理", "机电设备", "电子商务", "建材", "家政服务", "汽车销售"]
FORMS = ["有限公司", "有限公司", "有限公司", "股份有限公司", "有限责任公司"]
ISSUES = ["消防通道堆放杂物", "进货查验记录不全", "从业人员健康证过期", "灭火器压力不足",
          "标签标识不规范", "台账记录缺失", "安全警示标志缺失", "冷藏设施温度超标"]
LAWS = ["《中华人民共和国食品安全法》第一百二十六条", "《中华人民共和国消防法》第六十条",
        "《中华人民共和国产品质量法》第五十条", "《江苏省安全生产条例》第四十九条"]


# The file

def table_schema() -> dict[str, Any]:
    """The Table Schema of the generated file."""
    code_chars = "[0-9A-HJ-NPQRTUWXY]"
    return {"fields": [
        {"name": "序号", "type": "integer",
         "constraints": {"required": True, "unique": True, "minimum": 1}},
        {"name": "企业名称", "type": "string",
         "constraints": {"required": True, "minLength": 4, "maxLength": 100}},
        {"name": "统一社会信用代码", "type": "string", "code": "credit_code",
         "constraints": {"required": True, "unique": True,
                         "pattern": f"{code_chars}{{2}}[0-9]{{6}}{code_chars}{{10}}"}},
        {"name": "所在区", "type": "string",
         "constraints": {"required": True, "enum": list(DISTRICTS.values())}},
        {"name": "行政区划代码", "type": "string", "code": "division_code",
         "description": "区县代码，或以区县代码开头的 9 位（街道）、12 位（社区）统计用区划代码",
         "constraints": {"required": True, "pattern": "3201[0-9]{2}(?:[0-9]{3}){0,2}"}},
        {"name": "检查类别", "type": "string",
         "constraints": {"required": True, "enum": CATEGORIES}},
        {"name": "检查日期", "type": "date",
         "constraints": {"required": True, "minimum": "2020-01-01", "maximum": "2025-12-31"}},
        {"name": "抽检批次", "type": "integer", "constraints": {"required": True, "minimum": 0}},
        {"name": "合格率", "type": "number", "description": "百分比；未抽检时为空",
         "constraints": {"minimum": 0, "maximum": 100}},
        {"name": "罚款金额", "type": "integer", "description": "单位：元",
         "constraints": {"required": True, "minimum": 0, "maximum": 5_000_000}},
        {"name": "检查结论", "type": "string",
         "constraints": {"required": True, "enum": CONCLUSIONS}},
        {"name": "备注", "type": "string", "constraints": {"maxLength": 500}},
    ]}


def generate(path: Path, rows: int, seed: int = SEED) -> None:
    """Writes `rows` valid inspection records to `path`, CHUNK rows at a time."""
    rng = random.Random(seed)
    first, last = datetime.date(2020, 1, 1), datetime.date(2025, 12, 31)
    days = [(first + datetime.timedelta(d)).isoformat() for d in range((last - first).days + 1)]
    codes = _CreditCodes()
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow([f["name"] for f in table_schema()["fields"]])
        for start in range(1, rows + 1, CHUNK):
            count = min(CHUNK, rows + 1 - start)
            writer.writerows(_records(rng, start, count, codes, days))


def _records(rng: random.Random, start: int, count: int, codes: "_CreditCodes", days: list[str]):
    where = rng.choices(list(DISTRICTS.items()), k=count)
    names = rng.choices(TRADE_NAMES, k=count)
    trades = rng.choices(TRADES, k=count)
    forms = rng.choices(FORMS, k=count)
    kinds = rng.choices("1111111112", k=count)
    categories = rng.choices(CATEGORIES, k=count)
    dates = rng.choices(days, k=count)
    conclusions = rng.choices(CONCLUSIONS, CONCLUSION_WEIGHTS, k=count)
    draw = rng.random
    for i in range(count):
        number = start + i
        code, district = where[i]
        conclusion, kind = conclusions[i], kinds[i]
        if kind == "1":
            name = f"南京{names[i]}{trades[i]}{forms[i]}"
        else:  # 个体工商户
            name = f"南京市{district}{names[i]}{trades[i]}经营部"
        batches = int(draw() * 13)
        if batches == 0:
            rate = ""
        elif conclusion == "合格":
            rate = "100" if draw() < 0.6 else f"{95 + draw() * 5:.2f}"
        else:
            rate = f"{55 + draw() * 44:.2f}"
        fine = int(draw() * 400 + 1) * 500 if conclusion in ("立案查处", "不合格") else 0
        yield (number, name, codes.make(number, kind, code), district,
               _division_code(draw, code), categories[i], dates[i], batches, rate, fine,
               conclusion, _remark(rng, conclusion))


class _CreditCodes:
    """Valid 统一社会信用代码, one for each number: 9 (市场监管), the kind
    (1 企业, 2 个体工商户), the district, and a 组织机构代码 (GB 11714) with
    its own check character: a new-style MA… body for most numbers, an
    old all-digit one for the rest. Bodies are permutations of the number,
    so codes never repeat."""

    ORG_WEIGHTS = identifiers.ORG_WEIGHTS

    def __init__(self):
        alphabet = identifiers.CREDIT_ALPHABET
        self.triples = [a + b + c for a in alphabet for b in alphabet for c in alphabet]
        # Weighted sums of GB 11714 for body characters 3-5 and 6-8.
        self.high = [self._org_sum(t, self.ORG_WEIGHTS[2:5]) for t in self.triples]
        self.low = [self._org_sum(t, self.ORG_WEIGHTS[5:]) for t in self.triples]
        self.ma = self._org_sum("MA", self.ORG_WEIGHTS[:2])

    @staticmethod
    def _org_sum(chars: str, weights) -> int:
        return sum(int(char, 36) * weight for char, weight in zip(chars, weights))

    def make(self, number: int, kind: str, district: str) -> str:
        if number % 10 < 7:
            high, low = divmod((number * 104_729 + 7_777) % 31 ** 6, 31 ** 3)
            body = "MA" + self.triples[high] + self.triples[low]
            total = self.ma + self.high[high] + self.low[low]
        else:
            body = f"{(number * 7_919 + 1_300_000) % 10 ** 8:08d}"
            total = self._org_sum(body, self.ORG_WEIGHTS)
        org_check = {10: "X", 11: "0"}.get(11 - total % 11, str(11 - total % 11))
        first17 = f"9{kind}{district}{body}{org_check}"
        return first17 + identifiers.check_character(first17)


def _division_code(draw: Callable[[], float], district: str) -> str:
    """The district's code, a street's (9 digits) or a community's (12)."""
    level = draw()
    if level < 0.5:
        return district
    street = f"{district}{int(draw() * 15) + 1:03d}"
    return street if level < 0.8 else f"{street}{int(draw() * 30) + 1:03d}"


def _remark(rng: random.Random, conclusion: str) -> str:
    draw = rng.random()
    if draw < 0.4:
        return ""
    if draw < 0.55:
        masked = f"1{rng.choice('3456789')}{rng.randrange(10)}****{rng.randrange(10_000):04d}"
        return f"企业负责人电话 {masked}，已当面告知检查结果"
    if draw < 0.62:
        return f"联系电话：025-{rng.randrange(52_000_000, 87_000_000)}，请企业于 15 日内回复"
    if conclusion in ("责令整改", "立案查处", "不合格"):
        issue = rng.choice(ISSUES)
        if conclusion == "责令整改":
            return f"现场检查发现{issue}，已责令限期整改，整改期限 {rng.randrange(7, 31)} 日"
        return (f"发现{issue}，依据{rng.choice(LAWS)}处理, "
                f"案件编号 宁市监案〔2023〕{rng.randrange(1, 999)} 号")
    return rng.choice(["复查合格", "未发现问题", "抽检样品均合格，详见检验报告",
                       "检查人员：王某、李某；企业法定代表人在场", "已于检查当日完成自查"])


# The measurements, each run in a child process

def _peak_mb() -> float:
    """This process's own peak resident memory, in MiB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _measure_gate(path: Path, schema: dict) -> dict[str, Any]:
    from ckanext.nanjing.publishing import engine

    report = engine.validate_file(path, schema, format="csv", domain_checks=True)
    return {"rows": report.rows, "errors": report.error_count,
            "problems": [p.as_dict() for p in report.problems[:5]]}


def _measure_frictionless(path: Path, schema: dict) -> dict[str, Any]:
    import frictionless

    # frictionless refuses absolute paths unless they lie under basepath.
    report = frictionless.validate(path.name, basepath=str(path.parent),
                                   schema=frictionless.Schema.from_descriptor(schema))
    task = report.tasks[0]
    return {"rows": task.stats.get("rows") or 0, "errors": task.stats.get("errors") or 0,
            "problems": [error.message for error in task.errors[:5]]}


def _measure_arrow(path: Path, schema: dict) -> dict[str, Any]:
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    names = [f["name"] for f in schema["fields"]]
    table = pa_csv.read_csv(path, convert_options=pa_csv.ConvertOptions(
        column_types={name: pa.string() for name in names}))
    return {"rows": table.num_rows, "errors": 0, "problems": []}


MEASURES: dict[str, Callable[[Path, dict], dict[str, Any]]] = {
    "gate": _measure_gate, "frictionless": _measure_frictionless, "arrow": _measure_arrow}


def _child(tool: str, path: str, schema_path: str) -> None:
    schema = json.loads(Path(schema_path).read_text(encoding="utf-8"))
    started = time.perf_counter()
    result = MEASURES[tool](Path(path), schema)
    result["seconds"] = time.perf_counter() - started
    result["peak_mb"] = _peak_mb()
    print(json.dumps(result, ensure_ascii=False))


def _in_child(tool: str, path: Path, schema_path: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, tool, str(path), str(schema_path)],
        stdout=subprocess.PIPE, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


# The DataStore load, in this process (it needs CKAN's configuration)

SEARCH_WORDS = ["消防通道", "钟山科技"]


def _load_times(path: Path, schema: dict) -> dict[str, Any]:
    """Seconds of our load (until the table is queryable), of its full text
    and index after that, and of a bare COPY into a plain table; the rows
    each loaded; and, for each of SEARCH_WORDS, the rows the Chinese full
    text finds against the rows holding the word. Both tables are dropped
    afterwards."""
    import psycopg2
    import sqlalchemy as sa
    from frictionless import Schema

    import ckan.plugins.toolkit as tk
    from ckanext.datastore.backend import postgres as backend

    from ckanext.nanjing.publishing import datastore, fulltext

    resource_id = str(uuid.uuid4())
    times: dict[str, Any] = {}
    try:
        started = time.perf_counter()
        loaded = datastore.load(resource_id, path, schema, delimiter=",", timings=times)
        times["queryable"] = time.perf_counter() - started
        started = time.perf_counter()
        datastore.build_full_text(resource_id, loaded, timings=times)
        times["after"] = time.perf_counter() - started
        times["rows"] = loaded.rows
        table = backend.identifier(resource_id)
        times["searches"] = []
        with backend.get_read_engine().connect() as connection:
            for word in SEARCH_WORDS:
                started = time.perf_counter()
                found = connection.execute(sa.text(
                    f"SELECT count(*) FROM {table} WHERE _full_text @@ to_tsquery('simple', :q)"),
                    {"q": fulltext.tsquery(word)}).scalar()
                seconds = time.perf_counter() - started
                holding = connection.execute(sa.text(
                    f"SELECT count(*) FROM {table} t WHERE row_to_json(t)::text LIKE :like"),
                    {"like": f"%{word}%"}).scalar()
                times["searches"].append((word, found, holding, seconds))
        times["dump"] = _dump_times(resource_id)
    finally:
        datastore.drop(resource_id)
        backend.DatastorePostgresqlBackend.get_active_backend().clear_table_stats(resource_id)

    fields = Schema.from_descriptor(schema).fields
    table = f"nanjing_bench_{uuid.uuid4().hex[:12]}"
    columns = ", ".join(f'"{f.name}" {datastore.pg_type(f)}' for f in fields)
    connection = psycopg2.connect(tk.config["ckan.datastore.write_url"])
    try:
        started = time.perf_counter()
        with connection.cursor() as cursor, path.open("rb") as stream:
            cursor.execute(f'CREATE TABLE "{table}" ({columns})')
            cursor.copy_expert(f'COPY "{table}" FROM STDIN WITH (FORMAT csv, HEADER true)', stream)
            times["copied"] = cursor.rowcount
        connection.commit()
        times["bare"] = time.perf_counter() - started
    finally:
        connection.rollback()
        with connection.cursor() as cursor:
            cursor.execute(f'DROP TABLE IF EXISTS "{table}"')
        connection.commit()
        connection.close()
    return times


def _rss_mb() -> float:
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmRSS:")[1].split()[0]) / 1024


def _dump_times(resource_id: str) -> dict[str, float]:
    """The whole table as /datastore/dump/<id>?format=csv streams it: the
    seconds, the megabytes, and how far this process grew by the time the
    first EARLY_ROWS rows were out and by the end."""
    import ckan.plugins.toolkit as tk

    from ckanext.nanjing.publishing import dumps

    user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    before = peak = _rss_mb()
    size, early, started = 0, None, time.perf_counter()
    for count, chunk in enumerate(dumps.stream(resource_id, "csv", user)):
        size += len(chunk)
        peak = max(peak, _rss_mb())
        if early is None and count * dumps.PAGE >= EARLY_ROWS:
            early = peak - before
    return {"seconds": time.perf_counter() - started, "mb": size / 2 ** 20,
            "early_mb": early or 0.0, "grew_mb": peak - before}


# The report

TOOLS = {"gate": "(a) 校验闸门 validate_file（含领域检查）",
         "frictionless": "(b) frictionless.validate",
         "arrow": "(c) pyarrow.csv.read_csv（下限）"}


def run(rows: int = 1_000_000, keep_file: bool = False,
        echo: Callable[[str], None] = print) -> bool:
    """Generates the file, measures, prints the table; True when the musts hold."""
    workdir = Path(tempfile.mkdtemp(prefix="nanjing-bench-"))
    path, schema_path = workdir / "inspections.csv", workdir / "inspections.schema.json"
    schema = table_schema()
    schema_path.write_text(json.dumps(schema, ensure_ascii=False, indent=2), encoding="utf-8")
    cores = os.cpu_count()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cores
    echo(f"CPU 核数：{cores}（本进程可用 {usable}）；Python {sys.version.split()[0]}")
    try:
        started = time.perf_counter()
        generate(path, rows)
        echo(f"测试文件：{rows:,} 行 × {len(schema['fields'])} 列，"
             f"{path.stat().st_size / 2 ** 20:.1f} MB，"
             f"生成用时 {time.perf_counter() - started:.1f} 秒（{path}）")
        results = {tool: _in_child(tool, path, schema_path) for tool in TOOLS}
        load = _load_times(path, schema)
    finally:
        if not keep_file:
            path.unlink(missing_ok=True)
            schema_path.unlink(missing_ok=True)
            workdir.rmdir()
    ok = _report(rows, results, load, echo)
    if keep_file:
        echo(f"文件已保留：{path}，表结构：{schema_path}")
    return ok


def _report(rows: int, results: dict[str, dict], load: dict[str, Any],
            echo: Callable[[str], None]) -> bool:
    gate, reference, floor = results["gate"], results["frictionless"], results["arrow"]
    ours, bare, loaded, copied = load["queryable"], load["bare"], load["rows"], load["copied"]
    table = [["", "行数", "行/秒", "秒", "峰值内存 MB", "错误数"]]
    for tool, label in TOOLS.items():
        result = results[tool]
        table.append([label, f"{result['rows']:,}", f"{result['rows'] / result['seconds']:,.0f}",
                      f"{result['seconds']:.1f}", f"{result['peak_mb']:.0f}",
                      str(result["errors"])])
    table.append(["(d) DataStore 载入 datastore.load（至可查询）", f"{loaded:,}",
                  f"{loaded / ours:,.0f}", f"{ours:.1f}", "", ""])
    table.append(["(d) 其后：中文全文与索引 build_full_text", f"{loaded:,}",
                  f"{loaded / load['after']:,.0f}", f"{load['after']:.1f}", "", ""])
    table.append(["(d) 裸 COPY（无触发器、无索引）", f"{copied:,}",
                  f"{copied / bare:,.0f}", f"{bare:.1f}", "", ""])
    echo("")
    for line in _aligned(table):
        echo(line)

    musts = [
        ("(a) 不慢于 (b)", gate["seconds"] <= reference["seconds"]),
        (f"(a) 峰值内存 < {GATE_MAX_MB} MB", gate["peak_mb"] < GATE_MAX_MB),
        ("(a) 与 (b) 都判定文件有效、行数一致",
         gate["errors"] == 0 and reference["errors"] == 0
         and gate["rows"] == reference["rows"] == floor["rows"] == rows),
        (f"(d) 整表转储的内存不随行数增长（全部行与前 {EARLY_ROWS:,} 行相差 < {DUMP_GROWTH_MB} MB）",
         load["dump"]["grew_mb"] - load["dump"]["early_mb"] < DUMP_GROWTH_MB),
        ("(d) 中文全文检索找到含检索词的每一行",
         all(found >= holding > 0 for _, found, holding, _ in load["searches"])),
    ]
    ratio = ours / bare
    echo("")
    echo(f"(a) 比 (b) 快 {reference['seconds'] / gate['seconds']:.1f} 倍；"
         f"(a) 用时是下限 (c) 的 {gate['seconds'] / floor['seconds']:.1f} 倍")
    for text, ok in musts:
        echo(f"必须：{text} …… {'满足' if ok else '不满足'}")
    echo(f"载入耗时比 datastore.load / 裸 COPY = {ratio:.2f} 倍（目标 ≤ {LOAD_RATIO_AIM}）"
         f"…… {'达到' if ratio <= LOAD_RATIO_AIM else '未达到'}")
    echo(f"其中：COPY {load['copy']:.1f} 秒，建表与换表 {ours - load['copy']:.1f} 秒；"
         f"表可查询之后：中文全文 _full_text {load['full_text']:.1f} 秒，"
         f"全文索引（{_index_method()}）{load['index']:.1f} 秒；"
         f"合计 {ours + load['after']:.1f} 秒，为裸 COPY 的 {(ours + load['after']) / bare:.1f} 倍")
    dump = load["dump"]
    echo(f"整表 CSV 转储（/datastore/dump）：{dump['mb']:.0f} MB，{dump['seconds']:.1f} 秒；"
         f"进程内存增长：前 {EARLY_ROWS:,} 行 {dump['early_mb']:.0f} MB，全部行 {dump['grew_mb']:.0f} MB")
    for word, found, holding, seconds in load["searches"]:
        echo(f"检索“{word}”：全文找到 {found:,} 行，含该词的行 {holding:,} 行，"
             f"查询用时 {seconds * 1000:.0f} 毫秒")
    for tool in ("gate", "frictionless"):
        for problem in results[tool]["problems"]:
            echo(f"{TOOLS[tool]} 报告的问题：{problem}")
    return all(ok for _, ok in musts)


def _index_method() -> str:
    import ckan.plugins.toolkit as tk

    return tk.config.get("ckan.datastore.default_fts_index_method")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _aligned(table: list[list[str]]) -> list[str]:
    widths = [max(_width(row[i]) for row in table) for i in range(len(table[0]))]
    lines = []
    for row in table:
        cells = [row[0] + " " * (widths[0] - _width(row[0]))]
        cells += [" " * (w - _width(cell)) + cell for cell, w in zip(row[1:], widths[1:])]
        lines.append("  ".join(cells).rstrip())
    return lines


def main() -> int:
    import argparse

    parser = argparse.ArgumentParser(description="校验闸门与 DataStore 载入的性能基准（约 5 分钟）")
    parser.add_argument("--ini", required=True, help="CKAN 配置（DataStore 载入用）")
    parser.add_argument("--rows", type=int, default=1_000_000, help="生成的测试文件行数，默认 1000000")
    parser.add_argument("--keep-file", action="store_true", help="保留生成的 CSV 与表结构，并打印其位置")
    args = parser.parse_args()
    if args.rows < 1:
        parser.error("--rows 至少为 1")

    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(args.ini))
    with app._wsgi_app.test_request_context():
        return 0 if run(args.rows, keep_file=args.keep_file) else 1


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] in MEASURES:
        _child(*sys.argv[1:])
    else:
        sys.exit(main())
