"""National cryptography: SM3 vectors, SM4-GCM with a key ring, the encrypted field and rotation."""

import pytest
from django.core.management import call_command
from django.db import connection

from xizang5g.core import crypto
from xizang5g.core.models import User


def test_sm3_standard_vectors():
    # GB/T 32905-2016 Appendix A examples 1 and 2.
    assert (
        crypto.sm3_hex("abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    )
    assert (
        crypto.sm3_hex("abcd" * 16)
        == "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
    )


def test_sm4_standard_vector():
    # GB/T 32907-2016 Appendix A example 1 (one block, ECB).
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    key = bytes.fromhex("0123456789abcdeffedcba9876543210")
    encryptor = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()
    assert (
        encryptor.update(key) + encryptor.finalize()
    ).hex() == "681edf34d206965e86b3e94f536e4246"


def test_key_ring_parsing_errors():
    with pytest.raises(crypto.CryptoError, match="16"):
        crypto.KeyRing.parse("k1:0011", origin="test")
    with pytest.raises(crypto.CryptoError, match="twice"):
        crypto.KeyRing.parse(f"k1:{'00' * 16},k1:{'11' * 16}", origin="test")
    with pytest.raises(crypto.CryptoError, match="key_id:hex"):
        crypto.KeyRing.parse("nocolon", origin="test")
    ring = crypto.KeyRing.parse(f"# comment\nnew:{'11' * 16}\nold:{'00' * 16}\n", origin="file")
    assert ring.active_id == "new" and ring.get("old") == bytes(16)


def test_encrypt_decrypt_and_tamper(monkeypatch):
    ring = crypto.KeyRing.parse(f"a:{'22' * 16}", origin="t")
    token = crypto.encrypt_text("次仁卓玛", ring=ring)
    assert token.startswith("sm4:a:") and "次仁" not in token
    assert crypto.decrypt_text(token, ring=ring) == "次仁卓玛"
    assert crypto.encrypt_text("x", ring=ring) != crypto.encrypt_text("x", ring=ring)  # fresh nonce
    broken = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    with pytest.raises(crypto.CryptoError):
        crypto.decrypt_text(broken, ring=ring)
    with pytest.raises(crypto.CryptoError, match="not in the key ring"):
        crypto.decrypt_text(token, ring=crypto.KeyRing.parse(f"b:{'22' * 16}", origin="t"))


def _stored(user) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT full_name FROM core_user WHERE id = %s", [user.pk])
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_user_full_name_is_encrypted_at_rest_and_rotates(make_user, monkeypatch, tmp_path):
    monkeypatch.setenv("XZ5G_SM4_KEYS", f"k1:{'33' * 16}")
    crypto.reset_key_ring()
    try:
        user = make_user("tsering")
        user.full_name = "次仁 (Tsering)"
        user.save()
        assert _stored(user).startswith("sm4:k1:")
        assert User.objects.get(pk=user.pk).full_name == "次仁 (Tsering)"
        # Rotation: the new key first in a key file, the old one kept for decryption.
        key_file = tmp_path / "keys"
        key_file.write_text(f"k2:{'44' * 16}\nk1:{'33' * 16}\n")
        monkeypatch.delenv("XZ5G_SM4_KEYS")
        monkeypatch.setenv("XZ5G_SM4_KEY_FILE", str(key_file))
        crypto.reset_key_ring()
        assert User.objects.get(pk=user.pk).full_name == "次仁 (Tsering)"
        call_command("sm4_rotate")
        assert _stored(user).startswith("sm4:k2:")
        key_file.write_text(f"k2:{'44' * 16}\n")  # old key retired
        crypto.reset_key_ring()
        assert User.objects.get(pk=user.pk).full_name == "次仁 (Tsering)"
        assert str(User.objects.get(pk=user.pk)) == "次仁 (Tsering)"
    finally:
        crypto.reset_key_ring()
