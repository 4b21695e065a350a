"""Fixtures of the sandbox tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cnova_sandbox.testing import SandboxHandle

from tests.integration.sandbox.sandbox_helpers import CLIENT_ID, TOKEN, Api


@pytest.fixture
def api(cnova_sandbox: SandboxHandle) -> Iterator[Api]:
    """A registered seller with generous rate limits (rate-limit tests set their own)."""
    cnova_sandbox.register_seller(CLIENT_ID, TOKEN, "Loja Teste")
    client = Api(cnova_sandbox)
    yield client
    client.http.close()
