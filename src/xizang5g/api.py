"""The /api/v1 router: one django-ninja API; each app's router (`PlatformApp.api`) is mounted at
/api/v1/<app>/ (core.registry).

The API's one style (lists, the error body, names) is described in ``core.api_style``; the
exception handlers below turn every refusal into that error body with its status.
"""

import logging

from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as RequestValidationError
from ninja.parser import Parser

from xizang5g import __version__
from xizang5g.core import limits, registry
from xizang5g.core.api_auth import api_auth, docs_login_required
from xizang5g.core.api_style import error_body, summary, validation_errors

logger = logging.getLogger(__name__)

DESCRIPTION = """西藏5G应用平台 API: plan supervision, 5G supervision, security, IoT hub.

**Authentication**: a personal API token (`Authorization: Bearer …`, created by the plan office)
or the browser session (with its CSRF token). Device ingest uses the device's HTTP Basic
credentials; the broker hooks their own token.

**Lists** take `limit` (1–500, default 50) and `offset` (from 0) and answer
`{"count", "limit", "offset", "items"}`. The project list used to answer pages
(`page`, `page_size`, `pages`): ask `offset = (page - 1) × limit` instead.

**Errors** answer `{"detail": "…", "errors": [{"field": "…", "message": "…"}]}` with 400
(unreadable request), 401 (no or bad credentials), 403 (not allowed), 404 (missing, or not
yours to see: the two answer alike), 413 (too large), 422 (invalid value; `errors` names each
field) or 503 (database unavailable, try again: `Retry-After`). A 500 carries the request id
(also in the `X-Request-ID` header) to quote to the operators.

**Operation ids** read `<app>_<entity>_<verb>`, e.g. `plan_project_list`.
"""


class BoundedJSONParser(Parser):
    """Request bodies parsed within core.limits' bounds (size, depth, finite numbers), and no
    text with a NUL character (PostgreSQL cannot store one: it would be a 500 later)."""

    def parse_body(self, request):
        what = _("the request body")
        data = limits.parse_json(request.body, what=what)
        _refuse_nul(data, what)
        return data

    def parse_querydict(self, data, list_fields, request):
        parsed = super().parse_querydict(data, list_fields, request)
        _refuse_nul(parsed, _("the query"))
        return parsed


def _refuse_nul(value, what: str) -> None:
    stack = [(value, "")]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            stack.extend((v, f"{path}.{k}" if path else str(k)) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((v, f"{path}[{i}]") for i, v in enumerate(node))
        elif isinstance(node, str) and "\x00" in node:
            raise limits.InputRejected(
                _("%(what)s: %(field)s holds a NUL character, which text may not contain.")
                % {"what": what, "field": path or _("the value")}
            )


class PlatformAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        """`<app>_<function>`: the function is named `<entity>_<verb>` (plan_project_list)."""
        module = operation.view_func.__module__  # xizang5g.<app>.api
        return f"{module.split('.')[1]}_{operation.view_func.__name__}"


api = PlatformAPI(
    parser=BoundedJSONParser(),
    title="Xizang 5G Application Platform API",
    version=__version__,
    description=DESCRIPTION,
    auth=api_auth,
    urls_namespace="api",
    docs_decorator=docs_login_required,
)


def _answer(request, status: int, detail: str, errors=()):
    return api.create_response(request, error_body(detail, errors), status=status)


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return _answer(request, 403, str(exc) or _("You may not do this."))


@api.exception_handler(Http404)
def _not_found(request, exc):
    return _answer(request, 404, str(exc) or _("Not found."))


@api.exception_handler(ValidationError)
def _invalid(request, exc):
    errors = validation_errors(exc)
    return _answer(request, 422, summary(errors, _("The request is not valid.")), errors)


@api.exception_handler(RequestValidationError)
def _invalid_request(request, exc):
    """Parameters and bodies that do not match the operation's schema (pydantic's checks)."""
    errors = []
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", ())]
        # ("body", "payload", "name") → "name"; ("query", "limit") → "limit"
        path = location[2:] if location[:1] == ["body"] else location[1:]
        errors.append((".".join(path) or None, error.get("msg", "")))
    return _answer(request, 422, summary(errors, _("The request is not valid.")), errors)


@api.exception_handler(limits.InputRejected)
def _rejected(request, exc):
    return _answer(request, exc.status, exc.message)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return _answer(
        request, 401, _("Authentication required: send an API token (Bearer) or log in.")
    )


@api.exception_handler(HttpError)
def _http_error(request, exc):
    # ninja wraps every body parser error into a bare 400: give the reason and status back
    cause = exc.__cause__
    if isinstance(cause, limits.InputRejected):
        return _rejected(request, cause)
    if isinstance(cause, RequestDataTooBig):
        return _too_big(request, cause)
    return _answer(request, exc.status_code, str(exc))


@api.exception_handler(RequestDataTooBig)
def _too_big(request, exc):
    return _answer(request, 413, _("The request body is too large."))


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def _database_away(request, exc):
    """The database cannot be reached (or is locked): nothing was done, the client may retry."""
    logger.warning("API %s %s: database unavailable: %s", request.method, request.path, exc)
    response = _answer(
        request, 503, _("The database is unavailable; nothing was changed. Try again shortly.")
    )
    response["Retry-After"] = "5"
    return response


@api.exception_handler(Exception)
def _server_error(request, exc):
    """Anything else is a fault of the server (a bare ValueError included), never the client's:
    logged with the request id, which the answer quotes."""
    request_id = getattr(request, "request_id", "")
    logger.exception("API %s %s failed (request %s)", request.method, request.path, request_id)
    return _answer(
        request,
        500,
        _("Server error (request %(id)s). Please try again later or tell the operators.")
        % {"id": request_id},
    )


for _prefix, _router in registry.api_routers():
    api.add_router(f"/{_prefix}/", _router)
