"""Consistent, encrypted backups of the database and media files.

Archive layout (one file):

    b"XZ5GBAK1" ‖ u16 header length ‖ header JSON ‖ SM4-GCM(nonce ‖ ciphertext ‖ tag)

The header (authenticated as GCM associated data) names the key id, the format, the time, the
database vendor and the SM3 digest of the plaintext. The plaintext is a gzip-compressed tar with
`db.json` (every row of every app in Django's loaddata JSON, natural-key free, datetimes to the
microsecond — Django's own encoder would round them to milliseconds; taken inside one read
transaction —
REPEATABLE READ on PostgreSQL, a single snapshot on SQLite WAL) and `media/…`.

`restore` decrypts, checks the GCM tag and the SM3 digest of the plaintext and of every member
listed in the manifest before it writes anything, refuses a database that already holds data, and
loads everything in one transaction.
"""

from __future__ import annotations

import io
import json
import struct
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, time
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core import management, serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction

from xizang5g import __version__
from xizang5g.core.crypto import (
    CryptoError,
    key_ring,
    sm3_hex,
    sm4_decrypt_bytes,
    sm4_encrypt_bytes,
)

MAGIC = b"XZ5GBAK1"
FORMAT = "xizang5g-backup/1"
# Tables re-created by `migrate` itself; their rows are replaced by the archive's on restore.
GENERATED = ("contenttypes.ContentType", "auth.Permission")
# Not backed up: sessions (users log in again) and the job queue (transient).
SKIPPED_APPS = ("sessions", "django_tasks_database")


class BackupError(Exception):
    pass


@dataclass
class BackupInfo:
    path: Path
    key_id: str
    objects: int
    media_files: int
    sha3: str  # SM3 of the plaintext


class _FullPrecisionEncoder(DjangoJSONEncoder):
    """Django's encoder rounds datetimes to milliseconds; a backup keeps every microsecond."""

    def default(self, o):
        if isinstance(o, datetime | time):
            return o.isoformat()
        return super().default(o)


def _backed_up_models():
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed or meta.app_label in SKIPPED_APPS:
            continue
        yield model


def _dump_database() -> bytes:
    """Every row of every backed-up model as loaddata JSON (no natural keys), in one snapshot."""
    objects: list[dict] = []
    outer = connection.in_atomic_block  # inside a caller's transaction its snapshot applies
    with transaction.atomic():
        if connection.vendor == "postgresql" and not outer:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        for model in _backed_up_models():
            objects += serializers.serialize(
                "python", model._base_manager.order_by("pk").iterator(chunk_size=2000)
            )
    return json.dumps(objects, cls=_FullPrecisionEncoder, ensure_ascii=False).encode("utf-8")


def create_backup(output: Path, *, media_root: Path | None = None) -> BackupInfo:
    media_root = Path(media_root or settings.MEDIA_ROOT)
    database = _dump_database()
    manifest = {"format": FORMAT, "members": {"db.json": sm3_hex(database)}}
    media_files = 0
    tar_buffer = io.BytesIO()
    with tarfile.open(fileobj=tar_buffer, mode="w:gz") as tar:
        info = tarfile.TarInfo("db.json")
        info.size = len(database)
        tar.addfile(info, io.BytesIO(database))
        if media_root.is_dir():
            for path in sorted(p for p in media_root.rglob("*") if p.is_file()):
                name = "media/" + path.relative_to(media_root).as_posix()
                data = path.read_bytes()
                manifest["members"][name] = sm3_hex(data)
                info = tarfile.TarInfo(name)
                info.size = len(data)
                info.mtime = int(path.stat().st_mtime)
                tar.addfile(info, io.BytesIO(data))
                media_files += 1
        manifest_bytes = json.dumps(manifest, sort_keys=True).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(manifest_bytes)
        tar.addfile(info, io.BytesIO(manifest_bytes))
    plaintext = tar_buffer.getvalue()
    ring = key_ring()
    header = {
        "format": FORMAT,
        "key_id": ring.active_id,
        "created": datetime.now(UTC).isoformat(),
        "version": __version__,
        "vendor": connection.vendor,
        "sm3": sm3_hex(plaintext),
        "objects": database.count(b'"model": '),
        "media_files": media_files,
    }
    header_bytes = json.dumps(header, sort_keys=True).encode()
    body = sm4_encrypt_bytes(plaintext, key=ring.active_key, aad=header_bytes)
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=output.parent, delete=False) as handle:
        handle.write(MAGIC + struct.pack(">H", len(header_bytes)) + header_bytes + body)
        temp = Path(handle.name)
    temp.replace(output)
    return BackupInfo(output, ring.active_id, header["objects"], media_files, header["sm3"])


def read_backup(path: Path) -> tuple[dict, dict[str, bytes]]:
    """Decrypt and verify an archive; returns (header, members). Raises BackupError on any defect."""
    blob = Path(path).read_bytes()
    if not blob.startswith(MAGIC):
        raise BackupError(f"{path} is not a xizang5g backup (bad magic)")
    (length,) = struct.unpack(">H", blob[len(MAGIC) : len(MAGIC) + 2])
    header_bytes = blob[len(MAGIC) + 2 : len(MAGIC) + 2 + length]
    try:
        header = json.loads(header_bytes)
    except ValueError as exc:
        raise BackupError("the archive header is damaged") from exc
    if header.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {header.get('format')!r}")
    try:
        key = key_ring().get(header["key_id"])
        plaintext = sm4_decrypt_bytes(blob[len(MAGIC) + 2 + length :], key=key, aad=header_bytes)
    except CryptoError as exc:
        raise BackupError(f"cannot decrypt: {exc}") from exc
    if sm3_hex(plaintext) != header["sm3"]:
        raise BackupError("SM3 digest of the archive does not match its header")
    members: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(plaintext), mode="r:gz") as tar:
        for member in tar.getmembers():
            if (
                not member.isfile()
                or member.name.startswith("/")
                or ".." in Path(member.name).parts
            ):
                raise BackupError(f"unsafe member {member.name!r} in the archive")
            members[member.name] = tar.extractfile(member).read()
    manifest = json.loads(members.pop("manifest.json", b"{}") or b"{}")
    expected = manifest.get("members", {})
    if set(expected) != set(members):
        raise BackupError("the archive members differ from its manifest")
    for name, data in members.items():
        if sm3_hex(data) != expected[name]:
            raise BackupError(f"SM3 digest of {name} does not match the manifest")
    return header, members


def _database_has_data() -> list[str]:
    skip = {m.lower() for m in GENERATED}
    busy = []
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in skip or model._meta.proxy or not model._meta.managed:
            continue
        if model._meta.app_label in SKIPPED_APPS:
            continue
        try:
            if model._base_manager.exists():
                busy.append(model._meta.label)
        except Exception:  # table missing: not migrated
            raise BackupError(
                "the target database is not migrated; run `xizang5g migrate` first"
            ) from None
    return busy


def restore_backup(path: Path, *, media_root: Path | None = None) -> dict:
    """Restore an archive into an empty, migrated database (and media directory)."""
    header, members = read_backup(path)
    busy = _database_has_data()
    if busy:
        raise BackupError(
            f"the target database is not empty ({', '.join(busy[:5])} …); restore needs an empty one"
        )
    media_root = Path(media_root or settings.MEDIA_ROOT)
    database = members.pop("db.json")
    with tempfile.TemporaryDirectory() as tmp:
        fixture = Path(tmp) / "db.json"
        fixture.write_bytes(database)
        with transaction.atomic():
            Permission.objects.all().delete()
            ContentType.objects.all().delete()
            ContentType.objects.clear_cache()
            management.call_command("loaddata", str(fixture), verbosity=0)
    ContentType.objects.clear_cache()
    for name, data in members.items():
        target = media_root / name.removeprefix("media/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return {"objects": header["objects"], "media_files": len(members), "created": header["created"]}
