"""The /api/v1 router: one django-ninja API; each app's router (`PlatformApp.api`) is mounted at
/api/v1/<app>/ (core.registry)."""

from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.parser import Parser

from xizang5g import __version__
from xizang5g.core import limits, registry
from xizang5g.core.api_auth import api_auth, docs_login_required


class BoundedJSONParser(Parser):
    """Request bodies parsed within core.limits' bounds (size, depth, finite numbers)."""

    def parse_body(self, request):
        return limits.parse_json(request.body, what=_("the request body"))


api = NinjaAPI(
    parser=BoundedJSONParser(),
    title="Xizang 5G Application Platform API",
    version=__version__,
    description="西藏5G应用平台 API: plan supervision, 5G supervision, security, IoT hub.",
    auth=api_auth,
    urls_namespace="api",
    docs_decorator=docs_login_required,
)


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return api.create_response(request, {"detail": str(exc) or "Forbidden"}, status=403)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, {"detail": str(exc) or "Not found"}, status=404)


@api.exception_handler(ValidationError)
def _invalid(request, exc):
    detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
    return api.create_response(request, {"detail": detail}, status=422)


@api.exception_handler(limits.InputRejected)
def _rejected(request, exc):
    return api.create_response(request, {"detail": exc.message}, status=exc.status)


@api.exception_handler(HttpError)
def _http_error(request, exc):
    # ninja wraps every body parser error into a bare 400: give the reason and status back
    cause = exc.__cause__
    if isinstance(cause, limits.InputRejected):
        return _rejected(request, cause)
    if isinstance(cause, RequestDataTooBig):
        return _too_big(request, cause)
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


@api.exception_handler(RequestDataTooBig)
def _too_big(request, exc):
    return api.create_response(request, {"detail": _("The request body is too large.")}, status=413)


@api.exception_handler(ValueError)
def _bad_value(request, exc):
    return api.create_response(request, {"detail": str(exc)}, status=422)


for _prefix, _router in registry.api_routers():
    api.add_router(f"/{_prefix}/", _router)
