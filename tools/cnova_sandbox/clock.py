"""The sandbox clock and Cnova's timestamp formats.

The sandbox never sleeps for its delays: every delay (review, order indexing, bulk processing,
rate-limit windows) is evaluated lazily against this clock, which tests move forward with
``POST /_sandbox/clock``.
"""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta, timezone

# Cnova stamps its data in Brasília time (recorded: "2015-04-30T14:54:29.000-03:00").
BRT = timezone(timedelta(hours=-3))

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class SandboxClock:
    """Wall-clock time plus an offset that only ever grows."""

    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            offset = self._offset
        return datetime.now(UTC) + timedelta(seconds=offset)

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("the sandbox clock only moves forward")
        with self._lock:
            self._offset += seconds

    def reset(self) -> None:
        with self._lock:
            self._offset = 0.0

    @property
    def offset_seconds(self) -> float:
        with self._lock:
            return self._offset


def fmt(dt: datetime | None) -> str | None:
    """Format like Cnova: milliseconds and the -03:00 offset."""
    if dt is None:
        return None
    local = dt.astimezone(BRT)
    return local.strftime("%Y-%m-%dT%H:%M:%S.") + f"{local.microsecond // 1000:03d}" + "-03:00"


def parse_dt(text: str) -> datetime:
    """Parse ISO-8601 with or without offset ("Z" accepted). No offset means Brasília time."""
    value = text.strip()
    if not value:
        raise ValueError("empty timestamp")
    if _DATE_ONLY.match(value):
        value += "T00:00:00"
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    dt = datetime.fromisoformat(value)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=BRT)
    return dt


def parse_range(text: str) -> tuple[datetime | None, datetime | None]:
    """Parse Cnova's date range: ``start,end``, ``start,*`` or ``*,end``."""
    parts = text.split(",")
    if len(parts) != 2:
        raise ValueError("a date range is 'start,end', 'start,*' or '*,end'")
    start_text, end_text = (p.strip() for p in parts)
    if start_text == "*" and end_text == "*":
        return None, None
    start = None if start_text == "*" else parse_dt(start_text)
    end = None if end_text == "*" else parse_dt(end_text)
    return start, end


def in_range(value: datetime | None, bounds: tuple[datetime | None, datetime | None]) -> bool:
    start, end = bounds
    if start is None and end is None:
        return True
    if value is None:
        return False
    if start is not None and value < start:
        return False
    return not (end is not None and value > end)
