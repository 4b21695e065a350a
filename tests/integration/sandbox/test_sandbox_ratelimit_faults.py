"""Rate limits (fixed windows per seller × rule) and injected faults (reproducible with a seed)."""

from __future__ import annotations

from typing import Any

import pytest
from cnova_sandbox.testing import SandboxHandle

from tests.integration.sandbox.sandbox_helpers import Api, errors_of, make_available, product


def test_order_list_limit_is_2_per_minute_and_429_is_not_executed(strict_api: Api) -> None:
    # Given the default rules (GET /orders/status/new: 2 per 60 s)
    api = strict_api
    # When the list is read three times in one window
    codes = [api.get("/orders/status/new").status_code for _ in range(3)]
    # Then the third is 429 with Cnova's message and a Retry-After within the window
    assert codes == [200, 200, 429]
    third = api.get("/orders/status/new")
    [error] = errors_of(third)
    assert error["message"] == "Your requests have exceeded the maximum allowed rate (2)"
    assert 1 <= int(third.headers["Retry-After"]) <= 60
    # And another list has its own counter
    assert api.get("/orders/status/approved").status_code == 200


def test_window_ends_and_requests_pass_again(strict_api: Api) -> None:
    # Given an exhausted window for GET /orders
    api = strict_api
    [api.get("/orders") for _ in range(2)]
    limited = api.get("/orders")
    # When the clock moves past Retry-After
    api.sandbox.advance_clock(int(limited.headers["Retry-After"]))
    # Then the next request passes
    assert limited.status_code == 429
    assert api.get("/orders").status_code == 200


def test_limited_request_is_not_executed(strict_api: Api) -> None:
    # Given a stock rule of 1 per minute and an available SKU
    api = strict_api
    api.sandbox.configure(rateLimits={"GET /sellerItems/{skuSellerId}": {"limit": 1000, "windowSeconds": 60}})
    make_available(api, "A")
    api.sandbox.configure(
        rateLimits={"PUT /sellerItems/{skuSellerId}/stock": {"limit": 1, "windowSeconds": 60}}
    )
    # When two stock updates are sent in the window
    first = api.put("/sellerItems/A/stock", json={"quantity": 5})
    second = api.put("/sellerItems/A/stock", json={"quantity": 6})
    # Then the second is 429 and the stock is the first one's
    assert (first.status_code, second.status_code) == (204, 429)
    assert api.get("/sellerItems/A").json()["stocks"][0]["quantity"] == 5


def test_limits_are_per_seller(strict_api: Api, cnova_sandbox: SandboxHandle) -> None:
    # Given a second seller
    cnova_sandbox.register_seller("other", "tok2")
    other = Api(cnova_sandbox, "other", "tok2")
    # When the first exhausts GET /sellerItems (3 per minute)
    codes = [strict_api.get("/sellerItems").status_code for _ in range(4)]
    # Then the second still has its own budget
    assert codes == [200, 200, 200, 429]
    assert other.get("/sellerItems").status_code == 200


def test_unit_calls_allow_300_per_minute(strict_api: Api) -> None:
    # Given the default unit rule for GET /orders/{orderId} (300/60 s)
    # When 301 reads are made in one window
    codes = [strict_api.get("/orders/1").status_code for _ in range(301)]
    # Then 300 are executed (404 here) and the 301st is 429
    assert codes[:300] == [404] * 300
    assert codes[300] == 429


def test_rate_limits_are_configurable_and_removable(strict_api: Api) -> None:
    # Given GET /orders raised to 5 per 10 s, and GET /sellerItems removed
    config = strict_api.sandbox.configure(
        rateLimits={"GET /orders": {"limit": 5, "windowSeconds": 10}, "GET /sellerItems": None}
    )
    # When called 6 and 10 times
    orders = [strict_api.get("/orders").status_code for _ in range(6)]
    items = [strict_api.get("/sellerItems").status_code for _ in range(10)]
    # Then the new limits apply
    assert config["rateLimits"]["GET /orders"] == {"limit": 5, "windowSeconds": 10}
    assert "GET /sellerItems" not in config["rateLimits"]
    assert orders == [200] * 5 + [429]
    assert items == [200] * 10


def test_unknown_rate_limit_rule_is_refused(cnova_sandbox: SandboxHandle) -> None:
    # Given / When a rule for a path that does not exist is configured
    from cnova_sandbox.testing import SandboxError

    with pytest.raises(SandboxError, match="UnknownRateLimitRule"):
        cnova_sandbox.configure(rateLimits={"GET /nope": {"limit": 1, "windowSeconds": 1}})


def _stock(api: Api) -> int:
    return int(api.state()["sellerItems"][0]["stocks"][0]["quantity"])


def test_fault_429_does_not_apply(api: Api) -> None:
    # Given an available SKU and every API call failing with 429
    make_available(api, "A")
    api.sandbox.configure(faults={"rate429": 1.0})
    # When the stock is updated
    response = api.put("/sellerItems/A/stock", json={"quantity": 99})
    # Then 429 with the envelope and Retry-After, and the stock did not change
    assert response.status_code == 429
    assert errors_of(response)[0]["message"].startswith(
        "Your requests have exceeded the maximum allowed rate ("
    )
    assert response.headers["Retry-After"] == "1"
    assert _stock(api) == 10


def test_fault_5xx_does_not_apply(api: Api) -> None:
    # Given an available SKU and rate5xx = 1
    make_available(api, "A")
    api.sandbox.configure(faults={"rate5xx": 1.0})
    # When the stock is updated
    response = api.put("/sellerItems/A/stock", json={"quantity": 99})
    # Then 503 envelope and nothing applied
    assert response.status_code == 503
    assert errors_of(response)
    assert _stock(api) == 10


def test_fault_5xx_after_apply_applies(api: Api) -> None:
    # Given an available SKU and rate5xxAfterApply = 1
    make_available(api, "A")
    api.sandbox.configure(faults={"rate5xxAfterApply": 1.0})
    # When the stock is updated
    response = api.put("/sellerItems/A/stock", json={"quantity": 99})
    # Then 500, yet the change was applied
    assert response.status_code == 500
    assert _stock(api) == 99


def test_fault_timeout_answers_504_without_applying(api: Api) -> None:
    # Given an available SKU and every call timing out after 50 ms
    make_available(api, "A")
    api.sandbox.configure(faults={"timeoutRate": 1.0, "timeoutMs": 50})
    # When the stock is updated
    response = api.put("/sellerItems/A/stock", json={"quantity": 99})
    # Then 504 and nothing applied; the request log marks the fault
    assert response.status_code == 504
    assert _stock(api) == 10
    assert api.sandbox.requests_log(api.client_id, api.token)[-1]["fault"] == "timeout"


def test_latency_still_answers(api: Api) -> None:
    # Given 20 ms of added latency
    api.sandbox.configure(faults={"latencyMs": 20})
    # When / Then the call still works
    assert api.get("/orders").status_code == 200


def _fault_sequence(api: Api, seed: int) -> list[int]:
    api.sandbox.configure(seed=seed, faults={"rate429": 0.3, "rate5xx": 0.3})
    return [api.get("/orders").status_code for _ in range(30)]


def test_faults_are_reproducible_with_a_seed(api: Api) -> None:
    # Given the same seed set twice, and another seed
    first = _fault_sequence(api, 42)
    second = _fault_sequence(api, 42)
    other = _fault_sequence(api, 7)
    # Then the same seed gives the same sequence; another seed gives another one
    assert first == second
    assert first != other
    assert {200, 429, 503} == set(first)


def test_faults_never_touch_the_control_surface(api: Api) -> None:
    # Given every API call failing
    api.sandbox.configure(faults={"rate5xx": 1.0})
    # When control calls are made
    state = api.state()
    api.sandbox.advance_clock(1)
    # Then they work
    assert state["orders"] == []


@pytest.mark.parametrize(
    "faults",
    [{"rate429": 1.5}, {"rate429": 0.6, "rate5xx": 0.6}, {"unknown": 1}, {"timeoutMs": -1}],
    ids=["above-1", "sum-above-1", "unknown-key", "negative"],
)
def test_invalid_faults_are_refused(cnova_sandbox: SandboxHandle, faults: dict[str, Any]) -> None:
    # Given / When invalid faults are configured
    from cnova_sandbox.testing import SandboxError

    # Then 400 and the config is unchanged
    with pytest.raises(SandboxError, match="400"):
        cnova_sandbox.configure(faults=faults)
    assert cnova_sandbox.configure()["faults"]["rate429"] == 0


def test_oversized_unit_body_is_413(api: Api) -> None:
    # Given an available SKU
    make_available(api, "A")
    # When a unit call carries more than 1 MiB
    response = api.put("/sellerItems/A/stock", json={"quantity": 1, "pad": "x" * 1_100_000})
    # Then 413 envelope
    assert response.status_code == 413
    assert errors_of(response)[0]["code"] == "BodyTooLarge"
    assert api.post("/loads/products", json=[product("B", description="x" * 1_100_000)]).status_code == 413
