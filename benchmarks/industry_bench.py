"""Industry benchmark: identifier resolutions per second, and tailings telemetry → alarm latency.

Part 1 — resolution. The identifier node's `GET /api/handles/{prefix}/{suffix}` (anonymous
resolution of random handles among --handles registered ones, each with four typed values) is
served by uvicorn (--server-workers processes, production settings, PostgreSQL) and asked by
--clients concurrent keep-alive HTTP/1.1 clients for --seconds. In the same run and from the same
server, the same clients ask `GET /bench/static.json`, a static JSON body of exactly the size of a
resolution answer returned by a view that does nothing else (the same middleware stack); the
ratio resolution/static is the cost of resolving. Phases alternate static, resolve, static,
resolve and each kind is averaged, because the machine's speed drifts.

Part 2 — telemetry → alarm. 20 tailings ponds with 100 monitoring points each (2,000 IoT
devices with the `tailings_monitor` capability) report every 10 s, spread over the 10 s in 20
batches of 100 messages through the IoT hub's ingest (`iot.ingest.ingest_batch`, the ingest
workers' code; the MQTT hop is left out) and the app's subscription: point levels, GB 51108
escalation, the alert centre. On odd rounds every pond's points cross the red threshold and on
even rounds return to normal, so each round raises or resolves 20 pond alarms. Alarm latency = the
alert's creation time − the time its batch was handed to ingest; reported as p50 and p99 over
all raises, with each round's processing time (must stay under 10 s).

Usage:  python benchmarks/industry_bench.py [--seconds 15] [--clients 16] [--server-workers 2]
                                            [--rounds 6] [--only resolve|telemetry]
Needs PostgreSQL (BENCH_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/h_industry_bench;
created and migrated).
"""

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
PREFIX = "88.118.8"
STATIC_BODY_FILE = os.environ.get("XZ5G_BENCH_STATIC_FILE", "")


# --- the server's URL conf: the platform plus one static JSON body (PEP 562 module attribute,
#     so that Django is imported only inside the server process) --------------------------------
def __getattr__(name):
    if name != "urlpatterns":
        raise AttributeError(name)
    from django.http import HttpResponse
    from django.urls import path

    from xizang5g.urls import urlpatterns as site

    body = Path(STATIC_BODY_FILE).read_bytes()

    def static_json(request):
        return HttpResponse(body, content_type="application/json")

    return [path("bench/static.json", static_json), *site]


# --- setup ---------------------------------------------------------------------------------------
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


def enterprise():
    from xizang5g.core.models import Unit

    unit, _ = Unit.objects.get_or_create(
        code="bench-mine", defaults={"name": "基准测试矿业公司", "kind": "enterprise"}
    )
    return unit


def prepare_identifiers(n: int) -> list[str]:
    from xizang5g.industry.handles import identifiers_register
    from xizang5g.industry.models import Identifier

    unit = enterprise()
    have = Identifier.objects.filter(prefix=PREFIX, handle__startswith=f"{PREFIX}/ORE-").count()
    if have < n:
        rows = [
            {
                "suffix": f"ORE-{i:06d}",
                "kind": "ore_batch",
                "url": f"https://mine.example/ore/{i:06d}",
                "parent": f"{PREFIX}/PIT-{i % 7}",
                "metadata": {"cu_pct": round(0.4 + (i % 50) / 100, 2), "tonnes": 5000 + i % 900},
            }
            for i in range(n)
        ]
        for start in range(0, n, 500):
            identifiers_register(
                unit=unit, prefix=PREFIX, rows=rows[start : start + 500], user=None
            )
    return [f"{PREFIX}/ORE-{i:06d}" for i in range(n)]


# --- a small asyncio HTTP/1.1 keep-alive load generator -----------------------------------------
async def _client(host, port, paths, deadline, counts, rng):
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.monotonic() < deadline:
            path = paths[rng.randrange(len(paths))]
            writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
            await writer.drain()
            status = await reader.readline()
            length = 0
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b""):
                    break
                key, _sep, value = line.decode("latin-1").partition(":")
                if key.lower() == "content-length":
                    length = int(value.strip())
            await reader.readexactly(length)
            counts[status.split(b" ")[1].decode()] = (
                counts.get(status.split(b" ")[1].decode(), 0) + 1
            )
    finally:
        writer.close()


async def _load(host, port, paths, seconds, clients):
    counts: dict[str, int] = {}
    deadline = time.monotonic() + seconds
    rng = random.Random(3)
    started = time.monotonic()
    await asyncio.gather(
        *(
            _client(host, port, paths, deadline, counts, random.Random(rng.random()))
            for _ in range(clients)
        )
    )
    return counts, time.monotonic() - started


def run_resolution(args, database_url: str) -> dict:
    import json

    from xizang5g.industry import handles

    handles_list = prepare_identifiers(args.handles)
    _status, body = handles.resolve(handles_list[0])
    sample = json.dumps(body, ensure_ascii=False).encode()  # as JsonResponse
    static_file = Path(f"/tmp/industry-bench-static-{os.getpid()}.json")
    static_file.write_bytes(sample)
    port = 18000 + os.getpid() % 1000
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "xizang5g.settings",
        "XZ5G_SSL_REDIRECT": "0",
        "XZ5G_DEBUG": "0",
        "XZ5G_BENCH_STATIC_FILE": str(static_file),
        "PYTHONPATH": f"{ROOT / 'benchmarks'}:{ROOT / 'src'}",
    }
    # ROOT_URLCONF comes from the settings module; the bench overrides it with a tiny settings
    # module of its own written beside the static body.
    settings_dir = static_file.parent / f"industry_bench_settings_{os.getpid()}"
    settings_dir.mkdir(exist_ok=True)
    (settings_dir / "industry_bench_settings.py").write_text(
        "from xizang5g.settings import *  # noqa\nROOT_URLCONF = 'industry_bench'\n"
    )
    env["PYTHONPATH"] += f":{settings_dir}"
    env["DJANGO_SETTINGS_MODULE"] = "industry_bench_settings"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "xizang5g.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(args.server_workers),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                asyncio.run(_load("127.0.0.1", port, ["/bench/static.json"], 0.2, 1))
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        size_check = asyncio.run(
            _load("127.0.0.1", port, [f"/api/handles/{handles_list[0]}"], 0.5, 1)
        )
        assert set(size_check[0]) == {"200"}, size_check
        paths = {
            "static": ["/bench/static.json"],
            "resolve": [f"/api/handles/{h}" for h in handles_list],
        }
        rates: dict[str, list[float]] = {"static": [], "resolve": []}
        errors: dict[str, dict] = {"static": {}, "resolve": {}}
        for kind in ("static", "resolve", "static", "resolve"):
            counts, elapsed = asyncio.run(
                _load("127.0.0.1", port, paths[kind], args.seconds, args.clients)
            )
            ok = counts.get("200", 0)
            rates[kind].append(ok / elapsed)
            for code, n in counts.items():
                if code != "200":
                    errors[kind][code] = errors[kind].get(code, 0) + n
    finally:
        server.terminate()
        server.wait(timeout=30)
        static_file.unlink(missing_ok=True)
    return {
        "bytes": len(sample),
        "static": statistics.mean(rates["static"]),
        "resolve": statistics.mean(rates["resolve"]),
        "static_runs": rates["static"],
        "resolve_runs": rates["resolve"],
        "errors": errors,
    }


# --- part 2: telemetry → alarm --------------------------------------------------------------------
def prepare_ponds(n_ponds: int, per_pond: int):
    from xizang5g.industry import services
    from xizang5g.industry.choices import DamType, MineKind
    from xizang5g.industry.demo import TAILINGS_MODEL
    from xizang5g.industry.models import Mine, MonitoringPoint
    from xizang5g.iot import services as iot_services
    from xizang5g.iot.models import Device, Product

    unit = enterprise()
    mine = Mine.objects.filter(name="基准测试铜矿").first()
    if mine is None:
        mine = services.mine_create(
            unit=unit, name="基准测试铜矿", kind=MineKind.OPEN_PIT, user=None
        )
    product = Product.objects.filter(
        name="基准尾矿监测终端"
    ).first() or iot_services.product_create(
        name="基准尾矿监测终端", thing_model=TAILINGS_MODEL, unit=unit
    )
    ponds = list(mine.ponds.all())
    for p in range(len(ponds), n_ponds):
        pond = services.pond_create(
            mine=mine,
            name=f"基准尾矿库 {p:02d}",
            grade=3,
            dam_type=DamType.UPSTREAM,
            min_phreatic_depth_m=6,
            min_beach_length_m=70,
            production_level_m=4420,
            flood_control_level_m=4423,
            max_flood_level_m=4425,
            displacement_limit_mm=100,
            user=None,
        )
        for i in range(per_pond):
            device, _secret = iot_services.device_create(
                product=product, name=f"bench-{p:02d}-{i:03d}", unit=unit
            )
            services.point_create(
                pond=pond, code=f"WY-{i:03d}", item="surface_displacement", device=device, user=None
            )
        ponds.append(pond)
    points = list(MonitoringPoint.objects.filter(pond__mine=mine).select_related("device__product"))
    return mine, points, Device


def run_telemetry(args) -> dict:
    from django.utils import timezone

    from xizang5g.core.models import Alert
    from xizang5g.iot import subscriptions
    from xizang5g.iot.ingest import Inbound, directory, ingest_batch

    _mine, points, _ = prepare_ponds(20, 100)
    directory.invalidate()
    subscriptions.routes.invalidate()
    Alert.objects.filter(dedup_key__startswith="industry:pond:").delete()
    rng = random.Random(11)
    latencies: list[float] = []
    round_seconds: list[float] = []
    batches = [points[i : i + 100] for i in range(0, len(points), 100)]
    rng.shuffle(points)
    for rnd in range(args.rounds):
        alarm = rnd % 2 == 0
        start = time.monotonic()
        sent_at = {}
        for b, batch in enumerate(batches):
            due = start + b * 0.5
            if time.monotonic() < due:
                time.sleep(due - time.monotonic())
            messages = []
            for point in batch:
                value = 120.0 if alarm else 10.0 + rng.random()
                body = {
                    "id": uuid.uuid4().hex[:12],
                    "version": "1.0",
                    "params": {"surface_displacement": value},
                    "method": "thing.event.property.post",
                }
                messages.append(
                    Inbound(point.device.product.product_key, point.device.name, "property", body)
                )
            handed = timezone.now()
            for point in batch:
                sent_at.setdefault(point.pond_id, handed)  # first message of the pond this round
            ingest_batch(messages)
        round_seconds.append(time.monotonic() - start)
        if alarm:
            for alert in Alert.objects.filter(dedup_key__startswith="industry:pond:").exclude(
                state="resolved"
            ):
                pond_id = int(alert.dedup_key.rsplit(":", 1)[1])
                latencies.append((alert.first_seen - sent_at[pond_id]).total_seconds())
        rest = start + 10 - time.monotonic()
        if rest > 0:
            time.sleep(rest)
    latencies.sort()
    p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]  # noqa: E731
    return {
        "points": len(points),
        "raises": len(latencies),
        "p50": p(0.50),
        "p99": p(0.99),
        "max": latencies[-1],
        "round_mean": statistics.mean(round_seconds),
        "round_max": max(round_seconds),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--server-workers", type=int, default=2)
    parser.add_argument("--handles", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--only", choices=["resolve", "telemetry"])
    args = parser.parse_args()
    database_url = os.environ.get(
        "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/h_industry_bench"
    )
    ensure_database(database_url)
    setup_django(database_url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if args.only != "telemetry":
        r = run_resolution(args, database_url)
        print(
            f"\nIdentifier resolution — {args.clients} keep-alive clients, uvicorn × {args.server_workers}, "
            f"{args.handles} handles, body {r['bytes']} B, {args.seconds:.0f} s × 2 per kind"
        )
        print(f"{'endpoint':<36}{'req/s':>10}{'runs':>24}")
        print(
            f"{'GET /bench/static.json (static)':<36}{r['static']:>10.0f}{[round(x) for x in r['static_runs']]!s:>24}"
        )
        print(
            f"{'GET /api/handles/{prefix}/{suffix}':<36}{r['resolve']:>10.0f}{[round(x) for x in r['resolve_runs']]!s:>24}"
        )
        print(
            f"ratio resolve / static: {r['resolve'] / r['static']:.2f}   non-200 answers: {r['errors']}"
        )
    if args.only != "resolve":
        t = run_telemetry(args)
        print(
            f"\nTelemetry → alarm — {t['points']} monitoring points every 10 s, {args.rounds} rounds, "
            f"{t['raises']} pond alarms raised"
        )
        print(f"{'alarm latency p50 (s)':<36}{t['p50']:>10.3f}")
        print(f"{'alarm latency p99 (s)':<36}{t['p99']:>10.3f}")
        print(f"{'alarm latency max (s)':<36}{t['max']:>10.3f}")
        print(f"{'round of 2,000 messages, mean (s)':<36}{t['round_mean']:>10.2f}")
        print(f"{'round of 2,000 messages, max (s)':<36}{t['round_max']:>10.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
