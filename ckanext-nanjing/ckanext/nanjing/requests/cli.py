"""`ckan nanjing-requests remind|demo`."""
from __future__ import annotations

import sys

import click

__all__ = ["nanjing_requests"]


@click.group("nanjing-requests", short_help="依申请公开的运维命令（remind、demo）")
def nanjing_requests():
    """依申请公开的运维命令。"""


@nanjing_requests.command(short_help="提醒办理人员即将到期和已逾期的申请（每日由 cron 运行）")
@click.pass_context
def remind(ctx: click.Context):
    """距答复期限 5 个工作日以内或已逾期的申请，给受理机关的编辑和管理员发邮件并在门户上提醒；
    同一申请、同一期限的同类提醒只发一次。"""
    from . import reminders

    with ctx.obj.app._wsgi_app.test_request_context():
        outcome = reminders.remind(echo=click.echo)
    click.echo(f"新提醒 {outcome.notices} 条，发出邮件 {outcome.mailed} 封"
               + (f"，发送失败 {outcome.failed} 封（详见日志）" if outcome.failed else "")
               + (f"，{outcome.unreachable} 条提醒的受理机关没有留有邮箱的办理人员"
                  if outcome.unreachable else "")
               + ("（未配置 smtp.server，只在门户上提醒）" if outcome.no_smtp else ""))
    if outcome.failed:
        sys.exit(1)


@nanjing_requests.command(short_help="载入演示用的依申请公开申请（重复运行不会重复载入）")
@click.pass_context
def demo(ctx: click.Context):
    """通过真实的办理接口，为演示目录中的若干机关登记本年度的申请，覆盖每种状态和每种答复结果。"""
    from . import demo as requests_demo

    with ctx.obj.app._wsgi_app.test_request_context():
        try:
            requests_demo.load(echo=click.echo)
        except requests_demo.DemoError as error:
            click.echo(f"演示申请载入失败：{error}", err=True)
            sys.exit(1)
