"""`ckan nanjing-harvest ...`: the harvesters' commands."""
from __future__ import annotations

import click

from . import runner, workers

__all__ = ["nanjing_harvest"]


@click.group("nanjing-harvest", short_help="南京政务公开平台采集器的命令")
def nanjing_harvest():
    """南京政务公开平台采集器的命令。"""


nanjing_harvest.add_command(runner.run)
nanjing_harvest.add_command(runner.demo_sources)
nanjing_harvest.add_command(workers.consumer)
nanjing_harvest.add_command(workers.scheduler)
