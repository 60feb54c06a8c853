"""Detection stage throughput: the shipped Sigma rules on a mixed event stream.

  this platform:  rules validated by pySigma, compiled into one generated Python matcher per event
                  category (xizang5g.security.detection.sigma.SigmaEngine), events as dicts
  baseline:       the same rules converted by pySigma's SQLite backend (pysigma-backend-sqlite) with
                  the same field mapping and logsource conditions, run as SQL over the same events
                  loaded into an in-memory SQLite table — the approach of Zircolite (REGEXP through
                  Python's `re`, as Zircolite registers it)

Both engines must report the same matches per rule (checked). Single thread, one core.

    .venv/bin/python benchmarks/detect_bench.py [--events 100000] [--repeat 3]
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

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xizang5g.settings")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))


def build_stream(n: int) -> list[dict]:
    from xizang5g.security import ingest, simulate

    now = datetime.now(UTC)
    lines = simulate.benign_lines(n - 2000, start=now - timedelta(hours=2))
    attack = simulate.attack_lines(start=now - timedelta(hours=1))
    lines += (attack * (2000 // len(attack) + 1))[:2000]
    # Interleave the attack lines through the stream.
    step = max(1, len(lines) // 2000)
    mixed = lines[: n - 2000]
    for i, line in enumerate(lines[n - 2000 :]):
        mixed.insert(min(len(mixed), i * step), line)
    events = []
    for line in mixed:
        event = ingest.parse_syslog(line, now=now)
        ingest.enrich(event)
        events.append(ingest.complete_event(event))
    return events


def load_rules():
    from xizang5g.security.detection.sigma import parse_rule
    from xizang5g.security.services import RULES_DIR

    return [
        parse_rule(p.read_text(encoding="utf-8"))
        for p in sorted(RULES_DIR.glob("*.yml"))
        if p.name != "correlation.yml"
    ]


COLUMNS = [
    "category",
    "host",
    "program",
    "user",
    "src_ip",
    "dst_ip",
    "dst_port",
    "action",
    "outcome",
    "message",
    "url",
    "method",
    "status",
    "user_agent",
    "count",
]


def sqlite_queries(rules) -> list[tuple[str, str]]:
    from sigma.backends.sqlite import sqliteBackend
    from sigma.collection import SigmaCollection
    from sigma.processing.conditions import LogsourceCondition
    from sigma.processing.pipeline import ProcessingItem, ProcessingPipeline
    from sigma.processing.transformations import (
        AddConditionTransformation,
        FieldMappingTransformation,
    )

    from xizang5g.security.constants import DEFAULT_FIELD_MAPPING, LOGSOURCE_MAP

    mapping = {k: v.removeprefix("extra.") for k, v in DEFAULT_FIELD_MAPPING.items()}
    items = [ProcessingItem(FieldMappingTransformation(mapping), identifier="xz5g_fields")]
    for (key, value), condition in LOGSOURCE_MAP.items():
        if condition:
            items.append(
                ProcessingItem(
                    AddConditionTransformation(dict(condition)),
                    identifier=f"xz5g_ls_{key}_{value}",
                    rule_conditions=[LogsourceCondition(**{key: value})],
                )
            )
    backend = sqliteBackend(processing_pipeline=ProcessingPipeline(items=items, name="xizang5g"))
    out = []
    for parsed in rules:
        collection = SigmaCollection.from_yaml(parsed.text)
        out.append((parsed.rule_id, backend.convert(collection)[0]))
    return out


BATCH = 1000
# CPU time of this (single-threaded) process: on a shared 2-core machine the wall clock also counts
# time spent waiting for the other processes; both engines are measured the same way.
_clock = time.process_time


def run_ours(engine, events) -> tuple[float, Counter]:
    start = _clock()
    hits = []
    for i in range(0, len(events), BATCH):  # batches, as the ingest stage delivers them
        hits.extend(engine.match_batch(events[i : i + BATCH]))
    elapsed = _clock() - start
    counts = Counter(rule for _pos, rule in hits)
    return elapsed, Counter({engine.rules[i].rule_id: n for i, n in counts.items()})


def run_sqlite(queries, events) -> tuple[float, float, Counter]:
    start = _clock()
    db = sqlite3.connect(":memory:")
    db.create_function(
        "regexp",
        2,
        lambda pattern, value: value is not None and re.search(pattern, str(value)) is not None,
        deterministic=True,
    )
    db.execute(f"CREATE TABLE logs ({', '.join(f'`{c}` TEXT COLLATE NOCASE' for c in COLUMNS)})")
    rows = []
    for e in events:
        extra = e.get("extra") or {}
        rows.append(
            [
                e.get("category"),
                e.get("host"),
                e.get("program"),
                e.get("user"),
                e.get("src_ip"),
                e.get("dst_ip"),
                None if e.get("dst_port") is None else str(e["dst_port"]),
                e.get("action"),
                e.get("outcome"),
                e.get("message"),
                extra.get("url"),
                extra.get("method"),
                extra.get("status"),
                extra.get("user_agent"),
                None if extra.get("count") is None else str(extra["count"]),
            ]
        )
    db.executemany(f"INSERT INTO logs VALUES ({', '.join('?' * len(COLUMNS))})", rows)
    db.commit()
    loaded = _clock()
    counts: Counter = Counter()
    for rule_id, sql in queries:
        n = db.execute(sql.replace("SELECT *", "SELECT COUNT(*)", 1)).fetchone()[0]
        if n:
            counts[rule_id] = n
    done = _clock()
    db.close()
    return loaded - start, done - loaded, counts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    import django

    django.setup()
    from xizang5g.security.detection.sigma import SigmaEngine

    t0 = _clock()
    events = build_stream(args.events)
    t_stream = _clock() - t0
    rules = load_rules()
    t0 = _clock()
    engine = SigmaEngine(rules)
    t_compile = _clock() - t0
    queries = sqlite_queries(rules)

    ours = min((run_ours(engine, events) for _ in range(args.repeat)), key=lambda r: r[0])
    base = min((run_sqlite(queries, events) for _ in range(args.repeat)), key=lambda r: r[0] + r[1])
    if ours[1] != base[2]:
        print("MISMATCH between engines:", dict(ours[1]), dict(base[2]))
        sys.exit(1)
    n = len(events)
    ours_rate = n / ours[0]
    base_total = base[0] + base[1]
    print(
        f"Detection benchmark — {n:,} events ({Counter(e['category'] for e in events)}), {len(rules)} shipped Sigma rules, "
        f"{sum(ours[1].values()):,} matches (identical in both engines)"
    )
    print(
        f"machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}, one thread; "
        f"CPU time, best of {args.repeat}; stream parse+normalise {t_stream:.2f} s and rule compile {t_compile * 1000:.0f} ms not timed"
    )
    print()
    print("| engine | CPU time (s) | events/s | ratio |")
    print("|---|---|---|---|")
    print(f"| xizang5g compiled matchers | {ours[0]:.3f} | {ours_rate:,.0f} | 1 |")
    print(
        f"| pySigma SQLite backend, queries only | {base[1]:.3f} | {n / base[1]:,.0f} | {base[1] / ours[0]:.1f}x slower |"
    )
    print(
        f"| pySigma SQLite backend, load + queries (Zircolite) | {base_total:.3f} | {n / base_total:,.0f} | "
        f"{base_total / ours[0]:.1f}x slower |"
    )
    print()
    print(f"Speed-up vs the Zircolite approach: {base_total / ours[0]:.1f}x (goal >= 10x)")


if __name__ == "__main__":
    main()
