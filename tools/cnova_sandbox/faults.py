"""Fault injection for ``/api/v2`` requests, reproducible with a seed.

One ``random.Random`` draws exactly one number per API request (under a lock), so the same seed
and the same sequence of requests give the same faults.
"""

from __future__ import annotations

import enum
import random
import threading

from cnova_sandbox.config import Faults


class Fault(enum.Enum):
    NONE = "none"
    TIMEOUT = "timeout"
    RATE_429 = "rate429"
    ERROR_5XX = "rate5xx"
    ERROR_5XX_AFTER_APPLY = "rate5xxAfterApply"


class FaultInjector:
    def __init__(self, seed: int | None = None) -> None:
        self._lock = threading.Lock()
        self._rng = random.Random(seed)

    def reseed(self, seed: int | None) -> None:
        with self._lock:
            self._rng = random.Random(seed)

    def draw(self, faults: Faults) -> Fault:
        if not (faults.timeoutRate or faults.rate429 or faults.rate5xx or faults.rate5xxAfterApply):
            return Fault.NONE
        with self._lock:
            u = self._rng.random()
        edge = faults.timeoutRate
        if u < edge:
            return Fault.TIMEOUT
        edge += faults.rate429
        if u < edge:
            return Fault.RATE_429
        edge += faults.rate5xx
        if u < edge:
            return Fault.ERROR_5XX
        edge += faults.rate5xxAfterApply
        if u < edge:
            return Fault.ERROR_5XX_AFTER_APPLY
        return Fault.NONE
