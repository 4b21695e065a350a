"""Fixtures of the Cnova client contract tests, run against the local Cnova sandbox.

The sandbox fixture ``cnova_sandbox`` comes from ``cnova_sandbox.testing`` (registered in
``tests/conftest.py``); it is reset before each test.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from cnova_contract_support import FAST_RETRY

from cnova_connector.cnova import (
    CnovaClient,
    CnovaCredentials,
    RateLimiter,
    RetryPolicy,
    Timeouts,
    reset_shared_limiters,
)


@pytest.fixture(autouse=True)
def _fresh_shared_limiters() -> Iterator[None]:
    reset_shared_limiters()
    yield
    reset_shared_limiters()


@pytest.fixture
def seller(cnova_sandbox: Any) -> CnovaCredentials:
    """Given a seller registered at the sandbox, with quick reviews, bulk results and order indexing."""
    suffix = uuid.uuid4().hex[:8]
    credentials = CnovaCredentials(f"app-{suffix}", f"SANDBOX-token-{suffix}")
    cnova_sandbox.register_seller(credentials.client_id, credentials.access_token, "Loja Contrato")
    cnova_sandbox.configure(reviewDelaySeconds=0, bulkDelaySeconds=0, orderIndexDelaySeconds=0)
    return credentials


@pytest.fixture
def make_client(cnova_sandbox: Any, seller: CnovaCredentials) -> Callable[..., CnovaClient]:
    def make(
        *,
        rate_limits: dict[str, Any] | None = None,
        retry: RetryPolicy | None = None,
        timeouts: Timeouts | None = None,
        credentials: CnovaCredentials | None = None,
        **kwargs: Any,
    ) -> CnovaClient:
        return CnovaClient(
            cnova_sandbox.api_url,
            credentials or seller,
            limiter=kwargs.pop("limiter", None) or RateLimiter(rate_limits),
            retry=retry or FAST_RETRY,
            timeouts=timeouts or Timeouts(connect=2, read=10),
            **kwargs,
        )

    return make


@pytest.fixture
def client(make_client: Callable[..., CnovaClient]) -> CnovaClient:
    return make_client()
