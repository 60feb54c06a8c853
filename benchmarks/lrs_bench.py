"""LRS benchmark: statements stored per second and query p95, this project's LRS beside Ralph.

    flock /work/bench.lock python benchmarks/lrs_bench.py [--seconds 20] [--clients 4]
        [--rows 10000000] [--days 90] [--queries 100] [--ralph /path/to/venv/bin/ralph]

* Write: ``--clients`` concurrent HTTP clients POST batches of 100 statements to
  ``/xapi/statements`` for ``--seconds``; statements stored per second, and the CPU time the web
  workers and PostgreSQL spent per statement (what two cores given to the LRS alone would store,
  whatever else runs on the machine).
* Load: ``--rows`` statements straight into PostgreSQL (INSERT … SELECT from generate_series in
  two sessions, 1 000 learners, 10 verbs, 50 courses, spread over ``--days`` into their month
  partitions), each row and payload as the write path stores that statement (which needs no
  index row); the statements table's indexes are dropped for the load and built again after it,
  as a restore does. The time it takes is printed.
* Query: ``GET /xapi/statements?agent=…&verb=…&since=…`` (30 days, limit 100) p50/p95 over
  ``--queries`` requests on that store, and the EXPLAIN (ANALYZE, BUFFERS) of its SQL.
* Reference, in the same run: Ralph (``ralph-malph``, a Python LRS by France Université
  Numérique) with the only backend it runs without an external server here, ``fs`` (one
  JSON-lines file), given by ``--ralph`` (path of a venv's ``ralph`` executable; skipped with
  the reason when absent). Its Elasticsearch/MongoDB/ClickHouse backends need servers this
  machine does not have.

Our server: uvicorn with ``--workers`` (2) processes on PostgreSQL as docs/operations.md runs it
(DEBUG off, a connection pool per process) (``BENCH_DATABASE_URL``, default
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


def cpu_seconds(pids) -> float:
    """User + system CPU seconds the processes have used (Linux /proc), 0 for gone ones."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / tick


def children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in found.split()]


def postgres_pids(url: str) -> list[int]:
    """The PostgreSQL backends of the bench's database and the server's own writers (WAL
    writer, checkpointer, background writer), which the writes keep busy."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND"
            " (datname = current_database() OR backend_type IN"
            " ('walwriter', 'checkpointer', 'background writer'))"
        ).fetchall()
    return [row[0] for row in rows]


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


def query_load(
    endpoint: str, auth: str, count: int = 40, offset: int = 0
) -> tuple[float, float, int]:
    times, found = [], 0
    since = (datetime.now(UTC) - timedelta(days=30)).isoformat()
    for i in range(offset, offset + count):
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


def server_env(url: str, var: Path) -> dict:
    """The web server as docs/operations.md runs it in production (DEBUG off, a pool of
    PostgreSQL connections per uvicorn process), plain HTTP on 127.0.0.1."""
    return {
        **os.environ,
        "DATABASE_URL": url,
        "XZ5G_DEBUG": "0",
        "XZ5G_HTTPS": "0",
        "XZ5G_DB_POOL_SIZE": "10",
        "SECRET_KEY": "lrs-bench-" + "k" * 40,  # the bench's database is thrown away
        "XZ5G_VAR_DIR": str(var),
        "XZ5G_ALLOWED_HOSTS": "127.0.0.1",
        "XZ5G_LOG_LEVEL": "WARNING",
        "XZ5G_SM4_KEYS": "k1:" + "0" * 32,
    }


def ours(args) -> dict:
    url = os.environ.get(
        "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/xz5g_lrs_bench"
    )
    var = Path(tempfile.mkdtemp(prefix="lrs-bench-"))
    env = server_env(url, var)
    import psycopg

    base = url.rsplit("/", 1)
    with psycopg.connect(base[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname=%s", (base[1],)).fetchone():
            conn.execute(f'CREATE DATABASE "{base[1]}"')
    xz = [str(BIN / "xizang5g")]
    subprocess.run([*xz, "migrate", "-v0"], env=env, check=True)
    # the month partitions the edu_partitions job would have made while the history came in
    months = 1 + args.days // 28
    subprocess.run(
        [
            *xz,
            "shell",
            "-c",
            "from xizang5g.core import partitions; "
            f"partitions.partitions_ensure('edu_statement', months_back={months}, months_ahead=2)",
        ],
        env=env,
        check=True,
    )
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("TRUNCATE edu_statement, edu_statementindex")
    out = subprocess.run(
        [*xz, "lrs_key", "create", "--name", "bench"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    key, secret = out[1], out[3]
    auth = "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()
    with psycopg.connect(url) as conn:
        credential_id = conn.execute(
            "SELECT id FROM edu_lrscredential WHERE key = %s", (key,)
        ).fetchone()[0]
    port = free_port()
    server = subprocess.Popen(
        [
            str(BIN / "uvicorn"),
            "xizang5g.asgi:application",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
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
        write_load(endpoint, auth, args.clients, 2)  # warm-up: pools, caches
        workers = children(server.pid)
        before_pg = {pid: cpu_seconds([pid]) for pid in postgres_pids(url)}
        before_web, before_client = cpu_seconds(workers), time.process_time()
        rate, errors = write_load(endpoint, auth, args.clients, args.seconds)
        after_pg = {pid: cpu_seconds([pid]) for pid in postgres_pids(url)}
        cpu = {
            "web": cpu_seconds(workers) - before_web,
            "db": sum(t - before_pg.get(pid, 0.0) for pid, t in after_pg.items()),
            "client": time.process_time() - before_client,
        }
        with psycopg.connect(url) as conn:
            written, written_index = conn.execute(
                "SELECT (SELECT count(*) FROM edu_statement),"
                " (SELECT count(*) FROM edu_statementindex)"
            ).fetchone()
        load_s = bulk_load(url, args.rows, args.days, key, credential_id) if args.rows else 0.0
        with psycopg.connect(url) as conn:
            total = conn.execute("SELECT count(*) FROM edu_statement").fetchone()[0]
        query_load(endpoint, auth, count=10, offset=500)  # warm-up: connections
        p50, p95, found = query_load(endpoint, auth, count=args.queries)
        plan = explain(url, args.days)
    finally:
        server.terminate()
        server.wait(timeout=20)
        shutil.rmtree(var, ignore_errors=True)
    return {
        "rate": rate,
        "errors": errors,
        "cpu": cpu,
        "written": written,
        "index_rows": written_index,
        "rows": total,
        "p50": p50,
        "p95": p95,
        "found": found,
        "load_s": load_s,
        "plan": plan,
    }


# The statements the write path stores for the benchmark's statement shape (an Agent by mbox, a
# verb, an Activity, a result; stored, authority and version added by the LRS), with the columns
# it fills; such a statement needs no index row (its actor and object are columns: see
# xizang5g.edu.xapi.store.extra_index_rows), which the write phase above checks.
BULK = """
INSERT INTO edu_statement (statement_id, stored, "timestamp", verb, actor, activity,
                           registration, voided, voids, refs, school_id, credential_id,
                           payload, attachment_hashes)
SELECT sid, t, t, verb, 'mbox:' || mbox, activity, NULL, false, NULL, NULL, NULL,
       %(credential)s,
       jsonb_build_object(
         'id', sid,
         'actor', jsonb_build_object('objectType', 'Agent', 'mbox', mbox),
         'verb', jsonb_build_object('id', verb),
         'object', jsonb_build_object('objectType', 'Activity', 'id', activity),
         'result', jsonb_build_object('score', jsonb_build_object('scaled', 0.5),
                                      'duration', 'PT5M'),
         'timestamp', to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
         'stored', to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
         'authority', jsonb_build_object('objectType', 'Agent', 'name', 'bench',
           'account', jsonb_build_object('homePage', 'https://xapi.xizang5g.cn',
                                         'name', %(key)s::text)),
         'version', '1.0.0'),
       '[]'::jsonb
FROM (
  SELECT gen_random_uuid() AS sid,
         date_trunc('milliseconds', %(start)s::timestamptz
           - (g::float8 / %(rows)s * %(days)s) * interval '1 day') AS t,
         'mailto:learner' || (g %% 1000) || '@bench.cn' AS mbox,
         'http://adlnet.gov/expapi/verbs/' || (ARRAY['launched','initialized','progressed',
           'completed','passed','failed','terminated','attended','experienced','answered'])
           [1 + (g / 1000) %% 10] AS verb,
         'https://edu.xizang5g.cn/course/c' || (g %% 50) AS activity
  FROM generate_series(%(last)s, %(first)s, -1) AS g  -- oldest first, as they came in
) AS rows
"""


def bulk_load(url: str, rows: int, days: int, key: str, credential_id: int) -> float:
    """Load ``rows`` statements spread over the ``days`` before now straight into PostgreSQL
    (INSERT … SELECT from generate_series, two sessions for the two cores), the indexes dropped
    during the load and built again after it (as a restore does); returns the seconds taken."""
    import psycopg

    began = time.monotonic()
    start = datetime.now(UTC) - timedelta(minutes=1)
    with psycopg.connect(url, autocommit=True) as conn:
        indexes = conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'edu_statement'"
            " AND indexname NOT LIKE '%pkey'"
        ).fetchall()
        for name, _definition in indexes:
            conn.execute(f'DROP INDEX "{name}"')
    chunks = 8
    step = -(-rows // chunks)
    ranges = [(i, min(i + step - 1, rows)) for i in range(1, rows + 1, step)]
    failures = []

    def worker(mine):
        try:
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute("SET synchronous_commit = off")
                for first, last in mine:
                    conn.execute(
                        BULK,
                        {
                            "first": first,
                            "last": last,
                            "rows": rows,
                            "days": days,
                            "start": start,
                            "key": key,
                            "credential": credential_id,
                        },
                    )
        except Exception as error:  # reported below
            failures.append(error)

    threads = [threading.Thread(target=worker, args=(ranges[i::2],)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    loaded = time.monotonic() - began
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET maintenance_work_mem = '512MB'")
        for _name, definition in indexes:  # the parent's index makes each partition's
            conn.execute(definition.replace(" ON ONLY ", " ON "))
        conn.execute("ANALYZE edu_statement")
        conn.execute("ANALYZE edu_statementindex")
    took = time.monotonic() - began
    print(
        f"bulk load of {rows:,} statements: {took:.0f} s "
        f"(rows {loaded:.0f} s, indexes and ANALYZE {took - loaded:.0f} s)",
        flush=True,
    )
    return took


def explain(url: str, days: int) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of the statement query the agent+verb+since request makes."""
    import psycopg

    since = datetime.now(UTC) - timedelta(days=30)
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "EXPLAIN (ANALYZE, BUFFERS) SELECT id, payload FROM edu_statement"
            " WHERE voided = false AND actor = %s AND verb = %s AND stored > %s"
            " ORDER BY stored DESC, id DESC LIMIT 101",
            ("mbox:mailto:learner37@bench.cn", VERBS[3], since),
        ).fetchall()
    return "\n".join(row[0] for row in rows)


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


def load_average() -> str:
    with open("/proc/loadavg") as handle:
        return " ".join(handle.read().split()[:3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--rows", type=int, default=1_000_000, help="statements bulk-loaded")
    parser.add_argument("--days", type=int, default=90, help="days the loaded statements span")
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--ralph", default=os.environ.get("RALPH_BIN"))
    args = parser.parse_args()
    print(f"load average before: {load_average()}", flush=True)
    a = ours(args)
    r = ralph(args)
    print(f"load average after: {load_average()}")
    print(
        f"\nLRS benchmark — {args.clients} clients, batches of 100, {args.seconds:.0f} s "
        f"writes; query agent+verb+since (limit 100), {args.queries} queries"
    )
    print(f"{'':34}{'xizang5g (PostgreSQL)':>24}{'Ralph (fs)':>16}{'ratio':>10}")
    if isinstance(r, str):
        print(f"Ralph: {r}")
        r = {}

    def row(label, key, fmt, better_high):
        mine, theirs = a.get(key), r.get(key)
        ratio = ""
        if mine and theirs and better_high is not None:
            ratio = f"{(mine / theirs if better_high else theirs / mine):.2f}"
        show = lambda v: "—" if v is None else format(v, fmt)  # noqa: E731
        print(f"{label:34}{show(mine):>24}{show(theirs):>16}{ratio:>10}")

    row("statements stored per second", "rate", ",.0f", True)
    row("statements in the store at query", "rows", ",d", None)
    row("query p50 (ms)", "p50", ".1f", False)
    row("query p95 (ms)", "p95", ".1f", False)
    print(
        f"(ratio: how many times better this project is; write errors ours {a['errors']}, "
        f"Ralph {r.get('errors')}; the write phase stored {a['written']:,} statements with "
        f"{a['index_rows']:,} index rows; bulk load of {args.rows:,} statements took "
        f"{a['load_s']:.0f} s)"
    )
    cpu, stored = a["cpu"], a["rate"] * args.seconds
    per = (cpu["web"] + cpu["db"]) / stored
    print(
        f"CPU time of the write phase, per 1,000 statements: web workers "
        f"{1e6 * cpu['web'] / stored:.0f} ms, PostgreSQL {1e6 * cpu['db'] / stored:.0f} ms, "
        f"benchmark clients {1e6 * cpu['client'] / stored:.0f} ms; two cores given to the "
        f"LRS alone would store {2 / per:,.0f} statements/s"
    )
    print("\nEXPLAIN (ANALYZE, BUFFERS) of the agent+verb+since query:\n" + a["plan"])


if __name__ == "__main__":
    main()
