"""Client-side rate limiter: a sliding log per (store, resource).

Cnova limits requests per application x store x resource (cnova-api.md §8) and answers 429 without
executing the request when a limit is exceeded. The limiter keeps, per resource, the times of the last
``limit`` requests and lets a new request start only when the oldest of them is at least
``window_seconds`` old. Any interval of ``window_seconds`` then holds at most ``limit`` requests, so the
limiter is at least as strict as a server counting in fixed windows (or in sliding windows).

Each slot is re-stamped with the time the response arrived (``Slot.complete``): Cnova counted the
request when it *received* it, which lies between our send time and our receive time, so measuring
the window from the receive time keeps the guarantee whatever the network latency.

Limiters are shared by every client of the same store in one process through a module-level
registry (:func:`shared_limiter`), so two clients built by two modules of one Lambda do not each
spend the whole budget.
"""

from __future__ import annotations

import fnmatch
import hashlib
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

__all__ = [
    "DEFAULT_LIMIT",
    "DEFAULT_RATE_LIMITS",
    "RateLimit",
    "RateLimitWaitTooLong",
    "RateLimiter",
    "Slot",
    "reset_shared_limiters",
    "shared_limiter",
    "store_key",
]


@dataclass(frozen=True)
class RateLimit:
    """At most ``limit`` requests in any ``window_seconds``."""

    limit: int
    window_seconds: float

    def __post_init__(self) -> None:
        if self.limit < 1 or self.window_seconds <= 0:
            raise ValueError("a rate limit needs limit >= 1 and window_seconds > 0")


_UNIT = RateLimit(300, 60.0)
_ORDER_LIST = RateLimit(2, 60.0)
_ITEM_LIST = RateLimit(3, 60.0)

#: Limits per resource ("<METHOD> <path template>"), from cnova-api.md §8 (v1 table, INFERRED to hold
#: for v2). ``None`` means no client-side limit. Keys may use ``*`` (fnmatch). Resources not listed
#: here get :data:`DEFAULT_LIMIT`.
DEFAULT_RATE_LIMITS: Mapping[str, RateLimit | None] = {
    # seller items
    "GET /sellerItems": _ITEM_LIST,
    "GET /sellerItems/status/selling": _ITEM_LIST,  # INFERRED: a list like GET /sellerItems
    "GET /sellerItems/{skuSellerId}": _UNIT,
    "PUT /sellerItems/{skuSellerId}/prices": _UNIT,
    "PUT /sellerItems/{skuSellerId}/stock": _UNIT,
    "PUT /sellerItems/{skuSellerId}/status": _UNIT,  # INFERRED: same as the other unit PUTs
    # product loads
    "GET /loads/products/{skuSellerId}": _UNIT,
    "PUT /loads/*": None,  # cnova-api.md §8: no limit listed for PUT /loads/*
    # orders: one key per concrete status list, each limited on its own
    "GET /orders": _ORDER_LIST,
    "GET /orders/status/new": _ORDER_LIST,
    "GET /orders/status/approved": _ORDER_LIST,
    "GET /orders/status/sent": _ORDER_LIST,
    "GET /orders/status/partiallySent": _ORDER_LIST,
    "GET /orders/status/delivered": _ORDER_LIST,
    "GET /orders/status/partiallyDelivered": _ORDER_LIST,
    "GET /orders/status/canceled": _ORDER_LIST,
    "GET /orders/{orderId}": _UNIT,
    "GET /orders/{orderId}/items/{skuSellerId}": _UNIT,
    "POST /orders/{orderId}/trackings/*": _UNIT,
}

#: Limit for resources absent from the table (UNKNOWN in the contract): the unit-call limit.
DEFAULT_LIMIT: RateLimit | None = _UNIT


class RateLimitWaitTooLong(Exception):
    """Starting the request now would need a wait longer than the caller allowed."""

    def __init__(self, resource: str, wait_seconds: float) -> None:
        super().__init__(f"rate limit of {resource!r} needs a wait of {wait_seconds:.3f}s")
        self.resource = resource
        self.wait_seconds = wait_seconds


class _Stamp:
    __slots__ = ("at",)

    def __init__(self, at: float) -> None:
        self.at = at


class Slot:
    """A reserved place in a resource's log; call :meth:`complete` when the response has arrived."""

    __slots__ = ("_limiter", "_stamp", "resource", "waited")

    def __init__(self, limiter: RateLimiter | None, stamp: _Stamp | None, resource: str, waited: float):
        self._limiter = limiter
        self._stamp = stamp
        self.resource = resource
        self.waited = waited

    def complete(self) -> None:
        if self._limiter is not None and self._stamp is not None:
            self._limiter._restamp(self._stamp)


class RateLimiter:
    """Sliding-log limiter keyed by resource. Thread-safe; ``clock``/``sleep`` injectable for tests."""

    def __init__(
        self,
        limits: Mapping[str, RateLimit | None] | None = None,
        *,
        default: RateLimit | None = DEFAULT_LIMIT,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        safety_margin_seconds: float = 0.0,
    ) -> None:
        self._limits: dict[str, RateLimit | None] = dict(DEFAULT_RATE_LIMITS)
        self._default = default
        self.clock = clock
        self.sleep = sleep
        self.safety_margin_seconds = safety_margin_seconds
        self._lock = threading.Lock()
        self._logs: dict[str, list[_Stamp]] = {}
        self._not_before: dict[str, float] = {}
        self._exact: dict[str, RateLimit | None] = {}
        self._patterns: list[tuple[str, RateLimit | None]] = []
        self.configure(limits or {})

    def configure(self, limits: Mapping[str, RateLimit | None]) -> None:
        """Merge ``limits`` over the current ones (``None`` removes a resource's limit)."""
        with self._lock:
            self._limits.update(limits)
            self._exact = {k: v for k, v in self._limits.items() if "*" not in k}
            self._patterns = [(k, v) for k, v in self._limits.items() if "*" in k]

    def limit_for(self, resource: str) -> RateLimit | None:
        if resource in self._exact:
            return self._exact[resource]
        for pattern, limit in self._patterns:
            if fnmatch.fnmatchcase(resource, pattern):
                return limit
        return self._default

    def _wait_locked(self, resource: str, now: float) -> float:
        wait = max(0.0, self._not_before.get(resource, 0.0) - now)
        limit = self.limit_for(resource)
        if limit is None:
            return wait
        log = self._logs.get(resource)
        if log is not None and len(log) >= limit.limit:
            oldest = min(stamp.at for stamp in log)
            wait = max(wait, oldest + limit.window_seconds + self.safety_margin_seconds - now)
        return wait

    def wait_time(self, resource: str) -> float:
        """Seconds until a request to ``resource`` may start (0 when it may start now)."""
        with self._lock:
            return self._wait_locked(resource, self.clock())

    def acquire(self, resource: str, *, max_wait: float | None = None) -> Slot:
        """Reserve a slot, sleeping as needed. Raises :class:`RateLimitWaitTooLong` (without sleeping)
        when the wait would exceed ``max_wait`` seconds (``None``: no bound, ``0``: non-blocking)."""
        waited = 0.0
        while True:
            with self._lock:
                now = self.clock()
                wait = self._wait_locked(resource, now)
                if wait <= 0.0:
                    limit = self.limit_for(resource)
                    if limit is None:
                        return Slot(None, None, resource, waited)
                    log = self._logs.setdefault(resource, [])
                    if len(log) >= limit.limit:
                        log.remove(min(log, key=lambda s: s.at))
                    stamp = _Stamp(now)
                    log.append(stamp)
                    return Slot(self, stamp, resource, waited)
            if max_wait is not None and waited + wait > max_wait + 1e-9:
                raise RateLimitWaitTooLong(resource, wait)
            self.sleep(wait)
            waited += wait

    def block_until(self, resource: str, when: float) -> None:
        """Hold back every request to ``resource`` until ``when`` (on this limiter's clock), after a 429."""
        with self._lock:
            self._not_before[resource] = max(self._not_before.get(resource, 0.0), when)

    def _restamp(self, stamp: _Stamp) -> None:
        with self._lock:
            stamp.at = max(stamp.at, self.clock())


_REGISTRY: dict[str, RateLimiter] = {}
_REGISTRY_LOCK = threading.Lock()


def store_key(client_id: str, access_token: str) -> str:
    """Identity of a store for the registry; the token is hashed so the key can be logged safely."""
    digest = hashlib.sha256(access_token.encode("utf-8")).hexdigest()[:16]
    return f"{client_id}:{digest}"


def shared_limiter(
    key: str,
    factory: Callable[[], RateLimiter] | None = None,
    limits: Mapping[str, RateLimit | None] | None = None,
) -> RateLimiter:
    """The process-wide limiter of one store; created by ``factory`` (or with defaults) on first use.

    ``limits`` given for an existing limiter are merged into it: an explicit configuration always takes
    effect, and the last one wins (configure limits once per process, e.g. at cold start, to avoid
    surprises).
    """
    with _REGISTRY_LOCK:
        limiter = _REGISTRY.get(key)
        if limiter is None:
            limiter = factory() if factory is not None else RateLimiter()
            _REGISTRY[key] = limiter
        elif limits:
            limiter.configure(limits)
        return limiter


def reset_shared_limiters() -> None:
    """Forget every shared limiter (tests)."""
    with _REGISTRY_LOCK:
        _REGISTRY.clear()
