"""The fixed Chinese format of the plan workbooks: the import columns, sheet names, and the
annex's names of the project states and progress statuses."""

from __future__ import annotations

import re
from dataclasses import dataclass

from xizang5g.plan.choices import ProjectState

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Projects in one upload: a unit registers tens at a time, the plan office a few thousand when
# it loads a prefecture's list; above XZ5G_IMPORT_BACKGROUND_ROWS rows the import is a job.
IMPORT_MAX_ROWS = 10_000

DATA_SHEET = "项目"
VALUES_SHEET = "有效值"
HELP_SHEET = "填写说明"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    width: int = 16
    note: str = ""


# The import columns, in template order. Headers are matched exactly (surrounding spaces ignored).
COLUMNS = [
    Column("name", "项目名称", True, 30, "必填，不超过200字"),
    Column("industry", "行业", True, 14, "必填，行业名称或别名，见“有效值”表"),
    Column("scenarios", "应用场景", False, 24, "可填多个，用顿号“、”分隔，见“有效值”表"),
    Column("tasks", "主要任务", False, 12, "任务编号（如 T02）或序号（如 2），多个用“、”分隔"),
    Column("work_points", "工作要点", False, 12, "工作要点编号（如 WP02）或序号，多个用“、”分隔"),
    Column("lead_unit", "牵头单位", True, 26, "必填，单位全称、简称或别名"),
    Column("participating_units", "参与单位", False, 26, "可填多个，用“、”分隔"),
    Column("operator", "运营商", False, 20, "基础电信企业名称或简称"),
    Column("prefecture", "地市", True, 12, "必填，如 拉萨市"),
    Column("county", "县区", False, 12, "须属于所填地市，如 城关区"),
    Column("lon", "经度", False, 10, "WGS84，东经78–99.5度；与纬度同填或同空"),
    Column("lat", "纬度", False, 10, "WGS84，北纬26.5–36.6度"),
    Column("budget_wan", "预算（万元）", False, 12, "数字"),
    Column("start_date", "开始日期", False, 12, "日期，如 2020-03-01"),
    Column("end_date", "计划结束日期", False, 12, "日期，不早于开始日期"),
    Column("declared_on", "申报日期", False, 12, "日期；不填则为导入当天"),
    Column("summary", "项目简介", False, 40, ""),
]
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
COLUMN_BY_HEADER = {c.header: c for c in COLUMNS}
LIST_SEPARATORS = re.compile(r"[、,，;；\n]+")

# Chinese names of the project states and of the progress status, as printed in the annex.
STATE_ZH = {
    ProjectState.DECLARED: "申报",
    ProjectState.APPROVED: "立项",
    ProjectState.BUILDING: "建设中",
    ProjectState.TRIAL: "试运行",
    ProjectState.ACCEPTED: "验收",
    ProjectState.CASE: "典型案例",
    ProjectState.TERMINATED: "终止",
}
STATUS_ZH = {
    "not_started": "未启动",
    "on_track": "进展顺利",
    "lagging": "滞后",
    "completed": "已完成",
}
