"""HTTP face of the identifier node, shaped like the Handle.net REST API: anonymous GET, Basic
auth (``index:prefix/name``, URL-encoded as pyhandle sends it) for PUT and DELETE. Not a session
API, so no CSRF token: it never reads the session."""

from __future__ import annotations

import base64
import binascii
import json
from urllib.parse import unquote

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from xizang5g.industry import handles
from xizang5g.industry.handles import HandleError


def _answer(status: int, body: dict) -> JsonResponse:
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def _indexes(request) -> list[int] | None:
    raw = [v for v in request.GET.getlist("index") if v != "various"]
    if not raw:
        return None
    try:
        return [int(v) for v in raw]
    except ValueError as exc:
        raise HandleError(400, handles.ERROR, "index must be an integer.") from exc


def _overwrite(request) -> bool | None:
    value = request.GET.get("overwrite")
    if value is None:
        return None
    if value.lower() not in ("true", "false"):
        raise HandleError(400, handles.ERROR, "overwrite must be true or false.")
    return value.lower() == "true"


def _writer(request) -> handles.Writer:
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() != "basic" or not token:
        raise HandleError(401, handles.AUTH_NEEDED, "Basic authentication is required to write.")
    try:
        decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise HandleError(401, handles.AUTH_NEEDED, "Unreadable Basic credentials.") from exc
    username, sep, password = decoded.partition(":")
    # pyhandle percent-encodes the user name ("300%3A88.118.8/ADMIN"); a raw "300:..." user name
    # splits at its own colon, so it is put back together.
    if sep and username.isdigit():
        rest_user, _s, password = password.partition(":")
        username = f"{username}:{rest_user}"
    return handles.authenticate(unquote(username), password)


@csrf_exempt
def handle_record(request, handle: str):
    try:
        if request.method == "GET":
            types = request.GET.getlist("type") or None
            return _answer(*handles.resolve(handle, indexes=_indexes(request), types=types))
        if request.method == "PUT":
            writer = _writer(request)
            try:
                body = json.loads(request.body or b"null")
            except (ValueError, UnicodeDecodeError) as exc:
                raise HandleError(400, handles.ERROR, "The body is not JSON.") from exc
            return _answer(
                *handles.handle_put(
                    writer=writer,
                    handle=handle,
                    body=body,
                    indexes=_indexes(request),
                    overwrite=_overwrite(request),
                )
            )
        if request.method == "DELETE":
            writer = _writer(request)
            return _answer(
                *handles.handle_delete(writer=writer, handle=handle, indexes=_indexes(request))
            )
        response = _answer(405, {"responseCode": handles.ERROR, "message": "Method not allowed."})
        response["Allow"] = "GET, PUT, DELETE"
        return response
    except HandleError as exc:
        response = _answer(
            exc.status, {"responseCode": exc.code, "handle": handle, "message": exc.message}
        )
        if exc.status == 401:
            response["WWW-Authenticate"] = 'Basic realm="handle"'
        return response
    except ValidationError as exc:
        return _answer(
            400,
            {"responseCode": handles.ERROR, "handle": handle, "message": "; ".join(exc.messages)},
        )
