"""`ckan nanjing-feeds prune`: delete old changes from the change log."""
from __future__ import annotations

import datetime

import click

from . import changes

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
