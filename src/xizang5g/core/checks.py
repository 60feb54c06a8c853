"""Deployment checks of the platform's own settings (run by `xizang5g check --deploy`)."""

import os

from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def sm4_keys_configured(app_configs, **kwargs):
    if (
        os.environ.get("XZ5G_SM4_KEYS", "").strip()
        or os.environ.get("XZ5G_SM4_KEY_FILE", "").strip()
    ):
        return []
    return [
        Error(
            "No SM4 key ring: personal information cannot be encrypted at rest.",
            hint="Set XZ5G_SM4_KEYS (key_id:hex,…) or XZ5G_SM4_KEY_FILE; see docs/security.md.",
            id="xizang5g.E001",
        )
    ]
