"""The exchange-database (前置库) harvester: departments' business systems
write into tables or views of an exchange database; this harvester reads
them with SQLAlchemy (PostgreSQL; MySQL/MariaDB with the pymysql driver)
and maps them, as its source configuration says, to

- `gkml_item` disclosure-catalog entries: one row, one entry, columns
  mapped to fields, a key column, an optional watermark column (only rows
  whose watermark moved are read again) and status column (撤回 rows and
  deleted rows are withdrawn here);
- `open_dataset`s: the whole table is one dataset whose CSV resource is
  generated from its rows, the metadata coming from the configuration.

The configuration is described in harvesters/README.md; it is checked
against the database when the source is saved.
"""
from __future__ import annotations

import csv
import io
import logging
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterator

import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.pool import NullPool

import ckan.model as model

from . import config as cfg
from . import fields
from .base import DELETE, WITHDRAW, Current, NanjingHarvester, Record, Withdrawal, content_hash
from .config import ConfigError

__all__ = ["ExchangeDbHarvester", "SourceConfig", "Mapping"]

log = logging.getLogger(__name__)

BACKENDS = {"postgresql": "PostgreSQL", "mysql": "MySQL", "mariadb": "MariaDB"}
TYPES = ("gkml_item", "open_dataset")
TOP_KEYS = {"database_url", "password", "password_env", "on_withdraw", "connect_timeout",
            "mappings", "allow_mass_withdraw"}
MAPPING_KEYS = {"name", "type", "table", "schema", "key", "watermark", "status_column",
                "withdrawn_values", "organization"}
GKML_KEYS = {"fields", "values", "name_prefix"}
OPEN_KEYS = {"columns", "dataset", "resource"}
SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{1,39}$")
IN_CHUNK = 1000


@dataclass
class Mapping:
    """One table or view and what it becomes."""
    name: str
    type: str
    table: str
    schema: str | None
    key: str
    watermark: str | None
    status_column: str | None
    withdrawn_values: list[str]
    organization: str | None
    fields: dict[str, str] = field(default_factory=dict)     # gkml_item: field → column
    values: dict[str, Any] = field(default_factory=dict)     # gkml_item: field → fixed value
    name_prefix: str = ""
    columns: dict[str, str] = field(default_factory=dict)    # open_dataset: column → CSV header
    dataset: dict[str, Any] = field(default_factory=dict)    # open_dataset: metadata
    resource: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def where(self) -> str:
        return f"映射“{self.name}”"

    @property
    def qualified_table(self) -> str:
        return f"{self.schema}.{self.table}" if self.schema else self.table

    def columns_used(self) -> dict[str, str]:
        """Every source column the mapping names → what names it."""
        used = {self.key: "key"}
        if self.watermark:
            used[self.watermark] = "watermark"
        if self.status_column:
            used[self.status_column] = "status_column"
        for target, column in self.fields.items():
            used.setdefault(column, f"fields.{target}")
        for column in self.columns:
            used.setdefault(column, "columns")
        return used

    def is_withdrawn(self, row) -> bool:
        return bool(self.status_column) and \
            fields.text(row._mapping[self.status_column]) in self.withdrawn_values

    @classmethod
    def parse(cls, raw: Any, index: int) -> "Mapping":
        where = f"第 {index} 个映射"
        if not isinstance(raw, dict):
            raise ConfigError(f"{where}应是一个对象 {{...}}")
        name = cfg.get(raw, "name", str, where)
        if not SLUG.match(name):
            raise ConfigError(f"{where}的名称“{name}”不合适：只能用小写字母、数字、- 和 _，"
                              f"2–40 个字符（它是记录标识和数据集网址的一部分）")
        where = f"映射“{name}”"
        kind = cfg.get(raw, "type", str, where)
        if kind not in TYPES:
            raise ConfigError(f"{where}的类型“{kind}”不受支持：可用 {'、'.join(TYPES)}")
        cfg.check_keys(raw, MAPPING_KEYS | (GKML_KEYS if kind == "gkml_item" else OPEN_KEYS), where)
        withdrawn = cfg.get(raw, "withdrawn_values", list, where, ["撤回"])
        mapping = cls(
            name=name, type=kind, raw=raw,
            table=cfg.get(raw, "table", str, where),
            schema=cfg.get(raw, "schema", str, where, None),
            key=cfg.get(raw, "key", str, where),
            watermark=cfg.get(raw, "watermark", str, where, None),
            status_column=cfg.get(raw, "status_column", str, where, None),
            withdrawn_values=[str(v) for v in withdrawn],
            organization=cfg.get(raw, "organization", str, where, None))
        if kind == "gkml_item":
            mapping.fields = cfg.get(raw, "fields", dict, where)
            mapping.values = cfg.get(raw, "values", dict, where, {})
            mapping.name_prefix = cfg.get(raw, "name_prefix", str, where, name)
            for target, column in mapping.fields.items():
                if not isinstance(column, str) or not column:
                    raise ConfigError(f"{where}：fields 中“{target}”应给出一个列名")
            both = set(mapping.fields) & set(mapping.values)
            if both:
                raise ConfigError(f"{where}：字段 {'、'.join(sorted(both))} 既在 fields 又在 values 中")
            fields.check_targets(kind, [*mapping.fields, *mapping.values], where)
            fields.check_required(kind, [*mapping.fields, *mapping.values], where)
        else:
            mapping.columns = cfg.get(raw, "columns", dict, where, {})
            for column, header in mapping.columns.items():
                if not isinstance(header, str) or not header.strip():
                    raise ConfigError(f"{where}：columns 中列“{column}”应给出 CSV 表头（文本）")
            mapping.dataset = cfg.get(raw, "dataset", dict, where)
            mapping.resource = cfg.get(raw, "resource", dict, where, {})
            cfg.check_keys(mapping.resource, {"name", "description"}, f"{where}的 resource ")
            name_ = mapping.dataset.get("name", name)
            if not isinstance(name_, str) or not re.match(r"^[a-z0-9_-]{2,100}$", name_):
                raise ConfigError(f"{where}：dataset.name“{name_}”不是合法的数据集网址名称"
                                  f"（小写字母、数字、- 和 _）")
            targets = [k for k in mapping.dataset if k != "name"]
            fields.check_targets(kind, targets, where)
            fields.check_required(kind, [*targets, "information_items"], where)
        if mapping.organization and model.Group.get(mapping.organization) is None:
            raise ConfigError(f"{where}：组织“{mapping.organization}”不存在；请填写平台中组织的网址名称")
        return mapping

    def dataset_name(self, key: str) -> str:
        slug = re.sub(r"[^a-z0-9_-]+", "-", key.lower()).strip("-")
        if not slug or not key.isascii():
            slug = content_hash(key)[:12]
        return f"{self.name_prefix[:100 - len(slug) - 1]}-{slug}"


@dataclass
class SourceConfig:
    url: URL                   # without its password
    password: str | None
    on_withdraw: str
    connect_timeout: int
    mappings: list[Mapping]
    stored: dict[str, Any]     # the configuration as it is saved

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> "SourceConfig":
        raw = dict(raw)
        cfg.check_keys(raw, TOP_KEYS, "采集配置")
        text = cfg.get(raw, "database_url", str, "采集配置")
        try:
            url = make_url(text)
        except Exception:
            raise ConfigError("数据库连接串 database_url 格式不正确：应形如 "
                              "postgresql://用户名@主机:端口/数据库名") from None
        backend = url.get_backend_name()
        if backend not in BACKENDS:
            raise ConfigError(f"不支持的数据库类型“{url.drivername}”：可用 postgresql://、"
                              f"mysql+pymysql://、mariadb+pymysql://")
        if not url.database:
            raise ConfigError("数据库连接串 database_url 没有给出数据库名（…/数据库名）")
        if url.password and not raw.get("password") and not raw.get("password_env"):
            # Kept apart from the URL so that it can be masked wherever it is shown.
            raw["password"] = url.password
        url = _without_password(url)
        raw["database_url"] = url.render_as_string(hide_password=False)
        on_withdraw = cfg.get(raw, "on_withdraw", str, "采集配置", WITHDRAW)
        if on_withdraw not in (WITHDRAW, DELETE):
            raise ConfigError(f"配置项 on_withdraw 只能是 {WITHDRAW}（设为私有并标注已撤回）"
                              f"或 {DELETE}（删除数据集）")
        items = cfg.get(raw, "mappings", list, "采集配置")
        if not items:
            raise ConfigError("采集配置的 mappings 为空：请至少映射一张表或视图")
        mappings = [Mapping.parse(item, i) for i, item in enumerate(items, 1)]
        names = [m.name for m in mappings]
        duplicate = {n for n in names if names.count(n) > 1}
        if duplicate:
            raise ConfigError(f"映射名称重复：{'、'.join(sorted(duplicate))}")
        return cls(url=url, password=cfg.secret(raw),
                   on_withdraw=on_withdraw,
                   connect_timeout=cfg.get(raw, "connect_timeout", int, "采集配置", 10),
                   mappings=mappings, stored=raw)

    @property
    def where(self) -> str:
        return f"{self.url.host or 'localhost'}:{self.url.port or ''}".rstrip(":") + \
            f"/{self.url.database}"

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A read-only connection; failures become ConfigErrors in Chinese."""
        url = self.url.set(password=self.password) if self.password else self.url
        backend = url.get_backend_name()
        args: dict[str, Any] = {"connect_timeout": self.connect_timeout}
        if backend == "postgresql":
            args["options"] = "-c default_transaction_read_only=on"
        try:
            engine = sa.create_engine(url, poolclass=NullPool, connect_args=args)
        except sa.exc.NoSuchModuleError:
            raise ConfigError(f"不支持的数据库驱动“{url.drivername}”") from None
        except ImportError as error:
            raise ConfigError(f"平台缺少连接 {BACKENDS[backend]} 的驱动（Python 包 {error.name}）："
                              f"请在平台的 Python 环境中安装它") from None
        try:
            try:
                connection = engine.connect()
            except sa.exc.DBAPIError as error:
                raise ConfigError(self.describe(error)) from None
            with connection:
                yield connection
        finally:
            engine.dispose()

    def describe(self, error: Exception) -> str:
        """A database error in Chinese; the driver's own words last."""
        detail = str(getattr(error, "orig", None) or error).strip().splitlines()
        detail = cfg.mask_url(detail[0]) if detail else type(error).__name__
        low = detail.lower()
        user = self.url.username or ""
        if "access denied" in low and "to database" in low:
            # MySQL/MariaDB: no such database, or no grant on it (it does not say which).
            return f"前置库 {self.where} 无法使用：数据库服务器上没有数据库“{self.url.database}”，" \
                   f"或账号“{user}”无权访问它"
        if "password authentication failed" in low or "access denied" in low:
            return f"无法登录前置库 {self.where}：用户名“{user}”或密码错误"
        if "does not exist" in low and "database" in low or "unknown database" in low:
            return f"前置库 {self.where} 不存在：数据库服务器上没有数据库“{self.url.database}”"
        if "could not translate host name" in low or "name or service not known" in low \
                or "unknown mysql server host" in low or "name resolution" in low:
            return f"找不到前置库的服务器“{self.url.host}”：请检查主机名"
        if "connection refused" in low or "can't connect" in low:
            return f"无法连接前置库 {self.where}：连接被拒绝，请检查主机、端口以及数据库服务是否在运行"
        if "timeout" in low or "timed out" in low:
            return f"连接前置库 {self.where} 超时（{self.connect_timeout} 秒）：请检查网络和防火墙"
        if "permission denied" in low or "command denied" in low:
            return f"前置库账号“{user}”没有读取权限：{detail}"
        return f"读取前置库 {self.where} 失败：{detail}"


def _without_password(url: URL) -> URL:
    # URL.set(password=None) keeps the password: None means "unchanged".
    return URL.create(url.drivername, username=url.username, host=url.host, port=url.port,
                      database=url.database, query=url.query)


def reflect(connection: Connection, mapping: Mapping) -> sa.Table:
    """The mapping's table or view, with its columns checked."""
    inspector = sa.inspect(connection)
    names = set(inspector.get_table_names(schema=mapping.schema)) | \
        set(inspector.get_view_names(schema=mapping.schema))
    if mapping.table not in names:
        raise ConfigError(f"{mapping.where}：前置库中没有表或视图“{mapping.qualified_table}”"
                          + (f"；现有：{'、'.join(sorted(names)[:30])}" if names else ""))
    table = sa.Table(mapping.table, sa.MetaData(), schema=mapping.schema, autoload_with=connection)
    for column, use in mapping.columns_used().items():
        if column not in table.c:
            raise ConfigError(f"{mapping.where}：表“{mapping.qualified_table}”没有列“{column}”"
                              f"（用于 {use}）；现有的列：{'、'.join(table.c.keys())}")
    return table


class ExchangeDbHarvester(NanjingHarvester):

    def info(self) -> dict[str, str]:
        return {
            "name": "nanjing_exchange_db",
            "title": "前置库（数据交换库）",
            "description": "从部门业务系统写入前置库（PostgreSQL、MySQL/MariaDB）的表或视图采集"
                           "政务公开事项目录条目和开放数据集；配置说明见 harvesters/README.md",
        }

    def validate_config(self, config: str) -> str:
        self.require_masking()
        source = SourceConfig.parse(cfg.parse(config))
        with source.connect() as connection:
            for mapping in source.mappings:
                table = reflect(connection, mapping)
                try:
                    connection.execute(sa.select(*[table.c[c] for c in mapping.columns_used()])
                                       .limit(1)).all()
                except sa.exc.DBAPIError as error:
                    raise ConfigError(f"{mapping.where}：{source.describe(error)}") from None
        return cfg.dump(source.stored)

    # Gather

    def gather_stage(self, harvest_job):
        source_owner = harvest_job.source.publisher_id or None
        try:
            source = SourceConfig.parse(cfg.parse(harvest_job.source.config))
        except ConfigError as error:
            self.gather_error(harvest_job, f"采集配置有误：{error}")
            return None
        current = self.current_records(harvest_job.source.id)
        records: list[Record] = []
        withdrawals: list[Withdrawal] = []
        problems: list[str] = []
        try:
            with source.connect() as connection:
                for mapping in source.mappings:
                    try:
                        owner = self.owner_org(mapping.organization, source_owner,
                                               f"{mapping.where}：", "映射")
                        table = reflect(connection, mapping)
                        if mapping.type == "gkml_item":
                            got, gone = self._gkml(connection, table, mapping, source, owner,
                                                   current, problems)
                        else:
                            got, gone = self._open(connection, table, mapping, owner, current)
                    except ConfigError as error:
                        problems.append(str(error))
                        continue
                    except sa.exc.DBAPIError as error:
                        connection.rollback()
                        problems.append(f"{mapping.where}：{source.describe(error)}")
                        continue
                    records += got
                    withdrawals += gone
        except ConfigError as error:
            self.gather_error(harvest_job, str(error))
            return None
        except Exception as error:  # never let the gather consumer die
            log.exception("Gather of %s failed", harvest_job.source.id)
            self.gather_error(harvest_job, f"读取前置库 {source.where} 失败："
                                           f"{type(error).__name__}：{cfg.mask_url(str(error))}")
            return None
        for problem in problems:
            self.gather_error(harvest_job, problem)
        return self.queue(harvest_job, current, records, withdrawals)

    def _gkml(self, connection: Connection, table: sa.Table, mapping: Mapping,
              source: SourceConfig, owner: str, current: dict[str, Current],
              problems: list[str]) -> tuple[list[Record], list[Withdrawal]]:
        prefix = f"{mapping.name}:"
        mine = {guid: c for guid, c in current.items() if guid.startswith(prefix)}
        version = content_hash({"mapping": mapping.raw, "owner": owner})
        wanted = [table.c[c] for c in dict.fromkeys(
            [mapping.key, *mapping.fields.values(),
             *([mapping.watermark] if mapping.watermark else []),
             *([mapping.status_column] if mapping.status_column else [])])]
        key_column = table.c[mapping.key]
        live: dict[str, Any] = {}
        blank = duplicates = 0

        def admit(row) -> str | None:
            nonlocal blank, duplicates
            key = row._mapping[mapping.key]
            if key is None or fields.text(key) == "":
                blank += 1
                return None
            guid = prefix + fields.text(key)
            if guid in live:
                duplicates += 1
                return None
            if mapping.is_withdrawn(row):
                live[guid] = None
                return None
            live[guid] = key
            return guid

        rows = []
        if mapping.watermark:
            # Incremental: keys and watermarks of every row, whole rows only
            # for those that are new or whose watermark moved.
            scan = [key_column, table.c[mapping.watermark]] + \
                ([table.c[mapping.status_column]] if mapping.status_column else [])
            changed = []
            for row in connection.execute(sa.select(*scan).order_by(key_column)):
                guid = admit(row)
                if guid is None:
                    continue
                known = mine.get(guid)
                mark = fields.text(row._mapping[mapping.watermark])
                if known is None or known.extras.get("version") != version or \
                        known.extras.get("watermark") != mark:
                    changed.append(live[guid])
            seen = set()
            for start in range(0, len(changed), IN_CHUNK):
                chunk = changed[start:start + IN_CHUNK]
                for row in connection.execute(sa.select(*wanted).where(key_column.in_(chunk))
                                              .order_by(key_column)):
                    if row._mapping[mapping.key] not in seen:  # a view may repeat a key
                        seen.add(row._mapping[mapping.key])
                        rows.append(row)
        else:
            for row in connection.execute(sa.select(*wanted).order_by(key_column)):
                if admit(row) is not None:
                    rows.append(row)
        if blank:
            problems.append(f"{mapping.where}：表“{mapping.qualified_table}”有 {blank} 行的键列"
                            f"“{mapping.key}”为空，未采集")
        if duplicates:
            problems.append(f"{mapping.where}：表“{mapping.qualified_table}”的键列“{mapping.key}”"
                            f"有 {duplicates} 个重复值，重复的行未采集")
        schema = fields.dataset_fields(mapping.type)
        records = [self._entry(mapping, schema, row, owner, version) for row in rows]
        withdrawals = [Withdrawal(guid, guid[len(prefix):], source.on_withdraw)
                       for guid in mine if live.get(guid) is None]
        return records, withdrawals

    @staticmethod
    def _entry(mapping: Mapping, schema: dict[str, dict], row, owner: str,
               version: str) -> Record:
        values = row._mapping
        key = fields.text(values[mapping.key])
        data: dict[str, Any] = {"type": mapping.type, "name": mapping.dataset_name(key),
                                "owner_org": owner}
        for target, value in mapping.values.items():
            data[target] = fields.convert(schema[target], value)
        for target, column in mapping.fields.items():
            if values[column] is not None and fields.text(values[column]) != "":
                data[target] = fields.convert(schema[target], values[column])
        extras = {"version": version}
        if mapping.watermark:
            extras["watermark"] = fields.text(values[mapping.watermark])
        return Record(guid=f"{mapping.name}:{key}", key=key, dataset=data, extras=extras)

    def _open(self, connection: Connection, table: sa.Table, mapping: Mapping, owner: str,
              current: dict[str, Current]) -> tuple[list[Record], list[Withdrawal]]:
        known = current.get(mapping.name)
        version = content_hash({"mapping": mapping.raw, "owner": owner})
        key_column = table.c[mapping.key]
        scan = None
        if mapping.watermark:
            # Unchanged keys, watermarks and statuses: the table is unchanged.
            columns = [key_column, table.c[mapping.watermark]] + \
                ([table.c[mapping.status_column]] if mapping.status_column else [])
            scan = content_hash([[fields.text(v) for v in row] for row in
                                 connection.execute(sa.select(*columns).order_by(key_column))])
            if known is not None and known.extras.get("version") == version \
                    and known.extras.get("scan") == scan:
                return [], []
        headers = mapping.columns or {c: c for c in table.c.keys()
                                      if c not in (mapping.watermark, mapping.status_column)}
        selected = [table.c[c] for c in dict.fromkeys(
            [*headers, *([mapping.status_column] if mapping.status_column else [])])]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(headers.values())
        for row in connection.execute(sa.select(*selected).order_by(key_column)):
            if not mapping.is_withdrawn(row):
                writer.writerow([fields.text(row._mapping[c]) for c in headers])
        schema = fields.dataset_fields(mapping.type)
        data: dict[str, Any] = {"type": mapping.type, "owner_org": owner,
                                "name": mapping.dataset.get("name", mapping.name)}
        for target, value in mapping.dataset.items():
            if target != "name":
                data[target] = value if target == "information_items" \
                    else fields.convert(schema[target], value)
        data.setdefault("information_items", table_schema(table, mapping, headers))
        resource = {"name": mapping.resource.get("name") or data.get("title") or mapping.name,
                    "description": mapping.resource.get("description", ""),
                    "format": "CSV", "filename": f"{data['name']}.csv", "text": out.getvalue()}
        extras = {"version": version}
        if scan:
            extras["scan"] = scan
        return [Record(guid=mapping.name, key=mapping.qualified_table, dataset=data,
                       resources=[resource], extras=extras)], []


def table_schema(table: sa.Table, mapping: Mapping, headers: dict[str, str]) -> dict[str, Any]:
    """A Table Schema for the generated CSV from the columns' SQL types."""
    out = []
    for column, header in headers.items():
        item: dict[str, Any] = {"name": header, "type": _field_type(table.c[column].type)}
        if column == mapping.key:
            item["constraints"] = {"required": True}
        if table.c[column].comment:
            item["description"] = table.c[column].comment
        out.append(item)
    schema: dict[str, Any] = {"fields": out}
    if mapping.key in headers:
        schema["primaryKey"] = headers[mapping.key]
    return schema


def _field_type(sql_type: sa.types.TypeEngine) -> str:
    for kind, name in ((sa.Boolean, "boolean"), (sa.Integer, "integer"), (sa.Numeric, "number"),
                       (sa.DateTime, "datetime"), (sa.Date, "date"), (sa.Time, "time")):
        if isinstance(sql_type, kind):
            return name
    return "string"
