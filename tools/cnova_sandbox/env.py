"""What the domain needs from the sandbox: the current config, the clock and a scheduler.

Delays are evaluated lazily: domain code schedules a callback at a due time on the seller's
scheduler, and every request for that seller first runs whatever is due on the sandbox clock.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from cnova_sandbox.config import SandboxConfig


class Env(Protocol):
    @property
    def config(self) -> SandboxConfig: ...

    def now(self) -> datetime: ...

    def next_id(self, kind: str) -> int: ...


class Scheduler:
    """Callbacks due at a time on the sandbox clock, run in due-time order (then submission order)."""

    def __init__(self) -> None:
        self._heap: list[tuple[datetime, int, Callable[[datetime], None]]] = []
        self._seq = itertools.count()

    def at(self, due: datetime, callback: Callable[[datetime], None]) -> None:
        heapq.heappush(self._heap, (due, next(self._seq), callback))

    def after(self, now: datetime, seconds: float, callback: Callable[[datetime], None]) -> None:
        self.at(now + timedelta(seconds=seconds), callback)

    def run_due(self, now: datetime) -> None:
        while self._heap and self._heap[0][0] <= now:
            due, _, callback = heapq.heappop(self._heap)
            callback(due)
