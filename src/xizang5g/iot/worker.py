"""The MQTT ingest worker: subscribe, batch, store, answer, acknowledge.

paho-mqtt's network thread puts every message on a queue; the worker thread takes what has
arrived (up to XZ5G_IOT_BATCH_SIZE, waiting at most XZ5G_IOT_BATCH_MS for more), runs
`ingest_batch` (one transaction), publishes the `…_reply` answers and only then acknowledges the
QoS 1 messages (manual acks). Its session is persistent (MQTT 5 clean_start=False with a session
expiry; MQTT 3.1.1 clean_session=False), so a worker killed mid-stream gets every unacknowledged
message again when it comes back, and redeliveries are dropped by message id.

On Mosquitto/EMQX several workers share the load with `$share/xz5g-ingest/…`; on the embedded
amqtt broker (MQTT 3.1.1, no shared subscriptions) one worker uses a plain subscription.
"""

import contextlib
import json
import logging
import queue
import socket
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlparse

import paho.mqtt.client as mqtt
from django.conf import settings
from django.db import close_old_connections, connections, reset_queries
from paho.mqtt.client import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from xizang5g.iot import constants as C
from xizang5g.iot.ingest import Inbound, ingest_batch, mark_offline, parse_topic, status_post

logger = logging.getLogger(__name__)


@dataclass
class BrokerAddress:
    host: str
    port: int
    username: str | None = None
    password: str | None = None
    tls: bool = False

    @classmethod
    def parse(cls, url: str) -> "BrokerAddress":
        parts = urlparse(url)
        if parts.scheme not in ("mqtt", "mqtts", "tcp", "ssl"):
            raise ValueError(f"unsupported MQTT URL {url!r} (use mqtt://host:port)")
        tls = parts.scheme in ("mqtts", "ssl")
        return cls(
            parts.hostname or "127.0.0.1",
            parts.port or (8883 if tls else 1883),
            parts.username,
            parts.password,
            tls,
        )


class IngestWorker:
    def __init__(
        self,
        url: str,
        *,
        client_id: str | None = None,
        mqtt5: bool = True,
        shared: bool = True,
        username: str | None = None,
        password: str | None = None,
        batch_size: int | None = None,
        batch_ms: int | None = None,
        session_expiry: int = 3600,
        housekeeping: bool = True,
        group: str = C.SHARED_GROUP,
    ):
        self.address = BrokerAddress.parse(url)
        self.client_id = client_id or f"xz5g-ingest-{socket.gethostname()}"
        self.mqtt5, self.shared, self.group = mqtt5, shared and mqtt5, group
        self.batch_size = batch_size or settings.XZ5G_IOT_BATCH_SIZE
        self.batch_wait = (
            batch_ms if batch_ms is not None else settings.XZ5G_IOT_BATCH_MS
        ) / 1000.0
        self.session_expiry = session_expiry
        self.housekeeping = housekeeping
        self._queue: queue.Queue = queue.Queue()
        self._stop = threading.Event()
        self._connected = threading.Event()
        self._thread: threading.Thread | None = None
        self.processed = 0
        self.batches = 0
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=self.client_id,
            protocol=mqtt.MQTTv5 if mqtt5 else mqtt.MQTTv311,
            clean_session=None if mqtt5 else False,
            manual_ack=True,
        )
        user = username or self.address.username
        if user:
            self.client.username_pw_set(user, password or self.address.password)
        if self.address.tls:
            self.client.tls_set()
        self.client.max_inflight_messages_set(1000)
        self.client.max_queued_messages_set(0)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message
        self.client.reconnect_delay_set(0.5, 10)

    # --- paho callbacks (network thread) -----------------------------------------------------
    def _filters(self) -> list[str]:
        filters = [C.TOPIC_FILTER_POSTS, C.TOPIC_FILTER_STATUS]
        if self.shared:
            return [f"$share/{self.group}/{f}" for f in filters]
        return filters

    def _on_connect(self, client, userdata, flags, reason_code, properties=None):
        if reason_code.is_failure:
            logger.error("ingest worker: broker refused the connection: %s", reason_code)
            return
        for topic in self._filters():
            client.subscribe(topic, qos=1)
        logger.info(
            "ingest worker connected to %s:%s (%s, session present: %s)",
            self.address.host,
            self.address.port,
            "MQTT 5 shared" if self.shared else ("MQTT 5" if self.mqtt5 else "MQTT 3.1.1"),
            flags.session_present,
        )
        self._connected.set()

    def _on_disconnect(self, client, userdata, flags, reason_code, properties=None):
        self._connected.clear()
        if not self._stop.is_set():
            logger.warning("ingest worker disconnected (%s); reconnecting", reason_code)

    def _on_message(self, client, userdata, message):
        self._queue.put(message)

    # --- lifecycle -----------------------------------------------------------------------------
    def connect(self, timeout: float = 15.0) -> None:
        kwargs = {}
        if self.mqtt5:
            props = Properties(PacketTypes.CONNECT)
            props.SessionExpiryInterval = self.session_expiry
            props.ReceiveMaximum = 65535
            kwargs = {"clean_start": False, "properties": props}
        self.client.connect(self.address.host, self.address.port, keepalive=30, **kwargs)
        self.client.loop_start()
        if not self._connected.wait(timeout):
            raise RuntimeError(
                f"could not connect to the MQTT broker at {self.address.host}:{self.address.port}"
            )

    def start(self) -> "IngestWorker":
        """Connect and process in a background thread (tests, iot_run)."""
        self.connect()
        self._thread = threading.Thread(target=self.run, name="xz5g-ingest", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0, *, leave: bool = False) -> None:
        """Finish the batch in hand and disconnect. The session stays with the broker (a restarted
        worker picks up what arrived meanwhile) unless `leave`: then the worker leaves the shared
        group for good (scale-down), so the broker stops queueing a share of messages for it."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        if leave:
            for topic in self._filters():
                self.client.unsubscribe(topic)
            props = None
            if self.mqtt5:
                props = Properties(PacketTypes.DISCONNECT)
                props.SessionExpiryInterval = 0
            self.client.disconnect(properties=props)
        else:
            self.client.disconnect()
        self.client.loop_stop()

    def kill(self) -> None:
        """Drop the connection without processing what is queued (tests: a crash)."""
        self._stop.set()
        self.client.loop_stop()
        with contextlib.suppress(Exception):
            self.client.socket().close()
        if self._thread is not None:
            self._thread.join(5)

    @staticmethod
    def purge_session(
        url: str, client_id: str, *, mqtt5: bool = True, username=None, password=None
    ) -> None:
        """End a stale persistent session (e.g. of a worker that crashed and will not return)."""
        address = BrokerAddress.parse(url)
        client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=client_id,
            protocol=mqtt.MQTTv5 if mqtt5 else mqtt.MQTTv311,
            clean_session=None if mqtt5 else True,
        )
        if username or address.username:
            client.username_pw_set(username or address.username, password or address.password)
        kwargs = {"clean_start": True} if mqtt5 else {}
        client.connect(address.host, address.port, **kwargs)
        client.loop_start()
        time.sleep(0.2)
        client.disconnect()
        client.loop_stop()

    # --- the processing loop -----------------------------------------------------------------
    def run(self) -> None:
        next_housekeeping = time.monotonic() + settings.XZ5G_IOT_RULE_CHECK_SECONDS
        while not self._stop.is_set():
            batch = self._take()
            if batch:
                self._process(batch)
                reset_queries()  # with DEBUG on, Django would keep every statement
            if self.housekeeping and time.monotonic() >= next_housekeeping:
                self._housekeep()
                next_housekeeping = time.monotonic() + settings.XZ5G_IOT_RULE_CHECK_SECONDS
        connections.close_all()

    def _take(self) -> list:
        try:
            first = self._queue.get(timeout=0.2)
        except queue.Empty:
            return []
        batch = [first]
        deadline = time.monotonic() + self.batch_wait
        while len(batch) < self.batch_size:
            try:
                batch.append(self._queue.get_nowait())
                continue
            except queue.Empty:
                pass
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                batch.append(self._queue.get(timeout=min(remaining, 0.005)))
            except queue.Empty:
                if self._queue.empty() and len(batch) >= 1 and remaining < self.batch_wait / 2:
                    break
        return batch

    def _process(self, batch: list) -> None:
        posts, inbound = [], []
        for message in batch:
            topic = message.topic
            parsed = parse_topic(topic)
            if parsed is not None:
                posts.append(message)
                inbound.append(
                    Inbound(parsed[0], parsed[1], parsed[2], message.payload, topic=topic)
                )
                continue
            parts = topic.split("/")
            if len(parts) == 6 and parts[1] == "sys" and parts[4:] == ["thing", "status"]:
                try:
                    body = json.loads(message.payload or b"{}")
                    online = str(body.get("state", body.get("status", ""))).lower() == "online"
                except (ValueError, AttributeError):
                    online = False
                self._retrying(
                    lambda p=parts, o=online: status_post(
                        product_key=p[2], device_name=p[3], online=o
                    )
                )
            self._ack(message)
        if inbound:
            outcomes = self._retrying(lambda: ingest_batch(inbound))
            if outcomes is None:
                return  # stopping: leave them unacknowledged, the broker redelivers
            for message, outcome in zip(posts, outcomes, strict=True):
                self.client.publish(f"{message.topic}_reply", json.dumps(outcome.reply()), qos=0)
                self._ack(message)
            self.processed += len(inbound)
            self.batches += 1

    def _ack(self, message) -> None:
        if message.qos > 0:
            self.client.ack(message.mid, message.qos)

    def _retrying(self, func):
        delay = 0.5
        while not self._stop.is_set():
            try:
                return func()
            except Exception:
                logger.exception("ingest worker: database error; retrying in %.1fs", delay)
                close_old_connections()
                self._stop.wait(delay)
                delay = min(delay * 2, 10)
        return None

    def _housekeep(self) -> None:
        from xizang5g.iot.rules import engine

        try:
            engine.check_no_data()
            mark_offline()
        except Exception:
            logger.exception("ingest worker: housekeeping failed")
        close_old_connections()
