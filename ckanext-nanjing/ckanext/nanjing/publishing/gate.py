"""The gate every tabular resource passes before the public can see it.

Every way a resource changes ends in CKAN's package_create or
package_update (resource_create/update/patch call package_update, uploads
are stored inside it), so the gate hooks those two actions (see
logic/action.py):

- before the save, every tabular resource whose file or Table Schema
  changed is checked: at once when the dataset is or becomes public (the
  public never sees an unchecked file) or the file is small; a file that
  fails is refused with a Chinese report and nothing is stored, so the
  last valid version stays. Big files of private datasets are checked in a
  background job after the save.
- a dataset may only be public when every tabular resource has a current
  `valid` verdict; otherwise the save is refused naming each resource, or,
  for harvesters and the loader (context flag), kept private and published
  by the job once everything passes.
- the verdicts (and the publication request) are written inside the save's
  own transaction (`stage`, called from the plugin's after_dataset_create/
  update, before CKAN commits), so a crash leaves the old dataset or the
  new one with its verdicts, never a file without one.

This module is the bottom of the gate: it checks files and keeps verdicts.
What follows a verdict (DataStore load, publication) is publish.py, the
background jobs and what runs after a save are jobs.py; neither is
imported here.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
import yaml
from werkzeug.datastructures import FileStorage

import ckan.lib.uploader as uploader
import ckan.model as model
import ckan.plugins.toolkit as tk

from .. import identifiers
from .model import PublishRequest, Validation
from . import datastore, engine, formats
from .encoding import EncodingProblem
from .report import Problem, Report

__all__ = [
    "PENDING", "RUNNING", "VALID", "INVALID", "ERROR", "GATE_FLAG", "PUBLISH_WHEN_VALID",
    "PLAN_KEY", "LOAD_PENDING", "LOADED", "FetchProblem", "Checked", "Plan", "schema_of",
    "check_file", "before_save", "stage", "staged_plan", "cleanup", "record", "keep_valid_copy",
    "fetch_original", "blocking_reasons", "summary", "verdict", "needs_recheck",
    "valid_copy_path", "sync_max_bytes", "work_dir",
]

log = logging.getLogger(__name__)

PENDING, RUNNING, VALID, INVALID, ERROR = "pending", "running", "valid", "invalid", "error"
# Context flags: our own saves (the gate has already decided), and callers
# that want a dataset published once its files pass (harvesters, loader).
GATE_FLAG = "nanjing_gate_done"
PUBLISH_WHEN_VALID = "nanjing_publish_when_valid"
# Where before_save leaves its plan for the hook inside the save.
PLAN_KEY = "nanjing_gate_plan"
# load_status of a valid verdict: its file is not (yet) the DataStore table.
LOAD_PENDING, LOADED = "pending", "loaded"
SUMMARY_LINES = 10
CHUNK = 1 << 20


class FetchProblem(Exception):
    """The resource's file could not be fetched (Chinese message)."""


# Settings

def sync_max_bytes() -> int:
    return tk.config.get("ckanext.nanjing.validation.sync_max_bytes")


def _fetch_timeout() -> int:
    return tk.config.get("ckanext.nanjing.validation.fetch_timeout")


def _max_bytes() -> int:
    return tk.config.get("ckanext.nanjing.validation.max_bytes")


def _storage(*parts: str) -> Path:
    root = tk.config.get("ckan.storage_path")
    if not root:
        raise RuntimeError("ckan.storage_path is not set")
    path = Path(root, "nanjing", *parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


def valid_copy_path(resource_id: str) -> Path:
    """Where the last valid version of a resource's file is kept."""
    return _storage("valid", resource_id[:3]) / resource_id


# The Table Schema of a dataset

def schema_of(package: dict[str, Any] | model.Package) -> dict[str, Any] | None:
    value = package.extras.get("information_items") if isinstance(package, model.Package) \
        else package.get("information_items")
    if not value:
        return None
    if isinstance(value, str):
        try:
            value = yaml.safe_load(value)
        except yaml.YAMLError:
            return None
    return value if isinstance(value, dict) and value.get("fields") else None


def _schema_hash(schema: dict[str, Any] | None) -> str:
    if not schema:
        return ""
    text = json.dumps(schema, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _url_key(url: str | None, url_type: str | None) -> str:
    url = url or ""
    return url.rsplit("/", 1)[-1] if url_type == "upload" else url


# Checking one file

@dataclass
class Checked:
    report: Report
    original: Path
    text: Path | None = None
    format: str = "csv"
    delimiter: str = ","
    sha256: str | None = None


def check_file(original: Path, declared: str, schema: dict[str, Any] | None,
               workdir: Path) -> Checked:
    """Runs the whole gate on one file: format, encoding, Table Schema and
    our Chinese checks."""
    text = workdir / "table.txt"
    try:
        kind, encoding, sha = formats.to_text_table(original, declared, text)
    except (formats.FormatProblem, EncodingProblem) as problem:
        code = "nanjing-encoding" if isinstance(problem, EncodingProblem) else "nanjing-format"
        report = Report(schema=schema)
        report.add(Problem(code, str(problem)))
        return Checked(report, original)
    inferred = schema is None
    if inferred:
        schema = _infer(text, kind)
    report = engine.validate_file(text, schema, format=kind)
    if report.valid and report.rows == 0:
        report.add(Problem("nanjing-no-rows", "文件只有表头，没有数据行；请确认导出时选中了数据"))
    report.encoding = encoding
    report.schema_inferred = inferred
    delimiter = engine.sniffed_delimiter(text, kind)
    return Checked(report, original, text, kind, delimiter, sha)


def _infer(text: Path, kind: str) -> dict[str, Any]:
    """A Table Schema guessed from the file, shown to the steward to adopt."""
    from frictionless import Detector, Resource

    if not text.stat().st_size:
        return {"fields": []}
    resource = Resource(path=text.name, basepath=str(text.parent), format=kind,
                        encoding="utf-8", detector=Detector(sample_size=1000))
    try:
        resource.infer()
    except Exception as error:  # frictionless raises many kinds on unreadable text
        log.info("Schema inference failed: %s", error)
        return {"fields": []}
    return resource.schema.to_descriptor()


def summary(report: Report, name: str = "") -> str:
    """The report in a few Chinese lines, for refusals."""
    head = f"资源“{name}”" if name else "文件"
    lines = [f"{head}未通过数据校验，共 {report.error_count} 处问题："]
    lines += [f"· {p.message}" for p in report.problems[:SUMMARY_LINES]]
    if report.error_count > SUMMARY_LINES:
        lines.append(f"……其余 {report.error_count - SUMMARY_LINES} 处见完整校验报告")
    return "\n".join(lines)


# Getting the bytes

def _stage_upload(upload: FileStorage, workdir: Path) -> Path:
    target = workdir / "original"
    size = 0
    with target.open("wb") as out:
        for block in iter(lambda: upload.stream.read(CHUNK), b""):
            size += len(block)
            if size > _max_bytes():
                raise FetchProblem(f"文件超过 {_max_bytes() >> 20} MB 的上限")
            out.write(block)
    return target


def _fetch(url: str, workdir: Path) -> Path:
    if not identifiers.is_web_link(url):
        raise FetchProblem(f"资源链接“{url}”不是 http(s) 地址，无法下载校验")
    target = workdir / "original"
    timeout = _fetch_timeout()
    try:
        with requests.get(url, stream=True, timeout=timeout) as response:
            response.raise_for_status()
            size = 0
            with target.open("wb") as out:
                for block in response.iter_content(CHUNK):
                    size += len(block)
                    if size > _max_bytes():
                        raise FetchProblem(f"资源文件超过 {_max_bytes() >> 20} MB 的上限")
                    out.write(block)
    except requests.Timeout as error:
        raise FetchProblem(f"下载资源文件超时（{timeout} 秒无响应）：{url}") from error
    except requests.HTTPError as error:
        raise FetchProblem(f"下载资源文件失败（HTTP {error.response.status_code}）：{url}") \
            from error
    except requests.RequestException as error:
        raise FetchProblem(f"无法连接资源地址：{url}") from error
    return target


def _stored_path(resource: dict[str, Any]) -> Path:
    return Path(uploader.get_resource_uploader(dict(resource)).get_path(resource["id"]))


# Verdicts

def verdict(resource: model.Resource, schema: dict[str, Any] | None) -> Validation | None:
    """The verdict about the resource's current file and schema, if any."""
    row = Validation.get(resource.id)
    if row is None:
        return None
    current = (row.url == _url_key(resource.url, resource.url_type)
               and row.last_modified == str(resource.last_modified or "")
               and row.schema_hash == _schema_hash(schema))
    return row if current else None


def record(resource_id: str, status: str, checked: Checked | None = None,
           message: str = "", job_id: str | None = None, commit: bool = True) -> Validation:
    """Writes the verdict about the resource's current file; commit=False
    leaves it in the session for the transaction it belongs to."""
    resource = model.Resource.get(resource_id)
    package = model.Package.get(resource.package_id)
    row = Validation.get(resource_id) or Validation(resource_id=resource_id)
    row.package_id = package.id
    row.status = status
    row.url = _url_key(resource.url, resource.url_type)
    row.last_modified = str(resource.last_modified or "")
    row.schema_hash = _schema_hash(schema_of(package))
    row.job_id = job_id
    if checked is not None:
        report = checked.report.as_dict()
        row.report = json.dumps(report, ensure_ascii=False, default=str)
        row.sha256 = checked.sha256
        row.encoding = checked.report.encoding
        row.row_count = checked.report.rows
        row.error_count = checked.report.error_count
    elif message:
        row.report = json.dumps({"valid": False, "message": message, "errors": [],
                                 "error_count": 0}, ensure_ascii=False)
        row.error_count = None
    model.Session.add(row)
    if commit:
        model.Session.commit()
    return row


def needs_recheck(row: Validation | None) -> bool:
    """A verdict that a crash may have left unfinished: none, pending or
    running (its job may be gone), valid but not yet in the DataStore, or
    loaded without its full text."""
    return row is None or row.status in (PENDING, RUNNING) or (
        row.status == VALID and row.load_status == LOAD_PENDING) or (
        row.status == VALID and row.load_status == LOADED
        and not datastore.has_full_text(row.resource_id))


def keep_valid_copy(resource_id: str, checked: Checked) -> Path:
    """Keeps a file that passed as the resource's last valid version."""
    kept = valid_copy_path(resource_id)
    partial = kept.with_suffix(".partial")
    shutil.copyfile(checked.original, partial)
    os.replace(partial, kept)
    return kept


# The hooks around package_create / package_update

@dataclass
class _Pending:
    index: int                      # position in data_dict["resources"]
    name: str
    checked: Checked | None = None  # checked before the save
    workdir: Path | None = None
    resource_id: str | None = None  # known once the save has flushed


@dataclass
class Plan:
    """What before_save decided, for the save's transaction and after it."""
    pending: list[_Pending] = field(default_factory=list)
    publish_request: bool = False
    user: str | None = None
    staged: bool = False            # its verdicts are written in the session


def before_save(context: dict[str, Any], data_dict: dict[str, Any],
                existing: model.Package | None) -> tuple[dict[str, Any], Plan]:
    """Checks the changed tabular resources of a dataset about to be saved;
    refuses (tk.ValidationError) what must not be saved."""
    plan = Plan(user=context.get("user"))
    context.pop(PLAN_KEY, None)
    if context.get(GATE_FLAG):
        return data_dict, plan
    given = data_dict.get("resources")
    resources = given
    if resources is None and existing is not None:
        # package_update without resources keeps them: a new schema still re-checks them.
        resources = [{"id": r.id, "url": r.url, "url_type": r.url_type, "format": r.format,
                      "name": r.name} for r in existing.resources]
    schema = schema_of(data_dict) if "information_items" in data_dict or existing is None \
        else (schema_of(existing) if existing else None)
    if "information_items" in data_dict and data_dict["information_items"] and schema is None:
        return data_dict, plan  # the schema does not parse: the save itself refuses it
    private = tk.asbool(data_dict.get("private", existing.private if existing else False))
    reasons: list[str] = []
    resources = [dict(r) for r in resources or []]
    for index, resource in enumerate(resources):
        declared = formats.tabular_format(resource)
        if not declared:
            continue
        name = resource.get("name") or f"第 {index + 1} 个资源"
        current = model.Resource.get(resource["id"]) if resource.get("id") else None
        if current is not None and current.package_id != (existing.id if existing else None):
            current = None
        upload = resource.get("upload")
        has_upload = isinstance(upload, FileStorage) and bool(upload.filename)
        unchanged = (current is not None and not has_upload
                     and _url_key(resource.get("url"), resource.get("url_type")
                                  or current.url_type) == _url_key(current.url, current.url_type))
        if unchanged:
            row = verdict(current, schema)
            if row is not None and row.status == VALID:
                continue
            if row is not None and row.status in (INVALID, ERROR, PENDING, RUNNING):
                reasons.append(_not_valid_reason(name, row))
                continue
        entry = _Pending(index=index, name=name)
        plan.pending.append(entry)
        small = has_upload and _size(upload) <= sync_max_bytes()
        deferrable = private or context.get(PUBLISH_WHEN_VALID)
        if deferrable and not small and not (unchanged and current.url_type == "upload"
                                             and _stored_size(current) <= sync_max_bytes()):
            continue  # a private dataset's big or remote file: checked after the save
        entry.workdir = work_dir()
        try:
            if has_upload:
                original = _stage_upload(upload, entry.workdir)
            elif unchanged and current.url_type == "upload":
                original = _stored_path({"id": current.id, "url": current.url,
                                         "url_type": "upload"})
            else:
                original = _fetch(resource.get("url") or "", entry.workdir)
        except FetchProblem as problem:
            cleanup(plan)
            raise tk.ValidationError({"url": [f"资源“{name}”：{problem}"]})
        entry.checked = check_file(Path(original), declared, schema, entry.workdir)
        if not entry.checked.report.valid:
            cleanup(plan)
            raise tk.ValidationError({"url": [summary(entry.checked.report, name)]})
        if has_upload:
            resource["upload"] = FileStorage(stream=open(original, "rb"),
                                             filename=upload.filename,
                                             content_type=upload.content_type)
    waiting = [p for p in plan.pending if p.checked is None]
    if not private and (reasons or waiting):
        if context.get(PUBLISH_WHEN_VALID):
            data_dict = dict(data_dict, private=True)
            plan.publish_request = True
        else:
            cleanup(plan)
            reasons += [f"资源“{p.name}”尚未完成数据校验" for p in waiting]
            raise tk.ValidationError({"private": [
                "数据集的表格资源全部通过数据校验后才能公开：" + "；".join(reasons)]})
    if given is not None:
        data_dict = dict(data_dict, resources=resources)
    if plan.pending or plan.publish_request:
        context[PLAN_KEY] = plan
    return data_dict, plan


def _size(upload: FileStorage) -> int:
    stream = upload.stream
    position = stream.tell()
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(position)
    return size


def _stored_size(resource: model.Resource) -> int:
    try:
        return _stored_path({"id": resource.id, "url": resource.url,
                             "url_type": "upload"}).stat().st_size
    except OSError:
        return 0


def _not_valid_reason(name: str, row: Validation) -> str:
    if row.status == INVALID:
        return f"资源“{name}”未通过数据校验（{row.error_count} 处问题）"
    if row.status == ERROR:
        return f"资源“{name}”无法校验：{row.report_dict.get('message', '')}"
    return f"资源“{name}”正在校验，完成后才能公开"


def staged_plan(context: dict[str, Any], package_id: str) -> None:
    """The hook inside package_create/update, after the dataset is flushed
    and before CKAN commits: writes the plan's verdicts in the same session,
    so they are committed with the dataset or not at all."""
    plan = context.pop(PLAN_KEY, None)
    if plan is not None and not plan.staged:
        stage(plan, package_id)


def stage(plan: Plan, package_id: str) -> None:
    """Writes, without committing, the verdicts reached before the save
    (valid, its DataStore load to follow), a pending verdict for each file
    left to the background, and the publication request."""
    package = model.Package.get(package_id)
    resources = package.resources if package is not None else []
    for entry in plan.pending:
        if entry.index >= len(resources):
            continue
        entry.resource_id = resources[entry.index].id
        if entry.checked is not None:
            keep_valid_copy(entry.resource_id, entry.checked)
            row = record(entry.resource_id, VALID, entry.checked, commit=False)
            row.load_status, row.load_message = LOAD_PENDING, ""
        else:
            record(entry.resource_id, PENDING, commit=False)
    if plan.publish_request and package is not None \
            and model.Session.get(PublishRequest, package_id) is None:
        model.Session.add(PublishRequest(package_id=package_id, user_name=plan.user))
    plan.staged = True


def cleanup(plan: Plan) -> None:
    for entry in plan.pending:
        if entry.workdir is not None:
            shutil.rmtree(entry.workdir, ignore_errors=True)


def fetch_original(resource: model.Resource, workdir: Path) -> Path:
    """The stored file of a resource, or its linked file downloaded."""
    if resource.url_type == "upload":
        original = _stored_path({"id": resource.id, "url": resource.url,
                                 "url_type": "upload"})
        if not original.exists():
            raise FetchProblem("上传的文件在存储中不存在")
        return original
    return _fetch(resource.url, workdir)


def work_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="gate-", dir=_storage("work")))


def blocking_reasons(package: model.Package) -> list[str]:
    """Why the dataset may not be public now (empty when it may)."""
    schema = schema_of(package)
    reasons = []
    for resource in package.resources:
        if not formats.tabular_format({"format": resource.format, "url": resource.url}):
            continue
        row = verdict(resource, schema)
        name = resource.name or resource.id
        if row is None:
            reasons.append(f"资源“{name}”尚未完成数据校验")
        elif row.status != VALID:
            reasons.append(_not_valid_reason(name, row))
    return reasons
