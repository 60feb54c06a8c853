"""Alert notifications: webhook and e-mail channels (NotificationChannel), sent off the hot path.

`alert_notify` runs when a new alert is committed (see `core.services.alert_raise`). It looks for
enabled channels that match the alert (the alert's unit or all units, minimum severity, sources)
and, when there are any, enqueues the `alert_deliver` job on the durable queue (django-tasks), so a
slow webhook or SMTP server never holds up the ingest worker or a request. The job posts the alert
as JSON to each webhook (signed with HMAC-SHA256 when the channel has a secret) or sends an e-mail
through the SMTP settings (XZ5G_SMTP_*), and records each delivery in the alert's history.
"""

import hashlib
import hmac
import http.client
import json
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import EmailValidator
from django.db.models import Q
from django.utils.translation import gettext as _
from django_tasks import task

from xizang5g.core import access, outbound
from xizang5g.core.audit import acting_as
from xizang5g.core.choices import AlertAction, AlertSeverity
from xizang5g.core.models import Alert, AlertEvent, NotificationChannel

logger = logging.getLogger(__name__)

WEBHOOK_TIMEOUT_SECONDS = 5


def _rank(severity: str) -> int:
    return list(AlertSeverity.values).index(severity)


def channels_for(alert) -> list:
    candidates = NotificationChannel.objects.filter(enabled=True).filter(
        Q(unit__isnull=True) | Q(unit_id=alert.unit_id)
    )
    return [
        channel
        for channel in candidates
        if _rank(alert.severity) >= _rank(channel.min_severity)
        and (not channel.sources or alert.source in channel.sources)
    ]


def alert_notify(*, alert) -> None:
    """Called on commit of a new alert (the instance just created): enqueue its delivery when a
    channel wants it."""
    if not channels_for(alert):
        return
    alert_id = alert.pk
    try:
        alert_deliver.enqueue(alert_id=alert_id)
    except Exception:  # the queue is unavailable: deliver now rather than not at all
        logger.exception("could not enqueue the notification of alert %s; sending inline", alert_id)
        deliver(alert_id=alert_id)


@task()
def alert_deliver(alert_id: int) -> dict:
    """Job: send alert `alert_id` to its channels."""
    return deliver(alert_id=alert_id)


def alert_payload(alert) -> dict:
    return {
        "id": alert.pk,
        "title": alert.title,
        "message": alert.message,
        "severity": alert.severity,
        "state": alert.state,
        "source": alert.source,
        "rule": alert.rule,
        "unit": alert.unit.code if alert.unit_id else None,
        "object_type": alert.object_type,
        "object_id": alert.object_id,
        "first_seen": alert.first_seen.isoformat(),
        "last_seen": alert.last_seen.isoformat(),
        "occurrences": alert.occurrences,
        "details": alert.details,
        "path": f"/core/alerts/{alert.pk}/",
    }


def deliver(*, alert_id: int, channels: list | None = None) -> dict:
    alert = Alert.objects.select_related("unit").get(pk=alert_id)
    results = {}
    for channel in channels if channels is not None else channels_for(alert):
        ok, detail = send(channel, alert)
        results[channel.name] = detail
        AlertEvent.objects.create(
            alert=alert,
            action=AlertAction.NOTIFIED,
            note=f"{channel.get_kind_display()} “{channel.name}”: {detail}"[:1000],
        )
        if not ok:
            logger.warning("alert %s: channel %s failed: %s", alert_id, channel.name, detail)
    return results


def send(channel, alert) -> tuple[bool, str]:
    if channel.kind == "webhook":
        return _webhook(channel, alert_payload(alert))
    return _email(channel, alert)


def _webhook(channel, payload: dict) -> tuple[bool, str]:
    body = json.dumps(payload, ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "xizang5g-alerts"}
    if channel.secret:
        digest = hmac.new(channel.secret.encode(), body, hashlib.sha256).hexdigest()
        headers["X-XZ5G-Signature"] = f"sha256={digest}"
    try:
        status = outbound.post(channel.target, body, headers, timeout=WEBHOOK_TIMEOUT_SECONDS)
    except ValidationError as exc:
        return False, f"refused: {' '.join(exc.messages)}"
    except (OSError, http.client.HTTPException) as exc:
        return False, f"failed: {exc}"
    return 200 <= status < 300, f"HTTP {status}"


def _email(channel, alert) -> tuple[bool, str]:
    recipients = [a.strip() for a in channel.target.replace(";", ",").split(",") if a.strip()]
    subject = f"[{alert.get_severity_display()}] {alert.title}"
    lines = [
        alert.title,
        "",
        alert.message,
        "",
        f"{alert.get_source_display()} · {alert.rule}",
        f"{alert.unit or ''}",
        f"{alert.first_seen:%Y-%m-%d %H:%M:%S %Z}",
        f"/core/alerts/{alert.pk}/",
    ]
    try:
        sent = send_mail(subject, "\n".join(lines), settings.DEFAULT_FROM_EMAIL, recipients)
    except Exception as exc:  # SMTP errors of every kind
        return False, f"failed: {exc}"
    return bool(sent), f"sent to {len(recipients)}" if sent else "not sent"


# --- notification channels (writes of the alert centre's settings) --------------------------------
def _check_target(channel) -> None:
    if channel.kind == NotificationChannel.Kind.WEBHOOK:
        try:
            outbound.resolve(channel.target)
        except ValidationError as exc:
            raise ValidationError({"target": exc.messages}) from exc
        return
    for address in channel.target.replace(";", ",").split(","):
        if address.strip():
            EmailValidator(message=_("%(a)s is not an e-mail address.") % {"a": address.strip()})(
                address.strip()
            )


def channel_save(*, channel, user) -> NotificationChannel:
    """Create or update a channel: the plan office any, a unit editor its own unit's."""
    allowed = (
        access.can(user, access.CHANGE, channel)
        if channel.pk
        else access.can_create(user, NotificationChannel, unit_id=channel.unit_id)
    )
    if not allowed:
        raise PermissionDenied(_("You may only configure notifications of your own unit."))
    channel.target = channel.target.strip()
    _check_target(channel)
    channel.full_clean()
    with acting_as(user):
        channel.save()
    return channel


def channel_delete(*, channel, user) -> None:
    access.require(user, access.CHANGE, channel)
    with acting_as(user):
        channel.delete()
