"""Health benchmark: N ambulances send their vitals every second through MQTT → the ingest worker
→ the health app's subscription (NEWS2 on every update) → an alert for the receiving hospital.

The reference is the issue's requirement: 200 ambulances, one vitals update a second each. In the
same run the script reports, as ratios against it:
  * throughput: vitals scored and stored per second ÷ the offered rate (N per second); 1.0 keeps up;
  * latency: p50/p99 from publish to the stored, scored row ÷ the 1-second update period (under
    1.0, each update is scored before the next one arrives); and publish → hospital alert for the
    ambulances whose patient deteriorates (a medium, then a high NEWS2);
  * CPU per message of the ingest worker and of PostgreSQL.
Latency is observed by polling the database every 50 ms (adds up to 50 ms).

Usage:  python benchmarks/health_bench.py [--ambulances 200] [--seconds 60] [--deteriorating 20]
Needs Mosquitto (MQTT_URL, default mqtt://127.0.0.1:1883) and PostgreSQL (BENCH_DATABASE_URL,
default postgresql://postgres@127.0.0.1:5432/h_health_bench; created and migrated).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from ingest_bench import CpuMeter, ensure_database, setup_django  # noqa: E402

TOPIC = "/sys/{pk}/{dn}/thing/event/property/post"
PRODUCT_KEY = "benchMonitor"
CALM = {
    "heart_rate": 82,
    "respiration_rate": 16,
    "spo2": 96,
    "systolic_bp": 124,
    "temperature_c": 36.9,
    "consciousness": "A",
    "on_oxygen": False,
    "spo2_scale": 1,
}
MEDIUM = {**CALM, "respiration_rate": 22, "spo2": 94, "heart_rate": 95, "temperature_c": 38.2}
HIGH = {
    **CALM,
    "respiration_rate": 26,
    "spo2": 90,
    "on_oxygen": True,
    "systolic_bp": 98,
    "heart_rate": 118,
    "temperature_c": 38.4,
}


def prepare(n: int) -> list[tuple[str, int]]:
    """Units, the monitor product, n devices and ambulances, each on a run transporting a patient
    to the hospital. Returns (device name, call id) pairs."""
    from django.core.management import call_command
    from django.db import connection

    from xizang5g.core.choices import Role, UnitKind
    from xizang5g.core.models import Unit, User
    from xizang5g.health import services
    from xizang5g.health.choices import CallState
    from xizang5g.health.monitor import MONITOR_THING_MODEL as MONITOR
    from xizang5g.iot import services as iot
    from xizang5g.iot.models import Device, Product

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:  # a clean slate each run
        for table in (
            "health_vitalsigns",
            "health_emergencycall",
            "health_ambulance",
            "core_alertevent",
            "core_alert",
        ):
            cursor.execute(f"DELETE FROM {table}")
    Device.objects.filter(product__product_key=PRODUCT_KEY).delete()
    Product.objects.filter(product_key=PRODUCT_KEY).delete()
    centre, _ = Unit.objects.get_or_create(
        code="bench-120", defaults={"name": "bench 120", "kind": UnitKind.INSTITUTION}
    )
    hospital, _ = Unit.objects.get_or_create(
        code="bench-hospital", defaults={"name": "bench hospital", "kind": UnitKind.INSTITUTION}
    )
    admin = User.objects.filter(username="bench-admin").first() or User.objects.create_superuser(
        "bench-admin", password=uuid.uuid4().hex, role=Role.PLAN_ADMIN
    )
    product = iot.product_create(
        name="bench monitor", thing_model=MONITOR, unit=centre, product_key=PRODUCT_KEY
    )
    out = []
    for i in range(n):
        device, _secret = iot.device_create(product=product, name=f"amb{i:04d}", unit=centre)
        ambulance = services.ambulance_create(
            code=f"bench-amb-{i}",
            name=f"bench {i}",
            unit=centre,
            lon=91.0 + i * 1e-3,
            lat=29.6,
            device=device,
            user=admin,
        )
        call = services.call_create(
            unit=centre,
            caller_lon=ambulance.lon,
            caller_lat=29.61,
            chief_complaint="bench",
            user=admin,
        )
        call = services.call_dispatch(call=call, ambulance=ambulance, user=admin)
        for state in (CallState.EN_ROUTE, CallState.ON_SCENE):
            call = services.call_advance(call=call, state=state, user=admin)
        services.call_advance(
            call=call, state=CallState.TRANSPORTING, hospital=hospital, user=admin
        )
        out.append((device.name, call.pk))
    return out


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))] if values else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ambulances", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--deteriorating", type=int, default=20)
    args = parser.parse_args()
    url = os.environ.get("MQTT_URL", "mqtt://127.0.0.1:1883").rstrip("/")
    database_url = os.environ.get(
        "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/h_health_bench"
    )
    ensure_database(database_url)
    setup_django(database_url)
    sys.path.insert(0, str(ROOT))
    pairs = prepare(args.ambulances)
    import paho.mqtt.client as mqtt
    from django.db import connection
    from paho.mqtt.client import CallbackAPIVersion

    from xizang5g.core.models import Alert
    from xizang5g.health.models import VitalSigns

    connection.close()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "MQTT_URL": url,
        "XZ5G_LOG_LEVEL": "WARNING",
        "XZ5G_DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-" + uuid.uuid4().hex),
    }
    group = f"hbench-{uuid.uuid4().hex[:6]}"
    log = open("/tmp/xz5g-health-bench-worker.log", "w")  # noqa: SIM115 - closed at the end
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "xizang5g",
            "iot_run",
            "--client-id",
            f"{group}-w0",
            "--group",
            group,
            "--leave",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    host, port = url.split("://", 1)[1].rsplit(":", 1)
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2, client_id=f"{group}-pub", protocol=mqtt.MQTTv5
    )
    client.max_inflight_messages_set(1000)
    client.connect(host, int(port))
    client.loop_start()
    # Wait until the worker is connected and subscribed: probes until one is scored and stored.
    probe_deadline = time.time() + 120
    n = 0
    while not VitalSigns.objects.filter(msg_id__startswith="probe-").exists():
        if time.time() > probe_deadline or worker.poll() is not None:
            print("the ingest worker did not start (see /tmp/xz5g-health-bench-worker.log)")
            return 2
        body = {"id": f"probe-{n}", "params": CALM, "sys": {"ack": 0}}
        client.publish(TOPIC.format(pk=PRODUCT_KEY, dn=pairs[0][0]), json.dumps(body), qos=1)
        n += 1
        time.sleep(0.5)

    sent: dict[str, float] = {}
    deteriorating = {name for name, _call in pairs[: args.deteriorating]}
    first_high: dict[int, float] = {}
    seen: dict[str, float] = {}
    alerted: dict[str, float] = {}
    stop = threading.Event()

    def watch():
        last_id = 0
        while not stop.is_set():
            rows = list(
                VitalSigns.objects.filter(pk__gt=last_id).order_by("pk").values_list("pk", "msg_id")
            )
            now = time.time()
            for pk, msg_id in rows:
                seen.setdefault(msg_id, now)
                last_id = pk
            for object_id in Alert.objects.filter(
                source="clinical", details__response="high"
            ).values_list("object_id", flat=True):
                alerted.setdefault(object_id, now)
            time.sleep(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    meter = CpuMeter(
        {"ingest worker": [worker.pid], "PostgreSQL": "postgres", "broker": "mosquitto"}
    ).start()
    t0 = time.time()
    for second in range(args.seconds):
        tick = t0 + second
        for i, (name, call_id) in enumerate(pairs):
            values = CALM
            if name in deteriorating and second >= args.seconds // 3:
                values = HIGH if second >= args.seconds // 2 else MEDIUM
            msg_id = f"{second}-{i}"
            body = {
                "id": msg_id,
                "params": {**values, "heart_rate": values["heart_rate"] + (second % 3)},
                "sys": {"ack": 0},
            }
            now = time.time()
            sent[msg_id] = now
            if values is HIGH and call_id not in first_high:
                first_high[call_id] = now
            client.publish(TOPIC.format(pk=PRODUCT_KEY, dn=name), json.dumps(body), qos=1)
            # spread the ambulances over the second, as independent vehicles would
            target = tick + (i + 1) / len(pairs)
            delay = target - time.time()
            if delay > 0:
                time.sleep(delay)
    publish_end = time.time()
    deadline = publish_end + 30
    while len(seen) < len(sent) and time.time() < deadline:
        time.sleep(0.2)
    drained = time.time()
    cpu = meter.stop()
    stop.set()
    watcher.join(2)
    worker.terminate()
    worker.wait(10)
    client.loop_stop()
    log.close()

    latencies = [seen[m] - sent[m] for m in sent if m in seen]
    stored = len(latencies)
    alerts = alerted
    alert_lat = [alerts[str(c)] - t for c, t in first_high.items() if str(c) in alerts]
    offered = args.ambulances
    rate = stored / (drained - t0)
    p50, p99 = percentile(latencies, 0.5), percentile(latencies, 0.99)
    print(
        f"# health_bench: {args.ambulances} ambulances × 1 vitals/s for {args.seconds} s, "
        f"{args.deteriorating} deteriorating (medium, then high NEWS2)"
    )
    print(f"{'measure':<44}{'value':>14}{'reference':>14}{'ratio':>9}")
    print(
        f"{'vitals scored and stored (msg/s)':<44}{rate:>14.1f}{offered:>14.1f}{rate / offered:>9.2f}"
    )
    print(
        f"{'messages stored / sent':<44}{stored:>9}/{len(sent):<4}{'':>14}{stored / len(sent):>9.3f}"
    )
    print(f"{'publish → scored row p50 (ms)':<44}{p50 * 1000:>14.0f}{1000:>14.0f}{p50:>9.3f}")
    print(f"{'publish → scored row p99 (ms)':<44}{p99 * 1000:>14.0f}{1000:>14.0f}{p99:>9.3f}")
    if latencies:
        print(
            f"{'publish → scored row max (ms)':<44}{max(latencies) * 1000:>14.0f}"
            f"{1000:>14.0f}{max(latencies):>9.3f}"
        )
    if alert_lat:
        print(
            f"{'first high vitals → hospital alert p50 (ms)':<44}{statistics.median(alert_lat) * 1000:>14.0f}{1000:>14.0f}{statistics.median(alert_lat):>9.3f}"
        )
        print(
            f"{'first high vitals → hospital alert max (ms)':<44}{max(alert_lat) * 1000:>14.0f}{1000:>14.0f}{max(alert_lat):>9.3f}"
        )
    print(
        f"{'high-NEWS2 alerts raised / deteriorating':<44}{len(alerts):>9}/{args.deteriorating:<4}"
    )
    for label, seconds in cpu.items():
        print(
            f"{'CPU per message, ' + label + ' (ms)':<44}{seconds / max(stored, 1) * 1000:>14.3f}"
        )
    return 0 if stored == len(sent) else 1


if __name__ == "__main__":
    sys.exit(main())
