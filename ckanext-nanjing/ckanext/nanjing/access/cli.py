"""`ckan nanjing-access remind|demo`."""
from __future__ import annotations

import sys

import click

__all__ = ["nanjing_access"]


@click.group("nanjing-access", short_help="有条件开放数据的运维命令（remind、demo）")
def nanjing_access():
    """有条件开放数据的运维命令。"""


@nanjing_access.command(short_help="提醒授权即将到期、利用情况反馈即将到期的用户（每日由 cron 运行）")
@click.pass_context
def remind(ctx: click.Context):
    """授权在 ckanext.nanjing.access.reminder_days 天内到期的，给持有人发邮件（并在“我的数据申请”中提醒）；
    尚未提交利用情况反馈的一并提醒。同一授权、同一到期日的同类提醒只发一次。"""
    from . import reminders

    with ctx.obj.app._wsgi_app.test_request_context():
        outcome = reminders.remind(echo=click.echo)
    click.echo(f"提醒授权 {outcome.grants} 项，发出邮件 {outcome.mailed} 封"
               + (f"，{outcome.failed} 封未发出（详见日志）" if outcome.failed else ""))
    if outcome.failed:
        sys.exit(1)


@nanjing_access.command(short_help="载入演示用的有条件开放数据申请（重复运行不会重复载入）")
@click.pass_context
def demo(ctx: click.Context):
    """通过真实的办理接口，为演示目录中每个有条件开放数据集载入各种状态的申请和授权。"""
    from . import demo as access_demo

    with ctx.obj.app._wsgi_app.test_request_context():
        try:
            access_demo.load(echo=click.echo)
        except access_demo.DemoError as error:
            click.echo(f"有条件开放演示申请载入失败：{error}", err=True)
            sys.exit(1)
