"""SM3 hash chain over core.ChangeLog (the change log's tamper evidence).

Each ChangeLog row gets one AuditSeal: sequence n, the previous link's hash, and
SM3(prev_hash ‖ canonical JSON of the row). The chain head (sequence and hash of the last link) is
kept in a locked singleton row so concurrent writers append one after another. `verify()` walks the
chain and names every break: an edited row (hash differs), a deleted row (seal without row), an
inserted row (row after the chain started without a seal), a removed link (sequence gap), a broken
link (prev_hash differs) and a truncated tail (head ahead of the last link).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC

from django.db import connection, transaction

from xizang5g.core.crypto import sm3_hex
from xizang5g.core.models import ChangeLog
from xizang5g.security.models import AuditChainHead, AuditSeal

logger = logging.getLogger(__name__)
GENESIS = "0" * 64
_table_ready = False


def canonical(row) -> str:
    """Canonical JSON of a ChangeLog row: sorted keys, no spaces, UTC times, natural content type."""
    time = row.time.astimezone(UTC).isoformat() if row.time else None
    ct = row.content_type
    return json.dumps(
        {
            "id": row.pk,
            "time": time,
            "user_id": row.user_id,
            "username": row.username,
            "request_id": row.request_id,
            "content_type": f"{ct.app_label}.{ct.model}",
            "object_id": row.object_id,
            "object_repr": row.object_repr,
            "action": row.action,
            "before": row.before,
            "after": row.after,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )


def link_hash(prev_hash: str, row) -> str:
    return sm3_hex(prev_hash + canonical(row))


def _ready() -> bool:
    """The seal tables exist (not during the migrations that create them)."""
    global _table_ready
    if not _table_ready:
        _table_ready = "security_auditchainhead" in connection.introspection.table_names()
    return _table_ready


def seal(row) -> None:
    """Append the link for a freshly written ChangeLog row."""
    if not _ready():
        return
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(
            pk=1, defaults={"sequence": 0, "hash": GENESIS}
        )
        sequence = head.sequence + 1
        digest = link_hash(head.hash, row)
        AuditSeal.objects.create(
            sequence=sequence, changelog_id=row.pk, prev_hash=head.hash, hash=digest
        )
        head.sequence, head.hash = sequence, digest
        head.save(update_fields=["sequence", "hash"])


def on_changelog_saved(sender, instance, created, raw=False, **kwargs) -> None:
    if raw or not created:
        return  # fixtures and restores carry their own seals; an update is caught by verify()
    seal(instance)


@dataclass
class Break:
    kind: str  # edited | deleted | inserted | gap | link | truncated
    changelog_id: int | None
    sequence: int | None
    detail: str

    def __str__(self) -> str:
        where = (
            f"change log #{self.changelog_id}"
            if self.changelog_id is not None
            else f"link {self.sequence}"
        )
        return f"{self.kind}: {where} — {self.detail}"


@dataclass
class VerifyReport:
    links: int
    rows: int
    unsealed_before_chain: int
    breaks: list[Break]

    @property
    def ok(self) -> bool:
        return not self.breaks


def verify(*, batch: int = 2000) -> VerifyReport:
    breaks: list[Break] = []
    previous_hash = GENESIS
    expected_sequence = 1
    links = 0
    sealed_ids: set[int] = set()
    first_sealed_id = None
    last_seq = 0
    seals = AuditSeal.objects.order_by("sequence").values_list(
        "sequence", "changelog_id", "prev_hash", "hash"
    )
    rows_by_id: dict[int, object] = {}
    chunk: list[tuple] = []

    def flush() -> None:
        nonlocal previous_hash, expected_sequence, links, last_seq
        ids = [c[1] for c in chunk]
        rows = {
            r.pk: r for r in ChangeLog.objects.filter(pk__in=ids).select_related("content_type")
        }
        for sequence, changelog_id, prev_hash, digest in chunk:
            links += 1
            if sequence != expected_sequence:
                breaks.append(
                    Break(
                        "gap",
                        None,
                        expected_sequence,
                        f"links {expected_sequence}–{sequence - 1} are missing (seals deleted)",
                    )
                )
            if prev_hash != previous_hash:
                breaks.append(
                    Break(
                        "link",
                        changelog_id,
                        sequence,
                        "previous-hash does not match the preceding link",
                    )
                )
            row = rows.get(changelog_id)
            if row is None:
                breaks.append(
                    Break("deleted", changelog_id, sequence, "the sealed change-log row is gone")
                )
            elif link_hash(prev_hash, row) != digest:
                breaks.append(
                    Break(
                        "edited",
                        changelog_id,
                        sequence,
                        "the row's content differs from what was sealed",
                    )
                )
            previous_hash = digest
            expected_sequence = sequence + 1
            last_seq = sequence
        chunk.clear()

    for item in seals.iterator(chunk_size=batch):
        sealed_ids.add(item[1])
        if first_sealed_id is None:
            first_sealed_id = item[1]
        chunk.append(item)
        if len(chunk) >= batch:
            flush()
    if chunk:
        flush()
    del rows_by_id
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and head.sequence != last_seq:
        breaks.append(
            Break(
                "truncated",
                None,
                head.sequence,
                f"the head records {head.sequence} links but the chain ends at {last_seq}",
            )
        )
    elif head is not None and head.hash != previous_hash and last_seq:
        breaks.append(Break("link", None, last_seq, "the head hash differs from the last link"))
    unsealed_before = 0
    all_ids = ChangeLog.objects.order_by("pk").values_list("pk", flat=True)
    total = 0
    for pk in all_ids.iterator(chunk_size=batch):
        total += 1
        if pk in sealed_ids:
            continue
        if first_sealed_id is None or pk < first_sealed_id:
            unsealed_before += 1
        else:
            breaks.append(
                Break("inserted", pk, None, "row is not in the chain (written around the seal)")
            )
    return VerifyReport(
        links=links, rows=total, unsealed_before_chain=unsealed_before, breaks=breaks
    )
