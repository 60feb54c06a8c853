"""API authentication: personal bearer tokens, or the browser session (with CSRF)."""

from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from xizang5g.core.models import ApiToken
from xizang5g.core.models.users import hash_token


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


api_auth = [TokenAuth(), SessionAuth()]
