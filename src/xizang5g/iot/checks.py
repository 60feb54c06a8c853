"""Deployment checks of the IoT hub (run by `xizang5g check --deploy`)."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def broker_hook_token_configured(app_configs, **kwargs):
    if getattr(settings, "XZ5G_IOT_BROKER_HOOK_TOKEN", ""):
        return []
    return [
        Error(
            "XZ5G_IOT_BROKER_HOOK_TOKEN is not set: the broker's auth and ACL hooks refuse every "
            "device.",
            hint="Set a long random token and configure the broker (EMQX HTTP authn, "
            "mosquitto-go-auth) to send it in X-XZ5G-Broker-Token; see docs/iot.md.",
            id="xizang5g.E101",
        )
    ]
