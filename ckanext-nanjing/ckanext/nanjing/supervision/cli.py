"""`ckan nanjing supervise`: recompute the supervision figures."""
from __future__ import annotations

import datetime
import sys

import click

from .. import localtime
from . import supervise as job
from .weights import WeightsError

__all__ = ["supervise"]


@click.command(short_help="重算监督考核指标与各部门得分（先检查链接）")
@click.option("--no-links", is_flag=True, help="不检查链接，沿用上次的检查结果")
@click.option("--date", "day", default="", help="按该日计算（YYYY-MM-DD，默认今天）")
def supervise(no_links: bool, day: str):
    """检查各数据集、目录事项链接的网址，重算各部门的完整性、及时性、质量指标和得分，
    保存为本月数据；监督考核页面和公开情况页面读取这些数据。"""
    try:
        today = datetime.date.fromisoformat(day) if day else None
    except ValueError:
        click.echo(f"日期“{day[:20]}”不是 YYYY-MM-DD 格式", err=True)
        sys.exit(2)
    if today and today > localtime.today():
        click.echo("不能按未来的日期计算", err=True)
        sys.exit(2)
    try:
        outcome = job.run(today, check_links=not no_links, echo=click.echo)
    except WeightsError as error:
        click.echo(f"未重算：{error}", err=True)
        sys.exit(1)
    unknown = (f"，{outcome.links_unknown} 个因未能连接外网无法判断（不计入）"
               if outcome.links_unknown else "")
    click.echo(f"已重算 {outcome.bodies} 个部门的监督考核指标；检查链接 {outcome.links_checked} 个，"
               f"失效 {outcome.links_broken} 个{unknown}；用时 {outcome.seconds:.1f} 秒")
