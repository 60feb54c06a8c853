"""The xAPI resources over HTTP (xAPI 1.0.3 "Communication" and IEEE 9274.1.1 xAPI 2.0).

Mounted at ``/xapi/`` outside the platform's API: the LRS authenticates with its own Basic
key/secret (:class:`~xizang5g.edu.models.LrsCredential`), never the user session, and is exempt
from CSRF (no cookie is ever used).
"""

from __future__ import annotations

import base64
import email.parser
import email.policy
import hashlib
import json
import os
import re
import uuid as uuidlib
from datetime import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.http import HttpResponse, QueryDict
from django.utils import timezone
from django.utils.http import http_date
from django.views.decorators.csrf import csrf_exempt

from xizang5g.edu.xapi import store, validate
from xizang5g.edu.xapi.store import Caller, DocKey, Invalid

SUPPORTED = {"1.0": "1.0.3", "2.0": "2.0.0"}
ABOUT_VERSIONS = ["1.0.3", "2.0.0"]
STATEMENT_PARAMS = {
    "statementId",
    "voidedStatementId",
    "agent",
    "verb",
    "activity",
    "registration",
    "related_activities",
    "related_agents",
    "since",
    "until",
    "limit",
    "format",
    "attachments",
    "ascending",
    "more",
}


class HttpError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


class Req:
    """A request after the alternate request syntax is unfolded (xAPI 1.0.3 §1.3)."""

    def __init__(self, request):
        self.method = request.method
        self.params = dict(request.GET.items())
        self.headers = {k.lower(): v for k, v in request.headers.items()}
        self.body = request.body
        self.content_type = self.headers.get("content-type", "")
        self.path = request.path
        self.build_uri = request.build_absolute_uri
        if self.method == "POST" and "method" in self.params:
            self._alternate()

    def _alternate(self):
        method = self.params.pop("method").upper()
        if self.params:
            raise HttpError(400, "alternate request syntax: no other query parameters allowed")
        if method not in ("GET", "PUT", "POST", "DELETE", "HEAD"):
            raise HttpError(400, f"alternate request syntax: unknown method {method}")
        if not self.content_type.lower().startswith("application/x-www-form-urlencoded"):
            raise HttpError(
                400, "alternate request syntax: the body must be application/x-www-form-urlencoded"
            )
        form = QueryDict(self.body, encoding="utf-8")
        self.method = method
        self.content_type = ""
        self.body = b""
        for key, value in form.items():
            lowered = key.lower()
            if lowered in ("authorization", "x-experience-api-version", "content-type"):
                self.headers[lowered] = value
                if lowered == "content-type":
                    self.content_type = value
            elif lowered in ("if-match", "if-none-match", "content-length"):
                self.headers[lowered] = value
            elif key == "content":
                self.body = value.encode()
                self.content_type = self.content_type or "application/json"
            else:
                self.params[key] = value
        if self.body and not self.content_type:
            self.content_type = "application/json"
        self.headers["content-type"] = self.content_type

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


def _respond(status: int, data=None, *, version: str = "", content_type=None, body=None):
    if data is not None:
        body = store.json_bytes(data)
        content_type = "application/json"
    response = HttpResponse(body or b"", status=status, content_type=content_type)
    response["X-Experience-API-Version"] = version or latest_version()
    return response


def _consistent(response) -> None:
    response["X-Experience-API-Consistent-Through"] = store.format_time(timezone.now())


def _error(status: int, message: str, version: str = "") -> HttpResponse:
    response = _respond(status, {"error": message}, version=version)
    _consistent(response)
    if status == 401:
        response["WWW-Authenticate"] = 'Basic realm="xAPI"'
    return response


def latest_version() -> str:
    """The version this LRS answers in when a request names none: the latest it supports
    (xAPI 2.0 §4.1.1); XZ5G_XAPI_DEFAULT_VERSION=1.0.3 makes it behave as a 1.0.3-only LRS."""
    default = os.environ.get("XZ5G_XAPI_DEFAULT_VERSION", "2.0.0")
    return getattr(settings, "XZ5G_XAPI_DEFAULT_VERSION", default)


def _version(req: Req) -> str:
    value = req.header("X-Experience-API-Version")
    if not value:
        raise HttpError(400, "the X-Experience-API-Version header is required")
    match = re.match(r"^(1\.0|2\.0)(\.\d+)?$", value.strip())
    if not match:
        raise HttpError(400, f"X-Experience-API-Version {value} is not supported")
    return SUPPORTED[match[1]]


def _caller(req: Req) -> Caller:
    header = req.header("Authorization") or ""
    if not header.lower().startswith("basic "):
        raise HttpError(401, "Basic authentication with an LRS key and secret is required")
    try:
        key, _sep, secret = base64.b64decode(header[6:].strip()).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        raise HttpError(401, "the Authorization header is not valid Basic credentials") from None
    credential = store.authenticate(key, secret)
    if credential is None:
        raise HttpError(401, "unknown key or wrong secret")
    return Caller(credential)


def resource(handler):
    """Wrap a resource: alternate syntax, version, authentication, errors, HEAD."""

    @csrf_exempt
    def view(request):
        version = latest_version()
        try:
            req = Req(request)
            version = _version(req)
            if version.startswith("2") and request.method == "POST" and "method" in request.GET:
                raise HttpError(400, "xAPI 2.0 has no alternate request syntax")
            caller = _caller(req)
            head = req.method == "HEAD"
            if head:
                req.method = "GET"
            response = handler(req, caller, version)
            response["X-Experience-API-Version"] = version
            _consistent(response)
            if head:
                response["Content-Length"] = str(len(response.content))
                response.content = b""
            return response
        except HttpError as error:
            return _error(error.status, error.message, version)
        except Invalid as error:
            return _error(400, str(error), version)
        except store.Conflict as error:
            return _error(409, str(error), version)
        except store.NotFound:
            return _error(404, "not found", version)
        except store.PreconditionFailed as error:
            return _error(412, f"precondition failed: {error}", version)
        except store.ConditionMissing:
            return _error(400, "send If-Match or If-None-Match with a PUT of a profile", version)
        except store.PreconditionRequired:
            return _error(
                409, "the document exists: send If-Match or If-None-Match to change it", version
            )

    return view


# --- parameters -------------------------------------------------------------------------------


def _json_param(req: Req, name: str, *, required: bool = True):
    text = req.params.get(name)
    if text is None:
        if required:
            raise HttpError(400, f"the parameter {name} is required")
        return None
    try:
        return json.loads(text)
    except ValueError:
        raise HttpError(400, f"the parameter {name} is not valid JSON") from None


def _agent_param(req: Req, name: str = "agent", *, required: bool = True) -> dict | None:
    value = _json_param(req, name, required=required)
    if value is None:
        return None
    try:
        validate.actor(value, name)
    except Invalid as error:
        raise HttpError(400, str(error)) from None
    if not store.agent_key(value):
        raise HttpError(400, f"the parameter {name} must identify an Agent or identified Group")
    return value


def _bool_param(req: Req, name: str) -> bool:
    value = req.params.get(name, "false").lower()
    if value not in ("true", "false"):
        raise HttpError(400, f"the parameter {name} must be true or false")
    return value == "true"


def _time_param(req: Req, name: str) -> datetime | None:
    if name not in req.params:
        return None
    try:
        return validate.timestamp(req.params[name], name)
    except Invalid as error:
        raise HttpError(400, str(error)) from None


def _required(req: Req, name: str) -> str:
    value = req.params.get(name)
    if value is None or value == "":
        raise HttpError(400, f"the parameter {name} is required")
    return value


def _iri_param(req: Req, name: str) -> str:
    value = _required(req, name)
    try:
        return validate.iri(value, name)
    except Invalid as error:
        raise HttpError(400, str(error)) from None


def _check_params(req: Req, allowed: set[str]) -> None:
    for key in req.params:
        if key not in allowed:
            raise HttpError(400, f"the parameter {key} is not allowed here")


# --- statements -------------------------------------------------------------------------------


def _parse_body(req: Req) -> tuple[object, dict]:
    content_type = (req.content_type or "").lower()
    if content_type.startswith("multipart/mixed"):
        return _parse_multipart(req)
    if not content_type.startswith("application/json"):
        raise HttpError(400, "statements must be sent as application/json or multipart/mixed")
    try:
        return store.json_loads(req.body), {}
    except ValueError:
        raise HttpError(400, "the body is not valid JSON") from None


def _parse_multipart(req: Req) -> tuple[object, dict]:
    head = f"Content-Type: {req.content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + req.body)
    if not message.is_multipart():
        raise HttpError(400, "multipart/mixed body could not be read")
    parts = list(message.iter_parts())
    if not parts:
        raise HttpError(400, "multipart/mixed body has no parts")
    first = parts[0]
    if first.get_content_type() != "application/json":
        raise HttpError(400, "the first part of multipart/mixed must be application/json")
    try:
        statements = json.loads(first.get_payload(decode=True))
    except ValueError:
        raise HttpError(400, "the statement part is not valid JSON") from None
    attachments = {}
    for part in parts[1:]:
        sha2 = part.get("X-Experience-API-Hash")
        if not sha2:
            raise HttpError(400, "every attachment part needs an X-Experience-API-Hash header")
        if (part.get("Content-Transfer-Encoding") or "binary").lower() != "binary":
            raise HttpError(400, "attachment parts must use Content-Transfer-Encoding: binary")
        data = part.get_payload(decode=True) or b""
        if hashlib.sha256(data).hexdigest() != sha2.strip().lower():
            raise HttpError(400, f"the attachment part {sha2} does not match its hash")
        attachments[sha2.strip().lower()] = (part.get_content_type(), data)
    return statements, attachments


def _put_statement(req: Req, caller: Caller, version: str) -> HttpResponse:
    _check_params(req, {"statementId"})
    statement_id = _required(req, "statementId")
    try:
        validate.uuid(statement_id, "statementId")
    except Invalid as error:
        raise HttpError(400, str(error)) from None
    body, parts = _parse_body(req)
    if not isinstance(body, dict):
        raise HttpError(400, "PUT takes one statement (a JSON object)")
    if "id" in body and str(body["id"]).lower() != statement_id.lower():
        raise HttpError(400, "the statement's id differs from the statementId parameter")
    body = {**body, "id": statement_id}
    store.statements_store(statements=[body], caller=caller, version=version, attachments=parts)
    return _respond(204, version=version)


def _post_statements(req: Req, caller: Caller, version: str) -> HttpResponse:
    if req.params:
        raise HttpError(400, "POST /statements takes no query parameters")
    body, parts = _parse_body(req)
    batch = body if isinstance(body, list) else [body]
    if not batch:
        raise HttpError(400, "no statements sent")
    ids = store.statements_store(
        statements=batch, caller=caller, version=version, attachments=parts
    )
    return _respond(200, ids, version=version)


def _formatted(stmt: dict, fmt: str, languages: list[str]) -> dict:
    if fmt == "exact":
        return stmt
    if fmt == "ids":
        return _ids_only(stmt)
    return _canonical(stmt, languages)


def _ids_only(value):
    def actor(item):
        if not isinstance(item, dict):
            return item
        out = {"objectType": item.get("objectType", "Agent")}
        for key in store.IFI_KEYS:
            if key in item:
                out[key] = item[key]
        if out["objectType"] == "Group" and not store.agent_key(item):
            out["member"] = [actor(m) for m in item.get("member", [])]
        return out

    def obj(item):
        kind = item.get("objectType", "Activity")
        if kind == "Activity":
            return {"id": item["id"]}
        if kind in ("Agent", "Group"):
            return actor(item)
        if kind == "SubStatement":
            return {**body(item), "objectType": "SubStatement"}
        return item

    def body(item):
        out = dict(item)
        out["actor"] = actor(item["actor"])
        out["verb"] = {"id": item["verb"]["id"]}
        out["object"] = obj(item["object"])
        if "authority" in out:
            out["authority"] = actor(out["authority"])
        return out

    return body(value)


def _canonical(value, languages: list[str]):
    def pick(langmap: dict) -> dict:
        for lang in languages:
            for key in langmap:
                if key.lower() == lang.lower() or key.lower().split("-")[0] == lang.lower():
                    return {key: langmap[key]}
        for key in langmap:
            return {key: langmap[key]}
        return langmap

    def walk(item, key=None):
        if isinstance(item, dict):
            if key in ("display", "name", "description") and all(
                isinstance(v, str) for v in item.values()
            ):
                return pick(item)
            return {k: walk(v, k) for k, v in item.items()}
        if isinstance(item, list):
            return [walk(v) for v in item]
        return item

    return walk(value)


def _languages(req: Req) -> list[str]:
    header = req.header("Accept-Language") or ""
    out = []
    for part in header.split(","):
        lang = part.split(";")[0].strip()
        if lang and lang != "*":
            out.append(lang)
    return out


def _statements_response(req, version, statements: list[dict], rows, more: str | None, single):
    attachments = _bool_param(req, "attachments")
    data = statements[0] if single else {"statements": statements, "more": more or ""}
    consistent = store.format_time(timezone.now())
    if not attachments:
        response = _respond(200, data, version=version)
    else:
        boundary = uuidlib.uuid4().hex
        parts = [
            f"--{boundary}\r\nContent-Type: application/json\r\n\r\n".encode()
            + store.json_bytes(data)
            + b"\r\n"
        ]
        for item in store.attachments_for(rows):
            with item.file.open("rb") as handle:
                content = handle.read()
            parts.append(
                (
                    f"--{boundary}\r\nContent-Type: {item.content_type}\r\n"
                    "Content-Transfer-Encoding: binary\r\n"
                    f"X-Experience-API-Hash: {item.sha2}\r\n\r\n"
                ).encode()
                + content
                + b"\r\n"
            )
        body = b"".join(parts) + f"--{boundary}--".encode()
        response = _respond(
            200,
            version=version,
            body=body,
            content_type=f'multipart/mixed; boundary="{boundary}"',
        )
    response["X-Experience-API-Consistent-Through"] = consistent
    if single and rows:
        response["Last-Modified"] = http_date(rows[0].stored.timestamp())
    return response


def _get_statements(req: Req, caller: Caller, version: str) -> HttpResponse:
    _check_params(req, STATEMENT_PARAMS)
    fmt = req.params.get("format", "exact")
    if fmt not in ("exact", "ids", "canonical"):
        raise HttpError(400, "format must be exact, ids or canonical")
    languages = _languages(req)
    _bool_param(req, "attachments")
    single_keys = {"statementId", "voidedStatementId"} & set(req.params)
    if single_keys:
        if len(single_keys) > 1 or set(req.params) - {
            "statementId",
            "voidedStatementId",
            "format",
            "attachments",
        }:
            raise HttpError(
                400, "statementId/voidedStatementId go with format and attachments only"
            )
        key = single_keys.pop()
        statement_id = req.params[key]
        try:
            validate.uuid(statement_id, key)
        except Invalid as error:
            raise HttpError(400, str(error)) from None
        row = store.statement_get(
            caller=caller, statement_id=statement_id, voided=key == "voidedStatementId"
        )
        return _statements_response(
            req, version, [_formatted(row.payload, fmt, languages)], [row], None, True
        )
    if "more" in req.params:
        try:
            params, after = store.more_params(req.params["more"])
        except signing.BadSignature:
            raise HttpError(400, "the more link is not valid or has expired") from None
    else:
        params, after = _filters(req), None
    rows, has_more = store.statements_query(caller=caller, params=params, after=after)
    more = None
    if has_more:
        token = store.more_token(params, rows[-1])
        extra = {k: req.params[k] for k in ("format", "attachments") if k in req.params} | {
            "more": token
        }
        more = "/xapi/statements?" + urlencode(extra)
    statements = [_formatted(r.payload, params.get("format", fmt), languages) for r in rows]
    return _statements_response(req, version, statements, rows, more, False)


def _filters(req: Req) -> dict:
    params: dict = {}
    agent = _agent_param(req, required=False)
    if agent is not None:
        params["agent"] = store.agent_key(agent)
    if "verb" in req.params:
        params["verb"] = _iri_param(req, "verb")
    if "activity" in req.params:
        params["activity"] = _iri_param(req, "activity")
    if "registration" in req.params:
        try:
            params["registration"] = validate.uuid(req.params["registration"], "registration")
        except Invalid as error:
            raise HttpError(400, str(error)) from None
        params["registration"] = params["registration"].lower()
    for key in ("related_activities", "related_agents", "ascending"):
        if key in req.params:
            params[key] = _bool_param(req, key)
    for key in ("since", "until"):
        value = _time_param(req, key)
        if value is not None:
            params[key] = value
    if "limit" in req.params:
        try:
            limit = int(req.params["limit"])
        except ValueError:
            raise HttpError(400, "limit must be a non-negative integer") from None
        if limit < 0:
            raise HttpError(400, "limit must be a non-negative integer")
        params["limit"] = limit
    params["format"] = req.params.get("format", "exact")
    return params


@resource
def statements(req: Req, caller: Caller, version: str) -> HttpResponse:
    if req.method == "GET":
        return _get_statements(req, caller, version)
    if req.method == "PUT":
        return _put_statement(req, caller, version)
    if req.method == "POST":
        return _post_statements(req, caller, version)
    raise HttpError(405, f"{req.method} is not allowed on /statements")


# --- documents --------------------------------------------------------------------------------


def _document_response(row, version: str) -> HttpResponse:
    response = _respond(
        200, version=version, body=bytes(row.content), content_type=row.content_type
    )
    response["ETag"] = f'"{row.etag}"'
    response["Last-Modified"] = http_date(row.updated.timestamp())
    return response


def _document(req: Req, caller: Caller, version: str, key: DocKey, id_name: str, since_ok: bool):
    doc_id = req.params.get(id_name)
    if_match = req.header("If-Match")
    if_none_match = req.header("If-None-Match")
    if req.method == "GET":
        if doc_id is not None:
            return _document_response(
                store.document_get(caller=caller, key=key, doc_id=doc_id), version
            )
        since = _time_param(req, "since")
        ids = store.document_ids(caller=caller, key=key, since=since)
        return _respond(200, ids, version=version)
    if req.method in ("PUT", "POST"):
        if doc_id is None:
            raise HttpError(400, f"the parameter {id_name} is required")
        content_type = req.content_type or "application/octet-stream"
        require = key.kind != "state" or version.startswith("2")
        if req.method == "PUT" and store._is_json(content_type):
            try:
                json.loads(req.body or b"null")
            except ValueError:
                raise HttpError(400, "the document is declared JSON but is not") from None
        row = store.document_put(
            caller=caller,
            key=key,
            doc_id=doc_id,
            content=req.body,
            content_type=content_type,
            merge=req.method == "POST",
            if_match=if_match,
            if_none_match=if_none_match,
            require_condition=require and req.method == "PUT",
        )
        response = _respond(204, version=version)
        response["ETag"] = f'"{row.etag}"'
        return response
    if req.method == "DELETE":
        if doc_id is None and key.kind != "state":
            raise HttpError(400, f"the parameter {id_name} is required")
        store.document_delete(
            caller=caller,
            key=key,
            doc_id=doc_id,
            if_match=if_match,
            if_none_match=if_none_match,
        )
        return _respond(204, version=version)
    raise HttpError(405, f"{req.method} is not allowed here")


@resource
def state(req: Req, caller: Caller, version: str) -> HttpResponse:
    _check_params(req, {"activityId", "agent", "registration", "stateId", "since"})
    activity_id = _iri_param(req, "activityId")
    agent = _agent_param(req)
    registration = req.params.get("registration", "")
    if registration:
        try:
            validate.uuid(registration, "registration")
        except Invalid as error:
            raise HttpError(400, str(error)) from None
    key = DocKey("state", activity_id, store.agent_key(agent), registration.lower())
    return _document(req, caller, version, key, "stateId", True)


@resource
def activity_profile(req: Req, caller: Caller, version: str) -> HttpResponse:
    _check_params(req, {"activityId", "profileId", "since"})
    key = DocKey("activity_profile", _iri_param(req, "activityId"))
    return _document(req, caller, version, key, "profileId", True)


@resource
def agent_profile(req: Req, caller: Caller, version: str) -> HttpResponse:
    _check_params(req, {"agent", "profileId", "since"})
    key = DocKey("agent_profile", agent=store.agent_key(_agent_param(req)))
    return _document(req, caller, version, key, "profileId", True)


@resource
def agents(req: Req, caller: Caller, version: str) -> HttpResponse:
    if req.method != "GET":
        raise HttpError(405, "the agents resource is read-only")
    _check_params(req, {"agent"})
    agent = _agent_param(req)
    return _respond(200, store.agent_person(caller=caller, agent=agent), version=version)


@resource
def activities(req: Req, caller: Caller, version: str) -> HttpResponse:
    if req.method != "GET":
        raise HttpError(405, "the activities resource is read-only")
    _check_params(req, {"activityId"})
    activity_id = _iri_param(req, "activityId")
    return _respond(200, store.activity_object(activity_id=activity_id), version=version)


@csrf_exempt
def about(request) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        return _error(405, "the about resource is read-only")
    response = _respond(200, {"version": ABOUT_VERSIONS, "extensions": {}})
    if request.method == "HEAD":
        response.content = b""
    return response
