"""IoT fixtures: a product with a thing model, devices, brokers (embedded always, Mosquitto when
MQTT_URL is set) and a running ingest worker."""

import contextlib
import json
import os
import socket
import threading
import time
import uuid

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.client import CallbackAPIVersion

from xizang5g.core.choices import UnitKind
from xizang5g.iot import services
from xizang5g.iot.auth import worker_password
from xizang5g.iot.constants import WORKER_USERNAME

THING_MODEL = {
    "properties": [
        {
            "identifier": "level",
            "name": "库水位",
            "accessMode": "r",
            "dataType": {"type": "float", "specs": {"min": "0", "max": "100", "unit": "m"}},
        },
        {
            "identifier": "seepage",
            "name": "渗流量",
            "accessMode": "r",
            "dataType": {"type": "double", "specs": {"min": 0, "max": 1000, "unit": "L/s"}},
        },
        {
            "identifier": "pump",
            "name": "泵",
            "accessMode": "rw",
            "dataType": {"type": "bool", "specs": {"0": "关", "1": "开"}},
        },
        {
            "identifier": "mode",
            "name": "模式",
            "accessMode": "rw",
            "dataType": {"type": "enum", "specs": {"0": "自动", "1": "手动"}},
        },
        {
            "identifier": "note",
            "name": "备注",
            "accessMode": "r",
            "dataType": {"type": "text", "specs": {"length": "64"}},
        },
        {
            "identifier": "pos",
            "name": "位置",
            "accessMode": "r",
            "dataType": {
                "type": "struct",
                "specs": [
                    {
                        "identifier": "lon",
                        "name": "经度",
                        "dataType": {"type": "double", "specs": {}},
                    },
                    {
                        "identifier": "lat",
                        "name": "纬度",
                        "dataType": {"type": "double", "specs": {}},
                    },
                ],
            },
        },
    ],
    "events": [
        {
            "identifier": "overflow",
            "name": "漫坝预警",
            "type": "alert",
            "outputData": [
                {"identifier": "level", "name": "水位", "dataType": {"type": "float", "specs": {}}}
            ],
        },
        {"identifier": "heartbeat", "name": "心跳", "type": "info", "outputData": []},
    ],
    "services": [],
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def iot_unit(make_unit):
    return make_unit("tailings-co", "尾矿库运营公司", UnitKind.ENTERPRISE)


@pytest.fixture
def product(db, iot_unit):
    return services.product_create(name="尾矿库监测终端", thing_model=THING_MODEL, unit=iot_unit)


@pytest.fixture
def device_and_secret(product, iot_unit):
    return services.device_create(product=product, name="pond-01", unit=iot_unit, label="1号尾矿库")


@pytest.fixture
def device(device_and_secret):
    return device_and_secret[0]


@pytest.fixture(autouse=True)
def _fresh_caches():
    from xizang5g.iot.ingest import directory
    from xizang5g.iot.rules import engine

    directory.invalidate()
    engine.invalidate()
    engine._last.clear()
    yield
    directory.invalidate()
    engine.invalidate()
    engine._last.clear()


def body(params: dict, msg_id: str | None = None, **extra) -> dict:
    return {
        "id": msg_id or uuid.uuid4().hex[:12],
        "version": "1.0",
        "params": params,
        "method": "thing.event.property.post",
        **extra,
    }


# --- brokers ---------------------------------------------------------------------------------------
class Broker:
    """What a test needs to know about a broker: URL, protocol, and credentials for each role."""

    def __init__(self, name: str, url: str, *, mqtt5: bool, auth: bool):
        self.name, self.url, self.mqtt5, self.auth = name, url, mqtt5, auth
        host_port = url.split("://", 1)[1]
        self.host, port = host_port.rsplit(":", 1)
        self.port = int(port)

    def worker_credentials(self) -> dict:
        return {"username": WORKER_USERNAME, "password": worker_password()} if self.auth else {}


@pytest.fixture(scope="session")
def embedded_broker():
    from xizang5g.iot.broker import EmbeddedBroker

    broker = EmbeddedBroker("127.0.0.1", free_port()).start()
    yield Broker("embedded", broker.url, mqtt5=False, auth=True)
    broker.stop()


def _mosquitto():
    url = os.environ.get("MQTT_URL", "")
    if not url:
        print("\nSKIP Mosquitto tests: MQTT_URL is not set (CI sets mqtt://127.0.0.1:1883)")
        pytest.skip("MQTT_URL is not set: the Mosquitto variant runs in CI")
    return Broker("mosquitto", url.rstrip("/"), mqtt5=True, auth=False)


@pytest.fixture(params=["embedded", "mosquitto"])
def broker(request):
    if request.param == "embedded":
        return request.getfixturevalue("embedded_broker")
    return _mosquitto()


@pytest.fixture
def start_worker(transactional_db, broker):
    from xizang5g.iot.worker import IngestWorker

    workers = []
    # One shared-subscription group per test: persistent sessions of earlier tests' workers stay
    # members of their group on Mosquitto and would take a share of this test's messages.
    group = f"xz5g-test-{uuid.uuid4().hex[:8]}"

    def start(client_id: str | None = None, **kwargs):
        worker = IngestWorker(
            broker.url,
            client_id=client_id or f"test-worker-{uuid.uuid4().hex[:8]}",
            mqtt5=broker.mqtt5,
            shared=broker.mqtt5,
            batch_ms=20,
            group=group,
            **broker.worker_credentials(),
            **kwargs,
        ).start()
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        if not worker._stop.is_set():
            worker.stop(leave=True)
    for client_id in {w.client_id for w in workers}:
        IngestWorker.purge_session(
            broker.url, client_id, mqtt5=broker.mqtt5, **broker.worker_credentials()
        )


class DeviceClient:
    """A device on the broker: publishes posts, collects replies."""

    def __init__(
        self, broker: Broker, product_key: str, device_name: str, secret: str, *, will: bool = False
    ):
        self.product_key, self.device_name = product_key, device_name
        self.replies: list[dict] = []
        self._got = threading.Condition()
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=f"{product_key}.{device_name}",
            protocol=mqtt.MQTTv5 if broker.mqtt5 else mqtt.MQTTv311,
        )
        if broker.auth:
            self.client.username_pw_set(f"{device_name}&{product_key}", secret)
        if will:
            self.client.will_set(self.status_topic, json.dumps({"state": "offline"}), qos=1)
        self.client.on_message = self._on_message
        self.client.max_inflight_messages_set(1000)
        connected = threading.Event()
        self.client.on_connect = lambda c, u, f, rc, p=None: connected.set()
        self.client.connect(broker.host, broker.port, keepalive=30)
        self.client.loop_start()
        assert connected.wait(10), "device could not connect"
        self.client.subscribe(f"/sys/{product_key}/{device_name}/thing/event/+/post_reply", qos=0)
        time.sleep(0.2)

    @property
    def status_topic(self) -> str:
        return f"/sys/{self.product_key}/{self.device_name}/thing/status"

    def topic(self, identifier: str = "property") -> str:
        return f"/sys/{self.product_key}/{self.device_name}/thing/event/{identifier}/post"

    def _on_message(self, client, userdata, message):
        with self._got:
            self.replies.append(json.loads(message.payload))
            self._got.notify_all()

    def publish(self, payload, identifier: str = "property", qos: int = 1):
        data = payload if isinstance(payload, bytes | str) else json.dumps(payload)
        info = self.client.publish(self.topic(identifier), data, qos=qos)
        info.wait_for_publish(10)
        return info

    def wait_replies(self, count: int, timeout: float = 15.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        with self._got:
            while len(self.replies) < count and time.monotonic() < deadline:
                self._got.wait(0.1)
        return list(self.replies)

    def close(self):
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def connect_device(broker):
    clients = []

    def connect(device, secret, **kwargs):
        client = DeviceClient(broker, device.product.product_key, device.name, secret, **kwargs)
        clients.append(client)
        return client

    yield connect
    for client in clients:
        client.close()


def wait_until(predicate, timeout: float = 15.0, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _polled(predicate):
            return True
        time.sleep(interval)
    return predicate()


def _polled(predicate) -> bool:
    """predicate(), or False while the worker's thread holds a table lock: the test database on
    SQLite is in memory with a shared cache, where a reader meeting a writer fails at once
    ("database table is locked") instead of waiting as it would on a database file."""
    from django.db import OperationalError

    try:
        return predicate()
    except OperationalError as exc:
        if "locked" not in str(exc):
            raise
        return False


@contextlib.contextmanager
def database_outage(*, keep_own: bool = True):
    """The database goes away for the block, as in a restart: every server connection to it (but
    this thread's, if `keep_own`) is dropped and no new one is accepted until the block ends
    (PostgreSQL only; done from the server's maintenance database, since a database cannot lock
    itself out). Without `keep_own`, this thread connects again after the block."""
    import psycopg
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        own = cursor.fetchone()[0]
    config = connection.settings_dict
    name = connection.ops.quote_name(config["NAME"])
    admin = psycopg.connect(
        dbname="postgres",
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        autocommit=True,
    )
    with admin:
        admin.execute(f"ALTER DATABASE {name} ALLOW_CONNECTIONS false")
        try:
            dropped = admin.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> %s",
                [config["NAME"], own if keep_own else -1],
            ).fetchone()[0]
            assert dropped >= 1, "no connection to drop"
            yield
        finally:
            admin.execute(f"ALTER DATABASE {name} ALLOW_CONNECTIONS true")
            if not keep_own:
                connection.close()
