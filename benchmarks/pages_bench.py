"""Dashboards under load: the four systems' dashboards at 50 concurrent users, beside the login page.

The platform runs as in production (DEBUG off, collected static files, uvicorn with 2 workers,
PostgreSQL) on plain HTTP (XZ5G_HTTPS=0: no TLS in the loop), loaded with the demo data of
`xizang5g demo_setup`. Each page is driven for a fixed time by 50 concurrent keep-alive clients (one
asyncio process with httpx, sharing the machine's cores with the server); the login page (anonymous)
is the reference in the same run. Goal (issue "Three languages in full…"): p95 < 500 ms on every
dashboard and ≥ 25 % of the login page's requests per second.

    .venv-bench/bin/python benchmarks/pages_bench.py [--seconds 20] [--users 50] [--workers 2]

Needs PostgreSQL (BENCH_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/xz5g_pages_bench;
the database is dropped and created again) and, as docs/operations.md sets production, Redis as the
workers' shared cache (BENCH_CACHE_URL, default redis://127.0.0.1:6379/15, emptied first; an empty
value runs each worker with its own local-memory cache).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psycopg
import redis

ROOT = Path(__file__).resolve().parents[1]
PAGES = (
    ("login page (anonymous)", "/accounts/login/", None),
    ("plan supervision", "/plan/", "planoffice"),
    ("5G supervision", "/network/", "regulator"),
    ("security", "/security/", "secops"),
    ("IoT hub", "/iot/", "planoffice"),
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def recreate_database(url: str) -> None:
    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def manage(env: dict, *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "xizang5g", *args],
        env=env,
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )


def session_cookies(env: dict, usernames: set[str]) -> dict[str, str]:
    """A logged-in session per user, made the way Django's login makes it."""
    code = (
        "import sys\n"
        "from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY\n"
        "from django.contrib.sessions.backends.db import SessionStore\n"
        "from xizang5g.core.models import User\n"
        "for name in sys.argv[1:]:\n"
        "    u = User.objects.get(username=name)\n"
        "    s = SessionStore()\n"
        "    s[SESSION_KEY] = str(u.pk)\n"
        "    s[BACKEND_SESSION_KEY] = 'xizang5g.core.backends.UnitModelBackend'\n"
        "    s[HASH_SESSION_KEY] = u.get_session_auth_hash()\n"
        "    s.create()\n"
        "    print(name, s.session_key)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code, *sorted(usernames)],
        env={**env, "DJANGO_SETTINGS_MODULE": "xizang5g.settings"},
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout
    return dict(line.split() for line in out.splitlines() if line.strip())


async def drive(base: str, path: str, cookie: str | None, users: int, seconds: float) -> dict:
    latencies: list[float] = []
    errors = 0
    cookies = {"sessionid": cookie} if cookie else None
    limits = httpx.Limits(max_connections=users, max_keepalive_connections=users)
    async with httpx.AsyncClient(
        base_url=base, cookies=cookies, limits=limits, timeout=60
    ) as client:
        for _ in range(3):  # warm each worker
            await client.get(path)
        stop = time.perf_counter() + seconds

        async def user() -> None:
            nonlocal errors
            while time.perf_counter() < stop:
                start = time.perf_counter()
                try:
                    response = await client.get(path)
                except httpx.TransportError:  # a connection the server closed: count it, go on
                    errors += 1
                    continue
                latencies.append(time.perf_counter() - start)
                errors += response.status_code != 200

        began = time.perf_counter()
        await asyncio.gather(*(user() for _ in range(users)))
        elapsed = time.perf_counter() - began
    latencies.sort()
    return {
        "n": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies) * 1000,
        "p95": latencies[int(0.95 * (len(latencies) - 1))] * 1000,
        "errors": errors,
    }


def wait_ready(base: str, process: subprocess.Popen) -> None:
    for _ in range(300):
        if process.poll() is not None:
            raise SystemExit("uvicorn exited")
        try:
            if httpx.get(base + "/accounts/login/", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("uvicorn did not start")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep-data", action="store_true", help="reuse the loaded database")
    args = parser.parse_args()
    url = os.environ.get(
        "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/xz5g_pages_bench"
    )
    cache_url = os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/15")
    if cache_url:
        redis.Redis.from_url(cache_url).flushdb()
    var = Path(tempfile.mkdtemp(prefix="pages-bench-"))
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "XZ5G_DEBUG": "0",
        "XZ5G_HTTPS": "0",
        # As docs/operations.md sets the web servers: a connection pool per uvicorn process.
        "XZ5G_DB_POOL_SIZE": "10",
        # Fixed keys: the bench's database is thrown away, and --keep-data must read it again.
        "SECRET_KEY": "pages-bench-" + "k" * 40,
        "XZ5G_VAR_DIR": str(var),
        "XZ5G_ALLOWED_HOSTS": "127.0.0.1",
        "XZ5G_LOG_LEVEL": "WARNING",
        "XZ5G_SM4_KEYS": "k1:" + "0" * 32,
        "XZ5G_CACHE_URL": cache_url,
    }
    if not args.keep_data:
        print("loading the demo into", url, "…", flush=True)
        recreate_database(url)
        manage(env, "migrate", "--noinput")
        manage(env, "demo_setup")
    manage(env, "collectstatic", "--noinput")
    cookies = session_cookies(env, {user for _l, _p, user in PAGES if user})
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
            str(args.workers),
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, server)
        results = []
        for label, path, user in PAGES:
            found = asyncio.run(drive(base, path, cookies.get(user), args.users, args.seconds))
            results.append((label, path, found))
    finally:
        server.terminate()
        server.wait(timeout=20)
    reference = results[0][2]["rps"]
    print(
        f"\n{platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
        f"{args.users} concurrent users, {args.seconds:.0f} s a page, uvicorn --workers "
        f"{args.workers}, PostgreSQL, DEBUG off, cache: {cache_url or 'local memory'}"
    )
    print(
        f"{'page':<24}{'path':<20}{'requests':>9}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}"
        f"{'÷ login':>9}{'errors':>8}"
    )
    for label, path, r in results:
        print(
            f"{label:<24}{path:<20}{r['n']:>9,}{r['rps']:>8.1f}{r['p50']:>8.0f}{r['p95']:>8.0f}"
            f"{r['rps'] / reference:>9.2f}{r['errors']:>8}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
