"""IoT ingest benchmark: N devices publish QoS 1 JSON through Mosquitto into PostgreSQL (20 active rules).

Phases with the same publisher (one paho client in this process, QoS 1, the same messages and
topics of the same shape):
  1. raw: a plain paho subscriber process (QoS 1, MQTT 5, acknowledging each message) — the
     broker's publish→subscribe rate for this publisher; measured before and after phase 2 and
     averaged, because this machine's speed drifts;
  2. ingest: the real ingest workers (`xizang5g iot_run`, separate processes, MQTT 5 shared
     subscription, persistent sessions) validating, de-duplicating, writing readings and latest
     values to PostgreSQL (rollups from the readings every 10 s) and evaluating the 20 rules.
Stored messages/s (each message carries 3 readings) are compared with the raw rate. Trigger
messages on a few devices alternate high/low values so that a threshold rule raises and resolves
alerts all along; ingest→alert latency = alert creation time − the trigger's publish time. Only the
trigger devices listen for their replies; the others send Alink "sys": {"ack": 0} (no reply), unless
--replies all. The publisher stays at most --window messages ahead of what is stored (Mosquitto
drops QoS 1 messages for a subscriber too far behind), so an unpaced run measures the workers at
saturation; --rate-fraction paces it instead. Workers' memory is sampled every second, and the CPU
time of each process group is reported per message.

Usage:  python benchmarks/ingest_bench.py [--devices 1000] [--seconds 300] [--workers 1]
                                          [--rate MSG_PER_S | --rate-fraction 0.75] [--replies all]
                                          [--subscriber]
Needs Mosquitto (MQTT_URL, default mqtt://127.0.0.1:1883) and PostgreSQL (BENCH_DATABASE_URL, default
postgresql://postgres@127.0.0.1:5432/xz5g_bench; the database is created and migrated).
"""

import argparse
import gc
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

TOPIC = "/sys/{pk}/{dn}/thing/event/property/post"
PRODUCT_KEY = "benchProduct"


def cpu_seconds(pids) -> float:
    """User + system CPU time of these processes so far."""
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            pass
    return total


def pids_named(name: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == name:
                    pids.append(int(entry.name))
            except OSError:
                pass
    return pids


class CpuMeter:
    """CPU seconds spent by groups of processes between start() and stop(). Processes are
    followed one by one, and sample() (called every second) keeps what those that exit in
    between had used (database backends come and go with connections)."""

    def __init__(self, groups: dict):
        self.groups = groups  # label -> list of pids, or a process name (e.g. "postgres")
        self.first: dict[str, dict[int, float]] = {}
        self.last: dict[str, dict[int, float]] = {}

    def _read(self, who) -> dict[int, float]:
        pids = pids_named(who) if isinstance(who, str) else who
        return {pid: cpu_seconds([pid]) for pid in pids}

    def start(self) -> "CpuMeter":
        self.first = {label: self._read(who) for label, who in self.groups.items()}
        self.last = {label: dict(seen) for label, seen in self.first.items()}
        return self

    def sample(self) -> None:
        for label, who in self.groups.items():
            self.last[label].update(self._read(who))

    def stop(self) -> dict:
        self.sample()
        return {
            label: sum(cpu - self.first[label].get(pid, 0.0) for pid, cpu in seen.items())
            for label, seen in self.last.items()
        }


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return float("nan")


# --- raw subscriber (a separate process: `ingest_bench.py --raw-subscriber URL TOPIC N`) -----------
def raw_subscriber(url: str, topic: str, expected: int) -> None:
    import paho.mqtt.client as mqtt
    from paho.mqtt.client import CallbackAPIVersion
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties

    host, port = url.split("://", 1)[1].split(":")
    state = {"n": 0, "first": None, "last": None}
    done = threading.Event()

    def on_message(client, userdata, message):
        now = time.time()
        state["first"] = state["first"] or now
        state["last"] = now
        state["n"] += 1
        if state["n"] >= expected:
            done.set()

    client = mqtt.Client(
        CallbackAPIVersion.VERSION2,
        client_id=f"bench-raw-{uuid.uuid4().hex[:6]}",
        protocol=mqtt.MQTTv5,
    )
    client.on_message = on_message
    props = Properties(PacketTypes.CONNECT)
    props.ReceiveMaximum = 65535
    client.connect(host, int(port), properties=props)
    client.subscribe(topic, qos=1)
    client.loop_start()
    print("READY", flush=True)
    done.wait(600)
    client.disconnect()
    client.loop_stop()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    state["cpu"] = usage.ru_utime + usage.ru_stime
    print(json.dumps(state), flush=True)


# --- the publisher ---------------------------------------------------------------------------------
class Publisher:
    def __init__(self, url: str):
        import paho.mqtt.client as mqtt
        from paho.mqtt.client import CallbackAPIVersion

        host, port = url.split("://", 1)[1].split(":")
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=f"bench-pub-{uuid.uuid4().hex[:6]}",
            protocol=mqtt.MQTTv5,
        )
        self.client.max_inflight_messages_set(1000)
        self.client.max_queued_messages_set(0)
        self.acked = 0
        self._lock = threading.Lock()

        def on_publish(client, userdata, mid, reason_code=None, properties=None):
            with self._lock:
                self.acked += 1

        self.client.on_publish = on_publish
        self.replies = 0
        self.ok = 0
        self.stored = 0  # messages the ingest side has stored (set by a StoredCounter)

        def on_message(client, userdata, message):
            with self._lock:
                self.replies += 1
                if json.loads(message.payload).get("code") == 200:
                    self.ok += 1

        self.client.on_message = on_message
        self.client.connect(host, int(port))
        self.client.loop_start()
        time.sleep(0.3)

    def listen(self, topic: str) -> None:
        self.client.subscribe(topic, qos=0)
        time.sleep(0.3)

    def run(
        self,
        messages,
        *,
        topic_of,
        triggers: dict | None = None,
        window: int = 0,
        rate: float = 0,
        seconds: float = 0,
    ) -> tuple[float, float, int]:
        """Publish every message (QoS 1) as fast as the client can; returns (start, end) wall times,
        end = last PUBACK. With `window`, never get more than that many messages ahead of what
        the ingest side has stored (`self.stored`): application-level backpressure. With
        `seconds`, stop publishing after that long. Returns (start, end, messages published)."""
        start = time.time()
        base = self.acked
        stored_before = self.stored
        sent = 0
        for index, (device, body) in enumerate(messages):
            if seconds and index % 200 == 0 and time.time() - start > seconds:
                break
            if window and index % 200 == 0:
                while index - (self.stored - stored_before) > window:
                    time.sleep(0.002)
            if rate and index % 50 == 0:
                ahead = start + index / rate - time.time()
                if ahead > 0:
                    time.sleep(ahead)
            if triggers is not None and index in triggers:
                body = dict(body, time=int(time.time() * 1000))
                triggers[index] = body["time"]
            self.client.publish(topic_of(device), json.dumps(body), qos=1)
            sent += 1
        deadline = time.time() + 300
        while self.acked - base < sent and time.time() < deadline:
            time.sleep(0.01)
        return start, time.time(), sent

    def close(self):
        self.client.disconnect()
        self.client.loop_stop()


class StoredCounter(threading.Thread):
    """Polls how many messages the devices' status rows count as stored, into `target.stored`
    (cheap: one row per device), for the publisher's backpressure."""

    def __init__(self, target: Publisher, every: float = 0.1):
        super().__init__(daemon=True)
        self.target, self.every = target, every
        self.halt = threading.Event()

    def run(self) -> None:
        from django.db import connection

        with connection.cursor() as cursor:
            while not self.halt.wait(self.every):
                cursor.execute("SELECT coalesce(sum(messages_total), 0) FROM iot_devicestatus")
                self.target.stored = int(cursor.fetchone()[0])
        connection.close()


def make_messages(
    devices: list[str],
    count: int,
    trigger_devices: list[str],
    trigger_every: int,
    listening: set[str] | None = None,
):
    """Round-robin over the devices; every `trigger_every`-th message is a trigger (high, then low).
    Devices not in `listening` (None: all listen) ask for no reply (Alink "sys": {"ack": 0})."""
    rng = random.Random(2026)
    messages, triggers, high = [], {}, {}
    for i in range(count):
        if trigger_devices and i % trigger_every == trigger_every // 2:
            device = trigger_devices[(i // trigger_every) % len(trigger_devices)]
            is_high = not high.get(device, False)
            high[device] = is_high
            value = 95.0 if is_high else 20.0
            if is_high:
                triggers[i] = None
        else:
            device = devices[i % len(devices)]
            value = round(20 + rng.gauss(0, 4), 2)
        body = {
            "id": f"b{i}",
            "version": "1.0",
            "method": "thing.event.property.post",
            "params": {
                "temp": value,
                "humidity": round(50 + rng.gauss(0, 8), 1),
                "pressure": round(600 + rng.gauss(0, 3), 1),
            },
        }
        if listening is not None and device not in listening:
            body["sys"] = {"ack": 0}
        messages.append((device, body))
    return messages, triggers


# --- setup ----------------------------------------------------------------------------------------------
def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xizang5g.settings")
    os.environ.setdefault("XZ5G_LOG_LEVEL", "WARNING")
    # A production-mode process needs a key; the bench's is thrown away with its database.
    os.environ.setdefault("SECRET_KEY", "bench-" + uuid.uuid4().hex)
    import django

    django.setup()


def ensure_database(database_url: str) -> None:
    import psycopg

    name = database_url.rsplit("/", 1)[1]
    admin = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


_UPDATED_TABLES = (
    "iot_devicestatus",
    "iot_latestvalue",
    "iot_rulestate",
    "core_alert",
    "core_alertevent",
)


def prepare(n_devices: int, n_rules: int) -> list[str]:
    from django.core.management import call_command

    from xizang5g.core.models import Alert, Unit
    from xizang5g.iot import services
    from xizang5g.iot.models import (
        Device,
        Product,
        RuleState,
    )

    call_command("migrate", verbosity=0)
    unit, _ = Unit.objects.get_or_create(
        code="bench", defaults={"name": "benchmark", "kind": "enterprise"}
    )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE iot_reading, iot_readingrollup, iot_rollupdirty, iot_messagereceipt"
        )
    RuleState.objects.all().delete()
    Alert.objects.filter(dedup_key__startswith="iot:").delete()
    with connection.cursor() as cursor:
        # The small tables updated all along (a row per device or device-property) are bloated
        # by earlier runs where autovacuum is off (as on the machines here): start each run with
        # them compact, so that runs compare.
        for table in _UPDATED_TABLES:
            cursor.execute(f"VACUUM (FULL, ANALYZE) {table}")
    product = Product.objects.filter(product_key=PRODUCT_KEY).first()
    if product is None:
        model = {
            "properties": [
                {
                    "identifier": "temp",
                    "name": "温度",
                    "dataType": {"type": "float", "specs": {"min": -50, "max": 150}},
                },
                {
                    "identifier": "humidity",
                    "name": "湿度",
                    "dataType": {"type": "float", "specs": {"min": 0, "max": 100}},
                },
                {
                    "identifier": "pressure",
                    "name": "气压",
                    "dataType": {"type": "float", "specs": {"min": 300, "max": 1100}},
                },
            ]
        }
        product = services.product_create(
            name="benchmark sensor", thing_model=model, unit=unit, product_key=PRODUCT_KEY
        )
    existing = set(Device.objects.filter(product=product).values_list("name", flat=True))
    for i in range(n_devices):
        name = f"d{i:05d}"
        if name not in existing:
            services.device_create(product=product, name=name, unit=unit)
    product.rules.all().delete()
    # 20 active rules evaluated on every message; only the first one is crossed (by the triggers).
    services.rule_create(
        product=product,
        name="temp high",
        kind="threshold",
        property="temp",
        threshold=80,
        hysteresis=10,
        severity="critical",
    )
    kinds = [
        ("temp", "above", 120),
        ("humidity", "above", 99),
        ("pressure", "below", 350),
        ("pressure", "above", 1050),
        ("humidity", "below", 1),
    ]
    for i in range(n_rules - 3):
        prop, comparison, threshold = kinds[i % len(kinds)]
        services.rule_create(
            product=product,
            name=f"rule {i}",
            kind="threshold",
            property=prop,
            comparison=comparison,
            threshold=threshold + i * 0.01,
            hysteresis=1,
        )
    services.rule_create(
        product=product,
        name="humidity range",
        kind="range",
        property="humidity",
        low=-1,
        high=101,
        hysteresis=0.5,
    )
    services.rule_create(
        product=product, name="temp rate", kind="rate", property="temp", rate_per_minute=1e6
    )
    return [f"d{i:05d}" for i in range(n_devices)]


@dataclass
class RawRun:
    rate: float
    count: int
    cpu: dict


def measure_raw(publisher: Publisher, url: str, probe: list) -> RawRun:
    """The publisher's messages, with topics of the same shape, to a plain QoS 1 subscriber."""
    prefix = f"bench/raw/{uuid.uuid4().hex[:6]}"
    sub = subprocess.Popen(
        [sys.executable, __file__, "--raw-subscriber", url, f"{prefix}/#", str(len(probe))],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert sub.stdout.readline().strip() == "READY"
    time.sleep(0.5)
    meter = CpuMeter({"publisher": [os.getpid()], "broker": "mosquitto"}).start()
    start, _, _ = publisher.run(
        probe, topic_of=lambda d: prefix + TOPIC.format(pk=PRODUCT_KEY, dn=d)
    )
    state = json.loads(sub.stdout.readline())
    sub.wait(30)
    cpu = {**meter.stop(), "subscriber / workers": state["cpu"]}
    return RawRun(state["n"] / (state["last"] - start), state["n"], cpu)


def stored_messages() -> int:
    from xizang5g.iot.models import MessageReceipt

    return MessageReceipt.objects.count()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=300, help="length of the ingest phase")
    parser.add_argument(
        "--rate-probe", type=int, default=20000, help="messages used to measure the raw rate"
    )
    parser.add_argument("--rules", type=int, default=20)
    parser.add_argument(
        "--workers", type=int, default=1, help="ingest worker processes (shared subscription)"
    )
    parser.add_argument("--trigger-every", type=int, default=500)
    parser.add_argument(
        "--replies",
        choices=["listening", "all"],
        default="listening",
        help="listening: only the devices that subscribe to their replies (the trigger devices) ask "
        'for one, the others send "sys": {"ack": 0}; all: every message is answered',
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=0,
        help="pace the ingest phase at this many messages/s (0: as fast as possible)",
    )
    parser.add_argument(
        "--rate-fraction",
        type=float,
        default=0,
        help="pace the ingest phase at this fraction of the raw rate measured before it "
        "(e.g. 0.75: can ingest keep up at the goal, and with what latency)",
    )
    parser.add_argument(
        "--window",
        type=int,
        default=5000,
        help="max messages the publisher runs ahead of the worker's replies "
        "(Mosquitto drops QoS 1 messages for a subscriber more than its receive "
        "maximum + max_queued_messages behind)",
    )
    parser.add_argument(
        "--subscriber",
        action="store_true",
        help="install a trivial IoT subscriber (benchmarks/bench_subscriber) in the workers: "
        "every stored batch is also delivered to an app, as a vertical would receive it",
    )
    parser.add_argument(
        "--raw-subscriber", nargs=3, metavar=("URL", "TOPIC", "N"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.raw_subscriber:
        raw_subscriber(args.raw_subscriber[0], args.raw_subscriber[1], int(args.raw_subscriber[2]))
        return 0

    url = os.environ.get("MQTT_URL", "mqtt://127.0.0.1:1883")
    database_url = os.environ.get(
        "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/xz5g_bench"
    )
    ensure_database(database_url)
    setup_django(database_url)
    devices = prepare(args.devices, args.rules)
    trigger_devices = devices[:5]
    topic_of = lambda d: TOPIC.format(pk=PRODUCT_KEY, dn=d)  # noqa: E731
    publisher = Publisher(url)

    # Phase 1: raw QoS 1 publish → subscribe rate of this publisher (again after phase 2).
    listening = None if args.replies == "all" else set(trigger_devices)
    probe, _ = make_messages(devices, args.rate_probe, [], args.trigger_every, listening)
    gc.freeze()
    raw_before = measure_raw(publisher, url, probe)

    # Phase 2: ingest for --seconds, as fast as the publisher can (or paced with --rate).
    if args.rate_fraction:
        args.rate = args.rate_fraction * raw_before.rate
    total = max(1000, int((args.rate or raw_before.rate) * args.seconds))
    messages, triggers = make_messages(
        devices, total, trigger_devices, args.trigger_every, listening
    )
    # The prepared messages are hundreds of thousands of objects that live to the end: keep the
    # cyclic garbage collector from walking them again and again while the publisher runs (it
    # made the publisher a third slower after this point, in the raw run after as well).
    gc.freeze()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "MQTT_URL": url,
        "XZ5G_LOG_LEVEL": "WARNING",
        "XZ5G_DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-" + uuid.uuid4().hex),
    }
    if args.subscriber:
        env["DJANGO_SETTINGS_MODULE"] = "bench_subscriber.settings"
        env["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(ROOT / "benchmarks"), str(ROOT / "src"), env.get("PYTHONPATH")])
        )
    group = f"bench-{uuid.uuid4().hex[:6]}"
    log = open("/tmp/xz5g-bench-worker.log", "w")  # noqa: SIM115 - closed at the end
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "xizang5g",
                "iot_run",
                "--client-id",
                f"{group}-w{n}",
                "--group",
                group,
                "--leave",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        for n in range(args.workers)
    ]
    # Like real devices, only some listen to their replies (a load generator consuming every
    # reply would spend the cores the broker and the worker share with it on this machine).
    for device in trigger_devices:
        publisher.listen(f"/sys/{PRODUCT_KEY}/{device}/thing/event/property/post_reply")

    counter = StoredCounter(publisher)
    counter.start()
    time.sleep(4)  # let the worker connect and subscribe
    memory: list[tuple[float, float]] = []
    stop_sampling = threading.Event()

    meter = CpuMeter(
        {
            "publisher": [os.getpid()],
            "broker": "mosquitto",
            "subscriber / workers": [w.pid for w in workers],
            "PostgreSQL": "postgres",
        }
    ).start()

    def sample():
        t0 = time.time()
        while not stop_sampling.is_set():
            memory.append((time.time() - t0, sum(rss_mb(w.pid) for w in workers)))
            meter.sample()
            stop_sampling.wait(1.0)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        start, published_at, total = publisher.run(
            messages,
            topic_of=topic_of,
            triggers=triggers,
            window=args.window,
            rate=args.rate,
            seconds=args.seconds,
        )
        deadline = time.time() + 120
        while stored_messages() < total and time.time() < deadline:
            time.sleep(0.5)
        end = time.time()
        ingest_cpu = meter.stop()
        stored = stored_messages()
    finally:
        stop_sampling.set()
        counter.halt.set()
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(30)
        log.close()

    raw_after = measure_raw(publisher, url, probe)
    publisher.close()
    raw_rate = (raw_before.rate + raw_after.rate) / 2

    from xizang5g.core.models import Alert

    latencies = []
    for alert in Alert.objects.filter(dedup_key__startswith="iot:", rule="temp high"):
        for event in [alert]:
            sent = event.details.get("time")
            if sent:
                from datetime import datetime

                t_sent = datetime.fromisoformat(sent).timestamp()
                latencies.append(event.first_seen.timestamp() - t_sent)
    latencies.sort()
    ingest_rate = stored / (end - start)
    publish_rate = total / (published_at - start)
    rss = [m for _, m in memory if m == m]
    third = max(1, len(rss) // 3)
    print(
        f"workers {args.workers}, devices {args.devices}, rules {args.rules} active, "
        f"{total:,} messages x 3 readings, replies: {args.replies}, "
        f"ingest phase {end - start:.1f} s"
    )
    if args.rate:
        print(
            f"ingest phase paced at {args.rate:,.0f} msg/s "
            f"({args.rate / raw_before.rate:.2f} of the raw rate measured before it)"
        )
    print(f"{'':34}{'msg/s':>10}{'readings/s':>12}")
    print(
        f"{'raw Mosquitto QoS 1 pub→sub':34}{raw_rate:>10,.0f}{raw_rate * 3:>12,.0f}"
        f"   (mean of {raw_before.rate:,.0f} before and {raw_after.rate:,.0f} after)"
    )
    print(f"{'publisher during ingest':34}{publish_rate:>10,.0f}")
    print(f"{'stored (ingest → PostgreSQL)':34}{ingest_rate:>10,.0f}{ingest_rate * 3:>12,.0f}")
    print(f"ratio stored / raw: {ingest_rate / raw_rate:.2f}   (stored {stored:,} of {total:,})")
    expected = sum(1 for device, _ in messages[:total] if device in trigger_devices)
    print(
        f"replies ({args.replies}): the {len(trigger_devices)} listening devices got "
        f"{publisher.replies:,} of {expected:,} ({publisher.ok:,} with code 200)"
    )
    if latencies:
        p50 = statistics.median(latencies)
        p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
        print(
            f"ingest→alert latency over {len(latencies)} alerts: p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, "
            f"max {latencies[-1] * 1000:.0f} ms"
        )
    print("CPU per message (µs; both phases share the machine's cores):")
    print(f"{'':24}" + "".join(f"{label:>22}" for label in ingest_cpu) + f"{'total':>10}")
    phases = (
        ("raw pub→sub (before)", raw_before.cpu, raw_before.count),
        ("ingest", ingest_cpu, stored),
        ("raw pub→sub (after)", raw_after.cpu, raw_after.count),
    )
    for name, cpu, count in phases:
        cells = [cpu.get(label) for label in ingest_cpu]
        print(
            f"{name:24}"
            + "".join(f"{c / count * 1e6:>22.0f}" if c is not None else f"{'-':>22}" for c in cells)
            + f"{sum(c for c in cells if c) / count * 1e6:>10.0f}"
        )
    if rss:
        print(
            f"worker RSS MB ({args.workers} process(es)): first third avg {statistics.mean(rss[:third]):.1f}, "
            f"middle {statistics.mean(rss[third : 2 * third] or rss):.1f}, last third {statistics.mean(rss[-third:]):.1f}, "
            f"max {max(rss):.1f} ({len(rss)} samples)"
        )
    return 0 if stored == total else 1


if __name__ == "__main__":
    sys.exit(main())
