"""LRS benchmark: statements stored per second and query p95, this project's LRS beside Ralph.

    python benchmarks/lrs_bench.py [--seconds 20] [--clients 4] [--rows 1000000]

* Write: ``--clients`` concurrent HTTP clients POST batches of 100 statements to
  ``/xapi/statements`` for ``--seconds``; statements stored per second.
* Query: ``GET /xapi/statements?agent=…&verb=…&since=…`` p50/p95 over ``--rows`` statements
  (loaded straight into PostgreSQL with generate_series, 1 000 learners, 10 verbs, 90 days).
* Reference, in the same run: Ralph (``ralph-malph``, a Python LRS by France Université
  Numérique) with the only backend it runs without an external server here, ``fs`` (one
  JSON-lines file), given by ``--ralph`` (path of a venv's ``ralph`` executable; skipped with
  the reason when absent). Its Elasticsearch/MongoDB/ClickHouse backends need servers this
  machine does not have.

Our server: uvicorn with 2 workers on PostgreSQL (``BENCH_DATABASE_URL``, default
postgresql://postgres@127.0.0.1:5432/xz5g_lrs_bench, created if missing, emptied first).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
VERB = "http://adlnet.gov/expapi/verbs/"
VERBS = [
    VERB + v
    for v in [
        "launched",
        "initialized",
        "progressed",
        "completed",
        "passed",
        "failed",
        "terminated",
        "attended",
        "experienced",
        "answered",
    ]
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer")


def statement(n: int) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "actor": {"objectType": "Agent", "mbox": f"mailto:learner{n % 1000}@bench.cn"},
        "verb": {"id": VERBS[n % len(VERBS)]},
        "object": {"objectType": "Activity", "id": f"https://edu.xizang5g.cn/course/c{n % 50}"},
        "result": {"score": {"scaled": 0.5}, "duration": "PT5M"},
        "timestamp": datetime.now(UTC).isoformat(),
    }


def request(url, auth, *, data=None, method="GET"):
    headers = {"Authorization": auth, "X-Experience-API-Version": "1.0.3"}
    if data is not None:
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    with urllib.request.urlopen(req, timeout=60) as response:
        return response.status, response.read()


def write_load(endpoint: str, auth: str, clients: int, seconds: float) -> tuple[float, int]:
    stored = [0] * clients
    errors = [0]
    stop = time.monotonic() + seconds

    def client(index: int):
        n = index * 10_000_000
        while time.monotonic() < stop:
            batch = [statement(n + i) for i in range(100)]
            n += 100
            try:
                status, _ = request(
                    f"{endpoint}/statements", auth, data=json.dumps(batch).encode(), method="POST"
                )
                if status == 200:
                    stored[index] += 100
            except (urllib.error.URLError, OSError):
                errors[0] += 1

    start = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(stored) / (time.monotonic() - start), errors[0]


def query_load(endpoint: str, auth: str, count: int = 40) -> tuple[float, float, int]:
    times, found = [], 0
    since = (datetime.now(UTC) - timedelta(days=30)).isoformat()
    for i in range(count):
        params = urllib.parse.urlencode(
            {
                "agent": json.dumps({"mbox": f"mailto:learner{(i * 37) % 1000}@bench.cn"}),
                "verb": VERBS[i % len(VERBS)],
                "since": since,
                "limit": 100,
            }
        )
        began = time.perf_counter()
        _status, body = request(f"{endpoint}/statements?{params}", auth)
        times.append((time.perf_counter() - began) * 1000)
        found += len(json.loads(body)["statements"])
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))], found


# --- this project's LRS -------------------------------------------------------------------------


def ours(args) -> dict:
    url = os.environ.get(
        "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/xz5g_lrs_bench"
    )
    env = {**os.environ, "DATABASE_URL": url, "XZ5G_DEBUG": "1"}
    import psycopg

    base = url.rsplit("/", 1)
    with psycopg.connect(base[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname=%s", (base[1],)).fetchone():
            conn.execute(f'CREATE DATABASE "{base[1]}"')
    xz = [str(BIN / "xizang5g")]
    subprocess.run([*xz, "migrate", "-v0"], env=env, check=True)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("TRUNCATE edu_statement, edu_statementindex")
    out = subprocess.run(
        [*xz, "lrs_key", "create", "--name", "bench"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    auth = "Basic " + base64.b64encode(f"{out[1]}:{out[3]}".encode()).decode()
    port = free_port()
    server = subprocess.Popen(
        [
            str(BIN / "uvicorn"),
            "xizang5g.asgi:application",
            "--port",
            str(port),
            "--workers",
            "2",
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
        cwd=ROOT,
    )
    endpoint = f"http://127.0.0.1:{port}/xapi"
    try:
        wait_up(f"{endpoint}/about")
        rate, errors = write_load(endpoint, auth, args.clients, args.seconds)
        began = time.monotonic()
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(BULK, {"rows": args.rows})
            conn.execute("ANALYZE edu_statement; ANALYZE edu_statementindex")
        load_s = time.monotonic() - began
        with psycopg.connect(url) as conn:
            total = conn.execute("SELECT count(*) FROM edu_statement").fetchone()[0]
        p50, p95, found = query_load(endpoint, auth)
    finally:
        server.terminate()
        server.wait(timeout=20)
    return {
        "rate": rate,
        "errors": errors,
        "rows": total,
        "p50": p50,
        "p95": p95,
        "found": found,
        "load_s": load_s,
    }


BULK = """
WITH rows AS (
  SELECT g, gen_random_uuid() AS sid,
         now() - (g %% 7776000) * interval '1 second' AS t,
         'mbox:mailto:learner' || (g %% 1000) || '@bench.cn' AS actor,
         'http://adlnet.gov/expapi/verbs/' || (ARRAY['launched','initialized','progressed',
           'completed','passed','failed','terminated','attended','experienced','answered'])
           [1 + (g / 1000) %% 10] AS verb
  FROM generate_series(1, %(rows)s) AS g
), ins AS (
  INSERT INTO edu_statement (statement_id, stored, "timestamp", verb, actor, activity, voided,
                             payload, attachment_hashes)
  SELECT sid, t, t, verb, actor, 'https://edu.xizang5g.cn/course/c' || (g %% 50), false,
         jsonb_build_object('id', sid, 'actor', jsonb_build_object('mbox',
           substr(actor, 6)), 'verb', jsonb_build_object('id', verb), 'object',
           jsonb_build_object('id', 'https://edu.xizang5g.cn/course/c' || (g %% 50)),
           'stored', t, 'timestamp', t), '[]'::jsonb
  FROM rows RETURNING statement_id, actor
)
INSERT INTO edu_statementindex (statement_id, kind, value, direct)
SELECT statement_id, 'agent', actor, true FROM ins
"""


# --- Ralph ----------------------------------------------------------------------------------------


def _lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for _ in handle)


def ralph(args) -> dict | str:
    exe = args.ralph or shutil.which("ralph")
    if not exe or not Path(exe).exists():
        return "ralph not installed (pip install 'ralph-malph[cli,lrs,backend-lrs]' in a venv)"
    home = Path(tempfile.mkdtemp(prefix="ralph-bench-"))
    env = {
        **os.environ,
        "RALPH_RUNSERVER_BACKEND": "fs",
        "RALPH_APP_DIR": str(home),
        "RALPH_AUTH_FILE": str(home / "auth.json"),
        "RALPH_BACKENDS__DATA__FS__DEFAULT_DIRECTORY_PATH": str(home),
    }
    subprocess.run(
        [
            exe,
            "auth",
            "-u",
            "bench",
            "-p",
            "bench-secret",
            "-s",
            "all",
            "-M",
            "mailto:bench@bench.cn",
            "-w",
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    port = free_port()
    server = subprocess.Popen(
        [exe, "runserver", "-b", "fs", "-p", str(port), "--fs-default-directory-path", str(home)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}/xAPI"
    auth = "Basic " + base64.b64encode(b"bench:bench-secret").decode()
    try:
        wait_up(f"http://127.0.0.1:{port}/__heartbeat__")
        rate, errors = write_load(endpoint, auth, args.clients, args.seconds)
        total = sum(_lines(path) for path in home.glob("*") if path.suffix != ".json")
        p50, p95, found = query_load(endpoint, auth, count=10)
    finally:
        server.terminate()
        server.wait(timeout=20)
        shutil.rmtree(home, ignore_errors=True)
    return {"rate": rate, "errors": errors, "rows": total, "p50": p50, "p95": p95, "found": found}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--ralph", default=os.environ.get("RALPH_BIN"))
    args = parser.parse_args()
    a = ours(args)
    r = ralph(args)
    print(
        f"\nLRS benchmark — {args.clients} clients, batches of 100, {args.seconds:.0f} s "
        f"writes; query agent+verb+since (limit 100)"
    )
    print(f"{'':34}{'xizang5g (PostgreSQL)':>24}{'Ralph (fs)':>16}{'ratio':>8}")
    if isinstance(r, str):
        r = {}
        print(f"Ralph: {r}")

    def row(label, key, fmt, better_high):
        mine, theirs = a.get(key), r.get(key)
        ratio = ""
        if mine and theirs:
            ratio = f"{(mine / theirs if better_high else theirs / mine):.2f}"
        show = lambda v: "—" if v is None else format(v, fmt)  # noqa: E731
        print(f"{label:34}{show(mine):>24}{show(theirs):>16}{ratio:>8}")

    row("statements stored per second", "rate", ",.0f", True)
    row("statements in the store at query", "rows", ",d", True)
    row("query p50 (ms)", "p50", ".1f", False)
    row("query p95 (ms)", "p95", ".1f", False)
    print(
        f"(ratio: how many times better this project is; bulk load of {args.rows:,} rows "
        f"took {a['load_s']:.0f} s; write errors ours {a['errors']}, Ralph {r.get('errors')})"
    )


if __name__ == "__main__":
    main()
