"""`ckan nanjing-interaction remind|demo`."""
from __future__ import annotations

import sys

import click

__all__ = ["nanjing_interaction"]


@click.group("nanjing-interaction", short_help="互动交流的运维命令（remind、demo）")
def nanjing_interaction():
    """互动交流的运维命令。"""


@nanjing_interaction.command(short_help="提醒承办部门临期和超期的留言（每日由 cron 运行）")
@click.pass_context
def remind(ctx: click.Context):
    """临期（剩余工作日不超过 near_days）和超期的留言，给承办部门留有邮箱的编辑和管理员发邮件；
    同一留言、同一期限的同类提醒只发一次。"""
    from . import reminders

    with ctx.obj.app._wsgi_app.test_request_context():
        reminded, mailed = reminders.remind()
    click.echo(f"新提醒 {reminded} 条，发出邮件 {mailed} 封")


@nanjing_interaction.command(short_help="载入演示用的互动交流留言（已有留言时跳过）")
@click.pass_context
def demo(ctx: click.Context):
    """通过真实的办理接口，为演示目录中的十个部门载入各种状态的留言。"""
    from . import demo as interaction_demo

    with ctx.obj.app._wsgi_app.test_request_context():
        try:
            interaction_demo.load(echo=click.echo)
        except interaction_demo.DemoError as error:
            click.echo(f"演示留言载入失败：{error}", err=True)
            sys.exit(1)
