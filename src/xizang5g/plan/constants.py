"""Fixed numbers and sets of the plan supervision rules, with where they come from."""

from xizang5g.plan.choices import ProjectState

# Lifecycle (issue 2): 申报 → 立项 → 建设中 → 试运行 → 验收 → 推广为典型案例, and 终止 from any open state.
LIFECYCLE = [
    ProjectState.DECLARED,
    ProjectState.APPROVED,
    ProjectState.BUILDING,
    ProjectState.TRIAL,
    ProjectState.ACCEPTED,
    ProjectState.CASE,
]
ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    ProjectState.DECLARED: {ProjectState.APPROVED, ProjectState.TERMINATED},
    ProjectState.APPROVED: {ProjectState.BUILDING, ProjectState.TERMINATED},
    ProjectState.BUILDING: {ProjectState.TRIAL, ProjectState.TERMINATED},
    ProjectState.TRIAL: {ProjectState.ACCEPTED, ProjectState.TERMINATED},
    ProjectState.ACCEPTED: {ProjectState.CASE},
    ProjectState.CASE: set(),
    ProjectState.TERMINATED: set(),
}

# Steps only the plan office takes (立项, 验收, 推广为典型案例); other transitions are the lead unit's.
APPROVAL_STATES = frozenset({ProjectState.APPROVED, ProjectState.ACCEPTED, ProjectState.CASE})

# Which states count toward the goals (plan text, 发展目标):
# 2020 "开展应用试点": a pilot counts once it is being built (建设中) or further along.
PILOT_UNDERWAY_STATES = frozenset(
    {ProjectState.BUILDING, ProjectState.TRIAL, ProjectState.ACCEPTED, ProjectState.CASE}
)
# 2021 "典型应用" and 2022 "应用场景": an application counts once it is operating (试运行) or further.
RUNNING_STATES = frozenset({ProjectState.TRIAL, ProjectState.ACCEPTED, ProjectState.CASE})
# 2022 "典型案例": a project promoted as a replicable typical case.
CASE_STATES = frozenset({ProjectState.CASE})
# Open projects: overdue milestones and missing reports are actionable only for these.
OPEN_STATES = frozenset(
    {ProjectState.DECLARED, ProjectState.APPROVED, ProjectState.BUILDING, ProjectState.TRIAL}
)
# States in which a project is expected to file a monthly progress report.
REPORTING_STATES = frozenset({ProjectState.BUILDING, ProjectState.TRIAL})

# A monthly report is on time when submitted by this day of the following month
# (practice of the regional plan office's monthly 调度 of work points).
REPORT_DUE_DAY = 10

# Attachment limits for evidence files.
ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
ATTACHMENT_EXTENSIONS = frozenset(
    {".pdf", ".jpg", ".jpeg", ".png", ".docx", ".xlsx", ".doc", ".xls", ".zip", ".mp4", ".txt"}
)
