"""Fixtures of the Cnova client unit tests: fake time, a client on fake HTTP (``responses``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import responses
from cnova_unit_support import BASE, CLIENT_ID, TOKEN, FakeTime

from cnova_connector.cnova import (
    CnovaClient,
    CnovaCredentials,
    RateLimiter,
    RetryPolicy,
    reset_shared_limiters,
)


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture(autouse=True)
def _isolated_limiters() -> Iterator[None]:
    reset_shared_limiters()
    yield
    reset_shared_limiters()


@pytest.fixture
def http() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def make_client(fake_time: FakeTime) -> Callable[..., CnovaClient]:
    def make(
        *,
        rate_limits: dict[str, Any] | None = None,
        retry: RetryPolicy | None = None,
        limiter: RateLimiter | None = None,
        **kwargs: Any,
    ) -> CnovaClient:
        if limiter is None:
            limiter = RateLimiter(rate_limits, clock=fake_time.clock, sleep=fake_time.sleep)
        return CnovaClient(
            BASE,
            CnovaCredentials(CLIENT_ID, TOKEN),
            limiter=limiter,
            retry=retry or RetryPolicy(),
            clock=fake_time.clock,
            wall_clock=fake_time.wall,
            sleep=fake_time.sleep,
            rng=lambda: 1.0,  # jitter drawn at its ceiling: deterministic waits
            **kwargs,
        )

    return make


@pytest.fixture
def client(make_client: Callable[..., CnovaClient]) -> CnovaClient:
    return make_client()
