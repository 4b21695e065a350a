"""The client-side limiter: sliding log per store and resource, as strict as fixed windows."""

from __future__ import annotations

import math
import random

import pytest
from cnova_unit_support import FakeTime

from cnova_connector.cnova import CnovaClient, CnovaCredentials, RateLimit, RateLimiter, shared_limiter
from cnova_connector.cnova.ratelimit import DEFAULT_RATE_LIMITS, RateLimitWaitTooLong


def test_defaults_follow_the_contract() -> None:
    # Given the default limiter
    limiter = RateLimiter()
    # Then the limits of cnova-api.md §8 apply per resource
    assert limiter.limit_for("PUT /sellerItems/{skuSellerId}/stock") == RateLimit(300, 60)
    assert limiter.limit_for("PUT /sellerItems/{skuSellerId}/prices") == RateLimit(300, 60)
    assert limiter.limit_for("GET /sellerItems") == RateLimit(3, 60)
    assert limiter.limit_for("GET /orders") == RateLimit(2, 60)
    for name in ("new", "approved", "sent", "partiallySent", "delivered", "partiallyDelivered", "canceled"):
        assert limiter.limit_for(f"GET /orders/status/{name}") == RateLimit(2, 60)
    assert limiter.limit_for("GET /orders/{orderId}") == RateLimit(300, 60)
    assert limiter.limit_for("POST /orders/{orderId}/trackings/sent") == RateLimit(300, 60)
    assert limiter.limit_for("PUT /loads/sellerItems/prices") is None
    assert limiter.limit_for("PUT /loads/products/{skuSellerId}") is None
    # And anything unlisted gets the unit limit
    assert limiter.limit_for("POST /loads/products") == RateLimit(300, 60)


def test_overrides_merge_over_defaults() -> None:
    # Given an override of one resource and an explicit "no limit"
    limiter = RateLimiter({"GET /orders/status/new": RateLimit(10, 1), "GET /orders": None})
    # Then those change and the rest keep their defaults
    assert limiter.limit_for("GET /orders/status/new") == RateLimit(10, 1)
    assert limiter.limit_for("GET /orders") is None
    assert limiter.limit_for("GET /sellerItems") == DEFAULT_RATE_LIMITS["GET /sellerItems"]


def test_blocks_the_next_request_until_the_oldest_leaves_the_window(fake_time: FakeTime) -> None:
    # Given 2 requests per 60 s on the "new" list
    limiter = RateLimiter(clock=fake_time.clock, sleep=fake_time.sleep)
    # When three requests start at t=0, 10 s later and immediately after
    limiter.acquire("GET /orders/status/new").complete()
    fake_time.advance(10)
    limiter.acquire("GET /orders/status/new").complete()
    limiter.acquire("GET /orders/status/new").complete()
    # Then the third waited 50 s (until 60 s after the first)
    assert fake_time.sleeps == [pytest.approx(50)]


def test_resources_and_stores_are_counted_apart(fake_time: FakeTime) -> None:
    # Given one limiter
    limiter = RateLimiter(clock=fake_time.clock, sleep=fake_time.sleep)
    # When two order lists are used twice each
    for resource in ("GET /orders/status/new", "GET /orders/status/approved") * 2:
        limiter.acquire(resource).complete()
    # Then nobody waited: each list has its own budget
    assert fake_time.sleeps == []


def test_non_blocking_mode_raises_without_sleeping(fake_time: FakeTime) -> None:
    # Given the "new" list's budget spent
    limiter = RateLimiter(clock=fake_time.clock, sleep=fake_time.sleep)
    limiter.acquire("GET /orders/status/new").complete()
    limiter.acquire("GET /orders/status/new").complete()
    # When a third request may not wait at all
    with pytest.raises(RateLimitWaitTooLong) as caught:
        limiter.acquire("GET /orders/status/new", max_wait=0)
    # Then it is refused with the time to wait and no sleep happened
    assert caught.value.wait_seconds == pytest.approx(60)
    assert fake_time.sleeps == []


def test_window_is_measured_from_the_response_time(fake_time: FakeTime) -> None:
    # Given a 1-per-10 s resource whose first request took 3 s to answer
    limiter = RateLimiter({"GET /x": RateLimit(1, 10)}, clock=fake_time.clock, sleep=fake_time.sleep)
    slot = limiter.acquire("GET /x")
    fake_time.advance(3)
    slot.complete()
    # When the next request starts
    limiter.acquire("GET /x")
    # Then it waited until 10 s after the response, not after the send
    assert fake_time.sleeps == [pytest.approx(10)]


@pytest.mark.parametrize("seed", range(5))
def test_never_exceeds_a_fixed_window_server(seed: int) -> None:
    # Given a server counting 10 per aligned 1 s window, with random latencies, and a client sending
    # 200 requests as fast as the limiter lets it
    rng = random.Random(seed)
    clock = FakeTime(start=rng.random() * 7)
    limiter = RateLimiter({"PUT /x": RateLimit(10, 1.0)}, clock=clock.clock, sleep=clock.sleep)
    counts: dict[int, int] = {}
    for _ in range(200):
        slot = limiter.acquire("PUT /x")
        clock.advance(rng.random() * 0.05)  # request travels
        window = math.floor(clock.now / 1.0)
        counts[window] = counts.get(window, 0) + 1  # the server counts it on arrival
        clock.advance(rng.random() * 0.05)  # response travels
        slot.complete()
        if rng.random() < 0.3:
            clock.advance(rng.random() * 0.2)
    # Then no fixed window ever saw more than 10: the server would never answer 429
    assert max(counts.values()) <= 10
    # And the limiter did not throttle far below the limit (200 requests in about 20 windows)
    assert len(counts) <= 24


def test_block_until_holds_requests_after_a_429(fake_time: FakeTime) -> None:
    # Given a resource blocked for 5 s after a 429
    limiter = RateLimiter(clock=fake_time.clock, sleep=fake_time.sleep)
    limiter.block_until("GET /orders/{orderId}", fake_time.now + 5)
    # When a request starts
    limiter.acquire("GET /orders/{orderId}")
    # Then it waited 5 s
    assert fake_time.sleeps == [pytest.approx(5)]


def test_clients_of_one_store_share_a_limiter_and_other_stores_do_not() -> None:
    # Given two clients of one store and one of another store, built with defaults
    a1 = CnovaClient("https://x/api/v2", CnovaCredentials("app", "store-A"))
    a2 = CnovaClient("https://x/api/v2", CnovaCredentials("app", "store-A"))
    b = CnovaClient("https://x/api/v2", CnovaCredentials("app", "store-B"))
    # Then the first two spend one budget and the third its own
    assert a1.limiter is a2.limiter
    assert b.limiter is not a1.limiter
    # And the registry key does not hold the token in clear
    assert shared_limiter is not None
    from cnova_connector.cnova import ratelimit

    assert all("store-A" not in key for key in ratelimit._REGISTRY)


def test_shared_limiter_takes_the_last_explicit_configuration() -> None:
    # Given a first client that configures the store's limits
    first = CnovaClient(
        "https://x/api/v2", CnovaCredentials("app", "tok"), rate_limits={"GET /orders": RateLimit(7, 60)}
    )
    # When a second client of the same store is built with defaults, then with other limits
    plain = CnovaClient("https://x/api/v2", CnovaCredentials("app", "tok"))
    assert plain.limiter.limit_for("GET /orders") == RateLimit(7, 60)
    second = CnovaClient(
        "https://x/api/v2", CnovaCredentials("app", "tok"), rate_limits={"GET /orders": RateLimit(1, 60)}
    )
    # Then all share one limiter, which holds the last explicit configuration
    assert second.limiter is first.limiter is plain.limiter
    assert first.limiter.limit_for("GET /orders") == RateLimit(1, 60)


def test_rate_limit_rejects_nonsense() -> None:
    # Given a zero limit or window, Then the configuration is refused
    with pytest.raises(ValueError):
        RateLimit(0, 60)
    with pytest.raises(ValueError):
        RateLimit(1, 0)
