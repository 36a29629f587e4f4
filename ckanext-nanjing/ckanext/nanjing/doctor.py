"""Health checks of the services the portal needs, explained in Chinese.

Each check takes the CKAN config as a plain mapping and returns a `Check`
that says what is wrong and how to fix it. They are used by
`ckan nanjing doctor`, at start-up and by the page shown when search fails.
"""
from __future__ import annotations

import dataclasses
import datetime
import xml.dom.minidom
from collections.abc import Callable, Mapping
from typing import Any

import smtplib

import redis
import requests
import sqlalchemy as sa
from sqlalchemy.engine import make_url

__all__ = [
    "Check", "check_database", "check_datastore", "check_redis", "check_solr",
    "check_plugins", "check_calendar", "check_letter_templates", "check_site_identity",
    "run_all", "startup_checks",
]

SETUP_HINT = "运行 `make services` 启动项目的全部服务（PostgreSQL、Redis、Solr）"
# Tokens the Chinese analyser must split this title into; CKAN's stock
# schema keeps it as one token.
CHINESE_PROBE = "南京市公共交通线路数据"


@dataclasses.dataclass
class Check:
    service: str
    ok: bool
    summary: str
    fix: str = ""
    # A working service with something to act on soon (does not fail `doctor`).
    warning: bool = False

    def report(self) -> str:
        mark = "异常" if not self.ok else "提醒" if self.warning else "正常"
        text = f"[{mark}] {self.service}：{self.summary}"
        if (not self.ok or self.warning) and self.fix:
            text += f"\n       解决办法：{self.fix}"
        return text


def _timeout(config: Mapping[str, Any]) -> float:
    return float(config.get("ckanext.nanjing.doctor.timeout", 5))


def _safe_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "（无法解析的连接串）"


def _explain_db_error(error: Exception, url: str, setup: str) -> tuple[str, str]:
    text = str(error)
    where = _safe_url(url)
    if "Connection refused" in text or "could not connect" in text:
        return f"无法连接 {where}，数据库服务未启动或端口不对", SETUP_HINT
    if "password authentication failed" in text:
        return (f"用户名或密码被拒绝（{where}）",
                "检查 ini 中的连接串与 .local/secrets.env 中的密码是否一致；"
                "重新运行 `make services` 会重设密码")
    if "does not exist" in text:
        return f"数据库或用户不存在（{where}）", setup
    return f"连接 {where} 失败：{text.splitlines()[0]}", SETUP_HINT


def _connect(url: str, timeout: float):
    engine = sa.create_engine(
        url, poolclass=sa.pool.NullPool,
        connect_args={"connect_timeout": max(1, int(timeout))})
    return engine.connect()


def check_database(config: Mapping[str, Any]) -> Check:
    service = "PostgreSQL 主数据库"
    url = config.get("sqlalchemy.url") or ""
    if not url:
        return Check(service, False, "ini 中没有配置 sqlalchemy.url",
                     "在 ini 中设置 sqlalchemy.url，或重新运行 `make services`")
    try:
        with _connect(url, _timeout(config)) as conn:
            version = conn.execute(sa.text("show server_version")).scalar()
            initialised = conn.execute(
                sa.text("select to_regclass('public.package')")).scalar()
    except Exception as error:  # the driver raises many kinds; all are reported
        summary, fix = _explain_db_error(
            error, url, "重新运行 `make services` 创建数据库和用户")
        return Check(service, False, summary, fix)
    if not initialised:
        return Check(service, False, f"PostgreSQL {version} 可连接，但 CKAN 的表尚未创建",
                     "运行 `ckan -c <ini> db init`，或重新运行 `make services`")
    return Check(service, True, f"PostgreSQL {version}，{_safe_url(url)}")


def check_datastore(config: Mapping[str, Any]) -> Check:
    service = "DataStore 数据库"
    write_url = config.get("ckan.datastore.write_url") or ""
    read_url = config.get("ckan.datastore.read_url") or ""
    if not write_url or not read_url:
        return Check(service, False, "ini 中缺少 ckan.datastore.write_url 或 read_url",
                     "在 ini 中配置两个连接串（写入用户与只读用户）")
    fix_perms = ("以数据库超级用户执行 `ckan -c <ini> datastore set-permissions | "
                 "psql`，或重新运行 `make services`")
    timeout = _timeout(config)
    try:
        with _connect(write_url, timeout) as conn:
            can_write = conn.execute(sa.text(
                "select has_schema_privilege('public', 'CREATE')")).scalar()
    except Exception as error:
        return Check(service, False, *_explain_db_error(error, write_url, fix_perms))
    try:
        with _connect(read_url, timeout) as conn:
            ro_user = conn.execute(sa.text("select current_user")).scalar()
            ro_can_create = conn.execute(sa.text(
                "select has_schema_privilege('public', 'CREATE')"
                " or has_database_privilege(current_database(), 'CREATE')")).scalar()
            has_metadata = conn.execute(sa.text(
                "select to_regclass('_table_metadata') is not null"
                " and has_table_privilege('_table_metadata', 'SELECT')")).scalar()
    except Exception as error:
        return Check(service, False, *_explain_db_error(error, read_url, fix_perms))
    if not can_write:
        return Check(service, False, "写入用户不能在 public 模式中建表", fix_perms)
    if ro_can_create:
        return Check(service, False, f"只读用户 {ro_user} 竟有建表权限，存在安全风险", fix_perms)
    if not has_metadata:
        return Check(service, False, "只读用户不能读取 _table_metadata", fix_perms)
    return Check(service, True, f"写入与只读用户权限正确（只读用户 {ro_user}）")


def check_redis(config: Mapping[str, Any]) -> Check:
    service = "Redis"
    url = config.get("ckan.redis.url") or ""
    timeout = _timeout(config)
    try:
        client = redis.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout)
        version = client.info("server").get("redis_version")
    except (redis.RedisError, ValueError) as error:
        return Check(service, False, f"无法连接 {url or '（未配置 ckan.redis.url）'}：{error}",
                     SETUP_HINT)
    return Check(service, True, f"Redis {version}，{url}")


def check_solr(config: Mapping[str, Any]) -> Check:
    from ckan.lib.search import SUPPORTED_SCHEMA_VERSIONS

    service = "Solr 搜索服务"
    url = (config.get("solr_url") or "").rstrip("/")
    timeout = _timeout(config)
    if not url:
        return Check(service, False, "ini 中没有配置 solr_url",
                     "设置 solr_url = http://127.0.0.1:8983/solr/ckan")
    try:
        ping = requests.get(f"{url}/select", params={"q": "*:*", "rows": 0},
                            timeout=timeout)
    except requests.RequestException:
        return Check(service, False, f"无法连接 {url}，Solr 未启动或地址不对",
                     SETUP_HINT + "；地址不同时修改 ini 中的 solr_url")
    if ping.status_code == 404:
        return Check(service, False, f"Solr 在运行，但没有 {url} 这个核心",
                     "检查 solr_url 末尾的核心名（应为 /solr/ckan），或重新运行 `make services`")
    if not ping.ok:
        return Check(service, False, f"Solr 核心返回 HTTP {ping.status_code}",
                     "查看 .local/log/solr.log 中的错误")

    schema = requests.get(f"{url}/schema", params={"wt": "schema.xml"}, timeout=timeout)
    if not schema.ok:
        schema = requests.get(f"{url}/admin/file/", params={"file": "schema.xml"},
                              timeout=timeout)
    name = xml.dom.minidom.parseString(schema.content).documentElement.getAttribute("name")
    version = name.split("-", 1)[1] if name.startswith("ckan-") else ""
    if version not in SUPPORTED_SCHEMA_VERSIONS:
        return Check(service, False,
                     f"Solr 模式名为 “{name}”，CKAN 需要 ckan-{SUPPORTED_SCHEMA_VERSIONS[-1]}",
                     "使用仓库 config/solr/configsets/ckan 中的模式，重新运行 `make services`")

    tokens = _title_tokens(url, timeout)
    if len(tokens) < 2:
        return Check(service, False,
                     f"模式 {name} 没有中文分词：“{CHINESE_PROBE}”被当作一个词，中文检索会失效",
                     "使用仓库 config/solr/configsets/ckan 中的中文模式")
    return Check(service, True, f"核心可用，模式 {name}，中文分词：{' / '.join(tokens)}")


def _title_tokens(url: str, timeout: float) -> list[str]:
    """How the `title` field's index analyser splits the probe text."""
    resp = requests.get(
        f"{url}/analysis/field",
        params={"analysis.fieldname": "title", "analysis.fieldvalue": CHINESE_PROBE,
                "wt": "json"},
        timeout=timeout)
    if not resp.ok:
        return []
    stages = resp.json()["analysis"]["field_names"]["title"]["index"]
    # The list alternates stage name and token list; the last list is the output.
    return [token["text"] for token in stages[-1]]


def _as_list(value: Any) -> list[str]:
    # Normalised config holds lists; a raw ini mapping holds strings.
    return value.split() if isinstance(value, str) else list(value or [])


def check_plugins(config: Mapping[str, Any]) -> Check:
    import ckan.plugins as p

    service = "CKAN 插件"
    required = _as_list(config.get("ckanext.nanjing.required_plugins"))
    enabled = _as_list(config.get("ckan.plugins"))
    missing = [name for name in required if name not in enabled]
    if missing:
        return Check(service, False, f"ckan.plugins 中缺少：{'、'.join(missing)}",
                     "把它们加入 ini 的 ckan.plugins，或重新运行 `make services` 重新生成配置")
    not_loaded = [name for name in required if not p.plugin_loaded(name)]
    if not_loaded:
        return Check(service, False, f"已配置但未加载：{'、'.join(not_loaded)}",
                     "查看启动日志中的插件加载错误；必要时重新运行 `make services` 安装依赖")
    return Check(service, True, "已加载：" + "、".join(required))


def check_calendar(config: Mapping[str, Any], today: datetime.date | None = None) -> Check:
    """The working-day clock knows this year and, from 1 November, the next."""
    from . import localtime, workdays

    path = config.get("ckanext.nanjing.holidays_file") or ""
    try:
        cal = workdays.Calendar(path)
    except workdays.HolidayFileError as error:
        return Check("工作日历", False, str(error), f"修正 {path} 后重新运行 ckan nanjing doctor")
    warning = workdays.missing_year_warning(today or localtime.today(), cal)
    if warning:
        return Check("工作日历", True, warning, f"在 {path or '节假日文件'} 中补充该年", warning=True)
    return Check("工作日历", True, f"法定节假日已知至 {cal.last_covered_year} 年")


def check_letter_templates(config: Mapping[str, Any]) -> Check:
    """Every letter of the requests renders, overrides included."""
    from .requests import letters

    try:
        overrides = letters.check_templates()
    except letters.LetterTemplateError as error:
        return Check("依申请公开文书模板", False, str(error),
                     "修正该模板文件，或将其移出 ckanext.nanjing.requests.letter_templates_dir")
    if overrides:
        return Check("依申请公开文书模板", True, f"使用管理员模板：{'、'.join(overrides)}")
    return Check("依申请公开文书模板", True, "使用随平台提供的模板")


def check_mail(config: Mapping[str, Any]) -> Check:
    """The SMTP server answers. None set is allowed, but then nobody can
    register and no notice or reminder is mailed."""
    service = "邮件服务"
    server = (config.get("smtp.server") or "").strip()
    if not server:
        return Check(service, True, "未配置 smtp.server：公众不能自助注册，通知与提醒邮件不会发出")
    host, _, port = server.rpartition(":") if ":" in server else (server, "", "25")
    try:
        with smtplib.SMTP(host, int(port), timeout=_timeout(config)) as client:
            client.ehlo()
    except (OSError, ValueError, smtplib.SMTPException) as error:
        return Check(service, False, f"无法连接 SMTP 服务器 {server}：{error}",
                     "启动邮件服务（make services 会启动本地邮箱），或改正 smtp.server")
    return Check(service, True, f"SMTP 服务器 {server}")


def check_site_identity(config: Mapping[str, Any]) -> Check:
    """What a government website must show of who runs it is configured
    (a reminder: the portal works without it)."""
    from .website import identity

    service = "网站标识信息"
    missing = identity.missing_fields(config)
    if missing:
        return Check(service, True, "页脚缺少：" + "、".join(missing),
                     "在 ckan.ini 中填写 ckanext.nanjing.site.* 各项（见 docs/website.md）",
                     warning=True)
    return Check(service, True, "主办单位、联系方式、网站标识码与备案号均已配置")


ALL_CHECKS: list[Callable[[Mapping[str, Any]], Check]] = [
    check_database, check_datastore, check_redis, check_solr, check_plugins, check_calendar,
    check_letter_templates, check_mail, check_site_identity,
]


def run_all(config: Mapping[str, Any]) -> list[Check]:
    return [check(config) for check in ALL_CHECKS]


def startup_checks(config: Mapping[str, Any]) -> list[Check]:
    """Cheap checks worth running when the web app starts."""
    return [check_solr(config)]
