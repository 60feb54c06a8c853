import math
import re
import time
import uuid

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from xizang5g.core import audit
from xizang5g.core.api_style import error_body
from xizang5g.core.passwords import password_expired

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdMiddleware:
    """Give each request an id (or keep a sane one from the proxy) and echo it back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response


class SlidingSessionMiddleware:
    """The idle timeout (SESSION_COOKIE_AGE after the last request) without a database write on
    every request: a session's expiry is moved forward at most once per
    XZ5G_SESSION_REFRESH_SECONDS, so it ends between AGE − REFRESH and AGE after the last
    request. Sessions that do not exist yet (anonymous visitors) are not created."""

    SEEN = "_xz5g_seen"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.session_key is None or not session.accessed:
            return response
        now = int(time.time())
        if now - session.get(self.SEEN, 0) >= settings.XZ5G_SESSION_REFRESH_SECONDS:
            session[self.SEEN] = now  # modified: SessionMiddleware saves it with a fresh expiry
        return response


class AuditContextMiddleware:
    """Attribute every change made while handling the request to its user and request id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        with audit.acting_as(user, request_id=getattr(request, "request_id", None)):
            return self.get_response(request)


class BodySizeLimitMiddleware:
    """Answer 413 to a request whose declared body is larger than DATA_UPLOAD_MAX_MEMORY_SIZE,
    before any view reads it. Multipart uploads are left to the upload handlers (files go to
    disk) and to each form's own file size limit."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is None or request.content_type == "multipart/form-data":
            return self.get_response(request)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return self._refuse(request, _("The Content-Length header is not a number."), 400)
        if length > limit:
            message = _("The request body is %(size)s bytes; at most %(max)s bytes are accepted.")
            return self._refuse(request, message % {"size": length, "max": limit}, 413)
        return self.get_response(request)

    @staticmethod
    def _refuse(request, message: str, status: int) -> HttpResponse:
        if request.path.startswith("/api/"):
            return JsonResponse(error_body(message), status=status)
        return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


class LoginThrottleMiddleware:
    """Answer a log-in the throttle refused (core.throttle) with the "wait" page, 429."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        block = getattr(request, "login_block", None)
        if block is None:
            return response
        seconds = block.seconds_left
        throttled = render(
            request,
            "registration/locked_out.html",
            {"minutes": max(1, math.ceil(seconds / 60)), "seconds": seconds},
            status=429,
        )
        throttled["Retry-After"] = str(seconds)
        return throttled


class PasswordExpiryMiddleware:
    """Send a user whose password has expired to the change-password page, on every page.

    Session use of the API is refused (403) until then; API tokens are not affected.
    """

    EXEMPT_URL_NAMES = ("password_change", "password_change_done", "logout", "set_language")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not password_expired(user) or self._exempt(request.path):
            return self.get_response(request)
        change_url = reverse("password_change")
        if request.path.startswith("/api/"):
            if "HTTP_AUTHORIZATION" in request.META:
                return self.get_response(request)  # token use goes on; the API checks the token
            message = _("Your password has expired. Change it at %(url)s, then try again.")
            return JsonResponse(error_body(message % {"url": change_url}), status=403)
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = change_url
            return response
        return redirect(change_url)

    def _exempt(self, path: str) -> bool:
        if path.startswith(settings.STATIC_URL):
            return True
        return any(path == reverse(name) for name in self.EXEMPT_URL_NAMES)
