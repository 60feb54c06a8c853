"""Security detection end to end, side by side with the Zircolite approach, in the same run.

  this platform:  syslog lines in → parsed and normalised → every event stored in PostgreSQL
                  (COPY) → Sigma rules matched by the compiled engine (the full loaded pack: the
                  SigmaHQ rules of ../shared/sigmahq-rules/ when present, plus the shipped pack) →
                  correlation windows, personal-information scan → detections and alerts stored.
                  `services.events.syslog_ingest`, batches of 1,000 lines, as the listener delivers.
  baseline:       pySigma's SQLite backend on the same events and rules, the Zircolite way: the
                  (already parsed) events loaded into an in-memory SQLite table (columns COLLATE
                  NOCASE, REGEXP through Python's `re`), then every rule's SQL query run. Parsing
                  and storing are not counted for the baseline.

Also: ingest → alert latency with lines arriving at a fixed rate (default 5,000 events/s).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/h_security \\
        .venv/bin/python benchmarks/detect_bench.py [--events 50000] [--rate 5000] [--seconds 10]

The database named by DATABASE_URL is flushed: use a database of its own.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import sqlite3
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xizang5g.settings")
os.environ.setdefault("XZ5G_DEBUG", "1")
CORPUS = ROOT.parent.parent / "shared" / "sigmahq-rules" / "rules"
if not CORPUS.exists():
    CORPUS = Path("/work/shared/sigmahq-rules/rules")
BATCH = 1000


def build_lines(n: int, start: datetime) -> list[bytes]:
    from xizang5g.security import simulate

    lines = simulate.benign_lines(max(0, n - 2000), start=start)
    attack = simulate.attack_lines(start=start + timedelta(minutes=30))
    extra = (attack * (2000 // len(attack) + 1))[: min(2000, n)]
    step = max(1, len(lines) // max(1, len(extra)))
    for i, line in enumerate(extra):
        lines.insert(min(len(lines), i * step), line)
    return lines[:n]


def setup_database() -> tuple[int, int, list[str]]:
    from django.core.management import call_command

    from xizang5g.security.models import SigmaRule
    from xizang5g.security.services import sigma_rules_import, sigma_rules_sync

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    refused: list[str] = []
    if CORPUS.exists():
        report = sigma_rules_import(path=CORPUS)
        refused = report.lines()[1:]
        print(report.lines()[0])
    sigma_rules_sync()
    return SigmaRule.objects.filter(enabled=True).count(), len(refused), refused


def run_ours(lines: list[bytes]) -> tuple[float, float, int]:
    from xizang5g.security.services.events import syslog_ingest

    wall, cpu = time.perf_counter(), time.process_time()
    detections = 0
    for i in range(0, len(lines), BATCH):
        detections += len(syslog_ingest(lines=lines[i : i + BATCH], peer="10.0.0.5:514").detections)
    return time.perf_counter() - wall, time.process_time() - cpu, detections


def flat_events(lines: list[bytes]) -> list[dict]:
    """The parsed events as a Zircolite table row: normalised columns and every extra key."""
    from xizang5g.security import ingest

    now = datetime.now(UTC)
    out = []
    for line in lines:
        try:
            event = ingest.enrich(ingest.parse_syslog(line, now=now))
        except ingest.BadInput:
            continue
        row = {
            k: v for k, v in event.items() if k not in ("extra", "time", "raw") and v is not None
        }
        for key, value in (event.get("extra") or {}).items():
            if isinstance(value, str | int | float):
                row[f"extra.{key}"] = value
        out.append(row)
    return out


def sqlite_queries() -> tuple[list[str], set[str]]:
    from sigma.backends.sqlite import sqliteBackend
    from sigma.collection import SigmaCollection

    from xizang5g.security.detection.pipelines import pipeline
    from xizang5g.security.models import SigmaRule

    queries, fields = [], set()
    for text in SigmaRule.objects.filter(enabled=True).values_list("yaml", flat=True):
        backend = sqliteBackend(processing_pipeline=pipeline(), fulltext_field="message")
        collection = SigmaCollection.from_yaml(text)
        queries += backend.convert(collection)
        rule = collection.rules[0]
        fields |= set(backend.required_fields(rule))
    return queries, fields


def run_zircolite(events: list[dict], queries: list[str], fields: set[str]) -> tuple[float, float]:
    start = time.perf_counter()
    columns = sorted({k for e in events for k in e} | fields | {"message"})
    index = {c: i for i, c in enumerate(columns)}
    db = sqlite3.connect(":memory:")
    db.create_function(
        "regexp",
        2,
        lambda pattern, value: value is not None and re.search(pattern, str(value)) is not None,
        deterministic=True,
    )
    db.execute(f"CREATE TABLE logs ({', '.join(f'`{c}` TEXT COLLATE NOCASE' for c in columns)})")
    rows = []
    for event in events:
        row = [None] * len(columns)
        for key, value in event.items():
            row[index[key]] = value
        rows.append(row)
    db.executemany(f"INSERT INTO logs VALUES ({', '.join('?' * len(columns))})", rows)
    db.commit()
    loaded = time.perf_counter()
    for sql in queries:
        db.execute(sql.replace("SELECT *", "SELECT COUNT(*)", 1)).fetchone()
    done = time.perf_counter()
    db.close()
    return loaded - start, done - loaded


def latency(rate: int, seconds: float) -> tuple[list[float], int]:
    """Lines arrive at `rate` per second in 50 ms slices; each slice's latency is from its
    arrival time to the end of its ingest (stored, matched, alerts raised), queueing included."""
    from xizang5g.security.services.events import syslog_ingest

    per_slice = max(1, rate // 20)
    slices = int(seconds * 20)
    lines = build_lines(per_slice * slices, datetime.now(UTC) - timedelta(minutes=30))
    start = time.perf_counter()
    waits = []
    for n in range(slices):
        arrival = start + n / 20
        now = time.perf_counter()
        if now < arrival:
            time.sleep(arrival - now)
        syslog_ingest(lines=lines[n * per_slice : (n + 1) * per_slice], peer="10.0.0.5:514")
        waits.append(time.perf_counter() - arrival)
    return waits, per_slice * slices


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--rate", type=int, default=5000)
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    import django

    django.setup()
    from django.db import connection

    rules, refused_count, refused = setup_database()
    lines = build_lines(args.events, datetime.now(UTC) - timedelta(hours=2))
    wall, cpu, detections = run_ours(lines)
    events = flat_events(lines)
    queries, fields = sqlite_queries()
    load, query = run_zircolite(events, queries, fields)
    n = len(lines)
    ours_rate = n / wall
    base_rate = len(events) / (load + query)
    waits, sent = latency(args.rate, args.seconds)
    waits.sort()
    p50 = waits[len(waits) // 2]
    p99 = waits[min(len(waits) - 1, int(len(waits) * 0.99))]
    print()
    print(
        f"Security detection end to end — {n:,} syslog lines "
        f"({Counter(e.get('category') for e in events)}), {rules} enabled Sigma rules "
        f"({refused_count} refused), database {connection.vendor}"
    )
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores shared "
        f"with other processes, Python {platform.python_version()}; wall clock"
    )
    print()
    print("| engine | what is timed | time (s) | events/s | ratio |")
    print("|---|---|---|---|---|")
    print(
        f"| xizang5g | parse, normalise, store every event (PostgreSQL), match, correlate, "
        f"{detections} detections | {wall:.2f} (CPU {cpu:.2f}) | {ours_rate:,.0f} | "
        f"{ours_rate / base_rate:.2f}x |"
    )
    print(
        f"| pySigma SQLite backend (Zircolite approach) | load {load:.2f} s + {len(queries)} "
        f"queries {query:.2f} s | {load + query:.2f} | {base_rate:,.0f} | 1 |"
    )
    print()
    print(
        f"ingest → alert latency at {args.rate:,} events/s for {args.seconds:.0f} s "
        f"({sent:,} lines in 50 ms slices): p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, "
        f"max {waits[-1] * 1000:.0f} ms"
    )
    print(f"ratio to the Zircolite approach: {ours_rate / base_rate:.2f}x (goal >= 1.0x)")
    for line in refused[:20]:
        print(line)


if __name__ == "__main__":
    main()
