"""Run work on several threads at once, each with its own database connection (for tests of
behaviour under concurrency, on PostgreSQL)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection


def require_database_server() -> None:
    """Skip (saying why) unless the tests run on PostgreSQL."""
    if connection.vendor != "postgresql":
        reason = (
            "concurrent writers need a database server: the SQLite test database is in memory "
            "with a shared cache, whose table locks are not waited for (run with DATABASE_URL)"
        )
        print(f"SKIP: {reason}")
        pytest.skip(reason)


def run_concurrently(work: Callable[[], object], *, threads: int, each: int) -> list:
    """Call ``work()`` ``each`` times on each of ``threads`` threads that start together;
    returns every result. Each thread's connection is closed when it is done."""
    start = threading.Barrier(threads)

    def worker() -> list:
        try:
            start.wait()
            return [work() for _ in range(each)]
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=threads) as pool:
        futures = [pool.submit(worker) for _ in range(threads)]
        return [value for future in futures for value in future.result()]
