"""The FHIR R4 endpoint (/fhir/r4/): read and search of the health app's resources, and the
CapabilityStatement. Authenticated like the API (a bearer token or the session); every read goes
through the access rule, and an object the user may not read answers 404 like a missing one."""

from __future__ import annotations

import re
from datetime import datetime, time

from django.http import JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.http import require_GET

from xizang5g.core.api_auth import TokenAuth
from xizang5g.core.models import Unit
from xizang5g.health import fhir
from xizang5g.health.models import Ambulance, EmergencyCall, VitalSigns

CONTENT_TYPE = "application/fhir+json"
MAX_COUNT = 500
DEFAULT_COUNT = 100


class FhirError(Exception):
    def __init__(self, status: int, code: str, text: str):
        super().__init__(text)
        self.status, self.code, self.text = status, code, text


def _answer(body: dict, status: int = 200) -> JsonResponse:
    return JsonResponse(
        body, status=status, content_type=CONTENT_TYPE, json_dumps_params={"ensure_ascii": False}
    )


def _user(request):
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        user = TokenAuth().authenticate(request, header[7:].strip())
        if user is None:
            raise FhirError(401, "login", "The token is not valid.")
        return user
    if request.user.is_authenticated:
        return request.user
    raise FhirError(401, "login", "Log in or send a bearer token.")


def _handled(view):
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except FhirError as exc:
            response = _answer(fhir.operation_outcome(exc.code, exc.text), exc.status)
            if exc.status == 401:
                response["WWW-Authenticate"] = "Bearer"
            return response

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return require_GET(wrapped)


def _int_id(value: str, prefix: str = "") -> int:
    match = re.fullmatch(re.escape(prefix) + r"(\d{1,18})", value or "")
    if not match:
        raise FhirError(404, "not-found", "No such resource, or you may not see it.")
    return int(match.group(1))


def _reference(value: str, kind: str, prefix: str = "") -> int:
    """The id in a reference search value (`Patient/call-7` or `call-7`)."""
    value = value.removeprefix(f"{kind}/")
    match = re.fullmatch(re.escape(prefix) + r"(\d{1,18})", value)
    if not match:
        raise FhirError(400, "invalid", f"{kind} reference {value!r} is not one of this server's.")
    return int(match.group(1))


def _date_filters(values: list[str], field: str) -> dict:
    """FHIR date search (eq, ge, le, gt, lt prefixes; a date or a date-time)."""
    lookups = {}
    for raw in values:
        prefix, text = (
            (raw[:2], raw[2:]) if raw[:2] in ("eq", "ge", "le", "gt", "lt") else ("eq", raw)
        )
        moment = parse_datetime(text)
        day = parse_date(text) if moment is None else None
        if moment is None and day is None:
            raise FhirError(400, "invalid", f"date: {raw!r} is not a date or a date-time.")
        if moment is not None and timezone.is_naive(moment):
            moment = timezone.make_aware(moment, timezone.get_default_timezone())
        if day is not None:
            start = timezone.make_aware(datetime.combine(day, time.min))
            end = timezone.make_aware(datetime.combine(day, time.max))
        else:
            start = end = moment
        if prefix == "eq":
            lookups[f"{field}__gte"], lookups[f"{field}__lte"] = start, end
        elif prefix == "ge":
            lookups[f"{field}__gte"] = start
        elif prefix == "gt":
            lookups[f"{field}__gt"] = end
        elif prefix == "le":
            lookups[f"{field}__lte"] = end
        else:
            lookups[f"{field}__lt"] = start
    return lookups


def _paging(request) -> tuple[int, int]:
    try:
        count = int(request.GET.get("_count", DEFAULT_COUNT))
        offset = int(request.GET.get("_offset", 0))
    except ValueError as exc:
        raise FhirError(400, "invalid", "_count and _offset are whole numbers.") from exc
    if not (1 <= count <= MAX_COUNT) or offset < 0:
        raise FhirError(400, "invalid", f"_count is 1–{MAX_COUNT} and _offset from 0.")
    return count, offset


def _bundle(request, kind: str, total: int, resources: list[dict], count: int, offset: int) -> dict:
    base = request.build_absolute_uri("/fhir/r4/")
    links = [{"relation": "self", "url": request.build_absolute_uri()}]
    if offset + count < total:
        query = request.GET.copy()
        query["_offset"] = str(offset + count)
        query["_count"] = str(count)
        links.append({"relation": "next", "url": f"{base}{kind}?{query.urlencode()}"})
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": total,
        "link": links,
        "entry": [
            {
                "fullUrl": f"{base}{r['resourceType']}/{r['id']}",
                "resource": r,
                "search": {"mode": "match"},
            }
            for r in resources
        ],
    }


# ------------------------------------------------------------------------------ per type
def _calls(user):
    return EmergencyCall.objects.restrict(user).order_by("pk")


def _observation_keys(request) -> list[str]:
    keys = list(fhir.OBSERVATION_KEYS)
    categories = request.GET.getlist("category")
    if categories:
        wanted = {c.rpartition("|")[2] for c in ",".join(categories).split(",")}
        keys = [k for k in keys if _category_of(k) in wanted]
    codes = request.GET.getlist("code")
    if codes:
        wanted = {c.rpartition("|")[2] for c in ",".join(codes).split(",")}
        keys = [k for k in keys if wanted & _codes_of(k)]
    return keys


def _category_of(key: str) -> str:
    if key in fhir.VITALS:
        return fhir.VITALS[key][0]
    return fhir.ACVPU[0] if key == "acvpu" else fhir.NEWS2[0]


def _codes_of(key: str) -> set[str]:
    if key in fhir.VITALS:
        return {c for c, _d in fhir.VITALS[key][1]}
    return {c for c, _d in fhir.ACVPU[1]} if key == "acvpu" else {fhir.NEWS2[1]}


def _search_observations(request, user, count, offset):
    rows = VitalSigns.objects.restrict(user).order_by("time", "pk")
    if request.GET.get("patient"):
        rows = rows.filter(call_id=_reference(request.GET["patient"], "Patient", "call-"))
    if request.GET.get("encounter"):
        rows = rows.filter(call_id=_reference(request.GET["encounter"], "Encounter"))
    rows = rows.filter(**_date_filters(request.GET.getlist("date"), "time"))
    keys = _observation_keys(request)
    total = rows.count() * len(keys)
    if not keys or offset >= total:
        return total, []
    first_row, skip = divmod(offset, len(keys))
    needed_rows = (skip + count + len(keys) - 1) // len(keys) + 1
    out = []
    for vitals in rows[first_row : first_row + needed_rows]:
        out.extend(fhir.observation(vitals, key) for key in keys)
    return total, out[skip : skip + count]


def _search(request, kind: str, user, count: int, offset: int) -> tuple[int, list[dict]]:
    if kind == "Observation":
        return _search_observations(request, user, count, offset)
    if kind in ("Patient", "Encounter"):
        calls = _calls(user)
        if request.GET.get("_id"):
            calls = calls.filter(
                pk=_reference(request.GET["_id"], kind, "call-" if kind == "Patient" else "")
            )
        if kind == "Encounter" and request.GET.get("patient"):
            calls = calls.filter(pk=_reference(request.GET["patient"], "Patient", "call-"))
        if kind == "Encounter":
            calls = calls.filter(**_date_filters(request.GET.getlist("date"), "received_at"))
        build = fhir.patient if kind == "Patient" else fhir.encounter
        return calls.count(), [build(c) for c in calls[offset : offset + count]]
    if kind == "Location":
        rows = Ambulance.objects.restrict(user).order_by("pk")
        if request.GET.get("_id"):
            rows = rows.filter(pk=_reference(request.GET["_id"], kind, "amb-"))
        return rows.count(), [fhir.location(a) for a in rows[offset : offset + count]]
    if kind == "Organization":
        rows = Unit.objects.restrict(user).order_by("pk")
        if request.GET.get("_id"):
            rows = rows.filter(pk=_reference(request.GET["_id"], kind))
        return rows.count(), [fhir.organization(u) for u in rows[offset : offset + count]]
    raise FhirError(404, "not-supported", f"This server has no {kind} resources.")


def _read(kind: str, user, rid: str) -> dict:
    missing = FhirError(404, "not-found", "No such resource, or you may not see it.")
    if kind == "Patient":
        call = _calls(user).filter(pk=_int_id(rid, "call-")).first()
        return fhir.patient(call) if call else _raise(missing)
    if kind == "Encounter":
        call = _calls(user).filter(pk=_int_id(rid)).first()
        return fhir.encounter(call) if call else _raise(missing)
    if kind == "Observation":
        match = re.fullmatch(r"(\d{1,18})-([a-z0-9]+)", rid)
        if not match or match.group(2) not in fhir.OBSERVATION_KEYS:
            raise missing
        vitals = VitalSigns.objects.restrict(user).filter(pk=int(match.group(1))).first()
        return fhir.observation(vitals, match.group(2)) if vitals else _raise(missing)
    if kind == "Location":
        ambulance = Ambulance.objects.restrict(user).filter(pk=_int_id(rid, "amb-")).first()
        return fhir.location(ambulance) if ambulance else _raise(missing)
    if kind == "Organization":
        unit = Unit.objects.restrict(user).filter(pk=_int_id(rid)).first()
        return fhir.organization(unit) if unit else _raise(missing)
    raise FhirError(404, "not-supported", f"This server has no {kind} resources.")


def _raise(exc):
    raise exc


# ------------------------------------------------------------------------------ views
@_handled
def metadata(request):
    """The CapabilityStatement (public, as FHIR servers publish it)."""
    return _answer(
        fhir.capability_statement(request.build_absolute_uri("/fhir/r4/"), now=timezone.now())
    )


@_handled
def search(request, kind: str):
    user = _user(request)
    count, offset = _paging(request)
    total, resources = _search(request, kind, user, count, offset)
    return _answer(_bundle(request, kind, total, resources, count, offset))


@_handled
def read(request, kind: str, rid: str):
    return _answer(_read(kind, _user(request), rid))
