"""Latest values a worker holds back between batches (LatestBuffer)."""

import logging
import time as _time

from django.db import connection, transaction

from xizang5g.iot.ingest.sql import (
    DatabaseUnavailable,
    database_unavailable,
    latest_params,
    upsert_latest,
)
from xizang5g.iot.models import Device

logger = logging.getLogger(__name__)


class LatestBuffer:
    """Latest values a worker holds back and writes together about once every `interval`
    seconds, instead of with every batch: under load a device reports several times a second,
    and upserting each of its values was the largest write per message.

    Not thread-safe: it belongs to one worker's database thread. The worker acknowledges a
    batch's messages only once the values it held back are written, so a crash loses none: the
    broker sends those messages again, and a redelivery, though not stored again, still offers
    its values (Prepared.latest). Adding the same rows twice changes nothing, so a transaction
    that failed can be retried with the buffer as it is."""

    def __init__(self, interval: float = 1.0):
        self.interval = interval
        self.rows: dict[tuple[int, str], tuple] = {}
        self._written_at = _time.monotonic()

    def __len__(self) -> int:
        return len(self.rows)

    def add(self, rows: dict[tuple[int, str], tuple]) -> None:
        held = self.rows
        for key, row in rows.items():
            old = held.get(key)
            if old is None or old[2] <= row[2]:
                held[key] = row

    def due(self) -> bool:
        return _time.monotonic() - self._written_at >= self.interval

    def write(self, cursor) -> None:
        """Upsert what is held (in the caller's transaction; written() once it commits)."""
        upsert_latest(cursor, latest_params(list(self.rows.values())))

    def written(self) -> None:
        self.rows = {}
        self._written_at = _time.monotonic()

    def flush(self) -> None:
        """Write what is held in a transaction of its own."""
        if self.rows:
            with transaction.atomic(), connection.cursor() as cursor:
                self.write(cursor)
        self.written()

    def salvage(self) -> None:
        """After a failed batch, write what is held on its own, without the devices deleted
        since if need be; drop it if even that fails (the values are stored as readings)."""
        for attempt in ("as held", "without deleted devices"):
            try:
                self.flush()
                return
            except Exception as exc:
                if database_unavailable(exc):
                    raise DatabaseUnavailable(str(exc)) from exc
                logger.exception("writing %d held latest values (%s) failed", len(self), attempt)
            existing = set(
                Device.objects.filter(pk__in={d for d, _ in self.rows}).values_list("pk", flat=True)
            )
            self.rows = {key: row for key, row in self.rows.items() if key[0] in existing}
        self.written()
