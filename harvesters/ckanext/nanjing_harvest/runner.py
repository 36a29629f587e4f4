"""Running a harvest job by hand, in this process, with a progress bar:
`ckan nanjing-harvest run SOURCE`; and registering the demo's sources from
harvesters/demo_sources/ (`ckan nanjing-harvest demo-sources`).

The run goes through ckanext-harvest's own stages (queue.gather_stage and
queue.fetch_and_import_stages, as its `run-test` command does, without the
test factories it needs) and ends with harvest_jobs_run, so the job is
recorded, finished and reported exactly like one run by the consumers.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path
from string import Template
from typing import Any

import click

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckanext.harvest import queue
from ckanext.harvest.model import HarvestGatherError, HarvestJob, HarvestObject, HarvestSource

__all__ = ["run_job", "run", "demo_sources", "job_summary"]

RUNNING = ("New", "Running")


def _site_user() -> str:
    return tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]


def _context() -> dict[str, Any]:
    return {"user": _site_user(), "ignore_auth": True, "model": model, "session": model.Session}


def run_job(source_id: str, progress=None) -> dict[str, Any]:
    """Creates a job for the source and runs it to the end here. `progress`
    wraps the list of harvest object ids (e.g. a click progress bar)."""
    source = find_source(source_id)
    # What the scheduler would do first: finish the source's jobs that are
    # done and end those idle past ckan.harvest.timeout (a job left Running
    # when the portal was stopped mid-way).
    tk.get_action("harvest_jobs_run")(_context(), {"source_id": source.id})
    running = tk.get_action("harvest_job_list")(_context(), {"source_id": source.id,
                                                              "status": "Running"})
    if running:
        raise click.ClickException(
            f"采集源“{source.title}”已有正在运行的任务 {running[0]['id']}：等它结束，"
            f"或先运行 ckan harvester job-abort {source_id}")
    job = tk.get_action("harvest_job_create")(_context(), {"source_id": source.id, "run": False})
    job_obj = HarvestJob.get(job["id"])
    job_obj.status = "Running"
    job_obj.save()
    harvester = queue.get_harvester(source.type)
    try:
        ids = queue.gather_stage(harvester, job_obj)
        ids = ids if isinstance(ids, list) else []
        for object_id in (progress(ids) if progress else ids):
            obj = HarvestObject.get(object_id)
            if obj is not None:
                queue.fetch_and_import_stages(harvester, obj)
    except BaseException as error:  # interrupted: the job must not stay Running
        model.Session.rollback()
        HarvestGatherError.create(f"任务在本进程中被中断（{type(error).__name__}）；"
                                  f"已完成的记录保留，再次运行会继续其余记录", job_obj)
        tk.get_action("harvest_job_abort")(_context(), {"id": job_obj.id})
        raise
    tk.get_action("harvest_jobs_run")(_context(), {"source_id": source.id})
    model.Session.expire_all()
    return job_summary(job["id"])


def find_source(name_or_id: str) -> HarvestSource:
    """The source by its dataset name or id (harvest_source_show's output
    depends on the context it is called in, so the model is read directly)."""
    package = model.Package.get(name_or_id)
    source = HarvestSource.get(package.id if package is not None else name_or_id)
    if source is None or not source.active:
        raise click.ClickException(f"没有名称或 ID 为“{name_or_id}”的采集源")
    return source


def job_summary(job_id: str) -> dict[str, Any]:
    """The job with its counts and every error (not only the 20 most
    frequent ones of the job page's summary)."""
    job = tk.get_action("harvest_job_show")(_context(), {"id": job_id})
    report = tk.get_action("harvest_job_report")(_context(), {"id": job_id})
    job["errors"] = [e["message"] for e in report["gather_errors"]] + \
        [e["message"] for obj in report["object_errors"].values() for e in obj["errors"]]
    return job


STATS = (("added", "新增"), ("updated", "更新"), ("deleted", "删除"), ("errored", "出错"),
         ("not modified", "未变"))


def _print_summary(job: dict[str, Any]) -> None:
    stats = job.get("stats") or {}
    counts = "，".join(f"{label} {stats.get(key, 0)}" for key, label in STATS)
    click.echo(f"任务 {job['id']}：{job['status']}；{counts}")
    for message in job["errors"]:
        click.echo(f"  错误：{message}", err=True)


@click.command("run", short_help="在本进程中运行一个采集源的采集任务（显示进度）")
@click.argument("source")
@click.option("--progress/--no-progress", default=True, help="显示进度条")
def run(source: str, progress: bool) -> None:
    """立即运行采集源 SOURCE（名称或 ID）的一次采集：收集、获取、导入，并显示进度和全部错误。"""
    def bar(ids: list[str]):
        with click.progressbar(ids, label=f"导入 {len(ids)} 条变更", show_pos=True,
                               show_eta=True, item_show_func=lambda _: None) as items:
            yield from items

    find_source(source)
    click.echo(f"收集采集源“{source}”的记录…")
    job = run_job(source, bar if progress else None)
    _print_summary(job)
    if job["status"] != "Finished" or job["errors"]:
        raise SystemExit(1)


_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{1,99}$")


def _read_json(path: Path, variables: dict[str, str]) -> Any:
    """A JSON file in which ${VAR} is replaced from `variables` and the
    environment (addresses and folders differ per machine)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise click.ClickException(f"无法读取 {path}：{error.strerror}") from None
    text = Template(text).safe_substitute({**os.environ, **variables})
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise click.ClickException(f"{path.name} 不是合法的 JSON：第 {error.lineno} 行（{error.msg}）")


def _load_definition(path: Path, variables: dict[str, str]) -> dict[str, Any]:
    """A source definition: {"name", "title", "url", "source_type",
    "owner_org", "config"}, or "config_file" (relative to the definition)
    with optional "config_changes" instead of "config"."""
    value = _read_json(path, variables)
    if not isinstance(value, dict):
        raise click.ClickException(f"{path.name} 应是一个 JSON 对象")
    if "config_file" in value:
        value["config"] = _read_json(path.parent / value.pop("config_file"), variables)
        value["config"].update(value.pop("config_changes", {}))
    missing = [k for k in ("name", "title", "url", "source_type", "config")
               if value.get(k) in (None, "")]
    if missing:
        raise click.ClickException(f"{path.name} 缺少 {'、'.join(missing)}")
    if not _NAME.match(str(value["name"])):
        raise click.ClickException(f"{path.name} 的名称“{value['name']}”无效：只能用小写字母、数字、"
                                   f"- 和 _（2 到 100 个字符）")
    return value


@click.command("demo-sources", short_help="登记演示采集源（harvesters/demo_sources/）并各运行一次")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--var", "variables", multiple=True, metavar="NAME=VALUE",
              help="替换定义中的 ${NAME}，可多次给出")
@click.option("--run/--no-run", "run_them", default=True, help="登记后各运行一次")
def demo_sources(folder: Path, variables: tuple[str, ...], run_them: bool) -> None:
    """登记 FOLDER 中每个 JSON 定义的采集源（已有则更新），然后各运行一次。"""
    values = dict(v.split("=", 1) for v in variables if "=" in v)
    failed = []
    for path in sorted(folder.glob("*.json")):
        definition = _load_definition(path, values)
        config = definition["config"]
        data = dict(definition, config=config if isinstance(config, str)
                    else json.dumps(config, ensure_ascii=False))
        if data.get("owner_org"):
            group = model.Group.get(data["owner_org"])
            if group is None:
                raise click.ClickException(f"{path.name}：组织“{data['owner_org']}”不存在")
            data["owner_org"] = group.id
        try:
            existing = tk.get_action("harvest_source_show")(_context(), {"id": data["name"]})
        except tk.ObjectNotFound:
            existing = None
        try:
            if existing is None:
                tk.get_action("harvest_source_create")(_context(), data)
                click.echo(f"已登记采集源 {data['name']}（{data['title']}）")
            else:
                tk.get_action("harvest_source_update")(_context(), dict(data, id=existing["id"]))
                click.echo(f"已更新采集源 {data['name']}（{data['title']}）")
        except tk.ValidationError as error:
            failed.append(data["name"])
            click.echo(f"采集源 {data['name']} 的配置有误：{error.error_dict}", err=True)
            continue
        if run_them:
            # Records refused by the gate are part of the demo (they stay
            # unpublished and are listed on the job page); a job that did
            # not finish is not.
            job = run_job(data["name"])
            _print_summary(job)
            if job["status"] != "Finished":
                failed.append(data["name"])
    if failed:
        raise click.ClickException(f"这些采集源未能完整采集：{'、'.join(failed)}（错误见上）")
