"""Coordination cases (干扰协调): the workflow from request to closure, with its timeline."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xizang5g.core import access
from xizang5g.core.audit import acting_as
from xizang5g.core.files import safe_filename
from xizang5g.core.sequences import sequence_next
from xizang5g.network import constants as C
from xizang5g.network.choices import (
    CaseAction,
    CaseOrigin,
    CaseState,
    MitigationKind,
    StudyScope,
    StudyStatus,
)
from xizang5g.network.engine import terrain
from xizang5g.network.models import (
    CaseDocument,
    CaseEvent,
    Cell,
    CoordinationCase,
    EarthStation,
    InterferenceStudy,
)
from xizang5g.network.services.permissions import is_regulator, require_regulator
from xizang5g.network.services.studies import mitigation_validate, study_create
from xizang5g.network.services.study_runs import study_execute

CASE_FLOW = {
    CaseState.APPLIED: CaseState.COMPUTING,
    CaseState.COMPUTING: CaseState.COORDINATING,
    CaseState.COORDINATING: CaseState.IMPLEMENTING,
    CaseState.IMPLEMENTING: CaseState.REVIEWING,
    CaseState.REVIEWING: CaseState.CLOSED,
}


CASE_SEQUENCE = "network.case"


def _case_number() -> str:
    """XZ-GR-<year>-NNNN from the year's shared counter (call inside the saving transaction)."""
    year = timezone.localdate().year
    return f"XZ-GR-{year}-{sequence_next(CASE_SEQUENCE, year=year):04d}"


def _deadline(state: str) -> date | None:
    days = C.CASE_DEADLINE_DAYS.get(state)
    return timezone.localdate() + timedelta(days=days) if days else None


def _event(case, *, user, action, note="", from_state="", to_state="") -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        user=user if user and user.is_authenticated else None,
        action=action,
        note=note,
        from_state=from_state,
        to_state=to_state,
    )


def case_open(
    *,
    user,
    earth_station: EarthStation,
    cells: list[Cell],
    title: str = "",
    description: str = "",
    study: InterferenceStudy | None = None,
) -> CoordinationCase:
    """Open a case: an operator for its own new/changed cells, or a regulator from a study."""
    if not cells:
        raise ValidationError({"cells": _("Choose at least one cell.")})
    operators = {c.operator_id for c in cells}
    if len(operators) != 1:
        raise ValidationError({"cells": _("All cells of a case must belong to one operator.")})
    operator_id = operators.pop()
    regulator = is_regulator(user)
    if not access.can_create(user, CoordinationCase, operator_id=operator_id):
        raise PermissionDenied(_("An operator may open coordination cases only for its own cells."))
    origin = CaseOrigin.STUDY if (regulator and study is not None) else CaseOrigin.OPERATOR
    case = CoordinationCase(
        title=title or _("%(es)s ↔ %(n)s cells") % {"es": earth_station.name, "n": len(cells)},
        origin=origin,
        operator_id=operator_id,
        earth_station=earth_station,
        study=study,
        description=description,
        opened_by=user,
        deadline=_deadline(CaseState.APPLIED),
    )
    case.full_clean(exclude=["number"])
    with transaction.atomic(), acting_as(user):
        case.number = _case_number()
        case.save()
        case.cells.set(cells)
        _event(
            case, user=user, action=CaseAction.OPENED, to_state=CaseState.APPLIED, note=description
        )
    return case


def case_actor_is_operator(user, case) -> bool:
    """The case's operator acting (not the earth station's owner, the other party)."""
    return access.can(user, access.CHANGE, case) and getattr(user, "unit_id", None) == (
        case.operator_id
    )


def _require_case_party(user, case) -> None:
    """The regulator or a party to the case (its operator, the earth station's owner)."""
    access.require(user, access.CHANGE, case)


def case_advance(*, user, case: CoordinationCase, note: str = "") -> CoordinationCase:
    """Move a case to its next state, checking who may and what the step needs."""
    target = CASE_FLOW.get(case.state)
    if target is None:
        raise ValidationError(_("A closed or rejected case cannot advance."))
    operator_step = case.state == CaseState.IMPLEMENTING  # the operator reports measures done
    if not is_regulator(user) and not (operator_step and case_actor_is_operator(user, case)):
        raise PermissionDenied(_("Only the radio regulator may take this step."))
    if case.state == CaseState.APPLIED:
        _case_compute(user=user, case=case)
    elif case.state == CaseState.COMPUTING:
        if case.study is None or case.study.status != StudyStatus.DONE:
            raise ValidationError(_("The calculation has not finished yet."))
    elif case.state == CaseState.COORDINATING:
        if not case.mitigation_accepted:
            raise ValidationError(_("Accept a mitigation whose what-if calculation passes first."))
    elif case.state == CaseState.REVIEWING:
        case.closed_at = timezone.now()
    previous = case.state
    case.state = target
    case.deadline = _deadline(target)
    with transaction.atomic(), acting_as(user):
        case.save()
        _event(
            case,
            user=user,
            action=CaseAction.ADVANCED,
            from_state=previous,
            to_state=target,
            note=note,
        )
    return case


def _case_compute(*, user, case: CoordinationCase) -> InterferenceStudy:
    """The 计算 step: a study of the case's cells against its earth station, run inline."""
    study = study_create(
        user=user,
        name=_("Case %(n)s calculation") % {"n": case.number},
        scope=StudyScope.STATIONS,
        earth_stations=[case.earth_station],
        cell_ids=list(case.cells.values_list("pk", flat=True)),
        coordination_km=max(C.DEFAULT_COORDINATION_KM, _max_case_distance(case) + 1.0),
        enqueue=False,
    )
    study = study_execute(study_id=study.pk)
    with acting_as(user):
        case.study = study
        case.save()
    return study


def _max_case_distance(case) -> float:
    es = case.earth_station
    distances = [
        float(terrain.great_circle_distance_km(c.site.lon, c.site.lat, es.lon, es.lat))
        for c in case.cells.select_related("site")
    ]
    return min(max(distances, default=0.0), C.MAX_COORDINATION_KM - 1.0)


def case_propose_mitigation(
    *, user, case: CoordinationCase, mitigation: dict, note: str = ""
) -> InterferenceStudy:
    """Evaluate a mitigation as a what-if re-run of the case's calculation (inline, small)."""
    if case.state not in (CaseState.COMPUTING, CaseState.COORDINATING):
        raise ValidationError(_("Mitigations are proposed while the case is being coordinated."))
    if not (is_regulator(user) or case_actor_is_operator(user, case)):
        raise PermissionDenied(
            _("Only the regulator or the case's operator may propose a mitigation.")
        )
    mitigation_validate(mitigation)
    base = case.study
    if base is None:
        raise ValidationError(_("Run the calculation first."))
    kind = mitigation["kind"]
    mitigation = dict(mitigation)
    if kind == MitigationKind.LNB_FILTER:
        mitigation.setdefault("earth_station_ids", [case.earth_station_id])
    else:
        mitigation.setdefault("cell_ids", list(case.cells.values_list("pk", flat=True)))
    # What-ifs run on behalf of the regulator's process, whoever proposes them.
    whatif = InterferenceStudy(
        name=_("Case %(n)s what-if: %(k)s") % {"n": case.number, "k": MitigationKind(kind).label},
        scope=base.scope,
        division=base.division,
        coordination_km=base.coordination_km,
        p_percent=base.p_percent,
        p_blocking_percent=base.p_blocking_percent,
        mitigation=mitigation,
        parent=base,
        created_by=user,
        inputs={k: base.inputs[k] for k in ("cell_ids", "spacing_m") if base.inputs.get(k)},
    )
    with transaction.atomic(), acting_as(user):
        whatif.save()
        whatif.earth_stations.set(base.earth_stations.all())
    whatif = study_execute(study_id=whatif.pk)
    with transaction.atomic(), acting_as(user):
        case.mitigation_kind = kind
        case.mitigation = mitigation
        case.whatif_study = whatif
        case.mitigation_accepted = False
        case.save()
        verdict = _("passes") if whatif.summary.get("passes") else _("still fails")
        _event(
            case,
            user=user,
            action=CaseAction.WHATIF,
            note=_("%(k)s: what-if %(v)s (worst margin %(m).1f dB). %(note)s")
            % {
                "k": MitigationKind(kind).label,
                "v": verdict,
                "m": whatif.summary.get("worst_margin_db") or 0.0,
                "note": note,
            },
        )
    return whatif


def case_accept_mitigation(*, user, case: CoordinationCase, note: str = "") -> CoordinationCase:
    require_regulator(user)
    whatif = case.whatif_study
    if whatif is None or whatif.status != StudyStatus.DONE:
        raise ValidationError(_("Evaluate the mitigation with a what-if calculation first."))
    if not whatif.summary.get("passes"):
        raise ValidationError(
            _("The what-if calculation still fails; choose a stronger mitigation.")
        )
    with transaction.atomic(), acting_as(user):
        case.mitigation_accepted = True
        case.save()
        _event(
            case, user=user, action=CaseAction.MITIGATION, note=note or _("Mitigation accepted.")
        )
    return case


def case_reject(*, user, case: CoordinationCase, reason: str) -> CoordinationCase:
    require_regulator(user)
    if case.state in (CaseState.CLOSED, CaseState.REJECTED):
        raise ValidationError(_("The case is already finished."))
    if not reason.strip():
        raise ValidationError({"rejection_reason": _("Give the reason for the rejection.")})
    previous = case.state
    with transaction.atomic(), acting_as(user):
        case.state = CaseState.REJECTED
        case.rejection_reason = reason
        case.closed_at = timezone.now()
        case.deadline = None
        case.save()
        _event(
            case,
            user=user,
            action=CaseAction.REJECTED,
            from_state=previous,
            to_state=CaseState.REJECTED,
            note=reason,
        )
    return case


def case_comment(*, user, case: CoordinationCase, note: str) -> CaseEvent:
    _require_case_party(user, case)
    if not note.strip():
        raise ValidationError({"note": _("Write a comment.")})
    return _event(case, user=user, action=CaseAction.COMMENT, note=note)


def case_add_document(*, user, case: CoordinationCase, title: str, upload) -> CaseDocument:
    _require_case_party(user, case)
    filename = safe_filename(upload.name)
    document = CaseDocument(
        case=case, title=title or filename, file=upload, filename=filename, uploaded_by=user
    )
    document.full_clean()
    with transaction.atomic(), acting_as(user):
        document.save()
        _event(case, user=user, action=CaseAction.DOCUMENT, note=document.title)
    return document
