"""The indicator weights of the per-department score, from a YAML file the
openness office may change (`ckanext.nanjing.supervision.weights_file`;
the packaged weights.yaml by default). A file that does not parse, names an
unknown indicator or does not add up to 100 is refused with a Chinese
message naming what is wrong; the figures are then not recomputed."""
from __future__ import annotations

import math
import os

import yaml

import ckan.plugins.toolkit as tk

__all__ = ["INDICATORS", "WeightsError", "load", "path"]

# Every indicator the score may weigh, with the name users read.
INDICATORS = {
    "completeness": "公开目录完整率",
    "proactive_timeliness": "主动公开及时率",
    "dataset_timeliness": "开放数据按期更新率",
    "request_timeliness": "依申请公开按期答复率",
    "interpretation": "政策文件解读率",
    "quality": "开放数据元数据质量",
    "validation": "表格资源校验通过率",
    "datastore": "在线查询可用率",
}

PACKAGED = os.path.join(os.path.dirname(__file__), "weights.yaml")


class WeightsError(ValueError):
    """The weights file is unusable; the message says why, in Chinese."""


def path() -> str:
    return tk.config.get("ckanext.nanjing.supervision.weights_file") or PACKAGED


def load(file: str | None = None) -> dict[str, float]:
    file = file or path()
    try:
        with open(file, encoding="utf-8") as stream:
            data = yaml.safe_load(stream)
    except FileNotFoundError:
        raise WeightsError(f"找不到权重文件 {file}")
    except UnicodeDecodeError:
        raise WeightsError(f"权重文件 {file} 不是 UTF-8 编码的文本")
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"第 {mark.line + 1} 行" if mark else ""
        raise WeightsError(f"权重文件 {file} {where}无法解析（应为 YAML）")
    indicators = data.get("indicators") if isinstance(data, dict) else None
    if not isinstance(indicators, dict) or not indicators:
        raise WeightsError(f"权重文件 {file} 应有 indicators: 一节，逐项写出指标及其权重")
    weights: dict[str, float] = {}
    for key, value in indicators.items():
        if key not in INDICATORS:
            known = "、".join(INDICATORS)
            raise WeightsError(f"权重文件中的指标“{str(key)[:40]}”不存在；可用的指标：{known}")
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not math.isfinite(value) or value < 0:
            raise WeightsError(f"指标 {key}（{INDICATORS[key]}）的权重应为不小于 0 的数")
        weights[key] = float(value)
    total = sum(weights.values())
    if abs(total - 100) > 1e-6:
        raise WeightsError(f"各指标权重合计为 {total:g}，应为 100")
    return weights
