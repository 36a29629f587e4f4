"""What the platform's harvesters share, on ckanext-harvest's gather /
fetch / import contract.

A harvester's gather stage reads its source and turns every source record
into a `Record`: the whole dataset it should become (catalog type, fields,
generated files). `queue` keeps only what changed: a record whose content
hash equals the one stored with the current harvest object of its guid makes
no harvest object at all, so a run over an unchanged source creates and
changes nothing. Records gone from the source (or withdrawn, 撤回) become
`Withdrawal`s. The import stage creates or updates the dataset through
package_create/package_update with the gate's publish-when-valid flag, so
every file passes the validation gate before the dataset is public, and
withdraws (private, marked) or deletes datasets.

Every error is stored as a gather or object error in Chinese, with the
source record's key; no stage raises, so consumers never die on a bad record.
"""
from __future__ import annotations

import hashlib
import io
import json
import logging
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

import ckan.model as model
import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib.search.common import make_connection
from ckan.logic import index_update_package
from ckanext.harvest.harvesters.base import HarvesterBase
from ckanext.harvest.model import HarvestGatherError, HarvestObject, HarvestObjectExtra
from ckanext.nanjing import localtime

from . import fields
from .config import ConfigError

__all__ = ["Record", "Withdrawal", "Current", "NanjingHarvester", "WITHDRAW", "DELETE",
           "content_hash"]

log = logging.getLogger(__name__)

WITHDRAW, DELETE = "withdraw", "delete"
HASH = "content_hash"
MASS_WITHDRAWAL = 5   # withdrawing this many, and over half of a source's records, needs consent
WITHDRAWN_NOTE = "【已撤回】来源系统于 {date} 撤回了这条记录，本平台已停止公开。"


def content_hash(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class Record:
    """One source record as the dataset it becomes."""
    guid: str                 # unique within the source; stable across runs
    key: str                  # the record's key at the source, for messages
    dataset: dict[str, Any]   # package_create data without id and resources
    # Resources: files generated from the source {"name", "filename", "format",
    # "text", ...}, files the harvester downloads at import {"name", "filename",
    # "download", ...} (see NanjingHarvester.download) or links {"name", "url", ...}.
    resources: list[dict[str, Any]] = field(default_factory=list)
    extras: dict[str, str] = field(default_factory=dict)  # kept with the harvest object

    def hash(self) -> str:
        return content_hash({"dataset": self.dataset, "resources": self.resources})


@dataclass
class Withdrawal:
    guid: str
    key: str
    mode: str = WITHDRAW      # WITHDRAW: private and marked; DELETE: deleted


@dataclass
class Current:
    """What the last successful import of a guid left."""
    object_id: str
    package_id: str | None
    extras: dict[str, str]


class NanjingHarvester(HarvesterBase):
    """Base of the platform's harvesters; subclasses implement info(),
    validate_config() and gather_stage()."""

    @staticmethod
    def require_masking() -> None:
        """Sources with secrets are only accepted where they stay hidden."""
        if not p.plugin_loaded("nanjing_harvest"):
            raise ConfigError("平台未启用插件 nanjing_harvest（它保证密码不被显示）：请把它加入 "
                              "ckan.plugins 后再保存采集源")

    @staticmethod
    def owner_org(organization: str | None, source_owner: str | None, where: str,
                  given_in: str) -> str:
        """The id of the organization named in the source's configuration
        (`where` prefixes messages, `given_in` says where to name one), else
        the harvest source's own organization."""
        if organization:
            group = model.Group.get(organization)
            if group is None or not group.is_organization:
                raise ConfigError(f"{where}组织“{organization}”不存在")
            return group.id
        if not source_owner:
            raise ConfigError(f"{where}没有发布组织：请为采集源选择组织，或在{given_in}中给出 "
                              f"organization")
        return source_owner

    # Gather

    def gather_error(self, job, message: str) -> None:
        log.warning("Gather error in job %s: %s", job.id, message)
        HarvestGatherError.create(message, job)

    @staticmethod
    def current_records(source_id: str) -> dict[str, Current]:
        """guid → what its current harvest object holds, in two queries."""
        objects = (model.Session.query(HarvestObject.id, HarvestObject.guid,
                                       HarvestObject.package_id)
                   .filter(HarvestObject.harvest_source_id == source_id,
                           HarvestObject.current.is_(True)).all())
        extras: dict[str, dict[str, str]] = {row.id: {} for row in objects}
        if objects:
            query = (model.Session.query(HarvestObjectExtra.harvest_object_id,
                                         HarvestObjectExtra.key, HarvestObjectExtra.value)
                     .join(HarvestObject, HarvestObject.id == HarvestObjectExtra.harvest_object_id)
                     .filter(HarvestObject.harvest_source_id == source_id,
                             HarvestObject.current.is_(True)))
            for object_id, key, value in query:
                extras[object_id][key] = value
        return {row.guid: Current(row.id, row.package_id, extras[row.id]) for row in objects}

    def queue(self, job, current: dict[str, Current], records: list[Record],
              withdrawals: list[Withdrawal]) -> list[str]:
        """Harvest objects for the records that changed and the withdrawals;
        their ids, for the fetch queue."""
        objects = []
        for record in records:
            extras = dict(record.extras, **{HASH: record.hash()})
            known = current.get(record.guid)
            if known is not None and known.extras.get(HASH) == extras[HASH]:
                if known.extras != extras:
                    # Same content, newer watermark or configuration: remember
                    # them so that the next run need not read the record again.
                    self._replace_extras(known.object_id, extras)
                continue
            content = {"action": "upsert", "key": record.key, "dataset": record.dataset,
                       "resources": record.resources}
            objects.append(self._object(job, record.guid, content, extras))
        if self._mass_withdrawal(job, current, withdrawals):
            withdrawals = []
        for withdrawal in withdrawals:
            content = {"action": withdrawal.mode, "key": withdrawal.key}
            objects.append(self._object(job, withdrawal.guid, content, {}))
        model.Session.add_all(objects)
        model.Session.commit()
        return [obj.id for obj in objects]

    def _mass_withdrawal(self, job, current: dict[str, Current],
                         withdrawals: list[Withdrawal]) -> bool:
        """A source that suddenly lists none (or most) of its records is far
        more often broken (an emptied exchange table, a wrong folder) than
        withdrawing them: nothing is withdrawn, and the job says so. A
        source's configuration can allow it with "allow_mass_withdraw"."""
        gone, known = len(withdrawals), len(current)
        if gone < 2 or not (gone == known or (gone >= MASS_WITHDRAWAL and gone * 2 > known)):
            return False
        try:
            allowed = json.loads(job.source.config or "{}").get("allow_mass_withdraw") is True
        except (ValueError, AttributeError):
            allowed = False
        if allowed:
            return False
        self.gather_error(job, f"来源这次不再列出已采集的 {known} 条记录中的 {gone} 条：为防止来源系统"
                               f"故障（如交换表被清空、文件夹路径有误）导致误撤回，本次未撤回任何记录。"
                               f"如确需撤回，请在采集配置中加入 \"allow_mass_withdraw\": true 后再运行")
        return True

    @staticmethod
    def _replace_extras(object_id: str, extras: dict[str, str]) -> None:
        model.Session.query(HarvestObjectExtra) \
            .filter(HarvestObjectExtra.harvest_object_id == object_id) \
            .delete(synchronize_session=False)
        model.Session.add_all(HarvestObjectExtra(harvest_object_id=object_id, key=k, value=v)
                              for k, v in extras.items())

    @staticmethod
    def _object(job, guid: str, content: dict[str, Any], extras: dict[str, str]) -> HarvestObject:
        obj = HarvestObject(id=str(uuid.uuid4()), guid=guid, job=job,
                            harvest_source_id=job.source_id,
                            content=json.dumps(content, ensure_ascii=False, default=str))
        obj.extras = [HarvestObjectExtra(key=k, value=str(v)) for k, v in extras.items()]
        return obj

    # Fetch: the gather stage has read the records already.

    def fetch_stage(self, harvest_object) -> bool:
        return True

    # Import

    def download(self, harvest_object, resource: dict[str, Any]) -> tuple[bytes, str]:
        """The body and content type of a resource to download at import
        (its "download" value): harvesters whose records have such
        resources implement it."""
        raise NotImplementedError(f"{type(self).__name__} cannot download resources")

    def import_stage(self, harvest_object):
        content = json.loads(harvest_object.content or "{}")
        key = content.get("key") or harvest_object.guid
        dataset_type = (content.get("dataset") or {}).get("type")
        try:
            if content.get("action") in (WITHDRAW, DELETE):
                return self._withdraw(harvest_object, content["action"])
            return self._upsert(harvest_object, content)
        except tk.ValidationError as error:
            model.Session.rollback()
            message = f"记录 {key}：{describe(error, dataset_type)}"
        except Exception as error:  # a failing record must not stop the others
            model.Session.rollback()
            log.exception("Import of %s failed", harvest_object.guid)
            message = f"记录 {key}：导入失败（{type(error).__name__}：{error}）"
        # Not current: the next run tries the record again.
        harvest_object.current = False
        self._save_object_error(message, harvest_object, "Import")
        return False

    def _context(self) -> dict[str, Any]:
        from ckanext.nanjing.publishing import api as publishing
        return {"user": self._get_user_name(), "ignore_auth": True,
                publishing.PUBLISH_WHEN_VALID: True}

    @staticmethod
    def _existing_package(obj) -> model.Package | None:
        """The dataset an earlier import of this guid made, even if it was
        withdrawn or deleted since."""
        return (model.Session.query(model.Package)
                .join(HarvestObject, HarvestObject.package_id == model.Package.id)
                .filter(HarvestObject.harvest_source_id == obj.harvest_source_id,
                        HarvestObject.guid == obj.guid)
                .order_by(HarvestObject.gathered.desc()).first()) \
            or model.Session.get(model.Package, dataset_id(obj))

    @staticmethod
    def _retire_others(obj) -> None:
        (model.Session.query(HarvestObject)
         .filter(HarvestObject.harvest_source_id == obj.harvest_source_id,
                 HarvestObject.guid == obj.guid, HarvestObject.id != obj.id,
                 HarvestObject.current.is_(True))
         .update({"current": False}, synchronize_session=False))

    def _upsert(self, obj, content: dict[str, Any]) -> bool:
        existing = self._existing_package(obj)
        data = dict(content["dataset"], private=False)
        self._retire_others(obj)
        obj.current = True
        if existing is not None:
            data.update(id=existing.id, name=existing.name)
            if existing.state != "active":
                data["state"] = "active"
            if content.get("resources"):
                data["resources"] = _uploads(content["resources"], existing,
                                             lambda r: self.download(obj, r))
            obj.package_id = existing.id
            model.Session.add(obj)
            model.Session.flush()
            tk.get_action("package_update")(self._context(), data)
        else:
            data["id"] = dataset_id(obj)
            # As ckanext-harvest does: the object points at the dataset while
            # it is created, so the search index gets the harvest source.
            obj.package_id = data["id"]
            obj.current = not content.get("resources")
            model.Session.add(obj)
            model.Session.execute(sa.text(
                "SET CONSTRAINTS harvest_object_package_id_fkey DEFERRED"))
            model.Session.flush()
            if not content.get("resources"):
                self._create_without_files(data)
                return True
            # package_create stores no uploads (only package_update does, in
            # CKAN 2.12): create the dataset private and without files, then
            # add them; the gate publishes it once they pass. The object is
            # current only with the files, so an import killed in between is
            # done again by the next run.
            tk.get_action("package_create")(self._context(), dict(data, private=True))
            obj.current = True
            model.Session.add(obj)
            data["resources"] = _uploads(content["resources"], None,
                                         lambda r: self.download(obj, r))
            tk.get_action("package_update")(self._context(), data)
        return True

    def _create_without_files(self, data: dict[str, Any]) -> None:
        """package_create, with a soft Solr commit instead of CKAN's hard one.

        CKAN indexes a new dataset with a hard Solr commit: a third of an
        import's time (make bench-harvest). Here package_create defers its
        commits (defer_commit; return_id_only skips the dicts it would index):
        the dataset is indexed by CKAN's own index_update_package without a
        commit, before the database commit as in package_create, so that a
        Solr failure still undoes the import; then one commit stores the
        dataset, its activity and the harvest object together, and a soft
        commit makes the entry searchable within a second (_searchable;
        Solr's update log and autoCommit keep it durable). package_update
        keeps CKAN's own path: with defer_commit it records no activity
        (CKAN 2.12)."""
        context = dict(self._context(), defer_commit=True, return_id_only=True)
        package_id = tk.get_action("package_create")(context, data)
        index_update_package({"user": context["user"], "ignore_auth": True}, package_id,
                             defer_commit=True)
        model.repo.commit()
        self._soft_commit_at = _searchable(getattr(self, "_soft_commit_at", 0.0))

    def _withdraw(self, obj, mode: str):
        existing = self._existing_package(obj)
        self._retire_others(obj)
        obj.current = False
        if existing is None or existing.state == "deleted":
            model.Session.add(obj)
            model.Session.commit()
            if existing is None:
                # A search document an interrupted import may have left.
                _unindex(dataset_id(obj))
            return "unchanged"
        obj.package_id = existing.id
        model.Session.add(obj)
        # A withdrawn dataset must not be published later by the gate's job.
        from ckanext.nanjing.publishing import api as publishing
        publishing.cancel_publication(existing.id)
        if mode == DELETE:
            tk.get_action("package_delete")(self._context(), {"id": existing.id})
        else:
            note = WITHDRAWN_NOTE.format(date=localtime.today().isoformat())
            notes = existing.notes or ""
            if not notes.startswith("【已撤回】"):
                notes = f"{note}\n\n{notes}".strip()
            # Not package_patch: it starts from the search index's copy, where
            # ckanext-harvest added harvest_* extras that would then be stored.
            data = tk.get_action("package_show")(dict(self._context(), use_cache=False),
                                                 {"id": existing.id})
            data.update(private=True, notes=notes)
            tk.get_action("package_update")(self._context(), data)
        return True


def _unindex(package_id: str) -> None:
    from ckan.lib import search
    try:
        search.clear(package_id)
    except search.SearchIndexError:  # Solr down: the orphan stays until a rebuild
        log.warning("Could not remove %s from the search index", package_id, exc_info=True)


def dataset_id(obj) -> str:
    """The id of the dataset a source record makes: the same on every try.
    CKAN indexes a dataset in Solr before its database commit; an import
    cut in between (killed process, lost connection) leaves a search
    document without a dataset, which the next try overwrites instead of
    adding a duplicate beside it."""
    return str(uuid.uuid5(uuid.UUID(obj.harvest_source_id), obj.guid))


def _uploads(resources: list[dict[str, Any]], existing: model.Package | None,
             download=None) -> list[dict]:
    """Resource dicts with the generated (or downloaded) files as uploads,
    links as they are; a resource keeps its id (and so its URL and DataStore
    table) by name."""
    ids = {r.name: r.id for r in existing.resources} if existing is not None else {}
    out = []
    for resource in resources:
        resource = dict(resource)
        if "text" in resource:
            body, content_type = resource.pop("text").encode("utf-8"), "text/csv"
        elif "download" in resource:
            body, content_type = download(resource)
            resource.pop("download")
        else:
            body = None
        if body is not None:
            filename = resource.pop("filename")
            resource.update(url=filename, upload=FileStorage(
                stream=io.BytesIO(body), filename=filename, content_type=content_type))
        if resource.get("name") in ids:
            resource["id"] = ids[resource["name"]]
        out.append(resource)
    return out


SOFT_COMMIT_EVERY = 1.0   # seconds


def _searchable(last_commit: float) -> float:
    """Makes the datasets indexed without a commit searchable with a soft
    Solr commit (CKAN sends no commitWithin). Skipped within
    SOFT_COMMIT_EVERY seconds of this process's last one while more harvest
    objects wait in the fetch queue, as a later import commits them: never
    skipped for the last object of a run. Returns the last commit's time."""
    now = time.monotonic()
    if now - last_commit < SOFT_COMMIT_EVERY and _objects_waiting():
        return last_commit
    try:
        make_connection().commit(softCommit=True, waitSearcher=False)
    except Exception:  # indexed all the same: searchable at Solr's next commit
        log.warning("Solr soft commit failed", exc_info=True)
    return now


def _objects_waiting() -> bool:
    """Whether ckanext-harvest's fetch queue (on Redis) holds more objects."""
    from ckanext.harvest import queue
    if (tk.config.get("ckan.harvest.mq.type") or queue.MQ_TYPE) != "redis":
        return False
    try:
        return bool(queue.get_connection().llen(queue.get_fetch_routing_key()))
    except Exception:  # the queue cannot be read: commit now
        return False


def describe(error: tk.ValidationError, dataset_type: str | None) -> str:
    """A ValidationError in Chinese, with the fields named by their labels."""
    try:
        labels = {name: fields.label(f) for name, f in
                  fields.dataset_fields(dataset_type).items()} if dataset_type else {}
    except Exception:  # an unknown type: plain field names
        labels = {}
    parts = []
    for name, messages in (error.error_dict or {}).items():
        text = "；".join(_flatten(messages))
        parts.append(f"{labels[name]}：{text}" if name in labels else text)
    return "；".join(parts) or str(error)


def _flatten(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [m for v in value.values() for m in _flatten(v)]
    if isinstance(value, (list, tuple)):
        return [m for v in value for m in _flatten(v)]
    return [str(value)] if value else []
