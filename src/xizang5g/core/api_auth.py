"""API authentication: personal bearer tokens, or the browser session (with CSRF)."""

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from xizang5g.core.models import ApiToken
from xizang5g.core.models.users import hash_token
from xizang5g.core.passwords import password_expired


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        record = (
            ApiToken.objects.select_related("user", "user__unit")
            .filter(token_hash=hash_token(token), user__is_active=True)
            .first()
        )
        if record is None or (record.expires_at and record.expires_at < timezone.now()):
            return None
        ApiToken.objects.filter(pk=record.pk).update(last_used_at=timezone.now())
        request.user = record.user
        return record.user


class CurrentPasswordSessionAuth(SessionAuth):
    """The browser session, unless the user's password has expired (they must change it first)."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is None or password_expired(user):
            return None
        return user


api_auth = [TokenAuth(), CurrentPasswordSessionAuth()]


def docs_login_required(view):
    """The API's documentation and schema are for logged-in users (or API tokens) when DEBUG is off."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if settings.DEBUG or request.user.is_authenticated:
            return view(request, *args, **kwargs)
        bearer = request.headers.get("Authorization", "")
        scheme, _, token = bearer.partition(" ")
        if scheme.lower() == "bearer" and TokenAuth().authenticate(request, token.strip()):
            return view(request, *args, **kwargs)
        return redirect_to_login(request.get_full_path())

    return wrapped
