"""Pilot projects: the list, one project, registering, changing, deleting, the lifecycle."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Query, Status

from xizang5g.core import limits
from xizang5g.core.api_style import (
    error_body,
    paginate,
    responses,
    validation_errors,
)
from xizang5g.plan import selectors, services
from xizang5g.plan.api.common import (
    PROJECT_PREFETCH,
    WRITE_AUTH,
    _editable_project,
    _plan,
    _project_detail_out,
    _project_out,
    _project_values,
    _require_writer,
    _state_label,
    _user,
    router,
)
from xizang5g.plan.api.schemas import (
    PlanProjectDetailOut,
    PlanProjectFilters,
    PlanProjectIn,
    PlanProjectPage,
    PlanProjectPatch,
    PlanProjectTransitionIn,
)


# ==== projects ===================================================================================
@router.get(
    "/projects",
    response=responses({200: PlanProjectPage}),
    summary="Pilot projects (filtered, paginated)",
)
def project_list(request, filters: Query[PlanProjectFilters]):
    """The envelope is every list's: `count`, `limit`, `offset`, `items` (this list answered
    `page`, `page_size` and `pages` before: ask `offset = (page - 1) × limit`)."""
    user = _user(request)
    data = filters.dict(exclude={"limit", "offset"})
    if data.get("demo") is not None:
        data["demo"] = "1" if data["demo"] else "0"
    qs = (
        selectors.project_list(user=user, filters={k: v for k, v in data.items() if v is not None})
        .select_related("plan")
        .prefetch_related(*PROJECT_PREFETCH)
        .order_by("-declared_on", "code")
    )
    return paginate(qs, filters, lambda project: _project_out(project, user))


@router.get(
    "/projects/{id:project_id}",
    response=responses({200: PlanProjectDetailOut}),
    summary="One pilot project",
)
def project_get(request, project_id: limits.DbId):
    user = _user(request)
    return _project_detail_out(selectors.project_detail(user=user, pk=project_id), user)


@router.post(
    "/projects",
    auth=WRITE_AUTH,
    response=responses({201: PlanProjectDetailOut}),
    summary="Register a pilot project (state: declared)",
)
def project_create(request, payload: PlanProjectIn):
    user = _user(request)
    _require_writer(user)
    plan = _plan(payload.plan)
    values, m2m = _project_values(payload.dict(), plan)
    if values.get("declared_on") is None:
        values.pop("declared_on", None)
    project = services.project_create(user=user, plan=plan, m2m=m2m, **values)
    return Status(
        201, _project_detail_out(selectors.project_detail(user=user, pk=project.pk), user)
    )


@router.patch(
    "/projects/{id:project_id}",
    auth=WRITE_AUTH,
    response=responses({200: PlanProjectDetailOut}),
    summary="Change a pilot project (only the fields sent)",
)
def project_update(request, project_id: limits.DbId, payload: PlanProjectPatch):
    user = _user(request)
    project = _editable_project(user, project_id)
    data = payload.dict(exclude_unset=True)
    for required in ("name", "industry", "lead_unit", "prefecture", "declared_on"):
        if required in data and data[required] is None:
            raise ValidationError({required: _("This field cannot be empty.")})
    for listed in ("scenarios", "tasks", "work_points", "participating_units"):
        if listed in data and data[listed] is None:
            raise ValidationError({listed: _("Send a list of codes (an empty list clears it).")})
    values, m2m = _project_values(data, project.plan)
    services.project_update(project=project, user=user, m2m=m2m, **values)
    return Status(
        200, _project_detail_out(selectors.project_detail(user=user, pk=project.pk), user)
    )


@router.delete(
    "/projects/{id:project_id}",
    auth=WRITE_AUTH,
    response=responses({204: None}),
    summary="Delete a project still at 'declared'",
)
def project_delete(request, project_id: limits.DbId):
    user = _user(request)
    services.project_delete(project=_editable_project(user, project_id), user=user)
    return Status(204, None)


@router.post(
    "/projects/{id:project_id}/transition",
    auth=WRITE_AUTH,
    response=responses({200: PlanProjectDetailOut}),
    summary="Move a project along its lifecycle",
)
def project_transition(request, project_id: limits.DbId, payload: PlanProjectTransitionIn):
    """422 lists every blocker of the step (e.g. missing milestones or reports) in `errors`."""
    user = _user(request)
    project = _editable_project(user, project_id)
    try:
        services.project_transition(
            project=project,
            to_state=payload.to_state,
            user=user,
            effective_on=payload.effective_on,
            note=payload.note,
        )
    except ValidationError as error:
        detail = _("The project cannot move to '%(state)s'.") % {
            "state": _state_label(payload.to_state)
        }
        return Status(422, error_body(detail, validation_errors(error)))
    return Status(
        200, _project_detail_out(selectors.project_detail(user=user, pk=project.pk), user)
    )
