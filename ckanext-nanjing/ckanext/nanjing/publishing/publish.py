"""What follows a verdict: the DataStore load of a valid file, its flag and
preview, and publishing datasets whose publication waited for the gate.

Above gate.py, below jobs.py. Each step that changes what the public sees
commits with the verdict it rests on:

- a file checked during the request: its verdict (load_status "pending")
  is committed with the dataset (gate.stage); the DataStore table is then
  swapped in (its own transaction in the DataStore database), and
  load_status "loaded" is committed with datastore_active. A crash during
  the load leaves the verdict, the previous table (or none) and
  datastore_active as it was; `ckan nanjing validate` loads it again.
- a file checked in the background: the table is swapped in first, then
  one package_update commits the verdict, datastore_active and, when the
  publication was requested and nothing else blocks it, private=False with
  the request removed. A crash before that commit leaves the dataset as it
  was (private, request kept); the verdict reads "running" until the job
  or `ckan nanjing validate` runs again.
"""
from __future__ import annotations

import logging
from pathlib import Path
import shutil

import ckan.lib.datapreview as datapreview
import ckan.model as model
import ckan.plugins.toolkit as tk

from .model import PublishRequest, Validation
from . import datastore, formats, gate

__all__ = ["load_checked", "validate_stored", "publish_if_requested", "cancel_publication",
           "site_context"]

log = logging.getLogger(__name__)


def site_context() -> dict:
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": True, gate.GATE_FLAG: True}


def _load_table(row: Validation, checked: gate.Checked) -> datastore.Loaded | None:
    """Swaps the file into the DataStore; notes the outcome on the row
    (not committed). The table when it now holds this file."""
    package = model.Package.get(row.package_id)
    schema = checked.report.schema or gate.schema_of(package)
    loaded = None
    try:
        loaded = datastore.load(row.resource_id, checked.text, schema, checked.delimiter)
    except datastore.LoadProblem as problem:
        row.load_status, row.load_message = gate.ERROR, str(problem)
    except Exception as error:  # a database failure must not undo the verdict
        log.exception("DataStore load of %s failed", row.resource_id)
        row.load_status, row.load_message = gate.ERROR, f"载入数据库失败：{error}"[:500]
    else:
        row.load_status, row.load_message, row.loaded_sha256 = \
            gate.LOADED, "", checked.sha256
        log.info("Loaded %s rows into the DataStore for %s", loaded.rows, row.resource_id)
    model.Session.add(row)
    return loaded if row.load_status == gate.LOADED else None


def _build_full_text(resource_id: str, loaded: datastore.Loaded) -> None:
    """The table's Chinese full text and index, once the table is public
    (a failure leaves the table readable and says so on the verdict)."""
    try:
        datastore.build_full_text(resource_id, loaded)
    except Exception as error:  # the data is loaded and stays so
        log.exception("Full text of %s failed", resource_id)
        row = Validation.get(resource_id)
        if row is not None:
            row.load_message = f"数据已载入，但全文检索索引未建成：{error}"[:500]
            model.Session.commit()


def _save_package(package_id: str, active: str | None, public: bool) -> None:
    """One package_update, committing whatever the session holds with it:
    datastore_active of resource `active`, and private=False if `public`."""
    context = site_context()
    package = tk.get_action("package_show")(dict(context), {"id": package_id})
    for resource in package.get("resources", []):
        if resource["id"] == active:
            resource["datastore_active"] = True
    if public:
        package["private"] = False
    tk.get_action("package_update")(context, package)
    model.Session.commit()  # package_update commits nothing when nothing changed


def _add_views(resource_id: str) -> None:
    """The data preview, which CKAN only creates for resources already in
    the DataStore (its own commit; a missing view loses no data)."""
    context = site_context()
    resource = tk.get_action("resource_show")(dict(context), {"id": resource_id})
    package = tk.get_action("package_show")(dict(context), {"id": resource["package_id"]})
    datapreview.add_views_to_resource(dict(context), resource, package,
                                      create_datastore_views=True)


def load_checked(resource_id: str, checked: gate.Checked) -> None:
    """Loads a file whose verdict was committed with its dataset."""
    row = Validation.get(resource_id)
    if row is None:
        return
    loaded = _load_table(row, checked)
    if loaded:
        _save_package(row.package_id, resource_id, public=False)
        _add_views(resource_id)
        _build_full_text(resource_id, loaded)
    else:
        model.Session.commit()


def _accept(resource: model.Resource, checked: gate.Checked) -> None:
    """A valid file checked in the background: table, verdict, flag and
    publication, the last three in one commit."""
    gate.keep_valid_copy(resource.id, checked)
    row = gate.record(resource.id, gate.VALID, checked, commit=False)
    loaded = _load_table(row, checked)
    package = model.Package.get(resource.package_id)
    request = model.Session.get(PublishRequest, package.id)
    public = request is not None and not gate.blocking_reasons(package)
    if public:
        model.Session.delete(request)
    if loaded or public:
        _save_package(package.id, resource.id if loaded else None, public)
        if public:
            log.info("Published %s: all its tabular resources passed the gate", package.name)
    else:
        model.Session.commit()
    if loaded:
        _add_views(resource.id)
        _build_full_text(resource.id, loaded)


def validate_stored(resource_id: str) -> Validation:
    """Checks a resource's stored file (or its URL), records the verdict,
    keeps and loads a valid file, and publishes its dataset if that waited."""
    resource = model.Resource.get(resource_id)
    if resource is None or resource.state != "active":
        raise tk.ObjectNotFound("资源不存在")
    package = model.Package.get(resource.package_id)
    declared = formats.tabular_format({"format": resource.format, "url": resource.url})
    if not declared:
        raise tk.ValidationError({"format": ["该资源不是表格文件（CSV、TSV、XLSX、XLS、JSON），无需校验"]})
    schema = gate.schema_of(package)
    current = gate.verdict(resource, schema)
    if current is None or current.status != gate.VALID:
        gate.record(resource_id, gate.RUNNING)  # a re-check keeps a public file's verdict
    workdir: Path = gate.work_dir()
    try:
        original = gate.fetch_original(resource, workdir)
        checked = gate.check_file(original, declared, schema, workdir)
        if checked.report.valid:
            _accept(resource, checked)
        else:
            gate.record(resource_id, gate.INVALID, checked)
    except gate.FetchProblem as problem:
        gate.record(resource_id, gate.ERROR, message=str(problem))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    publish_if_requested(package.id)
    return Validation.get(resource_id)


def publish_if_requested(package_id: str) -> bool:
    """Makes a dataset public once every tabular resource is valid, if its
    publication was requested; True when it was published."""
    request = model.Session.get(PublishRequest, package_id)
    package = model.Package.get(package_id)
    if request is None or package is None or package.state != "active":
        return False
    if gate.blocking_reasons(package):
        return False
    model.Session.delete(request)  # committed with the publication
    _save_package(package_id, None, public=True)
    log.info("Published %s: all its tabular resources passed the gate", package.name)
    return True


def cancel_publication(package_id: str) -> None:
    """Forgets that a dataset's publication was asked for (not committed):
    a withdrawn dataset must not be published later by the gate's job
    because an earlier version asked for it."""
    model.Session.query(PublishRequest).filter(PublishRequest.package_id == package_id) \
        .delete(synchronize_session=False)
