"""The document-system API harvester: an OA/公文系统 publishes government
documents (policy texts, notices) as a paged JSON API, each with its
attachments and, optionally, its 政策解读. Every document becomes a
`policy_document` record, its interpretation a linked
`policy_interpretation` record (the document's `interpretation` names the
interpretation, the interpretation's `policy` names the document), and
their attachments resources: downloaded and uploaded (default) or links.

Incremental by modification time: after a successful job only documents
modified at or after the latest `modified` already harvested are read again
(`modified_since`); a light listing of every document's id (`fields=id`)
finds the documents gone from the API. Documents withdrawn (撤回) or gone
are withdrawn here. The API and the configuration are described in
harvesters/README.md.
"""
from __future__ import annotations

import datetime as dt
import logging
import mimetypes
import posixpath
import re
from dataclasses import dataclass, field
from typing import Any, Iterator
from urllib.parse import unquote, urljoin, urlsplit

import requests

import ckan.model as model
from ckanext.harvest.model import (HarvestGatherError, HarvestJob, HarvestObject,
                                   HarvestObjectError)

from . import config as cfg
from . import fields
from .base import DELETE, WITHDRAW, Current, NanjingHarvester, Record, Withdrawal, content_hash
from .config import ConfigError

__all__ = ["DocumentApiHarvester", "SourceConfig", "DocumentApi"]

log = logging.getLogger(__name__)

DOCUMENT, INTERPRETATION = "policy_document", "policy_interpretation"
TOP_KEYS = {"api_url", "page_size", "token", "token_env", "organization", "organizations",
            "fields", "interpretation_fields", "name_prefix", "attachments", "on_withdraw",
            "timeout", "withdrawn_values", "max_attachment_mb", "allow_mass_withdraw"}
# catalog field → key of the API's document (or of its interpretation)
DOCUMENT_FIELDS = {"title": "title", "doc_number": "doc_number", "issued_date": "issued_date",
                   "area": "area", "notes": "content", "tag_string": "keywords"}
INTERPRETATION_FIELDS = {"title": "title", "interpretation_type": "type",
                         "issued_date": "issued_date", "notes": "content"}
# Set by the harvester from the link between the two records.
LINKS = {DOCUMENT: "interpretation", INTERPRETATION: "policy"}
LINK, UPLOAD = "link", "upload"
PREFIX = re.compile(r"^[a-z0-9][a-z0-9_-]{1,39}$")
MAX_PAGES = 10_000
USER_AGENT = "NanjingOpenData-Harvester/1.0"


def parse_time(text: str) -> dt.datetime:
    """An ISO 8601 time; a time without offset is Beijing time."""
    value = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))
    return value


class DownloadError(RuntimeError):
    """An attachment that could not be downloaded (message in Chinese)."""


@dataclass
class SourceConfig:
    api_url: str
    page_size: int
    token: str | None
    organization: str | None
    organizations: dict[str, str]
    fields: dict[str, str]
    interpretation_fields: dict[str, str]
    name_prefix: str
    attachments: str
    on_withdraw: str
    timeout: int
    withdrawn_values: list[str]
    max_attachment_bytes: int
    stored: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> "SourceConfig":
        where = "采集配置"
        cfg.check_keys(raw, TOP_KEYS, where)
        url = cfg.get(raw, "api_url", str, where).strip()
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"接口地址 api_url“{url}”不正确：应形如 "
                              f"https://oa.example.gov.cn/api/documents（http 或 https 开头）")
        if parts.username or parts.password:
            raise ConfigError("接口地址 api_url 中不要写用户名或密码：令牌请填在 token 或 token_env")
        page_size = cfg.get(raw, "page_size", int, where, 50)
        if not 1 <= page_size <= 500:
            raise ConfigError("配置项 page_size（每页文件数）应在 1 到 500 之间")
        timeout = cfg.get(raw, "timeout", int, where, 30)
        if not 1 <= timeout <= 300:
            raise ConfigError("配置项 timeout（请求超时秒数）应在 1 到 300 之间")
        attachments = cfg.get(raw, "attachments", str, where, UPLOAD)
        if attachments not in (LINK, UPLOAD):
            raise ConfigError(f"配置项 attachments 只能是 {UPLOAD}（下载附件并上传到平台）"
                              f"或 {LINK}（只保存附件的链接）")
        on_withdraw = cfg.get(raw, "on_withdraw", str, where, WITHDRAW)
        if on_withdraw not in (WITHDRAW, DELETE):
            raise ConfigError(f"配置项 on_withdraw 只能是 {WITHDRAW}（设为私有并标注已撤回）"
                              f"或 {DELETE}（删除记录）")
        prefix = cfg.get(raw, "name_prefix", str, where, "oa")
        if not PREFIX.match(prefix):
            raise ConfigError(f"配置项 name_prefix“{prefix}”不合适：只能用小写字母、数字、- 和 _，"
                              f"2–40 个字符（它是记录网址名称的开头）")
        organizations = cfg.get(raw, "organizations", dict, where, {})
        organization = cfg.get(raw, "organization", str, where, None)
        for name in [organization, *organizations.values()]:
            if name is None:
                continue
            if not isinstance(name, str) or model.Group.get(name) is None:
                raise ConfigError(f"组织“{name}”不存在；请填写平台中组织的网址名称")
        mapped = {}
        for key, dataset_type, default in (("fields", DOCUMENT, DOCUMENT_FIELDS),
                                           ("interpretation_fields", INTERPRETATION,
                                            INTERPRETATION_FIELDS)):
            given = cfg.get(raw, key, dict, where, {})
            for target, source_key in given.items():
                if not isinstance(source_key, str) or not source_key:
                    raise ConfigError(f"配置项 {key} 中“{target}”应给出接口中的字段名（文本）")
            fields.check_targets(dataset_type, given, f"配置项 {key}")
            if LINKS[dataset_type] in given:
                raise ConfigError(f"配置项 {key}：字段“{LINKS[dataset_type]}”由采集器按文件与解读的"
                                  f"对应关系设置，不能映射")
            mapped[key] = dict(default, **given)
            fields.check_required(dataset_type, [*mapped[key], LINKS[dataset_type]],
                                  f"配置项 {key}")
        withdrawn = cfg.get(raw, "withdrawn_values", list, where, ["撤回"])
        max_mb = cfg.get(raw, "max_attachment_mb", int, where, 50)
        if max_mb < 1:
            raise ConfigError("配置项 max_attachment_mb（附件大小上限，MB）应是正整数")
        return cls(api_url=url, page_size=page_size, token=cfg.secret(raw, "token"),
                   organization=organization, organizations=organizations,
                   fields=mapped["fields"], interpretation_fields=mapped["interpretation_fields"],
                   name_prefix=prefix, attachments=attachments, on_withdraw=on_withdraw,
                   timeout=timeout, withdrawn_values=[str(v) for v in withdrawn],
                   max_attachment_bytes=max_mb * 1024 * 1024, stored=dict(raw))

    def version(self, source_owner: str | None) -> str:
        """What, besides a document, decides the records it becomes."""
        return content_hash({k: v for k, v in self.stored.items()
                             if k not in ("token", "token_env", "page_size", "timeout")}
                            | {"owner": source_owner})


class DocumentApi:
    """The document system's JSON API; every failure is a ConfigError in
    Chinese, every request has a timeout."""

    def __init__(self, source: SourceConfig):
        self.source = source
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self.session.headers["Accept"] = "application/json"
        if source.token:
            self.session.headers["Authorization"] = f"Bearer {source.token}"

    def __enter__(self) -> "DocumentApi":
        return self

    def __exit__(self, *exc) -> None:
        self.session.close()

    @property
    def timeout(self) -> tuple[int, int]:
        return (min(10, self.source.timeout), self.source.timeout)

    def _get(self, url: str, **kwargs) -> requests.Response:
        where = cfg.mask_url(url)
        try:
            response = self.session.get(url, timeout=self.timeout, **kwargs)
        except requests.Timeout:
            raise ConfigError(f"公文系统接口 {where} 在 {self.source.timeout} 秒内没有响应："
                              f"请检查网络、防火墙和对方服务") from None
        except requests.ConnectionError as error:
            text = str(error).lower()
            if "name or service not known" in text or "nodename nor servname" in text \
                    or "name resolution" in text or "getaddrinfo" in text:
                raise ConfigError(f"找不到公文系统接口的服务器“{urlsplit(url).hostname}”："
                                  f"请检查 api_url 中的主机名") from None
            raise ConfigError(f"无法连接公文系统接口 {where}：连接被拒绝或主机不可达，"
                              f"请检查地址、端口以及对方服务是否在运行") from None
        except requests.RequestException as error:
            raise ConfigError(f"请求公文系统接口 {where} 失败：{type(error).__name__}") from None
        status = response.status_code
        if status in (401, 403):
            raise ConfigError(f"公文系统接口 {where} 拒绝访问（HTTP {status}）："
                              f"令牌 token 缺失、无效或没有权限")
        if status == 404:
            raise ConfigError(f"公文系统接口 {where} 不存在（HTTP 404）：请检查地址")
        if status >= 400:
            raise ConfigError(f"公文系统接口 {where} 返回错误（HTTP {status}）")
        return response

    def page(self, number: int, size: int, modified_since: str | None = None,
             only: str | None = None) -> dict[str, Any]:
        params: dict[str, Any] = {"page": number, "page_size": size}
        if modified_since:
            params["modified_since"] = modified_since
        if only:
            params["fields"] = only
        response = self._get(self.source.api_url, params=params)
        where = cfg.mask_url(self.source.api_url)
        try:
            value = response.json()
        except ValueError:
            kind = response.headers.get("Content-Type", "未知类型")
            raise ConfigError(f"公文系统接口 {where} 返回的不是 JSON（{kind}）："
                              f"请检查 api_url 是否指向文件列表接口") from None
        if not isinstance(value, dict) or not isinstance(value.get("documents"), list):
            raise ConfigError(f"公文系统接口 {where} 返回的 JSON 格式不对：应是含有文件列表 "
                              f"“documents”（以及总数 “total”）的对象")
        total = value.get("total")
        if total is not None and (not isinstance(total, int) or isinstance(total, bool)):
            raise ConfigError(f"公文系统接口 {where} 返回的 JSON 格式不对：“total”应是整数")
        return value

    def documents(self, modified_since: str | None = None,
                  only: str | None = None) -> Iterator[Any]:
        """Every document, page by page."""
        size = self.source.page_size
        for number in range(1, MAX_PAGES + 1):
            value = self.page(number, size, modified_since, only)
            items = value["documents"]
            yield from items
            total = value.get("total")
            if not items or len(items) < size or (total is not None and number * size >= total):
                return
        raise ConfigError(f"公文系统接口 {cfg.mask_url(self.source.api_url)} 超过 {MAX_PAGES} 页，"
                          f"已停止读取：请检查接口的分页")

    def download(self, url: str) -> tuple[bytes, str]:
        limit = self.source.max_attachment_bytes
        try:
            response = self._get(url, stream=True)
        except ConfigError as error:
            raise DownloadError(f"附件 {cfg.mask_url(url)} 下载失败：{error}") from None
        with response:
            body = bytearray()
            try:
                for chunk in response.iter_content(64 * 1024):
                    body += chunk
                    if len(body) > limit:
                        raise DownloadError(f"附件 {cfg.mask_url(url)} 超过 "
                                            f"{limit // 1024 // 1024} MB（max_attachment_mb），未下载")
            except requests.RequestException as error:
                raise DownloadError(f"附件 {cfg.mask_url(url)} 下载中断：{type(error).__name__}") \
                    from None
        kind = (response.headers.get("Content-Type") or "").split(";")[0].strip() or \
            mimetypes.guess_type(url)[0] or "application/octet-stream"
        return bytes(body), kind


def _text(value: Any) -> str:
    return "" if value is None else fields.text(value)


def _lookup(doc: dict[str, Any], key: str) -> Any:
    """doc[key], with dotted keys into nested objects (e.g. "meta.doc_no")."""
    value: Any = doc
    for part in key.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


class DocumentApiHarvester(NanjingHarvester):

    def info(self) -> dict[str, str]:
        return {
            "name": "nanjing_document_api",
            "title": "公文系统接口（政策文件）",
            "description": "从办公自动化（OA）或公文系统的分页 JSON 接口按修改时间增量采集政策文件、"
                           "通知及其附件和政策解读；配置说明见 harvesters/README.md",
        }

    def validate_config(self, config: str) -> str:
        self.require_masking()
        source = SourceConfig.parse(cfg.parse(config))
        with DocumentApi(source) as api:
            value = api.page(1, 1)
        for doc in value["documents"][:1]:
            # The shape of the API; a bad value of one document is that
            # document's problem, reported when it is harvested.
            problem = _shape(doc) if not isinstance(doc, dict) or \
                not _text(doc.get("id")) or not _text(doc.get("modified")) else None
            if problem:
                raise ConfigError(f"公文系统接口 {cfg.mask_url(source.api_url)} 返回的文件格式不对："
                                  f"{problem}")
        return cfg.dump(source.stored)

    # Gather

    def gather_stage(self, harvest_job):
        package = model.Package.get(harvest_job.source.id)
        source_owner = harvest_job.source.publisher_id or (package.owner_org if package else None)
        try:
            source = SourceConfig.parse(cfg.parse(harvest_job.source.config))
        except ConfigError as error:
            self.gather_error(harvest_job, f"采集配置有误：{error}")
            return None
        current = self.current_records(harvest_job.source.id)
        version = source.version(source_owner)
        since = self._watermark(harvest_job, current, version)
        api = DocumentApi(source)
        problems: list[str] = []
        try:
            docs = list(api.documents(since))
            if since is None:
                listed = docs
            else:  # only ids, to find the documents gone from the API
                listed = list(api.documents(only="id,modified"))
            live = {_text(d.get("id")) for d in [*listed, *docs] if isinstance(d, dict)} - {""}
            records, withdrawals = self._records(docs, source, source_owner, version, current,
                                                 problems)
        except ConfigError as error:
            self.gather_error(harvest_job, str(error))
            return None
        except Exception as error:  # never let the gather consumer die
            log.exception("Gather of %s failed", harvest_job.source.id)
            self.gather_error(harvest_job, f"读取公文系统接口 {cfg.mask_url(source.api_url)} 失败："
                                           f"{type(error).__name__}：{cfg.mask_url(str(error))}")
            return None
        finally:
            api.session.close()
        withdrawn = {w.guid for w in withdrawals}
        for guid in current:
            kind, _, doc_id = guid.partition(":")
            if kind in ("doc", "jd") and doc_id not in live and guid not in withdrawn:
                withdrawals.append(Withdrawal(guid, doc_id, source.on_withdraw))
        for problem in problems:
            self.gather_error(harvest_job, problem)
        return self.queue(harvest_job, current, records, withdrawals)

    @staticmethod
    def _watermark(job, current: dict[str, Current], version: str) -> str | None:
        """modified_since for this job: the latest `modified` harvested, when
        the last job finished without any error and the configuration is the
        same; else None (every document is read)."""
        if not current or any(c.extras.get("version") != version for c in current.values()):
            return None
        last = (model.Session.query(HarvestJob)
                .filter(HarvestJob.source_id == job.source_id, HarvestJob.id != job.id,
                        HarvestJob.status == "Finished")
                .order_by(HarvestJob.created.desc()).first())
        if last is None:
            return None
        failed = model.Session.query(HarvestGatherError).filter_by(harvest_job_id=last.id).count() \
            or model.Session.query(HarvestObjectError) \
            .join(HarvestObject, HarvestObject.id == HarvestObjectError.harvest_object_id) \
            .filter(HarvestObject.harvest_job_id == last.id).count()
        if failed:
            return None
        marks = []
        for c in current.values():
            try:
                marks.append((parse_time(c.extras["modified"]), c.extras["modified"]))
            except (KeyError, ValueError):
                return None
        return max(marks)[1]

    def _records(self, docs: list[Any], source: SourceConfig, source_owner: str | None,
                 version: str, current: dict[str, Current],
                 problems: list[str]) -> tuple[list[Record], list[Withdrawal]]:
        doc_schema = fields.dataset_fields(DOCUMENT)
        jd_schema = fields.dataset_fields(INTERPRETATION)
        records: list[Record] = []
        withdrawals: list[Withdrawal] = []
        seen: set[str] = set()
        for doc in docs:
            problem = _shape(doc)
            doc_id = _text(doc.get("id")) if isinstance(doc, dict) else ""
            if problem:
                problems.append(f"记录 {doc_id or '（无 id）'}：{problem}，未采集")
                continue
            if doc_id in seen:
                problems.append(f"记录 {doc_id}：接口中重复出现，只采集第一次出现的")
                continue
            seen.add(doc_id)
            doc_guid, jd_guid = f"doc:{doc_id}", f"jd:{doc_id}"
            if _text(doc.get("status")) in source.withdrawn_values:
                withdrawals += [Withdrawal(guid, doc_id, source.on_withdraw)
                                for guid in (doc_guid, jd_guid) if guid in current]
                continue
            try:
                owner = self._owner(doc.get("department"), source, source_owner)
                jd = doc.get("interpretation")
                if jd is not None and not isinstance(jd, dict):
                    raise ConfigError("interpretation 应是一个对象或 null")
                names = _names(source, doc_id)
                extras = {"modified": _text(doc["modified"]), "version": version}
                data = self._dataset(DOCUMENT, doc, source.fields, doc_schema, names[0], owner)
                if jd:
                    data["interpretation"] = names[1]
                resources = self._resources(doc.get("attachments"), source)
                records.append(Record(doc_guid, doc_id, data, resources, extras))
                if jd:
                    jd_owner = self._owner(jd.get("department"), source, owner) \
                        if jd.get("department") else owner
                    jd_data = self._dataset(INTERPRETATION, jd, source.interpretation_fields,
                                            jd_schema, names[1], jd_owner)
                    jd_data["policy"] = names[0]
                    key = _text(jd.get("id")) or f"{doc_id} 的解读"
                    records.append(Record(jd_guid, key, jd_data,
                                          self._resources(jd.get("attachments"), source), extras))
                elif jd_guid in current:
                    withdrawals.append(Withdrawal(jd_guid, f"{doc_id} 的解读", source.on_withdraw))
            except ConfigError as error:
                problems.append(f"记录 {doc_id}：{error}，未采集")
                seen.discard(doc_id)
        return records, withdrawals

    @staticmethod
    def _owner(department: Any, source: SourceConfig, default: str | None) -> str:
        """The organization of a document's issuing body: as mapped in
        `organizations`, else the organization of that title, else the
        source's."""
        department = _text(department)
        if department:
            name = source.organizations.get(department)
            group = model.Group.get(name) if name else (
                model.Session.query(model.Group)
                .filter_by(title=department, is_organization=True, state="active").first())
            if group is not None:
                return group.id
        if source.organization:
            group = model.Group.get(source.organization)
            if group is not None:
                return group.id
        if default:
            return default
        raise ConfigError(f"没有发布组织：发文机关“{department}”不是平台中的组织，请在配置的 "
                          f"organizations 中对应，或为采集源选择组织")

    @staticmethod
    def _dataset(dataset_type: str, doc: dict[str, Any], mapping: dict[str, str],
                 schema: dict[str, dict], name: str, owner: str) -> dict[str, Any]:
        data: dict[str, Any] = {"type": dataset_type, "name": name, "owner_org": owner}
        for target, key in mapping.items():
            value = _lookup(doc, key)
            if value is None or value == "" or value == []:
                continue
            if target == "tag_string" and isinstance(value, list):
                data[target] = ",".join(_text(v) for v in value if _text(v))
            else:
                data[target] = fields.convert(schema[target], value)
        return data

    @staticmethod
    def _resources(attachments: Any, source: SourceConfig) -> list[dict[str, Any]]:
        if attachments in (None, ""):
            return []
        if not isinstance(attachments, list):
            raise ConfigError("attachments 应是一个列表")
        out, names = [], set()
        for index, item in enumerate(attachments, 1):
            if not isinstance(item, dict) or not _text(item.get("url")):
                raise ConfigError(f"第 {index} 个附件没有 url")
            url = urljoin(source.api_url, _text(item["url"]))
            filename = posixpath.basename(unquote(urlsplit(url).path)) or f"attachment-{index}"
            name = _text(item.get("name")) or filename
            if name in names:  # names identify resources across runs
                name = f"{name}（{index}）"
            names.add(name)
            fmt = _text(item.get("format")) or posixpath.splitext(filename)[1].lstrip(".")
            resource: dict[str, Any] = {"name": name, "format": fmt.upper()}
            if item.get("size") is not None:
                resource["size"] = item["size"]
            if source.attachments == LINK:
                resource["url"] = url
            else:
                resource.update(download=url, filename=filename)
            out.append(resource)
        return out

    # Import: attachments are downloaded here, with the source's token.

    def download(self, harvest_object, resource: dict[str, Any]) -> tuple[bytes, str]:
        source = SourceConfig.parse(cfg.parse(harvest_object.source.config))
        with DocumentApi(source) as api:
            return api.download(resource["download"])


def _shape(doc: Any) -> str | None:
    """What is wrong with a document of the API, or None."""
    if not isinstance(doc, dict):
        return "文件应是一个 JSON 对象"
    if not _text(doc.get("id")):
        return "缺少文件标识 id"
    if not _text(doc.get("modified")):
        return "缺少修改时间 modified"
    try:
        parse_time(_text(doc["modified"]))
    except ValueError:
        return f"修改时间 modified“{doc['modified']}”不是 ISO 8601 时间"
    return None


def _names(source: SourceConfig, doc_id: str) -> tuple[str, str]:
    slug = re.sub(r"[^a-z0-9_-]+", "-", doc_id.lower()).strip("-")
    if not slug or not doc_id.isascii():
        slug = content_hash(doc_id)[:12]
    name = f"{source.name_prefix}-{slug}"[:96]
    return name, f"{name}-jd"
