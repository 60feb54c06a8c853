"""Writes of the education app (change-logged models)."""

from __future__ import annotations

from xizang5g.edu.models import LrsCredential, School
from xizang5g.edu.xapi import store


def lrs_key_create(*, name: str, school: School | None, user=None) -> tuple[LrsCredential, str]:
    """A new LRS credential; returns it with its secret (shown once, only its hash is kept)."""
    key, secret = store.new_key_and_secret()
    credential = LrsCredential(
        name=name, key=key, secret_hash=store.secret_hash(secret), school=school
    )
    credential.full_clean()
    credential.save()
    return credential, secret
