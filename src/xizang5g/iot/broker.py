"""The embedded MQTT broker (amqtt, MQTT 3.1.1) for the demo and tests.

amqtt speaks MQTT 3.1.1 only and has no shared subscriptions, so on the embedded broker the ingest
worker uses a plain subscription with a persistent session (clean_session=False); on Mosquitto or
EMQX it uses MQTT 5 and `$share/xz5g-ingest/…`. Device logins are checked by DeviceAuthPlugin
against the hashed device secrets, and DeviceTopicPlugin keeps each device under its own topics.
"""

import asyncio
import contextlib
import logging
import threading
from dataclasses import dataclass

from amqtt.broker import Broker
from amqtt.contexts import Action
from amqtt.mqtt.constants import QOS_1
from amqtt.mqtt.protocol.handler import ProtocolHandler
from amqtt.plugins.base import BaseAuthPlugin, BaseTopicPlugin
from amqtt.session import OUTGOING
from django.db import close_old_connections, connection

from xizang5g.iot.auth import check_mqtt_login, topic_allowed

logger = logging.getLogger(__name__)


def _db_call(func, *args, **kwargs):
    close_old_connections()
    try:
        return func(*args, **kwargs)
    finally:
        connection.close()  # logins are rare; keep no idle connection per pool thread


class DeviceAuthPlugin(BaseAuthPlugin):
    """Username `{device_name}&{product_key}` + device secret, or the ingest worker's account."""

    @dataclass
    class Config:
        allow_anonymous: bool = False

    async def authenticate(self, *, session) -> bool:
        if session.username is None and self.context.config.allow_anonymous:
            return True
        role = await asyncio.to_thread(
            _db_call,
            check_mqtt_login,
            session.username,
            session.password,
            client_ip=session.remote_address or "",
        )
        return role is not None


class DeviceTopicPlugin(BaseTopicPlugin):
    @dataclass
    class Config:
        enabled: bool = True

    async def topic_filtering(self, *, session=None, topic=None, action=None) -> bool:
        if session is None or topic is None:
            return True
        return topic_allowed(session.username, topic, publish=action == Action.PUBLISH)


def _keep_unacknowledged_messages() -> None:
    """Make amqtt keep a QoS 1 message in the session until the subscriber acknowledges it.

    amqtt 0.12 drops an outgoing QoS 1 message from the session when its PUBACK does not come
    within 5 s or when the subscriber disconnects, so a worker that crashes before acknowledging
    would lose what the broker had already acknowledged to the device. With this patch the
    message stays in flight (waiting as long as the subscriber is connected) and is sent again
    when the persistent session reconnects, as MQTT 3.1.1 §4.4 requires.
    """
    original = ProtocolHandler._handle_qos1_message_flow
    if getattr(original, "_xz5g_patched", False):
        return

    async def qos1_flow(self, app_message):
        if app_message.direction != OUTGOING or app_message.qos != QOS_1 or self.session is None:
            return await original(self, app_message)
        if app_message.puback_packet:
            return None
        self.session.inflight_out[app_message.packet_id] = app_message
        dup = app_message.publish_packet is not None
        packet = app_message.build_publish_packet(dup=dup)
        await self._send_packet(packet)
        app_message.publish_packet = packet
        waiter = asyncio.get_running_loop().create_future()
        self._puback_waiters[app_message.packet_id] = waiter
        try:
            app_message.puback_packet = await waiter  # cancelled when the subscriber goes away
        finally:
            self._puback_waiters.pop(app_message.packet_id, None)
        self.session.inflight_out.pop(app_message.packet_id, None)
        return None

    qos1_flow._xz5g_patched = True
    ProtocolHandler._handle_qos1_message_flow = qos1_flow


def broker_config(host: str, port: int, *, anonymous: bool = False) -> dict:
    return {
        "listeners": {"default": {"type": "tcp", "bind": f"{host}:{port}", "max_connections": 0}},
        "plugins": {
            "xizang5g.iot.broker.DeviceAuthPlugin": {"allow_anonymous": anonymous},
            "xizang5g.iot.broker.DeviceTopicPlugin": {},
        },
    }


class EmbeddedBroker:
    """Runs an amqtt broker in its own thread and event loop; `start()` returns when it listens."""

    def __init__(self, host: str = "127.0.0.1", port: int = 1884, *, anonymous: bool = False):
        self.host, self.port, self.anonymous = host, port, anonymous
        self._loop: asyncio.AbstractEventLoop | None = None
        self._broker = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    @property
    def url(self) -> str:
        return f"mqtt://{self.host}:{self.port}"

    def start(self, timeout: float = 15.0) -> "EmbeddedBroker":
        self._thread = threading.Thread(target=self._run, name="xz5g-broker", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise RuntimeError("the embedded MQTT broker did not start")
        if self._error is not None:
            raise RuntimeError(f"the embedded MQTT broker failed: {self._error}") from self._error
        logger.info("embedded MQTT broker (amqtt) listening on %s", self.url)
        return self

    def _run(self) -> None:
        _keep_unacknowledged_messages()
        loop = self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)

        async def boot():
            self._broker = Broker(broker_config(self.host, self.port, anonymous=self.anonymous))
            await self._broker.start()

        try:
            loop.run_until_complete(boot())
        except BaseException as exc:  # surfaced by start()
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        loop.run_forever()
        loop.close()

    def stop(self, timeout: float = 10.0) -> None:
        loop, broker = self._loop, self._broker
        if loop is None or broker is None or not loop.is_running():
            return
        future = asyncio.run_coroutine_threadsafe(broker.shutdown(), loop)
        with contextlib.suppress(Exception):
            future.result(timeout)
        loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(timeout)
