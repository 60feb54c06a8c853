"""Signals of the IoT hub that other apps subscribe to (the security app turns them into platform events).

Both are sent by the ingest path (MQTT worker, embedded broker auth, HTTP ingest, the broker auth hook).
"""

from django.dispatch import Signal

# A device failed to authenticate (MQTT CONNECT, the broker auth hook, or HTTP ingest), or a message
# arrived for an unknown or disabled device.
# kwargs: product_key (str), device_name (str), client_ip (str, "" when unknown), reason (str)
device_auth_failed = Signal()

# A message of a known device failed validation against its thing model and was rejected.
# kwargs: device (iot.Device), reason (str), count (int: the device's rejected messages so far)
payload_rejected = Signal()
