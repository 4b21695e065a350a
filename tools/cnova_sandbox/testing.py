"""Pytest plugin and helpers to run the Cnova sandbox in tests and in the local stack.

Register with ``pytest_plugins = ["cnova_sandbox.testing"]``; then use the ``cnova_sandbox``
fixture (a :class:`SandboxHandle`, reset before each test) or ``cnova_sandbox_server`` (the
session-wide handle, not reset).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from types import TracebackType
from typing import Any

import pytest
import requests

from cnova_sandbox.server import SandboxHTTPServer


class SandboxError(RuntimeError):
    """A control call answered with an unexpected status."""


class SandboxHandle:
    """A client of one running sandbox: its URLs and the control surface."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.api_url = url + "/api/v2"
        self._http = requests.Session()
        self._lock = threading.Lock()  # a Session is not guaranteed thread-safe

    # ------------------------------------------------------------------ plumbing
    def _call(
        self,
        method: str,
        path: str,
        expected: tuple[int, ...],
        body: Any = None,
        seller: tuple[str, str] | None = None,
    ) -> Any:
        headers = {"Content-Type": "application/json"}
        if seller is not None:
            headers |= {"client_id": seller[0], "access_token": seller[1]}
        with self._lock:
            response = self._http.request(
                method, f"{self.url}/_sandbox{path}", json=body, headers=headers, timeout=30
            )
        if response.status_code not in expected:
            raise SandboxError(f"{method} /_sandbox{path} -> {response.status_code}: {response.text}")
        return response.json() if response.content else None

    def close(self) -> None:
        self._http.close()

    # ------------------------------------------------------------------ control surface
    def reset(self) -> None:
        self._call("POST", "/reset", (204,))

    def register_seller(self, client_id: str, access_token: str, name: str = "seller") -> None:
        body = {"client_id": client_id, "access_token": access_token, "name": name}
        self._call("POST", "/sellers", (201,), body)

    def configure(self, **config: Any) -> dict[str, Any]:
        result: dict[str, Any] = self._call("PUT", "/config", (200,), config)
        return result

    def advance_clock(self, seconds: float) -> None:
        self._call("POST", "/clock", (200,), {"advanceSeconds": seconds})

    def state(self, client_id: str, access_token: str) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", "/state", (200,), seller=(client_id, access_token))
        return result

    def requests_log(self, client_id: str, access_token: str) -> list[dict[str, Any]]:
        result = self._call("GET", "/requests", (200,), seller=(client_id, access_token))
        return list(result["requests"])

    def review(
        self,
        client_id: str,
        access_token: str,
        sku_seller_id: str,
        decision: str,
        errors: list[dict[str, Any]] | None = None,
    ) -> None:
        body: dict[str, Any] = {"decision": decision}
        if errors is not None:
            body["errors"] = errors
        self._call("POST", f"/loads/{sku_seller_id}/review", (200,), body, (client_id, access_token))

    def set_order_status(self, client_id: str, access_token: str, order_id: str, status: str) -> None:
        self._call(
            "POST", f"/orders/{order_id}/status", (200,), {"status": status}, (client_id, access_token)
        )

    def put_raw_order(self, client_id: str, access_token: str, order_id: str, order: dict[str, Any]) -> None:
        self._call("PUT", f"/orders/{order_id}", (204,), order, (client_id, access_token))


class SandboxServer:
    """Runs a sandbox in a background thread. Usable as a context manager outside pytest."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self._server: SandboxHTTPServer | None = None
        self._handle: SandboxHandle | None = None

    def start(self) -> SandboxHandle:
        if self._handle is not None:
            return self._handle
        self._server = SandboxHTTPServer(self.host, self.port, quiet=True)
        self._server.start()
        self._handle = SandboxHandle(self._server.url)
        return self._handle

    def stop(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> SandboxHandle:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


@pytest.fixture(scope="session")
def cnova_sandbox_server() -> Iterator[SandboxHandle]:
    """One sandbox for the session, on a free loopback port."""
    with SandboxServer() as handle:
        yield handle


@pytest.fixture
def cnova_sandbox(cnova_sandbox_server: SandboxHandle) -> SandboxHandle:
    """The session sandbox, reset (no sellers, default config, clock at real time) before the test."""
    cnova_sandbox_server.reset()
    return cnova_sandbox_server
