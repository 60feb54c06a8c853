"""What every API operation does, for the API half of the authorization matrix.

Keyed by method and path template as in the OpenAPI schema (stable across renames of the
functions). Each operation declares the object it works on (a kind of the world's objects, taken
from its path or its body), the action, a valid body (so that validation never hides a refusal),
extra conditions, and for lists the model whose objects the items are. The expected answer for
every role then follows from the access rule, as for pages (routes.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from tests.authz.routes import create, may, region
from tests.authz.world import THING_MODEL
from xizang5g.core.access import APPROVE, CHANGE, VIEW
from xizang5g.core.models import Alert, Unit
from xizang5g.iot.models import Device, Product, Rule
from xizang5g.network.models import (
    Cell,
    CoordinationCase,
    EarthStation,
    InterferenceStudy,
    Site,
)
from xizang5g.plan.models import Kpi, Milestone, ProgressReport, Project
from xizang5g.security.models import Incident, InformationSystem, SecurityEvent, SigmaRule


def by_id(name: str) -> Callable:
    return lambda world, obj: {name: obj.pk}


def by_key(world, obj) -> dict:
    return {"product_key": obj.product_key}


def nothing(world, obj) -> dict:
    return {}


@dataclass(frozen=True)
class Operation:
    """kind: the object kind (None: a collection or the platform); path: the path parameters
    from the object; body: a valid JSON body (from the world and the object); query: query
    parameters; requires: (user, obj) -> bool beyond the object's own rule; lists: the model
    whose objects a list answers (with how to read an item's id); machine: the fixed status a
    machine endpoint answers every user (its callers authenticate otherwise)."""

    kind: str | None = None
    action: str = VIEW
    path: Callable = nothing
    body: Callable | None = None
    query: dict | None = None
    requires: Callable | None = None
    lists: type | None = None
    item_id: Callable = lambda item: item["id"]
    machine: int | None = None


def _health(world):
    return Unit.objects.get(code="health")


def _device_unit(obj):
    return obj.unit or Unit.objects.get(code="health")


SIGMA_RULE = {
    "title": "Authz API rule",
    "id": "1f0e0d0c-0b0a-4909-8807-060504030201",
    "status": "test",
    "logsource": {"product": "linux", "service": "auth"},
    "detection": {"sel": {"message|contains": "authz-api"}, "condition": "sel"},
    "level": "low",
}

P = "/api/v1"
OPERATIONS: dict[str, Operation] = {
    # --- alert centre
    f"GET {P}/core/alerts": Operation(lists=Alert),
    f"GET {P}/core/alerts/{{alert_id}}": Operation(kind="alert", path=by_id("alert_id")),
    f"POST {P}/core/alerts/{{alert_id}}/acknowledge": Operation(
        kind="alert", action=CHANGE, path=by_id("alert_id"), body=lambda w, o: {"note": "api"}
    ),
    f"POST {P}/core/alerts/{{alert_id}}/resolve": Operation(
        kind="alert", action=CHANGE, path=by_id("alert_id"), body=lambda w, o: {"note": "api"}
    ),
    # acknowledges what the user may handle among the ids and reports the rest as skipped
    f"POST {P}/core/alerts/acknowledge": Operation(
        body=lambda w, o: {"ids": [a.pk for a in w.objects["alert"]]}
    ),
    # --- plan supervision: the plan and its catalogues are every user's
    f"GET {P}/plan/plan": Operation(),
    f"GET {P}/plan/plans/{{code}}": Operation(path=lambda w, o: {"code": w.plan.code}),
    f"GET {P}/plan/goals": Operation(),
    f"GET {P}/plan/tasks": Operation(),
    f"GET {P}/plan/work-points": Operation(),
    f"GET {P}/plan/units": Operation(),
    f"GET {P}/plan/industries": Operation(),
    f"GET {P}/plan/scenarios": Operation(),
    f"GET {P}/plan/projects": Operation(lists=Project),
    f"POST {P}/plan/projects": Operation(
        body=lambda w, o: {
            "name": "接口新项目",
            "industry": "medical",
            "lead_unit": "health",
            "prefecture": 540100,
        },
        requires=lambda user, obj: create(Project, lead_unit=_health)(user, None),
    ),
    f"GET {P}/plan/projects/{{project_id}}": Operation(kind="project", path=by_id("project_id")),
    f"PATCH {P}/plan/projects/{{project_id}}": Operation(
        kind="project",
        action=CHANGE,
        path=by_id("project_id"),
        body=lambda w, o: {"summary": "接口修改"},
    ),
    f"DELETE {P}/plan/projects/{{project_id}}": Operation(
        kind="project", action=CHANGE, path=by_id("project_id")
    ),
    # approving is the plan office's step (APPROVE); the lead unit takes the others
    f"POST {P}/plan/projects/{{project_id}}/transition": Operation(
        kind="project",
        action=APPROVE,
        path=by_id("project_id"),
        body=lambda w, o: {"to_state": "approved"},
    ),
    f"GET {P}/plan/projects/{{project_id}}/milestones": Operation(
        kind="project", path=by_id("project_id"), lists=Milestone
    ),
    f"POST {P}/plan/projects/{{project_id}}/milestones": Operation(
        kind="project",
        action=CHANGE,
        path=by_id("project_id"),
        body=lambda w, o: {"title": "设备到货", "due_date": "2020-09-30"},
    ),
    f"POST {P}/plan/milestones/{{milestone_id}}/complete": Operation(
        kind="milestone", action=CHANGE, path=by_id("milestone_id"), body=lambda w, o: {}
    ),
    f"POST {P}/plan/milestones/{{milestone_id}}/accept": Operation(
        kind="milestone", action=APPROVE, path=by_id("milestone_id"), body=lambda w, o: {}
    ),
    f"GET {P}/plan/projects/{{project_id}}/reports": Operation(
        kind="project", path=by_id("project_id"), lists=ProgressReport
    ),
    f"POST {P}/plan/projects/{{project_id}}/reports": Operation(
        kind="project",
        action=CHANGE,
        path=by_id("project_id"),
        body=lambda w, o: {"period": "2020-06-01", "summary": "六月进展"},
    ),
    f"POST {P}/plan/reports/{{report_id}}/submit": Operation(
        kind="report", action=CHANGE, path=by_id("report_id"), body=lambda w, o: {}
    ),
    f"GET {P}/plan/projects/{{project_id}}/kpis": Operation(
        kind="project", path=by_id("project_id"), lists=Kpi
    ),
    f"POST {P}/plan/projects/{{project_id}}/kpis": Operation(
        kind="project",
        action=CHANGE,
        path=by_id("project_id"),
        body=lambda w, o: {"name": "接入终端", "target": 10},
    ),
    f"PATCH {P}/plan/kpis/{{kpi_id}}": Operation(
        kind="kpi", action=CHANGE, path=by_id("kpi_id"), body=lambda w, o: {"actual": 5}
    ),
    # --- 5G supervision
    f"GET {P}/network/sites": Operation(lists=Site),
    f"GET {P}/network/cells": Operation(lists=Cell),
    f"POST {P}/network/cells": Operation(
        kind="site",
        action=CHANGE,
        body=lambda w, o: {
            "site_id": o.pk,
            "code": "AUTHZ-NEW-1",
            "band": "n41",
            "f_mhz": 2600,
            "bw_mhz": 100,
            "power_dbm": 46,
            "height_m": 30,
            "azimuth_deg": 120,
        },
    ),
    f"PATCH {P}/network/cells/{{cell_id}}": Operation(
        kind="cell", action=CHANGE, path=by_id("cell_id"), body=lambda w, o: {"azimuth_deg": 200}
    ),
    f"GET {P}/network/earth-stations": Operation(lists=EarthStation),
    f"POST {P}/network/studies": Operation(
        body=lambda w, o: {"name": "接口干扰计算", "scope": "all"},
        requires=region(CHANGE, InterferenceStudy),
    ),
    f"GET {P}/network/studies": Operation(
        requires=may(VIEW, InterferenceStudy), lists=InterferenceStudy
    ),
    f"GET {P}/network/studies/{{study_id}}": Operation(kind="study", path=by_id("study_id")),
    f"POST {P}/network/studies/{{study_id}}/cancel": Operation(
        kind="study", action=CHANGE, path=by_id("study_id")
    ),
    f"GET {P}/network/studies/{{study_id}}/stations": Operation(
        kind="study", path=by_id("study_id")
    ),
    f"GET {P}/network/studies/{{study_id}}/pairs": Operation(kind="study", path=by_id("study_id")),
    f"GET {P}/network/cases": Operation(lists=CoordinationCase),
    # an operator applies for its own cells (CHANGE on the cell) at any earth station
    f"POST {P}/network/cases": Operation(
        kind="cell",
        action=CHANGE,
        body=lambda w, o: {
            "earth_station_id": w.objects["earth_station"][0].pk,
            "cell_ids": [o.pk],
        },
    ),
    f"GET {P}/network/cases/{{case_id}}": Operation(kind="case", path=by_id("case_id")),
    # the regulator steps a case on (the operator only reports its measures done)
    f"POST {P}/network/cases/{{case_id}}/advance": Operation(
        kind="case",
        action=CHANGE,
        path=by_id("case_id"),
        body=lambda w, o: {"note": "接口"},
        requires=region(CHANGE, CoordinationCase),
    ),
    f"POST {P}/network/cases/{{case_id}}/mitigation": Operation(
        kind="case",
        action=CHANGE,
        path=by_id("case_id"),
        body=lambda w, o: {"kind": "power_reduction", "reduction_db": 3},
    ),
    f"POST {P}/network/cases/{{case_id}}/accept": Operation(
        kind="case",
        action=CHANGE,
        path=by_id("case_id"),
        body=lambda w, o: {"note": "接口"},
        requires=region(CHANGE, CoordinationCase),
    ),
    f"POST {P}/network/cases/{{case_id}}/reject": Operation(
        kind="case",
        action=CHANGE,
        path=by_id("case_id"),
        body=lambda w, o: {"reason": "接口"},
        requires=region(CHANGE, CoordinationCase),
    ),
    # one assessment per site: the sites must be readable
    f"GET {P}/network/emf/assessments": Operation(lists=Site, item_id=lambda item: item["site_id"]),
    f"POST {P}/network/sites/{{site_id}}/emf": Operation(
        kind="site", action=CHANGE, path=by_id("site_id")
    ),
    f"GET {P}/network/kpis/coverage": Operation(),
    f"GET {P}/network/kpis/monthly": Operation(),
    f"GET {P}/network/kpis/new-consumption": Operation(),
    # --- IoT hub
    f"GET {P}/iot/products": Operation(lists=Product, item_id=lambda item: item["product_key"]),
    f"POST {P}/iot/products": Operation(
        body=lambda w, o: {"name": "接口水位计", "unit": "health", "thing_model": THING_MODEL},
        requires=lambda user, obj: create(Product, unit=_health)(user, None),
    ),
    f"GET {P}/iot/products/{{product_key}}": Operation(kind="product", path=by_key),
    f"GET {P}/iot/products/{{product_key}}/thing-model": Operation(kind="product", path=by_key),
    f"PUT {P}/iot/products/{{product_key}}/thing-model": Operation(
        kind="product", action=CHANGE, path=by_key, body=lambda w, o: THING_MODEL
    ),
    f"GET {P}/iot/devices": Operation(lists=Device),
    # a device of a readable product, for a unit the user may register devices of
    f"POST {P}/iot/devices": Operation(
        kind="product",
        body=lambda w, o: {
            "product_key": o.product_key,
            "name": "authz-new-device",
            "unit": _device_unit(o).code,
        },
        requires=lambda user, obj: create(Device, unit=_device_unit)(user, obj),
    ),
    f"GET {P}/iot/devices/{{device_id}}": Operation(kind="device", path=by_id("device_id")),
    f"GET {P}/iot/devices/{{device_id}}/latest": Operation(kind="device", path=by_id("device_id")),
    f"GET {P}/iot/devices/{{device_id}}/history": Operation(
        kind="device", path=by_id("device_id"), query={"property": "level"}
    ),
    f"GET {P}/iot/devices/{{device_id}}/rejected": Operation(
        kind="device", path=by_id("device_id")
    ),
    f"GET {P}/iot/rules": Operation(lists=Rule),
    f"POST {P}/iot/rules": Operation(
        kind="product",
        body=lambda w, o: {
            "product_key": o.product_key,
            "name": "接口规则",
            "kind": "threshold",
            "property": "level",
            "threshold": 50,
        },
        requires=create(Rule, product=lambda o: o),
    ),
    f"DELETE {P}/iot/rules/{{rule_id}}": Operation(
        kind="rule", action=CHANGE, path=by_id("rule_id")
    ),
    # machines: devices send their own Basic credentials, the broker its token
    f"POST {P}/iot/ingest": Operation(body=lambda w, o: {"params": {"level": 1}}, machine=401),
    f"POST {P}/iot/mqtt/auth": Operation(
        body=lambda w, o: {"username": "x", "password": "y"}, machine=403
    ),
    f"POST {P}/iot/mqtt/acl": Operation(
        body=lambda w, o: {"username": "x", "topic": "/sys/x/y"}, machine=403
    ),
    # --- security
    f"POST {P}/security/ingest": Operation(body=lambda w, o: [], machine=401),
    f"GET {P}/security/events": Operation(lists=SecurityEvent),
    f"GET {P}/security/incidents": Operation(lists=Incident),
    f"POST {P}/security/incidents/from-alert": Operation(
        kind="security_alert",
        body=lambda w, o: {"alert_id": o.pk, "level": "IV"},
        requires=region(CHANGE, Incident),
    ),
    f"POST {P}/security/incidents/{{incident_id}}/transition": Operation(
        kind="incident",
        action=CHANGE,
        path=by_id("incident_id"),
        body=lambda w, o: {"to_state": "triage"},
    ),
    # a role that reads no Sigma rule gets an empty list (the page answers 403)
    f"GET {P}/security/rules": Operation(lists=SigmaRule),
    f"POST {P}/security/rules": Operation(
        body=lambda w, o: {"yaml": json.dumps(SIGMA_RULE)}, requires=region(CHANGE, SigmaRule)
    ),
    f"PUT {P}/security/rules/{{rule_id}}/tuning": Operation(
        path=lambda w, o: {"rule_id": _sigma_rule(w).pk},
        body=lambda w, o: {"enabled": False, "note": "authz"},
        requires=region(CHANGE, SigmaRule),
    ),
    f"GET {P}/security/systems": Operation(lists=InformationSystem),
}


def _sigma_rule(world) -> SigmaRule:
    """A Sigma rule to tune (the matrix world holds none of its own)."""
    from xizang5g.security.services import sigma_rule_create

    found = SigmaRule.objects.filter(rule_id=SIGMA_TUNED["id"]).first()
    return found or sigma_rule_create(text=json.dumps(SIGMA_TUNED), user=world.users["secops"])


SIGMA_TUNED = {
    **SIGMA_RULE,
    "title": "Authz tuned rule",
    "id": "2f0e0d0c-0b0a-4909-8807-060504030202",
}
