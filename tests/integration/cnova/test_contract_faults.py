"""Contract: retries, verification of ambiguous POSTs and rate limits, against the sandbox's faults."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
import requests
from cnova_contract_support import FAST_RETRY, now_brt, product, sandbox_order, seed_for

from cnova_connector.cnova import (
    CnovaClient,
    CnovaCredentials,
    CnovaRateLimited,
    RateLimit,
    RateLimiter,
    RetryPolicy,
    Timeouts,
)
from cnova_connector.cnova.models import NewTracking

pytestmark = pytest.mark.integration

STOCK = "PUT /sellerItems/{skuSellerId}/stock"


def _log(cnova_sandbox: Any, seller: CnovaCredentials, method: str, fragment: str) -> list[dict[str, Any]]:
    return [
        r
        for r in cnova_sandbox.requests_log(seller.client_id, seller.access_token)
        if r["method"] == method and fragment in r["path"]
    ]


def _quantity(cnova_sandbox: Any, seller: CnovaCredentials, sku: str) -> int:
    state = cnova_sandbox.state(seller.client_id, seller.access_token)
    item = next(i for i in state["sellerItems"] if i["skuSellerId"] == sku)
    return int(item["stocks"][0]["quantity"])


def _approved_order(client: CnovaClient, sku: str) -> str:
    client.post_product_load([product(sku)])
    order_id = client.sandbox_create_order(sandbox_order([(sku, "25.00", 2)]))
    assert order_id is not None
    client.sandbox_approve_order(order_id)
    return order_id


def _tracking(order_id: str, sdid: str) -> NewTracking:
    return NewTracking(
        items=[f"{order_id}-1", f"{order_id}-2"],
        occurred_at=now_brt(),
        number=sdid,
        seller_delivery_id=sdid,
        carrier={"name": "Correios"},
    )


# -- 5xx --------------------------------------------------------------------------------------------


def test_5xx_on_idempotent_calls_is_retried(
    cnova_sandbox: Any, seller: CnovaCredentials, client: CnovaClient
):
    # Given a live SKU and a sandbox failing 30% of the requests with 503 (not applied)
    client.post_product_load([product("9001")])
    cnova_sandbox.configure(faults={"rate5xx": 0.3}, seed=7)
    # When the seller reads and updates it ten times
    for quantity in range(1, 11):
        client.update_stock("9001", {"quantity": quantity})
        assert client.get_seller_item("9001").total_stock == quantity
    # Then every call succeeded in the end although the sandbox failed many attempts
    failed = [
        r for r in cnova_sandbox.requests_log(seller.client_id, seller.access_token) if r["status"] == 503
    ]
    assert failed, "the seed should have produced some 503s"
    assert _quantity(cnova_sandbox, seller, "9001") == 10


def test_5xx_after_apply_on_a_put_is_harmless(
    cnova_sandbox: Any, seller: CnovaCredentials, client: CnovaClient
):
    # Given a live SKU and a sandbox answering 500 *after applying* half of the requests
    client.post_product_load([product("9101")])
    cnova_sandbox.configure(faults={"rate5xxAfterApply": 0.5}, seed=11)
    # When ten stock updates are sent one after another
    for quantity in range(1, 11):
        client.update_stock("9101", {"quantity": quantity})
        # Then each one holds once the client returns (the repeat re-applied the same value)
        assert _quantity(cnova_sandbox, seller, "9101") == quantity
    after_apply = [
        r for r in _log(cnova_sandbox, seller, "PUT", "/stock") if r["fault"] == "rate5xxAfterApply"
    ]
    assert after_apply, "the seed should have produced some 500-after-apply"


# -- trackings: ambiguous failures are verified, never double-posted ----------------------------------


class _LosesFirstTrackingResponse(requests.Session):
    """The network drops the response of the first tracking POST after Cnova applied it."""

    def __init__(self) -> None:
        super().__init__()
        self.lost = 0

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        response = super().request(method, url, *args, **kwargs)
        if method == "POST" and "/trackings/" in str(url) and not self.lost:
            self.lost += 1
            raise requests.exceptions.ReadTimeout("response lost on the way back (injected by the test)")
        return response


def test_tracking_timeout_after_apply_is_detected_without_a_double_post(
    cnova_sandbox: Any, seller: CnovaCredentials, make_client: Any
) -> None:
    # Given an approved order and a network that loses the answer to the first tracking POST
    session = _LosesFirstTrackingResponse()
    client = make_client(session=session)
    order_id = _approved_order(client, "9201")
    # When the shipment is posted
    assert client.post_tracking_sent(order_id, _tracking(order_id, "PE111111111BR")) is True
    # Then the client timed out, looked at the order, found the tracking and did not post again
    assert session.lost == 1
    posts = _log(cnova_sandbox, seller, "POST", "/trackings/sent")
    assert len(posts) == 1 and posts[0]["status"] == 201
    trackings = cnova_sandbox.state(seller.client_id, seller.access_token)["trackings"]
    assert [(t["type"], t["sellerDeliveryId"]) for t in trackings] == [("sent", "PE111111111BR")]
    assert client.get_order(order_id).status == "SHP"


def test_tracking_500_after_apply_is_verified_not_reposted(
    cnova_sandbox: Any, seller: CnovaCredentials, client: CnovaClient
) -> None:
    # Given an approved order, and the next request (the POST) failing with 500 after being applied
    order_id = _approved_order(client, "9301")
    cnova_sandbox.configure(
        faults={"rate5xxAfterApply": 0.5}, seed=seed_for([True, False, False, False], 0.5)
    )
    # When the shipment is posted
    client.post_tracking_sent(order_id, _tracking(order_id, "PE222222222BR"))
    # Then there was exactly one POST (answered 500) and exactly one tracking
    posts = _log(cnova_sandbox, seller, "POST", "/trackings/sent")
    assert [(p["status"], p["fault"]) for p in posts] == [(500, "rate5xxAfterApply")]
    trackings = cnova_sandbox.state(seller.client_id, seller.access_token)["trackings"]
    assert len(trackings) == 1


def test_tracking_timeout_not_applied_is_posted_once_more(
    cnova_sandbox: Any, seller: CnovaCredentials, make_client: Any
) -> None:
    # Given an approved order, a client reading for at most 0.5 s, and the next request (the POST)
    # hanging 1.5 s without being applied
    client = make_client(timeouts=Timeouts(connect=2, read=0.5))
    order_id = _approved_order(client, "9401")
    cnova_sandbox.configure(
        faults={"timeoutRate": 0.5, "timeoutMs": 1500}, seed=seed_for([True, False, False, False], 0.5)
    )
    # When the shipment is posted
    client.post_tracking_sent(order_id, _tracking(order_id, "PE333333333BR"))
    # Then the client verified (GET), found nothing, and posted again: one tracking in the end
    deadline = time.monotonic() + 5
    while (
        len(posts := _log(cnova_sandbox, seller, "POST", "/trackings/sent")) < 2
        and time.monotonic() < deadline
    ):
        time.sleep(0.1)  # the hung request is logged when the sandbox gives up on it, 1.5 s after it came
    assert sorted(p["status"] for p in posts) == [201, 504]
    trackings = cnova_sandbox.state(seller.client_id, seller.access_token)["trackings"]
    assert len(trackings) == 1
    assert client.get_order(order_id).status == "SHP"


def test_sandbox_order_creation_is_never_repeated(
    cnova_sandbox: Any, seller: CnovaCredentials, client
) -> None:
    # Given a live SKU and the next request (the POST /orders) failing with 500 after being applied
    client.post_product_load([product("9501")])
    cnova_sandbox.configure(faults={"rate5xxAfterApply": 0.5}, seed=seed_for([True, False, False], 0.5))
    # When an order is created
    from cnova_connector.cnova import CnovaUnavailable

    with pytest.raises(CnovaUnavailable) as caught:
        client.sandbox_create_order(sandbox_order([("9501", "10.00", 1)]))
    # Then the client reports an ambiguous outcome and sent it once: one order exists, not two
    assert caught.value.ambiguous is True
    assert (
        len([r for r in _log(cnova_sandbox, seller, "POST", "/orders") if r["path"].endswith("/orders")]) == 1
    )
    assert len(cnova_sandbox.state(seller.client_id, seller.access_token)["orders"]) == 1


# -- 429 and the limiter --------------------------------------------------------------------------------


def test_server_429_is_waited_out(cnova_sandbox: Any, seller: CnovaCredentials, make_client: Any) -> None:
    # Given the sandbox allows 3 GET /sellerItems/{sku} per second and the client does not know it
    cnova_sandbox.configure(rateLimits={"GET /sellerItems/{skuSellerId}": {"limit": 3, "windowSeconds": 1}})
    client = make_client(rate_limits={"GET /sellerItems/{skuSellerId}": None})
    client.post_product_load([product("9601")])
    # When the item is read 8 times in a row
    for _ in range(8):
        assert client.get_seller_item("9601").sku_seller_id == "9601"
    # Then the client met 429s, waited for the next window, and every read succeeded
    statuses = [r["status"] for r in _log(cnova_sandbox, seller, "GET", "/sellerItems/9601")]
    assert 429 in statuses
    assert statuses.count(200) == 8


def test_429_beyond_the_budget_raises_and_nothing_runs(
    cnova_sandbox: Any, seller: CnovaCredentials, make_client
):
    # Given the sandbox allows one stock update a minute, and a client that may not wait (and does not
    # know the limit)
    cnova_sandbox.configure(rateLimits={STOCK: {"limit": 1, "windowSeconds": 60}})
    client = make_client(rate_limits={STOCK: None}, retry=RetryPolicy(max_rate_limit_wait=0))
    client.post_product_load([product("9701")])
    client.update_stock("9701", {"quantity": 1})
    # When a second update is sent
    with pytest.raises(CnovaRateLimited) as caught:
        client.update_stock("9701", {"quantity": 2})
    # Then the caller learns when to come back, and Cnova did not apply it
    assert caught.value.status == 429
    assert 0 < caught.value.retry_after <= 60
    assert _quantity(cnova_sandbox, seller, "9701") == 1


def test_injected_429_storm_loses_nothing(cnova_sandbox: Any, seller: CnovaCredentials, client: CnovaClient):
    # Given a live SKU and 30% of requests answered 429
    client.post_product_load([product("9801")])
    cnova_sandbox.configure(faults={"rate429": 0.3}, seed=5)
    # When 15 stock updates are sent
    for quantity in range(1, 16):
        client.update_stock("9801", {"quantity": quantity})
    # Then every one was applied in the end
    puts = _log(cnova_sandbox, seller, "PUT", "/stock")
    assert [p["status"] for p in puts].count(204) == 15
    assert 429 in [p["status"] for p in puts]
    assert _quantity(cnova_sandbox, seller, "9801") == 15


def test_default_order_list_limit_matches_the_sandbox(
    cnova_sandbox: Any, seller: CnovaCredentials, make_client
):
    # Given default limits on both sides (2 calls a minute per order list) and a client that may not wait
    client = make_client(retry=RetryPolicy(max_rate_limit_wait=0))
    # When the "approved" list is read three times
    client.list_orders("approved").collect()
    client.list_orders("approved").collect()
    with pytest.raises(CnovaRateLimited) as caught:
        client.list_orders("approved").collect()
    # Then the third was held back by the client: never sent, so the sandbox saw no 429
    assert caught.value.status is None and caught.value.retry_after > 0
    log = _log(cnova_sandbox, seller, "GET", "/orders/status/approved")
    assert [r["status"] for r in log] == [200, 200]


def test_100_requests_against_10_per_window_no_429_none_lost(
    cnova_sandbox: Any, seller: CnovaCredentials
) -> None:
    # Given 100 live SKUs, a sandbox allowing 10 stock updates per 1 s window, and two client
    # instances of the same store (one shared limiter) configured with that limit
    setup = CnovaClient(cnova_sandbox.api_url, seller, retry=FAST_RETRY, limiter=RateLimiter())
    skus = [f"S{n:03d}" for n in range(100)]
    setup.post_product_load([product(s, stock=0) for s in skus])
    cnova_sandbox.configure(rateLimits={STOCK: {"limit": 10, "windowSeconds": 1}})
    clients = [
        CnovaClient(cnova_sandbox.api_url, seller, rate_limits={STOCK: RateLimit(10, 1)}, retry=FAST_RETRY)
        for _ in range(2)
    ]
    assert clients[0].limiter is clients[1].limiter
    errors: list[BaseException] = []

    def work(client: CnovaClient, part: list[tuple[int, str]]) -> None:
        try:
            for index, sku in part:
                client.update_stock(sku, {"quantity": index + 1})
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    numbered = list(enumerate(skus))
    threads = [threading.Thread(target=work, args=(clients[n % 2], numbered[n::4])) for n in range(4)]
    # When four threads send the 100 updates as fast as the client lets them
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    # Then no call failed, the sandbox never answered 429, and all 100 were applied
    assert errors == []
    puts = _log(cnova_sandbox, seller, "PUT", "/stock")
    assert len(puts) == 100
    assert [p["status"] for p in puts].count(429) == 0
    assert all(p["status"] == 204 for p in puts)
    state = cnova_sandbox.state(seller.client_id, seller.access_token)
    quantities = {i["skuSellerId"]: i["stocks"][0]["quantity"] for i in state["sellerItems"]}
    assert quantities == {sku: index + 1 for index, sku in numbered}
