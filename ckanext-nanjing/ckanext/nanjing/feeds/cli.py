"""`ckan nanjing-feeds`: prune the change log, seed it, and the webhook worker."""
from __future__ import annotations

import datetime

import click

from . import changes, delivery, digests, outbox, worker

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
    click.echo(f"已删除 {delivery.prune(before)} 条 {days} 天前已结束的 Webhook 发送记录")


@feeds.command(short_help="把已公开但尚无变更记录的记录登记为“发布”（可重复运行）")
@click.pass_context
def seed(ctx: click.Context):
    """启用变更记录之前已公开的记录，逐条登记为“发布”，供订阅者从头同步。"""
    with ctx.meta["flask_app"].test_request_context():
        click.echo(f"已登记 {outbox.seed()} 条已公开的记录")


@feeds.command(short_help="长期运行的 Webhook 发送进程：有变更即发送，失败按计划重试")
@click.option("--until-idle", is_flag=True, help="发送完当前到期的消息后退出")
@click.pass_context
def deliver(ctx: click.Context, until_idle: bool):
    """把变更发送到各 Webhook 接收地址（Standard Webhooks 签名）。同一时间只有一个进程发送，其余待命。"""
    with ctx.meta["flask_app"].test_request_context():
        worker.run(until_idle=until_idle)


@feeds.command(short_help="发送订阅更新邮件（每日或每周）")
@click.option("--frequency", type=click.Choice(sorted(digests.FREQUENCIES)), default="daily",
              help="发送哪一种订阅（默认 daily）")
@click.pass_context
def digest(ctx: click.Context, frequency: str):
    """把订阅对象自上次以来的变更汇总成一封邮件发给订阅者；发送失败的下次重发。"""
    with ctx.meta["flask_app"].test_request_context():
        sent, failed = digests.send_digests(frequency)
    click.echo(f"已发送 {sent} 封{digests.FREQUENCIES[frequency]}更新邮件，{failed} 封发送失败（下次重发）")
