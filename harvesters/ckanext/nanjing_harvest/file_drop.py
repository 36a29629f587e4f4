"""File-drop harvester: the way budget tables usually arrive. A department
puts Excel/CSV files in a folder (or on an HTTP server) together with a
manifest, `manifest.json`, that says which files (and which sheets of a
workbook) make which open dataset:

    {"datasets": [{
        "name": "nanjing-2026-budget-revenue", "organization": "nanjing-czj",
        "fields": {"title": "...", "area": "财政预决算", ...},
        "files": [{"path": "2026/市级预算公开表.xlsx", "sheet": "收入预算",
                   "header_row": 3, "name": "2026年一般公共预算收入预算"},
                  {"path": "部门预算汇总.csv", "name": "..."}]}]}

Each manifest dataset is one record (its name is the key). A CSV or a
single workbook file becomes a resource as it is (a GBK CSV stays GBK: the
gate reads it, the public downloads the original); each chosen sheet of a
workbook becomes a CSV resource of its own, starting at its header row.
Files are read in the gather stage to hash them, so a run over unchanged
files changes nothing, and read again at import. Datasets dropped from the
manifest are withdrawn; a record whose file is missing or unreadable is
reported and left as it was.
"""
from __future__ import annotations

import contextlib
import hashlib
import logging
import mimetypes
import posixpath
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Iterator
from urllib.parse import quote, urljoin, urlsplit

import requests


from . import config as cfg
from . import fields
from .base import DELETE, WITHDRAW, NanjingHarvester, Record, Withdrawal
from .config import ConfigError

__all__ = ["FileDropHarvester", "SourceConfig", "Drop"]

log = logging.getLogger(__name__)

TOP_KEYS = {"folder", "url", "manifest", "on_withdraw", "organization", "max_file_mb",
            "timeout", "token", "token_env", "allow_mass_withdraw"}
DATASET_KEYS = {"name", "type", "organization", "fields", "files"}
FILE_KEYS = {"path", "sheet", "sheets", "header_row", "name", "description"}
FORMATS = {".csv": "csv", ".tsv": "tsv", ".txt": "csv", ".xlsx": "xlsx", ".xls": "xls"}
NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{1,99}$")
MAX_MANIFEST_BYTES = 1 << 20
USER_AGENT = "NanjingOpenData-Harvester/1.0"


class FileProblem(Exception):
    """A file of the drop that cannot be read (Chinese message)."""


@dataclass
class SourceConfig:
    folder: Path | None
    url: str | None
    manifest: str
    on_withdraw: str
    organization: str | None
    max_bytes: int
    timeout: int
    token: str | None
    stored: dict[str, Any]

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> "SourceConfig":
        cfg.check_keys(raw, TOP_KEYS, "采集配置")
        folder = cfg.get(raw, "folder", str, "采集配置", None)
        url = cfg.get(raw, "url", str, "采集配置", None)
        if bool(folder) == bool(url):
            raise ConfigError("采集配置应给出“folder”（服务器上的文件夹）或“url”（HTTP 目录地址）"
                              "中的一个")
        if folder and not Path(folder).is_absolute():
            raise ConfigError(f"文件夹“{folder}”应写成绝对路径，例如 /srv/drop/czj")
        if url:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ConfigError(f"地址“{url}”不是 http:// 或 https:// 开头的网址")
            url = url if url.endswith("/") else url + "/"
        manifest = cfg.get(raw, "manifest", str, "采集配置", "manifest.json")
        on_withdraw = cfg.get(raw, "on_withdraw", str, "采集配置", WITHDRAW)
        if on_withdraw not in (WITHDRAW, DELETE):
            raise ConfigError("配置项“on_withdraw”应为 withdraw（标记撤回并停止公开）或 delete（删除）")
        max_mb = cfg.get(raw, "max_file_mb", int, "采集配置", 200)
        timeout = cfg.get(raw, "timeout", int, "采集配置", 60)
        if not 0 < max_mb <= 1024 or not 0 < timeout <= 600:
            raise ConfigError("配置项“max_file_mb”应在 1 到 1024 之间，“timeout”应在 1 到 600 秒之间")
        token = cfg.secret(raw, "token") if url else None
        return cls(Path(folder) if folder else None, url, manifest, on_withdraw,
                   cfg.get(raw, "organization", str, "采集配置", None), max_mb << 20, timeout,
                   token, dict(raw))

    @property
    def where(self) -> str:
        return f"文件夹 {self.folder}" if self.folder else f"HTTP 目录 {self.url}"


class Drop:
    """Reads files of the drop by their path relative to it, never outside it."""

    def __init__(self, source: SourceConfig):
        self.source = source
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        if source.token:
            self.session.headers["Authorization"] = f"Bearer {source.token}"

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> "Drop":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @staticmethod
    def clean(path: str) -> str:
        """A relative path inside the drop, or FileProblem."""
        text = path.replace("\\", "/").strip()
        pure = PurePosixPath(posixpath.normpath(text)) if text else None
        if pure is None or pure.is_absolute() or not pure.parts or pure.parts[0] == ".." \
                or ":" in pure.parts[0]:
            raise FileProblem(f"文件路径“{path}”无效：应是相对清单所在目录的路径，不能以 / 开头或含 ..")
        return str(pure)

    def read(self, path: str, limit: int | None = None) -> bytes:
        path = self.clean(path)
        limit = limit or self.source.max_bytes
        if self.source.folder is not None:
            return self._read_file(path, limit)
        return self._read_url(path, limit)

    def _read_file(self, path: str, limit: int) -> bytes:
        root = self.source.folder.resolve()
        target = (root / path).resolve()
        if root not in target.parents:
            raise FileProblem(f"文件“{path}”指向文件夹之外（符号链接？），已拒绝")
        if not target.is_file():
            raise FileProblem(f"找不到文件“{path}”（{self.source.where}）")
        if target.stat().st_size > limit:
            raise FileProblem(f"文件“{path}”有 {target.stat().st_size / (1 << 20):,.1f} MB，"
                              f"超过上限 {limit >> 20} MB")
        return target.read_bytes()

    def _read_url(self, path: str, limit: int) -> bytes:
        url = urljoin(self.source.url, quote(path))
        try:
            with self.session.get(url, stream=True, timeout=self.source.timeout) as response:
                if response.status_code == 404:
                    raise FileProblem(f"找不到文件“{path}”（{url} 返回 404）")
                if response.status_code in (401, 403):
                    raise FileProblem(f"无权读取 {url}（HTTP {response.status_code}）：请检查令牌")
                if response.status_code != 200:
                    raise FileProblem(f"读取 {url} 失败：HTTP {response.status_code}")
                body = bytearray()
                for chunk in response.iter_content(1 << 16):
                    body += chunk
                    if len(body) > limit:
                        raise FileProblem(f"文件“{path}”超过上限 {limit >> 20} MB")
                return bytes(body)
        except requests.Timeout:
            raise FileProblem(f"读取 {url} 超时（{self.source.timeout} 秒）") from None
        except requests.ConnectionError:
            raise FileProblem(f"无法连接 {self.source.url}：请确认地址正确、服务已启动") from None


@dataclass
class Part:
    """One resource of a manifest dataset: a file, or one sheet of a workbook."""
    path: str
    format: str
    name: str
    description: str
    sheet: str | None = None
    header_row: int = 1


class FileDropHarvester(NanjingHarvester):

    def info(self) -> dict[str, str]:
        return {
            "name": "nanjing_file_drop",
            "title": "文件投递（文件夹或 HTTP 目录 + 清单）",
            "description": "从部门投递的 Excel/CSV 文件及其清单 manifest.json 采集开放数据集；"
                           "支持 GBK 编码和多工作表；配置说明见 harvesters/README.md",
        }

    def validate_config(self, config: str) -> str:
        source = SourceConfig.parse(cfg.parse(config))
        if source.token:
            self.require_masking()
        with Drop(source) as drop:
            try:
                manifest = self._manifest(drop)
            except FileProblem as error:
                raise ConfigError(str(error)) from None
        for index, entry in enumerate(manifest, 1):
            self._check_entry(entry, index)
        return cfg.dump(source.stored)

    # Gather

    def gather_stage(self, harvest_job):
        try:
            source = SourceConfig.parse(cfg.parse(harvest_job.source.config))
        except ConfigError as error:
            self.gather_error(harvest_job, f"采集配置有误：{error}")
            return None
        current = self.current_records(harvest_job.source.id)
        records: list[Record] = []
        kept: set[str] = set()
        try:
            with Drop(source) as drop:
                manifest = self._manifest(drop)
                for index, entry in enumerate(manifest, 1):
                    name = entry.get("name") if isinstance(entry, dict) else None
                    try:
                        records.append(self._record(drop, source, entry, index,
                                                    harvest_job.source.publisher_id))
                    except (ConfigError, FileProblem) as error:
                        self.gather_error(harvest_job, f"清单第 {index} 项"
                                          f"{f'（{name}）' if name else ''}：{error}")
                        if isinstance(name, str):
                            kept.add(name)   # reported, and left as it is
        except (ConfigError, FileProblem) as error:
            self.gather_error(harvest_job, str(error))
            return None
        except Exception as error:  # never let the gather consumer die
            log.exception("Gather of %s failed", harvest_job.source.id)
            self.gather_error(harvest_job, f"读取{source.where}失败：{type(error).__name__}：{error}")
            return None
        seen = {r.guid for r in records} | kept
        withdrawals = [Withdrawal(guid, guid, source.on_withdraw) for guid in current
                       if guid not in seen]
        return self.queue(harvest_job, current, records, withdrawals)

    def _manifest(self, drop: Drop) -> list[Any]:
        body = drop.read(drop.source.manifest, MAX_MANIFEST_BYTES)
        try:
            text = body.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise FileProblem(f"清单 {drop.source.manifest} 不是 UTF-8 编码：请用 UTF-8 保存") from None
        if not text.strip():
            raise FileProblem(f"清单 {drop.source.manifest} 是空文件：请写明投递的数据集及其文件")
        try:
            value = cfg.parse(text)
        except ConfigError as error:
            raise FileProblem(f"清单 {drop.source.manifest}：{str(error).replace('采集配置', '清单')}") \
                from None
        datasets = value.get("datasets")
        if not isinstance(datasets, list):
            raise FileProblem(f"清单 {drop.source.manifest} 应有“datasets”列表")
        names = [d.get("name") for d in datasets if isinstance(d, dict)]
        repeated = sorted({n for n in names if isinstance(n, str) and names.count(n) > 1})
        if repeated:
            raise FileProblem(f"清单 {drop.source.manifest} 中数据集名称重复：{'、'.join(repeated)}")
        return datasets

    def _check_entry(self, entry: Any, index: int) -> None:
        where = f"清单第 {index} 项"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where}应是一个 JSON 对象")
        cfg.check_keys(entry, DATASET_KEYS, where)
        name = cfg.get(entry, "name", str, where)
        if not NAME.match(name):
            raise ConfigError(f"{where}：数据集名称“{name}”只能用小写字母、数字、- 和 _（2 到 100 个字符）")
        dataset_type = cfg.get(entry, "type", str, where, "open_dataset")
        values = cfg.get(entry, "fields", dict, where)
        fields.check_targets(dataset_type, values, where)
        fields.check_required(dataset_type, values, where)
        files = cfg.get(entry, "files", list, where)
        if not files:
            raise ConfigError(f"{where}：“files”为空，至少给出一个文件")
        for number, item in enumerate(files, 1):
            if not isinstance(item, dict):
                raise ConfigError(f"{where}的第 {number} 个文件应是一个 JSON 对象")
            cfg.check_keys(item, FILE_KEYS, f"{where}的第 {number} 个文件")

    def _parts(self, drop: Drop, entry: dict[str, Any], index: int) -> list[tuple[Part, bytes]]:
        where = f"清单第 {index} 项"
        out = []
        for number, item in enumerate(entry["files"], 1):
            at = f"{where}的第 {number} 个文件"
            path = Drop.clean(cfg.get(item, "path", str, at))
            kind = FORMATS.get(PurePosixPath(path).suffix.lower())
            if kind is None:
                raise ConfigError(f"{at}“{path}”不是 CSV/TSV/Excel 文件（.csv .tsv .xlsx .xls）")
            body = drop.read(path)
            title = cfg.get(item, "name", str, at, PurePosixPath(path).stem)
            description = cfg.get(item, "description", str, at, "")
            header_row = cfg.get(item, "header_row", int, at, 1)
            if not 1 <= header_row <= 100:
                raise ConfigError(f"{at}：“header_row”应在 1 到 100 之间（表头所在行，从 1 数起）")
            sheets = self._sheets(item, kind, body, at)
            if sheets is None:
                if header_row != 1:
                    raise ConfigError(f"{at}：“header_row”只用于工作表；请同时给出“sheet”")
                out.append((Part(path, kind, title, description), body))
            for sheet in sheets or ():
                name = title if len(sheets) == 1 else f"{title}（{sheet}）"
                out.append((Part(path, "csv", name, description, sheet, header_row), body))
        return out

    @staticmethod
    def _sheets(item: dict[str, Any], kind: str, body: bytes, at: str) -> list[str] | None:
        """The sheets chosen: None for the whole file."""
        sheet = item.get("sheet")
        sheets = item.get("sheets")
        if sheet is None and sheets is None:
            return None
        if kind not in ("xlsx", "xls"):
            raise ConfigError(f"{at}：只有 Excel 文件才能指定工作表")
        if sheet is not None and sheets is not None:
            raise ConfigError(f"{at}：“sheet”和“sheets”只能给出一个")
        present = _workbook_sheets(body, kind)
        if sheets == "*":
            return present
        wanted = [sheet] if sheet is not None else sheets
        if not isinstance(wanted, list) or not wanted or \
                not all(isinstance(s, str) and s for s in wanted):
            raise ConfigError(f"{at}：“sheets”应为工作表名称的列表，或 \"*\" 表示全部")
        missing = [s for s in wanted if s not in present]
        if missing:
            raise FileProblem(f"{at}：工作簿中没有工作表 {'、'.join(missing)}；现有：{'、'.join(present)}")
        return wanted

    def _record(self, drop: Drop, source: SourceConfig, entry: Any, index: int,
                source_owner: str | None) -> Record:
        self._check_entry(entry, index)
        dataset_type = entry.get("type") or "open_dataset"
        schema = fields.dataset_fields(dataset_type)
        owner = self.owner_org(entry.get("organization") or source.organization, source_owner,
                               "", "清单")
        data: dict[str, Any] = {"type": dataset_type, "name": entry["name"], "owner_org": owner}
        for target, value in entry["fields"].items():
            data[target] = value if target == "information_items" \
                else fields.convert(schema[target], value)
        resources = []
        for part, body in self._parts(drop, entry, index):
            extension = "csv" if part.sheet else part.format
            filename = PurePosixPath(part.path).stem + (f"-{part.sheet}" if part.sheet else "")
            resources.append({
                "name": part.name, "description": part.description,
                "format": extension.upper(), "filename": f"{filename}.{extension}",
                "download": part.path, "sheet": part.sheet, "header_row": part.header_row,
                "sha256": hashlib.sha256(body).hexdigest()})
        return Record(guid=entry["name"], key=entry["name"], dataset=data, resources=resources)

    # Import

    def download(self, harvest_object, resource: dict[str, Any]) -> tuple[bytes, str]:
        source = SourceConfig.parse(cfg.parse(harvest_object.source.config))
        with Drop(source) as drop:
            try:
                body = drop.read(resource["download"])
            except FileProblem as error:
                raise RuntimeError(str(error)) from None
        # Only what the gather stage needed: they are not resource fields.
        resource.pop("sha256", None)
        header_row = int(resource.pop("header_row", 1) or 1)
        sheet = resource.pop("sheet", None)
        if sheet is None:
            return body, mimetypes.guess_type(resource["filename"])[0] or "application/octet-stream"
        kind = FORMATS[PurePosixPath(resource["download"]).suffix.lower()]
        return _sheet_csv(body, kind, sheet, header_row), "text/csv"


@contextlib.contextmanager
def _workbook_file(body: bytes, kind: str) -> Iterator[Path]:
    """The workbook's bytes as a file: the readers take paths."""
    with tempfile.TemporaryDirectory(prefix="nanjing-drop-") as folder:
        path = Path(folder) / f"book.{kind}"
        path.write_bytes(body)
        yield path


def _workbook_sheets(body: bytes, kind: str) -> list[str]:
    from ckanext.nanjing.publishing import api as formats

    with _workbook_file(body, kind) as path:
        try:
            return formats.workbook_sheets(path, kind)
        except formats.FormatProblem as error:
            raise FileProblem(str(error)) from None


def _sheet_csv(body: bytes, kind: str, sheet: str, header_row: int) -> bytes:
    from ckanext.nanjing.publishing import api as formats

    with _workbook_file(body, kind) as path:
        target = path.with_name("sheet.csv")
        try:
            formats.sheet_to_csv(path, kind, sheet, target, header_row)
        except formats.FormatProblem as error:
            raise RuntimeError(str(error)) from None
        return target.read_bytes()
