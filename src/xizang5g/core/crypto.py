"""National (GM/T) cryptography for the platform: SM3 hashing and SM4 encryption with a key ring.

SM3 (GB/T 32905-2016) and SM4 (GB/T 32907-2016) come from the `cryptography` package (OpenSSL).
SM4 runs in GCM mode (authenticated; 96-bit nonce, 128-bit tag), so tampering with a ciphertext is
detected on decryption.

Keys come from the environment:

- ``XZ5G_SM4_KEYS``: comma-separated ``key_id:hex`` pairs, each key 16 bytes (32 hex digits). The
  first key is the active key (new encryptions); the others stay available for decryption, which is
  how rotation works: put the new key first, keep the old ones, re-encrypt, then drop the old key.
- ``XZ5G_SM4_KEY_FILE``: path of a file holding the same pairs, one per line (``#`` comments).

Without either, a development key derived from the built-in development SECRET_KEY is used; with a
real SECRET_KEY (production) a missing key ring is an error (personal information must not be encrypted with a guessable key).
"""

from __future__ import annotations

import base64
import hmac
import os
import re
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as chmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings

SM4_KEY_BYTES = 16  # GB/T 32907-2016: 128-bit key
GCM_NONCE_BYTES = 12
GCM_TAG_BYTES = 16
TOKEN_PREFIX = "sm4:"
_KEY_ID = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")


class CryptoError(Exception):
    """A key is missing or malformed, or a ciphertext is not authentic."""


def sm3(data: bytes | str) -> bytes:
    """SM3 digest (32 bytes) of bytes or UTF-8 text."""
    digest = hashes.Hash(hashes.SM3())
    digest.update(data.encode("utf-8") if isinstance(data, str) else data)
    return digest.finalize()


def sm3_hex(data: bytes | str) -> str:
    return sm3(data).hex()


def sm3_hmac(key: bytes, data: bytes | str) -> str:
    """HMAC-SM3 (hex) — a keyed fingerprint that does not reveal the value."""
    mac = chmac.HMAC(key, hashes.SM3())
    mac.update(data.encode("utf-8") if isinstance(data, str) else data)
    return mac.finalize().hex()


@dataclass(frozen=True)
class KeyRing:
    """Ordered SM4 keys: the first is active, all decrypt."""

    keys: tuple[tuple[str, bytes], ...]

    @property
    def active_id(self) -> str:
        return self.keys[0][0]

    @property
    def active_key(self) -> bytes:
        return self.keys[0][1]

    def get(self, key_id: str) -> bytes:
        for kid, key in self.keys:
            if kid == key_id:
                return key
        raise CryptoError(
            f"SM4 key {key_id!r} is not in the key ring (XZ5G_SM4_KEYS / XZ5G_SM4_KEY_FILE)"
        )

    @classmethod
    def parse(cls, text: str, *, origin: str) -> KeyRing:
        pairs: list[tuple[str, bytes]] = []
        for raw in re.split(r"[,\n]", text):
            item = raw.split("#", 1)[0].strip()
            if not item:
                continue
            if ":" not in item:
                raise CryptoError(f"{origin}: entry {item[:8]!r}… must be key_id:hex")
            kid, hexkey = (part.strip() for part in item.split(":", 1))
            if not _KEY_ID.match(kid):
                raise CryptoError(f"{origin}: key id {kid!r} must be 1-32 letters, digits, _ . -")
            try:
                key = bytes.fromhex(hexkey)
            except ValueError as exc:
                raise CryptoError(f"{origin}: key {kid!r} is not hexadecimal") from exc
            if len(key) != SM4_KEY_BYTES:
                raise CryptoError(f"{origin}: key {kid!r} has {len(key)} bytes, SM4 needs 16")
            if any(kid == other for other, _ in pairs):
                raise CryptoError(f"{origin}: key id {kid!r} appears twice")
            pairs.append((kid, key))
        if not pairs:
            raise CryptoError(f"{origin}: no keys")
        return cls(tuple(pairs))


def generate_key_entry(key_id: str) -> str:
    """A new `key_id:hex` entry for XZ5G_SM4_KEYS."""
    if not _KEY_ID.match(key_id):
        raise CryptoError(f"key id {key_id!r} must be 1-32 letters, digits, _ . -")
    return f"{key_id}:{secrets.token_bytes(SM4_KEY_BYTES).hex()}"


@lru_cache(maxsize=1)
def key_ring() -> KeyRing:
    """The configured key ring (cached; call `reset_key_ring()` after changing the environment)."""
    env = os.environ.get("XZ5G_SM4_KEYS", "").strip()
    if env:
        return KeyRing.parse(env, origin="XZ5G_SM4_KEYS")
    path = os.environ.get("XZ5G_SM4_KEY_FILE", "").strip()
    if path:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise CryptoError(f"XZ5G_SM4_KEY_FILE {path}: {exc.strerror}") from exc
        return KeyRing.parse(text, origin=f"XZ5G_SM4_KEY_FILE {path}")

    # Only a single-machine instance whose SECRET_KEY lives under var/ (development or the demo)
    # may fall back to a key derived from it.
    if not settings.XZ5G_LOCAL_KEYS:
        raise CryptoError(
            "Set XZ5G_SM4_KEYS or XZ5G_SM4_KEY_FILE: SM4 keys are required in production"
        )
    return KeyRing(
        ((("dev"), sm3(b"xz5g-sm4-dev:" + settings.SECRET_KEY.encode())[:SM4_KEY_BYTES]),)
    )


def reset_key_ring() -> None:
    key_ring.cache_clear()


def sm4_encrypt_bytes(plaintext: bytes, *, key: bytes, aad: bytes = b"") -> bytes:
    """nonce ‖ ciphertext ‖ tag under SM4-GCM."""
    nonce = secrets.token_bytes(GCM_NONCE_BYTES)
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    if aad:
        encryptor.authenticate_additional_data(aad)
    body = encryptor.update(plaintext) + encryptor.finalize()
    return nonce + body + encryptor.tag


def sm4_decrypt_bytes(blob: bytes, *, key: bytes, aad: bytes = b"") -> bytes:
    if len(blob) < GCM_NONCE_BYTES + GCM_TAG_BYTES:
        raise CryptoError("SM4 ciphertext is truncated")
    nonce, body, tag = (
        blob[:GCM_NONCE_BYTES],
        blob[GCM_NONCE_BYTES:-GCM_TAG_BYTES],
        blob[-GCM_TAG_BYTES:],
    )
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    if aad:
        decryptor.authenticate_additional_data(aad)
    try:
        return decryptor.update(body) + decryptor.finalize()
    except InvalidTag as exc:
        raise CryptoError(
            "SM4 ciphertext failed authentication (wrong key or tampered data)"
        ) from exc


def encrypt_text(value: str, *, ring: KeyRing | None = None) -> str:
    """Encrypt text to the token ``sm4:<key_id>:<base64>`` with the active key."""
    ring = ring or key_ring()
    blob = sm4_encrypt_bytes(
        value.encode("utf-8"), key=ring.active_key, aad=ring.active_id.encode()
    )
    return f"{TOKEN_PREFIX}{ring.active_id}:{base64.b64encode(blob).decode('ascii')}"


def is_encrypted(value: str | None) -> bool:
    return isinstance(value, str) and value.startswith(TOKEN_PREFIX) and value.count(":") >= 2


def token_key_id(value: str) -> str:
    return value.split(":", 2)[1]


def decrypt_text(token: str, *, ring: KeyRing | None = None) -> str:
    if not is_encrypted(token):
        raise CryptoError("value is not an SM4 token")
    ring = ring or key_ring()
    _, kid, payload = token.split(":", 2)
    try:
        blob = base64.b64decode(payload, validate=True)
    except ValueError as exc:
        raise CryptoError("SM4 token payload is not base64") from exc
    return sm4_decrypt_bytes(blob, key=ring.get(kid), aad=kid.encode()).decode("utf-8")


def constant_time_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
