from __future__ import annotations

import sys
from pathlib import Path

import click

import ckan.model as model
import ckan.plugins.toolkit as tk

from . import accounts, loader
from .website import hits
from . import doctor as health
from .supervision.cli import supervise

__all__ = ["nanjing"]


@click.group(short_help="南京政务公开平台的运维命令（doctor、load、validate、supervise 等）")
def nanjing():
    """南京政务公开平台的运维命令。"""


nanjing.add_command(supervise)


@nanjing.command(short_help="检查各项服务是否正常，并说明如何修复")
def doctor():
    """逐项检查 PostgreSQL、DataStore 权限、Redis、Solr 核心与模式、插件列表。"""
    checks = health.run_all(tk.config)
    for check in checks:
        click.echo(check.report())
    failed = [check for check in checks if not check.ok]
    if failed:
        click.echo(f"\n共 {len(failed)} 项异常，请按上面的解决办法处理后重试。", err=True)
        sys.exit(1)
    click.echo("\n全部正常。")


@nanjing.command(short_help="把 datasets/ 中的演示目录幂等地载入门户")
@click.argument("path", type=click.Path(exists=True, file_okay=False))
@click.pass_context
def load(ctx: click.Context, path: str):
    """载入 PATH 下的部门与数据集；重复运行不会产生重复数据。"""
    try:
        # A request context in the site's default language, so that
        # validation messages read as they do on the site.
        with ctx.obj.app._wsgi_app.test_request_context():
            counts = loader.load_catalog(path, echo=click.echo)
    except loader.CatalogError as error:
        click.echo(f"载入失败：{error}", err=True)
        sys.exit(1)
    click.echo("载入完成：" + "，".join(f"{kind} {n} 个" for kind, n in counts.items()))


@nanjing.command(short_help="对表格资源执行数据校验并载入数据库（DataStore）")
@click.option("--all", "everything", is_flag=True,
              help="全部表格资源都重新校验；默认只校验没有最新结论、或上次校验与载入未完成的资源")
@click.pass_context
def validate(ctx: click.Context, everything: bool):
    """校验门户中的表格资源：通过的载入 DataStore，未通过的列出问题数。"""
    from .publishing import formats, gate, publish

    with ctx.obj.app._wsgi_app.test_request_context():
        counts = {gate.VALID: 0, gate.INVALID: 0, gate.ERROR: 0}
        for resource in model.Session.query(model.Resource).filter_by(state="active").all():
            package = resource.package
            if package.state != "active" or not formats.tabular_format(
                    {"format": resource.format, "url": resource.url}):
                continue
            if not everything and not gate.needs_recheck(
                    gate.verdict(resource, gate.schema_of(package))):
                continue
            row = publish.validate_stored(resource.id)
            counts[row.status] = counts.get(row.status, 0) + 1
            if row.status != gate.VALID:
                click.echo(f"{package.name} / {resource.name}：{row.status}，"
                           f"{row.error_count or 0} 处问题", err=True)
    click.echo("校验完成：通过 {valid} 个，未通过 {invalid} 个，无法校验 {error} 个".format(**counts))
    if counts[gate.INVALID] or counts[gate.ERROR]:
        sys.exit(1)


@nanjing.command("ensure-admin", short_help="创建或修复平台系统管理员及其 API 令牌")
@click.argument("name")
@click.option("--password", envvar="NANJING_ADMIN_PASSWORD", required=True,
              help="密码（也可由环境变量 NANJING_ADMIN_PASSWORD 提供）")
@click.option("--token-file", type=click.Path(dir_okay=False), required=True,
              help="API 令牌保存位置；令牌仍有效时不重新生成")
def ensure_admin(name: str, password: str, token_file: str):
    """幂等地确保 NAME 是系统管理员，密码与令牌可用。"""
    try:
        click.echo(accounts.ensure_sysadmin(name, password, Path(token_file)))
    except tk.ValidationError as error:
        click.echo(f"无法创建系统管理员：{error.error_summary}", err=True)
        sys.exit(1)


@nanjing.command("count-hits", short_help="从 nginx 访问日志统计浏览量和下载量")
@click.option("--log", "path", default="", help="nginx 访问日志（默认为 ckanext.nanjing.hits.access_log）")
def count_hits(path: str):
    """从上次读到的位置继续读取 nginx 访问日志（combined 格式），按天累计各公开记录的
    浏览量和各资源的下载量（同一访客一天只计一次；爬虫、错误和未公开的记录不计）。"""
    try:
        outcome = hits.count(path or None)
    except FileNotFoundError as error:
        click.echo(f"没有可读的访问日志：{error.filename or error}", err=True)
        sys.exit(1)
    except PermissionError as error:
        click.echo(f"无权读取访问日志：{error.filename}", err=True)
        sys.exit(1)
    skipped = f"，{outcome.skipped} 行不是 nginx combined 格式，已跳过" if outcome.skipped else ""
    click.echo(f"读取 {outcome.lines} 行：浏览 {outcome.views} 次，下载 {outcome.downloads} 次{skipped}")
