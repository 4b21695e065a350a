"""Fixtures of the sandbox tests."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
import requests
from cnova_sandbox.testing import SandboxHandle

from tests.integration.sandbox.sandbox_helpers import CLIENT_ID, TOKEN, Api, generous_limits


@pytest.fixture
def api(cnova_sandbox: SandboxHandle) -> Iterator[Api]:
    """A registered seller, with rate limits lifted (rate-limit tests use ``strict_api``)."""
    cnova_sandbox.register_seller(CLIENT_ID, TOKEN, "Loja Teste")
    generous_limits(cnova_sandbox)
    client = Api(cnova_sandbox)
    yield client
    client.http.close()


@pytest.fixture
def strict_api(cnova_sandbox: SandboxHandle) -> Iterator[Api]:
    """A registered seller under the default rate limits, at the start of a fresh 60 s window."""
    cnova_sandbox.register_seller(CLIENT_ID, TOKEN, "Loja Teste")
    now = datetime.fromisoformat(
        requests.get(cnova_sandbox.url + "/_sandbox/clock", timeout=10).json()["now"]
    )
    cnova_sandbox.advance_clock(60 - now.timestamp() % 60 + 0.01)
    client = Api(cnova_sandbox)
    yield client
    client.http.close()
