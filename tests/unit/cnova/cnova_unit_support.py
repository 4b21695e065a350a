"""Helpers shared by the Cnova client unit tests (imported by name: keep this module name unique)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RECORDED_DIR = Path(__file__).resolve().parents[2] / "fixtures" / "cnova-recorded"
BASE = "https://api.example.test/api/v2"
CLIENT_ID = "app-client-id"
TOKEN = "s3cr3t-T0KEN-value-never-logged"


def recorded(name: str) -> Any:
    return json.loads((RECORDED_DIR / name).read_text(encoding="utf-8"))


def recorded_text(name: str) -> str:
    return (RECORDED_DIR / name).read_text(encoding="utf-8")


def body_of(call: Any) -> Any:
    raw = call.request.body
    if raw is None:
        return None
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8")
    return json.loads(raw)


class FakeTime:
    """A monotonic clock that only moves when someone sleeps (or a test moves it)."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def wall(self) -> float:
        return 1_700_000_000.0 + self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def advance(self, seconds: float) -> None:
        self.now += seconds
