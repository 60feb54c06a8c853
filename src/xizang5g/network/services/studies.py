"""Interference studies: creation with its checks, queueing as a job, cancellation, deletion.
The run itself (snapshot, computation, storage, alerts) is `study_runs.study_execute`."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from xizang5g.core.audit import acting_as
from xizang5g.core.models import AdminDivision
from xizang5g.network import constants as C
from xizang5g.network.choices import MitigationKind, StudyScope, StudyStatus
from xizang5g.network.models import InterferenceStudy, StudyPair, StudyStationResult, TerrainTile
from xizang5g.network.services.permissions import require_regulator

# The job is named rather than imported: network.tasks imports these services for its body.
STUDY_JOB = "xizang5g.network.tasks.run_interference_study"


def study_create(
    *,
    user,
    name: str,
    scope: str,
    earth_stations=(),
    division: AdminDivision | None = None,
    coordination_km: float = C.DEFAULT_COORDINATION_KM,
    p_percent: float = C.P_PERCENT_LONG_TERM,
    cell_ids: list[int] | None = None,
    mitigation: dict | None = None,
    parent: InterferenceStudy | None = None,
    enqueue: bool = True,
    profile_spacing_m: float | None = None,
) -> InterferenceStudy:
    """Create a study and queue it as a background job (regulators and the plan office)."""
    require_regulator(user)
    if not (1.0 <= coordination_km <= C.MAX_COORDINATION_KM):
        raise ValidationError(
            {
                "coordination_km": _("The coordination distance must be 1–%(max)s km.")
                % {"max": C.MAX_COORDINATION_KM}
            }
        )
    if not (0.001 <= p_percent <= 50):
        raise ValidationError({"p_percent": _("The time percentage must be 0.001–50 %.")})
    stations = list(earth_stations)
    if scope == StudyScope.STATIONS and not stations:
        raise ValidationError({"earth_stations": _("Choose at least one earth station.")})
    if scope == StudyScope.COUNTY and division is None:
        raise ValidationError({"division": _("Choose a county.")})
    if not TerrainTile.objects.filter(is_active=True).exists():
        raise ValidationError(
            _("No terrain is registered: register a DEM tile (or run network_demo) first.")
        )
    if mitigation:
        mitigation_validate(mitigation)
    study = InterferenceStudy(
        name=name,
        scope=scope,
        division=division,
        coordination_km=coordination_km,
        p_percent=p_percent,
        mitigation=mitigation or {},
        parent=parent,
        created_by=user,
        inputs={"cell_ids": sorted(cell_ids)} if cell_ids else {},
    )
    if profile_spacing_m is not None:
        if not (30.0 <= profile_spacing_m <= 2000.0):
            raise ValidationError({"inputs": _("The profile spacing must be 30–2000 m.")})
        study.inputs["spacing_m"] = float(profile_spacing_m)
    study.full_clean()
    with transaction.atomic(), acting_as(user):
        study.save()
        if stations:
            study.earth_stations.set(stations)
    if enqueue:
        transaction.on_commit(lambda: _enqueue_study(study.pk))
    return study


def study_delete(*, user, study: InterferenceStudy) -> None:
    """Delete a study; its (possibly millions of) pair rows go in one SQL statement."""

    require_regulator(user)
    if study.is_active:
        raise ValidationError(_("Cancel the study before deleting it."))
    with transaction.atomic(), acting_as(user):
        study_pairs_delete(study_id=study.pk)
        StudyStationResult.objects.filter(study=study).delete()
        study.delete()


def study_pairs_delete(*, study_id: int) -> None:
    """Delete a study's (possibly millions of) pair rows in one statement (a data table that is
    not change-logged)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {StudyPair._meta.db_table} WHERE study_id = %s", [study_id])


def _enqueue_study(study_id: int) -> None:
    result = import_string(STUDY_JOB).enqueue(study_id)
    study = InterferenceStudy.objects.get(pk=study_id)
    if not study.task_id:
        study.task_id = str(result.id)
        study.save(update_fields=["task_id", "updated_at"])


def study_cancel(*, user, study: InterferenceStudy) -> InterferenceStudy:
    require_regulator(user)
    if not study.is_active:
        raise ValidationError(_("Only a queued or running study can be cancelled."))
    with acting_as(user):
        study.cancel_requested = True
        if study.status == StudyStatus.QUEUED:
            study.status = StudyStatus.CANCELLED
            study.finished_at = timezone.now()
        study.save()
    return study


def mitigation_validate(mitigation: dict) -> None:
    kind = mitigation.get("kind")
    if kind not in MitigationKind.values:
        raise ValidationError({"mitigation": _("Unknown mitigation “%(k)s”.") % {"k": kind}})
    needs = {
        MitigationKind.LNB_FILTER: ("rejection_db",),
        MitigationKind.POWER_REDUCTION: ("reduction_db",),
        MitigationKind.AZIMUTH_TILT: (),
        MitigationKind.SITE_MOVE: ("lon", "lat"),
    }[kind]
    missing = [k for k in needs if mitigation.get(k) in (None, "")]
    if missing:
        raise ValidationError(
            {"mitigation": _("Missing mitigation values: %(m)s") % {"m": ", ".join(missing)}}
        )
    if (
        kind == MitigationKind.AZIMUTH_TILT
        and mitigation.get("azimuth_deg") in (None, "")
        and mitigation.get("downtilt_deg") in (None, "")
    ):
        raise ValidationError({"mitigation": _("Give a new azimuth and/or downtilt.")})
    for key in ("rejection_db", "reduction_db"):
        if key in mitigation and not (0 <= float(mitigation[key]) <= 80):
            raise ValidationError({"mitigation": _("%(k)s must be 0–80 dB.") % {"k": key}})
