"""Fixed-window rate limits per seller × rule, on the sandbox clock."""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    retry_after: int


class RateLimiter:
    """Counts requests in windows aligned to multiples of ``windowSeconds`` since the epoch."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[tuple[str, str, float], int] = {}

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()

    def hit(self, seller_key: str, rule: str, limit: int, window_seconds: float, now_ts: float) -> Decision:
        window_start = math.floor(now_ts / window_seconds) * window_seconds
        key = (seller_key, rule, window_start)
        retry_after = max(1, math.ceil(window_start + window_seconds - now_ts))
        with self._lock:
            count = self._counts.get(key, 0)
            if count >= limit:
                return Decision(False, limit, retry_after)
            self._counts[key] = count + 1
            if len(self._counts) > 50_000:  # forget old windows
                for stale in [k for k in self._counts if k[2] + window_seconds < now_ts - 3600]:
                    del self._counts[stale]
        return Decision(True, limit, retry_after)
