"""What every page and API operation does, for the authorization matrix.

Each page (by URL name) and each API operation (by method and path) declares which object it
reads or changes, and with which action; the expected answer for every role then follows from the
access rule (`xizang5g.core.access`, documented in docs/security.md):

* not logged in → the login page (pages) or 401 (API), unless the route is public;
* an object the user may not read → 404, exactly as for an id that does not exist;
* an object the user may read but not `action` → 403;
* a page that needs a role the user lacks → 403;
* otherwise → an answer that is not a refusal (the request may still be invalid: 4xx is fine).

A URL or operation missing here fails the matrix test: a new route must say what it does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from xizang5g.core import access
from xizang5g.core.access import APPROVE, CHANGE, VIEW
from xizang5g.core.models import NotificationChannel
from xizang5g.iot.models import Device, Product, Rule
from xizang5g.network.models import (
    CoordinationCase,
    EarthStation,
    InterferenceStudy,
    Site,
    TerrainTile,
)
from xizang5g.plan.models import Project
from xizang5g.security.models import BadLine, Incident, SigmaRule


def pk(obj) -> dict:
    return {"pk": obj.pk}


@dataclass(frozen=True)
class Route:
    """One page or API operation: the object kind it works on (None for collection pages),
    the action, how its URL takes the object, the method and data, and extra conditions."""

    kind: str | None = None
    action: str = VIEW
    kwargs: Callable = pk
    method: str = "get"
    data: dict | None = None
    requires: Callable | None = None  # (user, obj) -> bool, beyond the object's own rule
    lists: str | None = None  # the object kind a list shows: others' must not appear
    public: bool = False


def may(action: str, model) -> Callable:
    """A collection page for roles that may `action` some objects of `model`."""
    return lambda user, obj: access.role_may(user, action, model)


def region(action: str, model) -> Callable:
    """A step only roles acting on every object of `model` take (e.g. security operators)."""
    return lambda user, obj: access.sees_all(user, model, action)


def create(model, **attrs) -> Callable:
    return lambda user, obj: access.can_create(user, model, **{k: f(obj) for k, f in attrs.items()})


PAGES: dict[str, Route] = {
    # --- platform
    "home": Route(public=True),  # a redirect to the plan dashboard, which needs a login
    "login": Route(public=True),
    "logout": Route(public=True, method="post"),
    "set_language": Route(public=True, method="post", data={"language": "en"}),
    "password_change": Route(),
    "password_change_done": Route(),
    "password_reset": Route(public=True),
    "password_reset_done": Route(public=True),
    "password_reset_confirm": Route(public=True, kwargs=lambda o: {"uidb64": "MQ", "token": "x"}),
    "password_reset_complete": Route(public=True),
    "core:alert_list": Route(lists="alert"),
    "core:alert_bulk_acknowledge": Route(method="post"),
    "core:alert_detail": Route(kind="alert"),
    "core:channel_list": Route(requires=may(CHANGE, NotificationChannel), lists="channel"),
    "core:channel_create": Route(requires=may(CHANGE, NotificationChannel)),
    "core:channel_edit": Route(kind="channel", action=CHANGE),
    "core:import_job": Route(kind="import_job"),
    # core:history is checked against every logged object: see test_history_follows_the_rule
    # --- plan supervision
    "plan:dashboard": Route(),
    "plan:map_geojson": Route(public=True),
    "plan:plan_detail": Route(),
    "plan:task_detail": Route(kwargs=lambda o: {"code": "T01"}),
    "plan:work_point_detail": Route(kwargs=lambda o: {"code": "WP01"}),
    "plan:scorecards": Route(lists="project"),
    "plan:project_list": Route(lists="project"),
    "plan:project_create": Route(requires=may(CHANGE, Project)),
    "plan:project_detail": Route(kind="project"),
    "plan:project_edit": Route(kind="project", action=CHANGE),
    "plan:project_transition": Route(kind="project", action=CHANGE, method="post"),
    "plan:milestone_add": Route(kind="project", action=CHANGE, method="post"),
    "plan:report_edit": Route(kind="project", action=CHANGE),
    "plan:kpi_add": Route(kind="project", action=CHANGE, method="post"),
    "plan:milestone_advance": Route(
        kind="milestone", action=CHANGE, method="post", kwargs=lambda o: {"milestone_id": o.pk}
    ),
    "plan:milestone_delete": Route(
        kind="milestone", action=CHANGE, method="post", kwargs=lambda o: {"milestone_id": o.pk}
    ),
    "plan:attachment_download": Route(kind="attachment"),
    "plan:project_import": Route(requires=may(CHANGE, Project)),
    "plan:project_import_template": Route(),
    "plan:progress_export": Route(),
    "plan:scorecards_export": Route(),
    # --- 5G supervision
    "network:overview": Route(lists="case"),
    "network:geojson": Route(),
    "network:site_list": Route(lists="site"),
    "network:site_detail": Route(kind="site"),
    "network:emf_assess": Route(kind="site", action=CHANGE, method="post"),
    "network:coverage_grid": Route(kind="site"),
    "network:cell_edit": Route(kind="cell", action=CHANGE),
    "network:station_import": Route(requires=may(CHANGE, Site)),
    "network:station_template": Route(),
    "network:earth_station_list": Route(),
    "network:earth_station_new": Route(requires=may(CHANGE, EarthStation)),
    "network:earth_station_detail": Route(kind="earth_station"),
    "network:earth_station_edit": Route(kind="earth_station", action=CHANGE),
    "network:terrain": Route(requires=may(VIEW, TerrainTile)),
    "network:study_list": Route(requires=may(VIEW, InterferenceStudy)),
    "network:study_new": Route(requires=may(CHANGE, InterferenceStudy)),
    "network:study_detail": Route(kind="study"),
    "network:study_progress": Route(kind="study"),
    "network:study_cancel": Route(kind="study", action=CHANGE, method="post"),
    "network:study_export": Route(kind="study", kwargs=lambda o: {"pk": o.pk, "fmt": "xlsx"}),
    "network:case_list": Route(lists="case"),
    "network:case_new": Route(requires=may(CHANGE, CoordinationCase)),
    "network:case_detail": Route(kind="case"),
    "network:case_document": Route(kind="case_document"),
    "network:case_action": Route(
        kind="case",
        action=CHANGE,
        method="post",
        kwargs=lambda o: {"pk": o.pk, "action": "comment"},
        data={"note": "请尽快处理"},
    ),
    "network:emf": Route(),
    "network:emf_template": Route(),
    "network:coverage": Route(),
    "network:villages_template": Route(),
    "network:monthly": Route(lists="monthly_report"),
    "network:monthly_template": Route(),
    # --- IoT hub
    "iot:home": Route(lists="device"),
    "iot:device_list": Route(lists="device"),
    "iot:device_bulk_create": Route(requires=may(CHANGE, Device)),
    "iot:device_detail": Route(kind="device"),
    "iot:device_telemetry": Route(kind="device"),
    "iot:device_rejected": Route(kind="device"),
    "iot:device_action": Route(
        kind="device", action=CHANGE, method="post", data={"action": "disable"}
    ),
    "iot:product_list": Route(lists="product"),
    "iot:product_create": Route(requires=may(CHANGE, Product)),
    "iot:product_detail": Route(kind="product", kwargs=lambda o: {"key": o.product_key}),
    "iot:product_export": Route(kind="product", kwargs=lambda o: {"key": o.product_key}),
    "iot:rule_create": Route(
        kind="product",
        method="post",
        kwargs=lambda o: {"key": o.product_key},
        requires=create(Rule, product=lambda o: o),
    ),
    "iot:rule_action": Route(kind="rule", action=CHANGE, method="post", data={"action": "disable"}),
    # --- security
    "security:dashboard": Route(lists="incident"),
    "security:system_list": Route(lists="system"),
    "security:system_detail": Route(kind="system"),
    "security:event_list": Route(),
    "security:bad_line_list": Route(requires=may(VIEW, BadLine)),
    "security:alert_list": Route(lists="security_alert"),
    "security:incident_from_alert": Route(
        kind="security_alert",
        method="post",
        kwargs=lambda o: {"alert_id": o.pk},
        data={"level": "IV"},
        requires=region(CHANGE, Incident),
    ),
    "security:alert_incident": Route(kind="security_alert", kwargs=lambda o: {"alert_id": o.pk}),
    "security:incident_list": Route(lists="incident"),
    "security:incident_create": Route(requires=region(CHANGE, Incident)),
    "security:incident_detail": Route(kind="incident"),
    "security:incident_transition": Route(kind="incident", action=CHANGE, method="post"),
    "security:incident_note": Route(
        kind="incident", action=CHANGE, method="post", data={"note": "已通知"}
    ),
    "security:rule_list": Route(requires=may(VIEW, SigmaRule)),
    "security:rule_add": Route(requires=region(CHANGE, SigmaRule)),
    "security:rule_toggle": Route(kind="sigma_rule", action=CHANGE, method="post"),
    "security:inspection_list": Route(),
}

PROJECT_APPROVE = APPROVE  # re-exported for the API table below
