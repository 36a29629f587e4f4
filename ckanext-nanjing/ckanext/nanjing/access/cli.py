"""`ckan nanjing-access demo`."""
from __future__ import annotations

import sys

import click

__all__ = ["nanjing_access"]


@click.group("nanjing-access", short_help="有条件开放数据的运维命令（demo）")
def nanjing_access():
    """有条件开放数据的运维命令。"""


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
