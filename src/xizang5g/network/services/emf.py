"""EMF (GB 8702-2014): site assessments and imported measurement records."""

from __future__ import annotations

import math
from datetime import datetime

import numpy as np
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from xizang5g.core import access
from xizang5g.core.choices import AlertSeverity, AlertSource
from xizang5g.core.services import alert_raise
from xizang5g.core.texts import Text
from xizang5g.network import constants as C
from xizang5g.network import engine
from xizang5g.network.choices import StationStatus
from xizang5g.network.models import Cell, EmfAssessment, EmfMeasurement, Site
from xizang5g.network.services.imports import (
    ImportResult,
    RowError,
    checks_passed,
    noop_progress,
    parse_number,
    parse_rows,
    parse_text,
    read_table,
    rows_to_check,
)
from xizang5g.network.services.permissions import is_regulator


def emf_assess_site(*, site: Site, user=None, raise_alerts: bool = True) -> EmfAssessment:
    """GB 8702-2014 assessment of a site, summing the cells of every operator within 50 m."""
    dlat = C.EMF_COSITE_RADIUS_M / 111_320.0
    dlon = dlat / max(math.cos(math.radians(site.lat)), 0.1)
    cells = list(
        Cell.objects.filter(
            site__lat__range=(site.lat - dlat, site.lat + dlat),
            site__lon__range=(site.lon - dlon, site.lon + dlon),
        )
        .exclude(status=StationStatus.DECOMMISSIONED)
        .select_related("site", "operator")
    )
    cells = [
        c
        for c in cells
        if float(
            engine.terrain.great_circle_distance_km(site.lon, site.lat, c.site.lon, c.site.lat)
        )
        * 1000
        <= C.EMF_COSITE_RADIUS_M
    ]
    if not cells:
        raise ValidationError(_("Site %(s)s has no active cells to assess.") % {"s": site.code})
    result = engine.emf_site(
        eirp_dbm=np.array([c.eirp_dbm for c in cells]),
        g0_dbi=np.array([c.gain_dbi for c in cells]),
        phi3_deg=np.array([c.beamwidth_deg for c in cells]),
        height_m=np.array([c.height_m for c in cells]),
        mech_tilt_deg=np.array([c.mech_tilt_deg for c in cells]),
        elec_tilt_deg=np.array([c.elec_tilt_deg for c in cells]),
        f_mhz=np.array([c.f_mhz for c in cells]),
        public_height_m=C.EMF_PUBLIC_HEIGHT_M,
    )
    assessment = EmfAssessment.objects.create(
        site=site,
        n_cells=len(cells),
        compliance_distance_m=result["compliance_distance_m"],
        max_public_ratio=result["max_ratio"],
        max_public_s_w_m2=result["max_s_w_m2"],
        max_public_at_m=result["at_m"],
        passes=result["max_ratio"] <= 1.0,
        details={
            "cells": [
                {
                    "code": c.code,
                    "operator": str(c.operator),
                    "f_mhz": c.f_mhz,
                    "eirp_dbm": c.eirp_dbm,
                }
                for c in cells
            ],
            "profile_m": result["profile_m"],
            "profile_ratio": result["profile_ratio"],
            "standard": "GB 8702-2014",
            "public_height_m": C.EMF_PUBLIC_HEIGHT_M,
        },
    )
    if raise_alerts and not assessment.passes:
        alert_raise(
            source=AlertSource.EMF,
            dedup_key=f"network:emf:site:{site.pk}",
            title=Text(
                gettext_noop("EMF exceedance at site %(s)s: %(r).0f %% of the GB 8702-2014 limit"),
                s=site.name,
                r=assessment.max_public_ratio * 100,
            ),
            severity=AlertSeverity.MAJOR,
            rule="network.emf.assessment",
            unit=site.operator,
            obj=site,
            details={"assessment_id": assessment.pk, "ratio": assessment.max_public_ratio},
        )
    return assessment


EMF_COLUMNS = [
    ("point", "point 监测点位", True, parse_text),
    ("site_code", "site_code 站址编码", False, parse_text),
    ("lon", "lon 经度", True, parse_number),
    ("lat", "lat 纬度", True, parse_number),
    ("measured_at", "measured_at 监测时间(YYYY-MM-DD HH:MM)", True, lambda v: v),
    ("f_mhz", "f_mhz 频率(MHz)", True, parse_number),
    ("e_v_m", "e_v_m 电场强度(V/m)", True, parse_number),
    ("agency", "agency 监测单位", False, parse_text),
]


def _parse_time(value) -> datetime:
    if isinstance(value, datetime):
        parsed = value
    else:
        text = parse_text(value)
        for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%Y/%m/%d %H:%M"):
            try:
                parsed = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        else:
            raise ValueError(text)
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def emf_measurements_import(
    *, user, content: bytes, filename: str, progress=noop_progress
) -> ImportResult:
    """Import HJ 1151-2020 style measurement records; exceedances raise EMF alerts."""

    if not access.role_may(user, access.CHANGE, Site):
        raise PermissionDenied(_("Your role does not allow importing measurements."))
    rows = read_table(content=content, filename=filename)
    parsed, errors = parse_rows(rows, EMF_COLUMNS)
    records = []
    # Only sites the user keeps: an operator measures its own sites, the regulator any.
    sites = {s.code: s for s in Site.objects.restrict(user, access.CHANGE)}
    for number, values in rows_to_check(parsed, errors, progress):
        try:
            when = _parse_time(values["measured_at"])
        except ValueError:
            errors.append(
                RowError(
                    number,
                    "measured_at",
                    _("“%(v)s” is not a date and time") % {"v": values["measured_at"]},
                )
            )
            continue
        site = None
        if values.get("site_code"):
            site = sites.get(values["site_code"])
            if site is None:
                errors.append(
                    RowError(number, "site_code", _("unknown site code, or not a site of yours"))
                )
                continue
        elif not is_regulator(user):
            errors.append(RowError(number, "site_code", _("give the site that was measured")))
            continue
        if values["e_v_m"] < 0 or not (30 <= values["f_mhz"] <= 15000):
            errors.append(RowError(number, "f_mhz", _("frequency must be 30–15000 MHz and E ≥ 0")))
            continue
        limit = float(engine.emf_e_limit_v_m(values["f_mhz"]))
        records.append(
            EmfMeasurement(
                site=site,
                point=values["point"],
                lon=values["lon"],
                lat=values["lat"],
                measured_at=when,
                f_mhz=values["f_mhz"],
                e_v_m=values["e_v_m"],
                s_w_m2=float(engine.field_strength_to_power_density(values["e_v_m"])),
                limit_e_v_m=limit,
                exceeds=values["e_v_m"] > limit,
                agency=values.get("agency", ""),
            )
        )
    checks_passed(parsed, errors, progress)
    with transaction.atomic():
        EmfMeasurement.objects.bulk_create(records)  # measurement data, not change-logged
    for record in records:
        if record.exceeds:
            alert_raise(
                source=AlertSource.EMF,
                dedup_key=f"network:emf:point:{record.point}",
                title=Text(
                    gettext_noop(
                        "Measured EMF above the limit at %(p)s: %(e).1f V/m (limit %(l).1f V/m)"
                    ),
                    p=record.point,
                    e=record.e_v_m,
                    l=record.limit_e_v_m,
                ),
                severity=AlertSeverity.MAJOR,
                rule="network.emf.measurement",
                unit=record.site.operator if record.site else None,
                obj=record.site,
                details={
                    "e_v_m": record.e_v_m,
                    "limit_e_v_m": record.limit_e_v_m,
                    "f_mhz": record.f_mhz,
                },
            )
    return ImportResult(created=len(records), rows=len(records))
