"""The table of rights in ``docs/security.md``, rendered from the models' access rules.

Every model of the platform declares an :class:`~xizang5g.core.access.AccessRule`; this module
turns those declarations into a Markdown table per app (role × model × action), in the words of
the rule itself: every object, own unit's objects, objects meeting a condition, shared objects,
the user's own objects, or none. A few steps are narrower than the rule of the object they
change (only the plan office approves a project, only the regulator decides a coordination case,
…); services enforce them, and :data:`STEPS` lists them with the functions that do.

``xizang5g access_table`` prints the table, writes it into the document between
:data:`START` and :data:`END`, or checks that the document is current; a test runs the check, so
a change to a rule without regenerating the documentation fails.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from dataclasses import dataclass

from django.apps import AppConfig, apps
from django.db.models import Q
from django.utils import translation

from xizang5g.core.access import ACTIONS, APPROVE, CHANGE, VIEW, AccessRule
from xizang5g.core.choices import Role

START = "<!-- access-table:start -->"
END = "<!-- access-table:end -->"
PROJECT_PACKAGE = "xizang5g."
ACTION_WORDS = {VIEW: "read", CHANGE: "change", APPROVE: "approve"}
NONE = "none"
EVERY_OBJECT = "every"


@dataclass(frozen=True)
class Step:
    """A right narrower than the access rule of the object it concerns, and the functions (or
    rules) that enforce it, as dotted paths under ``xizang5g``."""

    text: str
    enforced_by: tuple[str, ...]


STEPS: tuple[Step, ...] = (
    Step(
        "Approval (立项), acceptance (验收) and promotion to a typical case (典型案例) of a pilot "
        "project, and the acceptance of its milestones, need *approve* on the project, which no "
        "rule grants to any role but the plan office. The lead unit's editors take every other "
        "step of their project, terminating it included.",
        ("plan.services.project_transition", "plan.services.milestone_accept"),
    ),
    Step(
        "A unit editor registers projects only for its own unit and cannot hand one of its "
        "projects to another unit.",
        ("plan.services.project_create", "plan.services.project_update"),
    ),
    Step(
        "The participating units and the operator of a project read it, with its milestones, "
        "reports, evidence and KPIs; only the lead unit's editors change it.",
        ("plan.models.Project.access",),
    ),
    Step(
        "Only security operators (and the plan office) create incidents (by hand or from an "
        "alert), inspections, inspection findings and crypto assessments, complete inspections, "
        "and add or switch Sigma rules and log sources. An editor of the responsible unit works "
        "on its own unit's incidents and rectifies its findings, but opens none, and only "
        "security operators close an incident (*approve* on it).",
        (
            "security.services.require_operator",
            "security.services.incident_create",
            "security.services.incident_create_from_alert",
            "security.services.inspection_create",
            "security.services.inspection_complete",
            "security.services.finding_create",
            "security.services.crypto_assessment_create",
            "security.services.sigma_rule_create",
            "security.services.sigma_rule_set_enabled",
            "security.services.log_source_create",
            "security.services.incident_transition",
        ),
    ),
    Step(
        "Only the radio regulator (and the plan office) runs interference studies, registers "
        "terrain, imports villages, computes coverage and decides the steps of a coordination "
        "case (advance, accept a mitigation, reject), except the operator's report that the "
        "measures are done (the step out of *implementing*). The case's operator proposes "
        "mitigations; an operator opens cases only for its own cells.",
        (
            "network.services.study_create",
            "network.services.terrain_register",
            "network.services.villages_import",
            "network.services.coverage_compute",
            "network.services.case_advance",
            "network.services.case_accept_mitigation",
            "network.services.case_reject",
            "network.services.case_propose_mitigation",
            "network.services.case_open",
        ),
    ),
    Step(
        "An operator imports EMF measurements only for its own sites: a row naming another "
        "operator's site is refused with a row error and nothing is written. Only the regulator "
        "imports measurements that name no site.",
        ("network.services.emf_measurements_import",),
    ),
    Step(
        "Security operators acknowledge and resolve only security alerts, the regulator only "
        "interference and EMF alerts; both read every alert. Bulk acknowledgement touches only "
        "the alerts the user may handle.",
        ("core.models.Alert.access", "core.services.alert_acknowledge"),
    ),
    Step(
        "A unit editor without a unit gets nothing that is reached through a unit (it still "
        "reads shared catalogue rows and the import jobs it started); new unit editors must "
        "belong to a unit.",
        ("core.access.condition", "core.services.user_create"),
    ),
    Step(
        "An object a user may not read answers 404, exactly like an id that does not exist, for "
        "every method (a GET, a PATCH, a DELETE, a POST of a step); one it may read but not "
        "change answers 403. The history of a deleted object is judged from its last recorded "
        "values.",
        (
            "core.access.get_or_404",
            "core.access.require",
            "core.access.can_view_deleted",
            "core.selectors.object_history",
        ),
    ),
    Step(
        "Uploaded files (evidence, case documents) have no URL: they are stored under random "
        "names and reach a user only through a view that applies the rule to their project or "
        "case.",
        (
            "core.files.PrivateStorage",
            "plan.views.attachment_download",
            "network.views.case_document",
        ),
    ),
)


# ------------------------------------------------------------------------------ reading rules
def ruled_models() -> dict[AppConfig, list]:
    """The platform's models that declare an access rule, by app, in INSTALLED_APPS order."""
    grouped: dict[AppConfig, list] = {}
    for config in apps.get_app_configs():
        if not config.name.startswith(PROJECT_PACKAGE):
            continue
        models = [
            m for m in config.get_models() if isinstance(getattr(m, "access", None), AccessRule)
        ]
        if models:
            grouped[config] = models
    return grouped


def unruled_models() -> list:
    """The platform's models without an access rule: no page or API operation reads them."""
    return [
        model
        for config in apps.get_app_configs()
        if config.name.startswith(PROJECT_PACKAGE)
        for model in config.get_models()
        if not isinstance(getattr(model, "access", None), AccessRule)
    ]


def followers(model, models: Iterable) -> list:
    """Models whose rule follows `model` (directly or through another follower), in order."""
    found = []
    for candidate in models:
        via = candidate.access.via
        if via and candidate._meta.get_field(via).related_model is model:
            found.append(candidate)
            found.extend(followers(candidate, models))
    return found


def roles_approving_beyond_plan_office(models: Iterable) -> set[str]:
    """Roles other than the plan office that some rule lets approve something."""
    return {
        role
        for model in models
        if not model.access.via
        for role in Role.values
        if role != Role.PLAN_ADMIN and model.access.role_condition(role, APPROVE) is not None
    }


# ------------------------------------------------------------------------------ words
def path_words(model, path: str) -> str:
    """A lookup such as ``system__owner_unit`` in the fields' names: "system → owner unit"."""
    words, current = [], model
    for part in path.split("__"):
        field = current._meta.get_field(part)
        words.append(str(getattr(field, "verbose_name", part)))
        current = field.related_model
    return " → ".join(words)


def _final_field(model, path: str):
    current, field = model, None
    for part in path.split("__"):
        field = current._meta.get_field(part)
        current = field.related_model
    return field


def _value_words(field, value) -> str:
    labels = dict(getattr(field, "flatchoices", None) or ())
    return f'"{labels.get(value, value)}"'


def condition_words(model, q: Q) -> str:
    """A rule's condition in words, e.g. 'source is "Security detection"'."""
    parts = []
    for child in q.children:
        if isinstance(child, Q):
            inner = condition_words(model, child)
            parts.append(f"({inner})" if len(child.children) > 1 else inner)
            continue
        key, value = child
        path, _sep, lookup = key.rpartition("__")
        if lookup not in ("in", "isnull", "exact"):
            path, lookup = key, "exact"
        field = _final_field(model, path)
        subject = path_words(model, path)
        if lookup == "isnull":
            parts.append(f"{subject} is {'empty' if value else 'set'}")
        elif lookup == "in":
            parts.append(f"{subject} is " + " or ".join(_value_words(field, v) for v in value))
        else:
            parts.append(f"{subject} is {_value_words(field, getattr(value, 'pk', value))}")
    joined = f" {q.connector.lower()} ".join(parts)
    return f"not ({joined})" if q.negated else joined


def cell(model, role: str, action: str) -> str:
    """What `role` may `action` of `model`'s objects, in words; mirrors access.condition()."""
    rule: AccessRule = model.access
    grant = rule.role_condition(role, action)
    if grant is not None and not grant:
        return EVERY_OBJECT
    parts = []
    if grant is not None:
        parts.append(f"where {condition_words(model, grant)}")
    paths = rule.unit_paths(action)
    if role == Role.UNIT_EDITOR and paths:
        parts.append("own unit's (" + ", ".join(path_words(model, p) for p in paths) + ")")
    if action == VIEW and rule.shared is not None:
        parts.append(f"shared ones (where {condition_words(model, rule.shared)})")
    if action != APPROVE and rule.owners:
        parts.append("their own (" + ", ".join(path_words(model, p) for p in rule.owners) + ")")
    return " + ".join(parts) or NONE


# ------------------------------------------------------------------------------ Markdown
def _model_label(model, models: list) -> str:
    label = f"**{model._meta.verbose_name}**"
    following = followers(model, models)
    if following:
        names = ", ".join(str(m._meta.verbose_name_plural) for m in following)
        label += f" and its {names}"
    return label


def _app_table(models: list, actions: tuple[str, ...]) -> list[str]:
    header = ["Model", "Action", *(str(Role(r).label) for r in Role.values)]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for model in models:
        if model.access.via:
            continue
        # An *approve* row only where the rule names approvers: elsewhere it is the plan office's
        # alone and would say nothing.
        shown = actions if model.access.approve else tuple(a for a in actions if a != APPROVE)
        for position, action in enumerate(shown):
            first = _model_label(model, models) if position == 0 else ""
            cells = [cell(model, role, action) for role in Role.values]
            lines.append("| " + " | ".join([first, ACTION_WORDS[action], *cells]) + " |")
    return lines


def _legend(approvers: set[str]) -> list[str]:
    lines = [
        "Generated by `xizang5g access_table --write docs/security.md` from the models' "
        "`access` rules; `tests/core/test_access_table.py` fails when it is out of date.",
        "",
        f"* **{EVERY_OBJECT}**: every object of the model.",
        "* **own unit's (…)**: objects whose named unit (through the fields listed) is the "
        "editor's own unit; a unit editor without a unit gets none of them.",
        "* **where …**: only the objects that meet the condition.",
        "* **shared ones (…)**: objects every logged-in user reads, whatever the unit.",
        "* **their own (…)**: objects that name the user (whatever the role).",
        f"* **{NONE}**: no object.",
        "* A model listed with others (*and its …*) gives them its own rights: a milestone is "
        "read and changed by those who read and change its project.",
        "* The plan office column covers superusers too. A user who is not logged in, or whose "
        "account is inactive, gets nothing.",
    ]
    names = ", ".join(str(Role(r).label) for r in sorted(approvers)) or "no other role"
    lines.append(
        "* *Approve* (a decision on an object, such as 立项 of a project or closing an incident) "
        "is shown for the models whose rule names who approves; elsewhere only the plan office "
        f"may. Roles besides the plan office that approve something: {names}."
    )
    return lines


def _steps() -> list[str]:
    lines = ["### Narrower steps, enforced by the services", ""]
    for step in STEPS:
        where = ", ".join(f"`{path}`" for path in step.enforced_by)
        lines.append(f"* {step.text} ({where})")
    return lines


def render() -> str:
    """The whole generated part of docs/security.md, in English, without the markers."""
    with translation.override("en"):
        grouped = ruled_models()
        every_model = [m for models in grouped.values() for m in models]
        approvers = roles_approving_beyond_plan_office(every_model)
        actions = ACTIONS
        lines = _legend(approvers)
        for config, models in grouped.items():
            lines += ["", f"### {config.verbose_name} (`{config.label}`)", ""]
            lines += _app_table(models, actions)
        unruled = unruled_models()
        if unruled:
            names = ", ".join(f"{m._meta.verbose_name} (`{m._meta.label}`)" for m in unruled)
            lines += ["", f"Internal tables without a rule (no page or API reads them): {names}."]
        lines += ["", *_steps()]
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------ the document
class MarkersMissing(ValueError):
    pass


def _bounds(document: str) -> tuple[int, int]:
    start = document.find(START)
    end = document.find(END)
    if start < 0 or end < start:
        raise MarkersMissing(f"the document has no {START} … {END} section")
    return start + len(START), end


def written_table(document: str) -> str:
    """The generated part currently in `document` (between the markers)."""
    begin, end = _bounds(document)
    return document[begin:end].strip("\n") + "\n"


def with_table(document: str, table: str) -> str:
    """`document` with the part between the markers replaced by `table`."""
    begin, end = _bounds(document)
    return f"{document[:begin]}\n{table}{document[end:]}"


def resolve(dotted: str):
    """The object a step's `enforced_by` path names (a module attribute, possibly nested),
    or None when it no longer exists."""
    parts = f"{PROJECT_PACKAGE}{dotted}".split(".")
    for split in range(len(parts) - 1, 0, -1):
        try:
            target = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for name in parts[split:]:
            target = getattr(target, name, None)
            if target is None:
                return None
        return target
    return None
