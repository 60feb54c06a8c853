"""Login throttling: slows password guessing and spraying, and never locks an account for long.

Failed log-ins are counted over a sliding window (XZ5G_LOGIN_WINDOW_MINUTES, 15) three ways:

* one account from one client: at most XZ5G_LOGIN_FAILURE_LIMIT (5) failures in any window; then
  that client waits until the oldest of them leaves the window;
* one client, any accounts (a spray): at most XZ5G_LOGIN_CLIENT_LIMIT (20) failures in any window,
  then the client waits likewise for every account;
* one account, any clients: after XZ5G_LOGIN_ACCOUNT_LIMIT (10) failures in the window every
  further attempt waits 2, 4, 8 … seconds (at most XZ5G_LOGIN_BACKOFF_MAX_SECONDS, 300) after the
  last failure. Exponential back-off rather than a lock: attackers on many addresses slow down to a
  few guesses an hour, but cannot keep the real user out for longer than that cap.

A refused attempt is not checked against the password and is not counted, so it cannot extend a
wait. The client address comes from `core.clients.client_ip` (X-Forwarded-For only from
XZ5G_TRUSTED_PROXIES), so clients behind the proxy are told apart.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max
from django.dispatch import Signal
from django.utils import timezone

from xizang5g.core.clients import client_ip
from xizang5g.core.models import LoginFailure

# Sent when a failure starts a block; kwargs: request, username, ip_address, scope.
login_blocked = Signal()

ACCOUNT_AND_CLIENT = "account_and_client"
CLIENT = "client"
ACCOUNT = "account"


@dataclass(frozen=True)
class Block:
    scope: str  # ACCOUNT_AND_CLIENT, CLIENT or ACCOUNT
    until: datetime

    @property
    def seconds_left(self) -> int:
        return max(1, int((self.until - timezone.now()).total_seconds() + 0.999))


def normalise_username(username) -> str:
    return str(username or "").strip().lower()[:150]


def _window() -> timedelta:
    return timedelta(minutes=settings.XZ5G_LOGIN_WINDOW_MINUTES)


def _backoff(failures: int) -> timedelta:
    excess = failures - settings.XZ5G_LOGIN_ACCOUNT_LIMIT + 1
    seconds = min(2 ** min(excess, 30), settings.XZ5G_LOGIN_BACKOFF_MAX_SECONDS)
    return timedelta(seconds=seconds)


def _rate_block(scope: str, failures, limit: int) -> Block | None:
    """At most `limit` failures in any window: blocked until enough of them have aged out."""
    count = failures.count()
    if count < limit:
        return None
    oldest_to_expire = failures.order_by("at").values_list("at", flat=True)[count - limit]
    return Block(scope, oldest_to_expire + _window())


def _backoff_block(failures) -> Block | None:
    summary = failures.aggregate(count=Count("pk"), last=Max("at"))
    if summary["count"] < settings.XZ5G_LOGIN_ACCOUNT_LIMIT:
        return None
    return Block(ACCOUNT, summary["last"] + _backoff(summary["count"]))


def login_block(*, username: str, ip: str, now: datetime | None = None) -> Block | None:
    """The longest block that applies to `username` logging in from `ip` now, or None."""
    now = now or timezone.now()
    recent = LoginFailure.objects.filter(at__gt=now - _window())
    account = recent.filter(username=normalise_username(username))
    blocks = [_backoff_block(account)]
    if ip:
        blocks.append(
            _rate_block(
                ACCOUNT_AND_CLIENT, account.filter(client_ip=ip), settings.XZ5G_LOGIN_FAILURE_LIMIT
            )
        )
        blocks.append(
            _rate_block(CLIENT, recent.filter(client_ip=ip), settings.XZ5G_LOGIN_CLIENT_LIMIT)
        )
    live = [block for block in blocks if block is not None and block.until > now]
    return max(live, key=lambda block: block.until, default=None)


def login_failure_record(*, username: str, ip: str, request=None) -> LoginFailure | None:
    """Count a failed log-in (and forget the ones older than the window)."""
    if not ip:
        return None  # without an address (no request) there is no client to throttle
    now = timezone.now()
    LoginFailure.objects.filter(at__lte=now - _window()).delete()
    failure = LoginFailure.objects.create(
        username=normalise_username(username), client_ip=ip, at=now
    )
    block = login_block(username=username, ip=ip, now=now)
    if block is not None:
        login_blocked.send(
            sender=LoginFailure,
            request=request,
            username=username,
            ip_address=ip,
            scope=block.scope,
        )
    return failure


def login_success_record(*, username: str, ip: str) -> None:
    """A successful log-in clears that client's failures on that account."""
    LoginFailure.objects.filter(username=normalise_username(username), client_ip=ip).delete()


class LoginThrottleBackend:
    """First authentication backend: refuses, before any password check, while a block applies.

    Django's `authenticate()` stops at PermissionDenied and reports a failed log-in; the block is
    left on the request for `LoginThrottleMiddleware` to answer with the "wait" page.
    """

    def authenticate(self, request, username=None, **credentials):
        if request is None or username is None:
            return None
        block = login_block(username=username, ip=client_ip(request))
        if block is not None:
            request.login_block = block
            raise PermissionDenied("log-in throttled")
        return None  # the next backend checks the password

    # No get_user(): this backend never logs anyone in, so sessions never name it.


def _on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    if request is None or getattr(request, "login_block", None) is not None:
        return  # refused by the throttle: not counted, so it cannot extend the block
    username = (credentials or {}).get("username")
    if username is None:
        return
    login_failure_record(username=username, ip=client_ip(request), request=request)


def _on_logged_in(sender, request, user, **kwargs) -> None:
    if request is not None:
        login_success_record(username=user.get_username(), ip=client_ip(request))


def connect_signals() -> None:
    user_login_failed.connect(_on_login_failed, dispatch_uid="xz5g_login_throttle_failed")
    user_logged_in.connect(_on_logged_in, dispatch_uid="xz5g_login_throttle_success")
