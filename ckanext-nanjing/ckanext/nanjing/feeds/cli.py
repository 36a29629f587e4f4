"""`ckan nanjing-feeds prune`: delete old changes from the change log."""
from __future__ import annotations

import datetime

import click

from . import changes, outbox

__all__ = ["feeds"]


@click.group("nanjing-feeds", short_help="变更记录（订阅源、变更接口）的运维命令")
def feeds():
    """变更记录的运维命令。"""


@feeds.command(short_help="删除早于保留期限的变更记录")
@click.option("--days", type=click.IntRange(1, 36500), default=None,
              help="保留天数（默认为 ckanext.nanjing.feeds.retention_days）")
def prune(days: int | None):
    """删除早于保留期限的变更记录；游标早于此的客户端会被告知重新同步。"""
    import ckan.plugins.toolkit as tk
    days = days or tk.config.get("ckanext.nanjing.feeds.retention_days")
    before = datetime.datetime.utcnow() - datetime.timedelta(days=days)
    click.echo(f"已删除 {changes.prune(before)} 条 {days} 天前的变更记录")


@feeds.command(short_help="把已公开但尚无变更记录的记录登记为“发布”（可重复运行）")
@click.pass_context
def seed(ctx: click.Context):
    """启用变更记录之前已公开的记录，逐条登记为“发布”，供订阅者从头同步。"""
    with ctx.meta["flask_app"].test_request_context():
        click.echo(f"已登记 {outbox.seed()} 条已公开的记录")
