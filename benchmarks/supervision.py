"""Supervision benchmark (make bench-supervision).

Fills the benchmark's own database (ckan_bench, never the demo's or the
tests') with 10,000 disclosure-catalog entries and 5,000 requests for
disclosure spread over 40 bodies (--entries, --requests, --bodies), written
in bulk as the records of a busy year would stand, then:
  1. recomputes the figures as `ckan nanjing supervise --no-links` does;
  2. opens the 监督考核 dashboard (the city's ranking, charts and lists)
     and one body's, and calls nanjing_supervision_summary, 20 times each
     as a sysadmin through the whole CKAN stack (WSGI, auth, templates).
Prints the recomputation time and p50/p95/max of each, beside the aim:
the dashboard answers in under 1 s.
"""
from __future__ import annotations

import argparse
import datetime
import json
import random
import statistics
import sys
import time
import uuid

AIM_SECONDS = 1.0
PREFIX = "bench-sup-"


def _seed(entries: int, requests: int, bodies: int):
    import ckan.model as model
    from ckan.model.package import package_table

    from ckanext.nanjing.requests.model import Request

    random.seed(2026)
    session = model.Session
    # Remove what an earlier run wrote: the benchmark is repeatable.
    orgs = session.query(model.Group).filter(model.Group.name.like(f"{PREFIX}%")).all()
    org_ids = [org.id for org in orgs]
    if org_ids:
        session.query(Request).filter(Request.organization_id.in_(org_ids)).delete(
            synchronize_session=False)
        session.execute(package_table.delete().where(package_table.c.owner_org.in_(org_ids)))
    session.commit()
    while len(orgs) < bodies:
        number = len(orgs) + 1
        org = model.Group(name=f"{PREFIX}{number:02d}", title=f"南京市第{number}基准局",
                          is_organization=True, type="organization")
        org.state = "active"
        session.add(org)
        orgs.append(org)
    session.commit()
    orgs = orgs[:bodies]
    from ckanext.nanjing import localtime
    today = localtime.today()
    now = datetime.datetime.utcnow()
    datasets = []
    rows = []
    for n in range(entries // 20):  # one open dataset for every 20 entries
        org = orgs[n % bodies]
        name = f"{PREFIX}data-{n}"
        datasets.append(name)
        rows.append({"id": str(uuid.uuid4()), "name": name, "title": f"基准数据集 {n}",
                     "type": "open_dataset", "owner_org": org.id, "state": "active",
                     "private": False, "license_id": "cc-by", "metadata_created": now,
                     "metadata_modified": now - datetime.timedelta(days=random.randint(0, 60)),
                     "extras": {"area": "environment", "update_frequency":
                                random.choice(["daily", "monthly", "yearly", "irregular"]),
                                "open_type": "unconditional", "resource_code": f"R{n}",
                                "release_date": "2026-01-01"}})
    for n in range(entries):
        org = orgs[n % bodies]
        formed = today - datetime.timedelta(days=random.randint(0, 330))
        related = random.choice([[], [random.choice(datasets)], ["https://example.gov.cn/x"],
                                 [random.choice(datasets)]])
        attribute = random.choice(["proactive"] * 8 + ["on-request", "withheld"])
        rows.append({"id": str(uuid.uuid4()), "name": f"{PREFIX}entry-{n}",
                     "title": f"基准目录事项 {n}", "type": "gkml_item", "owner_org": org.id,
                     "state": "active", "private": False, "license_id": None,
                     "metadata_created": now - datetime.timedelta(days=random.randint(0, 300)),
                     "metadata_modified": now,
                     "extras": {"disclosure_attribute": attribute,
                                "formed_date": formed.isoformat(),
                                "disclosure_deadline": "自信息形成之日起20个工作日内",
                                "related_content": json.dumps(related, ensure_ascii=False)}})
    for start in range(0, len(rows), 2000):
        session.execute(package_table.insert(), rows[start:start + 2000])
    for n in range(requests):
        org = orgs[n % bodies]
        received = today - datetime.timedelta(days=random.randint(0, 360))
        replied = received + datetime.timedelta(days=random.randint(3, 45))
        done = replied <= today and random.random() < 0.9
        session.add(Request(
            number=f"基准申〔{received.year}〕第{n}号-{uuid.uuid4().hex[:6]}", year=received.year,
            organization_id=org.id, state="replied" if done else "registered",
            lookup_code_hash="x", applicant_type="natural", applicant_category="natural",
            applicant_name="基准", id_type="id_card", id_number_encrypted="x",
            id_number_masked="x", applicant_key=uuid.uuid4().hex, description="基准申请",
            provision="email", delivery="email", received=received,
            result="disclose" if done else None, replied=replied if done else None))
    session.commit()
    return orgs


def _timed(client, path, headers, runs):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        answer = client.get(path, headers=headers)
        times.append(time.perf_counter() - started)
        if answer.status_code != 200:
            sys.exit(f"{path} 返回 HTTP {answer.status_code}")
    times.sort()
    return times


def _line(label, times):
    p95 = times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]
    verdict = "达到" if p95 < AIM_SECONDS else "未达到"
    return (f"  {label:<34} p50 {statistics.median(times) * 1000:7.1f} ms  "
            f"p95 {p95 * 1000:7.1f} ms  最长 {times[-1] * 1000:7.1f} ms  "
            f"（目标 < {AIM_SECONDS * 1000:.0f} ms：{verdict}）")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ini", required=True)
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=5_000)
    parser.add_argument("--bodies", type=int, default=40)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(args.ini))
    with app._wsgi_app.test_request_context():
        import ckan.model as model

        from ckanext.nanjing.supervision import supervise

        started = time.perf_counter()
        orgs = _seed(args.entries, args.requests, args.bodies)
        print(f"写入 {args.entries} 个目录事项、{args.entries // 20} 个开放数据集、"
              f"{args.requests} 件申请（{args.bodies} 个部门）：{time.perf_counter() - started:.1f} 秒")
        started = time.perf_counter()
        outcome = supervise.run(check_links=False)
        print(f"重算全部指标（ckan nanjing supervise --no-links）：{time.perf_counter() - started:.1f} 秒，"
              f"{outcome.bodies} 个部门")
        admin = model.User.get("bench-supervisor") or model.User(
            name="bench-supervisor", email="bench@example.invalid", sysadmin=True)
        admin.sysadmin = True
        model.Session.add(admin)
        model.Session.commit()
        from ckan.logic import get_action
        token = get_action("api_token_create")(
            {"user": admin.name, "ignore_auth": True},
            {"user": admin.name, "name": "bench-supervision"})["token"]
        org_name = orgs[0].name
    client = app._wsgi_app.test_client()
    headers = {"Authorization": token}
    client.get("/supervision", headers=headers)  # the first request builds the assets
    print(f"监督考核页面与接口，各 {args.runs} 次（sysadmin，完整 CKAN 请求）：")
    print(_line("/supervision（全市排名与清单）", _timed(client, "/supervision", headers, args.runs)))
    print(_line("/supervision?organization=（单个部门）",
                _timed(client, f"/supervision?organization={org_name}", headers, args.runs)))
    print(_line("nanjing_supervision_summary（API）",
                _timed(client, "/api/3/action/nanjing_supervision_summary", headers, args.runs)))
    print(_line("/openness（公开情况）", _timed(client, "/openness", {}, args.runs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
