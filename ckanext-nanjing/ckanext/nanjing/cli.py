from __future__ import annotations

import sys
from pathlib import Path

import click

import ckan.plugins.toolkit as tk

from . import accounts, loader
from . import doctor as health

__all__ = ["nanjing"]


@click.group(short_help="南京政务公开平台的运维命令（doctor、load）")
def nanjing():
    """南京政务公开平台的运维命令。"""


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
