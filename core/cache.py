"""A Redis cache that degrades to no cache while Redis is unreachable, instead of failing the request.

Every read then answers as a miss (the default), every write is dropped, and a warning is logged once
per outage (not once per call), then once more when Redis answers again. After a failure the cache
does not try Redis again for ``RETRY_AFTER`` seconds (an OPTIONS key, default 5), so a page that reads
the cache ten times waits for at most one connection attempt; the socket timeouts are short by default
for the same reason (``socket_connect_timeout`` and ``socket_timeout`` in OPTIONS override them).

Only "Redis is not there" is swallowed (redis ``ConnectionError`` and ``TimeoutError``); a bad key or a
value that cannot be pickled still raises, as it would with any other cache.
"""

import logging
import threading
import time
from urllib.parse import urlsplit

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
DEFAULT_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 1.0}
DEFAULT_RETRY_AFTER = 5.0


class Outage:
    """Whether one Redis server is down, shared by the per-thread cache instances that talk to it."""

    def __init__(self, where: str):
        self.where = where
        self._lock = threading.Lock()
        self.down_since: float | None = None
        self.retry_at = 0.0

    def skipping(self) -> bool:
        """Down, and too soon to try again: answer without asking Redis."""
        return self.down_since is not None and time.monotonic() < self.retry_at

    def failed(self, exc: Exception, *, retry_after: float) -> None:
        now = time.monotonic()
        with self._lock:
            first = self.down_since is None
            if first:
                self.down_since = now
            self.retry_at = now + retry_after
        if first:
            logger.warning(
                "Cache at %s is unreachable (%s: %s); pages are served without a cache until it answers.",
                self.where,
                type(exc).__name__,
                exc,
            )

    def recovered(self) -> None:
        if self.down_since is None:
            return
        with self._lock:
            since, self.down_since = self.down_since, None
        if since is not None:
            logger.warning("Cache at %s answers again after %.0f s.", self.where, time.monotonic() - since)


_outages: dict[str, Outage] = {}
_outages_lock = threading.Lock()


def _where(servers: list[str]) -> str:
    """host:port of each server, never the password a URL may carry."""
    parts = []
    for server in servers:
        url = urlsplit(server)
        parts.append(f"{url.hostname}:{url.port or 6379}" if url.hostname else url.path or server)
    return ",".join(parts)


def outage_of(servers: list[str]) -> Outage:
    where = _where(servers)
    with _outages_lock:
        return _outages.setdefault(where, Outage(where))


class ResilientRedisCache(RedisCache):
    """Django's RedisCache, answering as an empty cache while Redis is unreachable."""

    def __init__(self, server, params):
        options = {**DEFAULT_OPTIONS, **params.get("OPTIONS", {})}
        self.retry_after = float(options.pop("RETRY_AFTER", DEFAULT_RETRY_AFTER))
        super().__init__(server, {**params, "OPTIONS": options})
        self.outage = outage_of(self._servers)

    def _guarded(self, fallback, operation, *args):
        if self.outage.skipping():
            return fallback
        try:
            result = operation(*args)
        except UNREACHABLE as exc:
            self.outage.failed(exc, retry_after=self.retry_after)
            return fallback
        self.outage.recovered()
        return result

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(False, super().add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._guarded(default, super().get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(None, super().set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._guarded(False, super().delete, key, version)

    def get_many(self, keys, version=None):
        return self._guarded({}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._guarded(False, super().has_key, key, version)

    def incr(self, key, delta=1, version=None):
        missing = object()
        result = self._guarded(missing, super().incr, key, delta, version)
        if result is missing:  # no cache: every key is missing, and incr() of a missing key is a ValueError
            raise ValueError(f"Key '{key}' not found (the cache is unreachable).")
        return result

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(list(data), super().set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._guarded(None, super().delete_many, keys, version)

    def clear(self):
        return self._guarded(False, super().clear)

    def ping(self) -> None:
        """Ask Redis now, whatever the outage state (for /healthz): raises when it is unreachable."""
        try:
            self._cache.get_client(write=True).ping()
        except UNREACHABLE as exc:
            self.outage.failed(exc, retry_after=self.retry_after)
            raise
        self.outage.recovered()
