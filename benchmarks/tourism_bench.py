"""Crowd warning at regional scale: every A-level spot of the region (≈150, two zones and two gate
counters each) reporting cumulative counts every 10 s, through the IoT hub's ingest into the
tourism subscription, which updates occupancy and levels and raises crowd alerts; then a forecast
refresh of every spot.

Side by side in the same run, on the same batches:
* ingest alone — the same gates on a product without the `gate_counter` capability (nothing
  subscribed): what the hub costs by itself;
* ingest + tourism — the gate product, delivered to `tourism.gates`.

A simulated day is compressed (each tick advances the gates' clock by `--minutes`), but each tick
carries what a real 10-second tick carries: one message per gate. The ingest → level-change latency
is the time from a tick's batch entering `ingest_batch` until the spot's new level is stored
(delivery is synchronous after storage, so it is the batch's processing time). The reference is
the counting period itself: a tick must be done before the next one arrives (10 s).

    .venv/bin/python benchmarks/tourism_bench.py [--spots 150] [--ticks 60] [--minutes 9]

Needs PostgreSQL (BENCH_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/h_tourism_bench;
created and migrated; its tourism and IoT tables are emptied first).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

DEFAULT_DB = "postgresql://postgres@127.0.0.1:5432/h_tourism_bench"
PERIOD_S = 10.0


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xizang5g.settings")
    os.environ.setdefault("XZ5G_LOG_LEVEL", "WARNING")
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


def pct(values, q):
    ordered = sorted(values) or [float("nan")]
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def prepare(n_spots: int):
    from django.core.management import call_command
    from django.db import connection

    from xizang5g.core.choices import UnitKind
    from xizang5g.core.models import Unit
    from xizang5g.iot import services as iot
    from xizang5g.iot.models import Product
    from xizang5g.tourism import demo, services

    call_command("migrate", verbosity=0)
    with connection.cursor() as cur:
        cur.execute(
            "TRUNCATE tourism_countsample, tourism_occupancypoint, tourism_spotstate, tourism_gate,"
            " tourism_zone, tourism_carpark, tourism_contentitem, tourism_dailystat,"
            " tourism_forecast, tourism_headcount, tourism_scenicspot, iot_reading,"
            " iot_messagereceipt, iot_latestvalue, iot_devicestatus, iot_device, core_alertevent,"
            " core_alert CASCADE"
        )
    Product.objects.filter(product_key__in=("benchGate", "benchPlain")).delete()
    unit, _ = Unit.objects.get_or_create(
        code="bench-scenic", defaults={"name": "基准测试景区管理局", "kind": UnitKind.INSTITUTION}
    )
    gate_product = iot.product_create(
        name="bench gate", thing_model=demo.GATE_THING_MODEL, unit=unit, product_key="benchGate"
    )
    plain_model = {k: v for k, v in demo.GATE_THING_MODEL.items() if k != "capabilities"}
    plain_product = iot.product_create(
        name="bench plain", thing_model=plain_model, unit=unit, product_key="benchPlain"
    )
    gates, plains = [], []
    for n in range(n_spots):
        spot, _ = services.spot_save(
            user=None,
            code=f"bench-{n:03d}",
            name=f"基准景区{n:03d}",
            zones=[
                services.ZoneInput("a", "A", 4000 + 40 * n, 2),
                services.ZoneInput("b", "B", 2000 + 20 * n, 4),
            ],
            open_hours=9,
            average_stay_hours=2.5,
            managing_unit=unit,
        )
        for zone in spot.zones.all():
            name = f"{spot.code}-{zone.code}"
            device, _ = iot.device_create(product=gate_product, name=name, unit=unit)
            services.gate_attach(user=None, zone=zone, device=device)
            plain, _ = iot.device_create(product=plain_product, name=name, unit=unit)
            gates.append((device, spot, zone))
            plains.append(plain)
    return gates, plains


def tick_messages(gates, plains, tick: int, at: datetime, minutes: float):
    from xizang5g.iot.ingest import Inbound
    from xizang5g.tourism import simulation

    hour = 9.0 + tick * minutes / 60
    ms = int(at.timestamp() * 1000)
    gate_msgs, plain_msgs = [], []
    for (device, spot, _zone), plain in zip(gates, plains, strict=True):
        # spot n peaks at 40 %…120 % of its C1: some spots cross busy, warning and saturated
        n = int(spot.code.rsplit("-", 1)[1])
        peak_share = 0.4 + 0.8 * (n % 11) / 10
        arrivals = spot.capacity_instant * peak_share / 0.36 * 0.5  # half through each zone
        entries, exits = simulation.cumulative_counts(
            round(arrivals), hour, stay_hours=2.5, opens=9.0, closes=18.0
        )
        body = {"id": f"t{tick}", "time": ms, "params": {"entries": entries, "exits": exits}}
        text = json.dumps(body)
        gate_msgs.append(Inbound("benchGate", device.name, "property", text))
        plain_msgs.append(Inbound("benchPlain", plain.name, "property", text))
    return gate_msgs, plain_msgs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spots", type=int, default=150)
    parser.add_argument("--ticks", type=int, default=60)
    parser.add_argument("--minutes", type=float, default=9.0, help="gate clock advance per tick")
    parser.add_argument("--history-days", type=int, default=400)
    parser.add_argument("--backtest-spots", type=int, default=10)
    args = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    ensure_database(url)
    setup_django(url)

    from django.utils import timezone

    from xizang5g.core.models import Alert
    from xizang5g.iot import subscriptions
    from xizang5g.iot.ingest import directory, ingest_batch
    from xizang5g.tourism import forecast, simulation
    from xizang5g.tourism.models import DailyStat, ScenicSpot, SpotState

    t0 = time.perf_counter()
    gates, plains = prepare(args.spots)
    directory.invalidate()
    subscriptions.routes.invalidate()
    print(f"prepared {args.spots} spots, {len(gates)} gates in {time.perf_counter() - t0:.1f} s")

    day = timezone.localdate() - timedelta(days=1)
    start = timezone.make_aware(datetime.combine(day, datetime.min.time())) + timedelta(hours=9)
    plain_times, gate_times, change_latency = [], [], []
    levels_before = {}
    for tick in range(args.ticks):
        at = start + timedelta(minutes=tick * args.minutes)
        gate_msgs, plain_msgs = tick_messages(gates, plains, tick, at, args.minutes)
        t = time.perf_counter()
        ingest_batch(plain_msgs)
        plain_times.append(time.perf_counter() - t)
        t = time.perf_counter()
        ingest_batch(gate_msgs)
        elapsed = time.perf_counter() - t
        gate_times.append(elapsed)
        levels = dict(SpotState.objects.values_list("spot_id", "level"))
        changed = sum(1 for k, v in levels.items() if levels_before.get(k, "comfortable") != v)
        change_latency.extend([elapsed] * changed)
        levels_before = levels

    alerts = Alert.objects.filter(source="crowd").count()
    levels = statistics.multimode(levels_before.values()) if levels_before else []
    msgs = len(gates)
    print()
    print(f"ingest of one 10-s tick ({msgs} gate messages), {args.ticks} ticks")
    print(f"{'':34}{'p50 s':>9}{'p99 s':>9}{'msg/s':>10}{'budget/p99':>12}")
    for label, values in (
        ("ingest alone (no subscriber)", plain_times),
        ("ingest + tourism", gate_times),
    ):
        p50, p99 = pct(values, 50), pct(values, 99)
        print(f"{label:34}{p50:9.3f}{p99:9.3f}{msgs / p50:10.0f}{PERIOD_S / p99:12.1f}")
    print(
        f"tourism overhead: ×{pct(gate_times, 50) / pct(plain_times, 50):.2f} at p50; "
        f"ingest → level change p50 {pct(change_latency, 50):.3f} s, p99 {pct(change_latency, 99):.3f} s "
        f"over {len(change_latency)} level changes; {alerts} crowd alerts; last levels mostly {levels}"
    )

    # --- forecast refresh -------------------------------------------------------------------------
    t = time.perf_counter()
    today = timezone.localdate()
    rows = []
    spots = list(ScenicSpot.objects.all())
    for n, spot in enumerate(spots):
        hist_start = today - timedelta(days=args.history_days)
        values = simulation.daily_arrivals(
            simulation.Demand(1000 + 30 * n), hist_start, args.history_days, seed=n
        )
        rows += [
            DailyStat(spot=spot, date=hist_start + timedelta(days=k), visitors=v)
            for k, v in enumerate(values)
        ]
    DailyStat.objects.bulk_create(rows, batch_size=5000)
    print(f"\nhistory: {len(rows)} daily rows in {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    done = forecast.forecasts_refresh(today=today, with_backtest=False)
    refresh = time.perf_counter() - t
    t = time.perf_counter()
    better = 0
    for spot in spots[: args.backtest_spots]:
        history = list(spot.daily.order_by("date").values_list("date", "visitors"))
        result = forecast.backtest(history)
        better += result["mape"] < result["naive_mape"]
    backtest = (time.perf_counter() - t) / max(1, args.backtest_spots)
    print(f"{'forecast refresh':34}{'total s':>9}{'per spot':>10}{'budget/total':>14}")
    print(
        f"{'  all spots, no backtest':34}{refresh:9.1f}{refresh / len(spots):10.3f}{3600 / refresh:14.0f}"
    )
    print(
        f"{'  backtest (3 origins × 14 d)':34}{backtest * len(spots):9.1f}{backtest:10.3f}"
        f"{3600 / (backtest * len(spots)):14.0f}"
    )
    print(f"backtest beats seasonal-naive on {better}/{args.backtest_spots} spots; {done}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
