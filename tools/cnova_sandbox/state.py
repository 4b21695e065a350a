"""The sandbox's whole state: config, clock, sellers (each with its own catalog and orders).

One re-entrant lock guards everything; the app takes it around every state access.
"""

from __future__ import annotations

import itertools
import threading
from collections import deque
from datetime import datetime
from typing import Any

from cnova_sandbox.catalog import Catalog
from cnova_sandbox.clock import SandboxClock, fmt
from cnova_sandbox.config import SandboxConfig, apply_update, default_config
from cnova_sandbox.env import Scheduler
from cnova_sandbox.errors import ApiError
from cnova_sandbox.faults import FaultInjector
from cnova_sandbox.orders import Orders
from cnova_sandbox.ratelimit import RateLimiter


class Seller:
    def __init__(self, sandbox: Sandbox, client_id: str, access_token: str, name: str, number: int) -> None:
        self.client_id = client_id
        self.access_token = access_token
        self.name = name
        self.key = f"{client_id}\x00{access_token}"
        self.scheduler = Scheduler()
        self.catalog = Catalog(sandbox, self.scheduler)
        self.orders = Orders(sandbox, self.scheduler, str(number), name)
        self.requests: deque[dict[str, Any]] = deque(maxlen=sandbox.config.limits.requestLogSize)

    def settle(self, now: datetime) -> None:
        """Run every review, bulk result and index that is due on the sandbox clock."""
        self.scheduler.run_due(now)

    def snapshot(self, now: datetime) -> dict[str, Any]:
        loads = []
        for load in sorted(self.catalog.loads.values(), key=lambda load: load.sku):
            loads.append({**load.row(), "errors": list(load.errors), "product": load.detail()})
        orders = [
            o.view(hide_shipping=False) for o in sorted(self.orders.orders.values(), key=lambda o: o.seq)
        ]
        return {
            "sellerItems": self.catalog.list_items("EX", selling=False),
            "loads": loads,
            "orders": orders,
            "trackings": self.orders.all_trackings(),
        }


class Sandbox:
    """Everything the server knows. Methods expect the caller to hold ``lock``."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.clock = SandboxClock()
        self.limiter = RateLimiter()
        self.faults = FaultInjector()
        self._config = default_config()
        self.sellers: dict[tuple[str, str], Seller] = {}
        self._ids: dict[str, itertools.count[int]] = {}

    # Env protocol
    @property
    def config(self) -> SandboxConfig:
        return self._config

    def now(self) -> datetime:
        return self.clock.now()

    def next_id(self, kind: str) -> int:
        start = {"order": 100001, "skuSite": 5000001, "product": 7000001, "customer": 300001}.get(kind, 1)
        counter = self._ids.setdefault(kind, itertools.count(start))
        return next(counter)

    # control operations
    def reset(self) -> None:
        self.sellers.clear()
        self._ids.clear()
        self._config = default_config()
        self.clock.reset()
        self.limiter.reset()
        self.faults.reseed(None)

    def settle_all(self) -> None:
        """Run what is due for every seller, so later changes (config, clock) never act retroactively."""
        now = self.now()
        for seller in self.sellers.values():
            seller.settle(now)

    def update_config(self, patch: Any, known_rules: set[str]) -> SandboxConfig:
        new = apply_update(self._config, patch, known_rules)
        self.settle_all()
        self._config = new
        if isinstance(patch, dict) and "seed" in patch:
            self.faults.reseed(new.seed)
        return new

    def register(self, body: Any) -> Seller:
        if not isinstance(body, dict):
            raise ApiError(
                400, "InvalidBody", "the body must be {client_id, access_token, name}", "ValidationError"
            )
        client_id, token = body.get("client_id"), body.get("access_token")
        if not isinstance(client_id, str) or not client_id or not isinstance(token, str) or not token:
            raise ApiError(
                400, "InvalidBody", "client_id and access_token are required strings", "ValidationError"
            )
        name: str = body["name"] if isinstance(body.get("name"), str) and body["name"] else client_id
        existing = self.sellers.get((client_id, token))
        if existing is not None:
            existing.name = name
            return existing
        seller = Seller(self, client_id, token, name, len(self.sellers) + 1)
        self.sellers[(client_id, token)] = seller
        return seller

    def seller(self, client_id: str | None, token: str | None) -> Seller | None:
        if not client_id or not token:
            return None
        return self.sellers.get((client_id, token))

    def advance(self, seconds: Any) -> dict[str, Any]:
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
            raise ApiError(400, "InvalidClock", "advanceSeconds must be a number >= 0", "ValidationError")
        self.settle_all()
        self.clock.advance(float(seconds))
        self.settle_all()
        return self.clock_view()

    def clock_view(self) -> dict[str, Any]:
        return {"now": fmt(self.now()), "offsetSeconds": self.clock.offset_seconds}
