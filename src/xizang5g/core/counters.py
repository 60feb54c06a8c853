"""Failure counters in the cache for machine credentials (device secrets): cheap enough for the
ingest hot path. People logging in are throttled by `core.throttle` (sliding windows, stored).

Each key counts failures in a fixed window: the first failure starts the window, and once the
count reaches the limit every attempt under that key is refused until the window ends. The cache
is shared by all processes when ``XZ5G_CACHE_URL`` points at Redis (see settings); with the
default in-process cache each worker counts on its own, which still bounds a guesser per worker.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class FailureLimit:
    name: str
    limit: int
    window_seconds: int

    def _key(self, key: str) -> str:
        digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        return f"xz5g:fail:{self.name}:{digest}"

    def blocked(self, key: str) -> bool:
        return (cache.get(self._key(key)) or 0) >= self.limit

    def failed(self, key: str) -> int:
        """Count one failure; returns the count in the current window."""
        cache_key = self._key(key)
        cache.add(cache_key, 0, self.window_seconds)
        try:
            return cache.incr(cache_key)
        except ValueError:  # expired between add and incr: start again
            cache.set(cache_key, 1, self.window_seconds)
            return 1

    def reset(self, key: str) -> None:
        cache.delete(self._key(key))
