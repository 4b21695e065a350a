"""Retries per method, 429 handling and error mapping."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import requests
import responses
from cnova_unit_support import BASE, FakeTime, body_of

from cnova_connector.cnova import (
    CnovaAuthError,
    CnovaClient,
    CnovaNotFound,
    CnovaRateLimited,
    CnovaUnavailable,
    CnovaValidationError,
    RateLimit,
    RetryPolicy,
)
from cnova_connector.cnova.models import NewTracking

BRT = timezone(timedelta(hours=-3))
ORDER = {"id": "975101", "status": "PAY", "items": [{"id": "975101-1", "skuSellerId": "A"}], "trackings": []}
TRACKING = NewTracking(
    items=["975101-1"],
    occurred_at=datetime(2026, 12, 4, 10, 0, tzinfo=BRT),
    number="PE327842878BR",
    seller_delivery_id="PE327842878BR",
    carrier={"name": "Correios"},
)


def _calls(http: responses.RequestsMock, method: str, path: str) -> list[Any]:
    return [
        c for c in http.calls if c.request.method == method and c.request.url.split("?")[0] == BASE + path
    ]


# -- idempotent calls -----------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_get_is_retried_on_5xx_with_exponential_backoff(
    http: responses.RequestsMock, client: CnovaClient, fake_time: FakeTime, status: int
) -> None:
    # Given GET /orders/1 fails twice with a 5xx then succeeds
    http.get(f"{BASE}/orders/1", status=status)
    http.get(f"{BASE}/orders/1", status=status)
    http.get(f"{BASE}/orders/1", json={"id": "1"})
    # When fetched
    order = client.get_order("1")
    # Then the order comes after two backoffs of 0.5 s then 1 s (jitter drawn at its ceiling)
    assert order.id == "1"
    assert fake_time.sleeps == [0.5, 1.0]


def test_backoff_is_jittered_and_capped() -> None:
    # Given the default policy
    policy = RetryPolicy()
    # Then the ceiling doubles up to backoff_max and the jitter draws within it
    assert [policy.backoff(n, lambda: 1.0) for n in range(1, 7)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    assert policy.backoff(3, lambda: 0.25) == 0.5
    assert RetryPolicy(jitter=False).backoff(2, lambda: 0.0) == 1.0


def test_put_is_retried_on_timeouts_and_connection_errors(http: responses.RequestsMock, client: CnovaClient):
    # Given PUT stock times out, then drops the connection, then succeeds
    url = f"{BASE}/sellerItems/SKU1/stock"
    http.put(url, body=requests.exceptions.ReadTimeout("slow"))
    http.put(url, body=requests.exceptions.ConnectionError("reset"))
    http.put(url, status=204)
    # When the stock is updated
    client.update_stock("SKU1", {"quantity": 3, "crossDockingTime": 1})
    # Then three attempts reached Cnova with the same body
    calls = _calls(http, "PUT", "/sellerItems/SKU1/stock")
    assert len(calls) == 3
    assert {str(body_of(c)) for c in calls} == {str({"quantity": 3, "crossDockingTime": 1})}


def test_delete_is_retried(http: responses.RequestsMock, client: CnovaClient) -> None:
    # Given the sandbox DELETE of a load fails once with 503
    http.delete(f"{BASE}/loads/products/S1", status=503)
    http.delete(f"{BASE}/loads/products/S1", status=204)
    # When deleted
    client.delete_product_load("S1")
    # Then it went through on the second attempt
    assert len(_calls(http, "DELETE", "/loads/products/S1")) == 2


def test_gives_up_after_max_attempts_with_unavailable(
    http: responses.RequestsMock, make_client: Any, fake_time: FakeTime
) -> None:
    # Given Cnova answers 503 every time and a policy of 3 attempts
    client = make_client(retry=RetryPolicy(max_attempts=3))
    http.get(
        f"{BASE}/orders/1",
        status=503,
        json={"errors": [{"code": "X", "message": "down", "httpStatus": "503"}]},
    )
    # When fetched
    with pytest.raises(CnovaUnavailable) as caught:
        client.get_order("1")
    # Then exactly 3 attempts were made and the error carries Cnova's envelope
    assert len(_calls(http, "GET", "/orders/1")) == 3
    assert caught.value.status == 503
    assert caught.value.messages == ["down"]
    assert caught.value.request_path == "/orders/1"
    assert caught.value.ambiguous is False


def test_503_retry_after_is_honoured(http: responses.RequestsMock, client: CnovaClient, fake_time: FakeTime):
    # Given a 503 asking to come back in 3 s
    http.get(f"{BASE}/orders/1", status=503, headers={"Retry-After": "3"})
    http.get(f"{BASE}/orders/1", json={"id": "1"})
    # When fetched
    client.get_order("1")
    # Then the client waited 3 s rather than its 0.5 s backoff
    assert fake_time.sleeps == [3.0]


def test_post_product_load_is_retried_because_the_last_load_wins(
    http: responses.RequestsMock, client: CnovaClient
):
    # Given POST /loads/products times out once
    http.post(f"{BASE}/loads/products", body=requests.exceptions.ReadTimeout())
    http.post(f"{BASE}/loads/products", status=201)
    # When a load is sent
    client.post_product_load([{"skuSellerId": "S1", "title": "T", "categories": ["Teste>API"]}])
    # Then it was sent again (harmless: a re-sent SKU replaces the earlier submission)
    assert len(_calls(http, "POST", "/loads/products")) == 2


# -- non-idempotent POSTs ------------------------------------------------------------------------------


def test_sandbox_create_order_is_not_repeated_after_an_ambiguous_failure(
    http: responses.RequestsMock, client
):
    # Given POST /orders answers 500 (it may have created the order)
    http.post(f"{BASE}/orders", status=500)
    # When a sandbox order is created
    with pytest.raises(CnovaUnavailable) as caught:
        client.sandbox_create_order(
            {
                "site": "EX",
                "items": [{"skuSellerId": "A", "salePrice": 10, "quantity": 1}],
                "customer": {"name": "N", "documentNumber": "1"},
            }
        )
    # Then it was sent once, and the error says the outcome is unknown
    assert len(_calls(http, "POST", "/orders")) == 1
    assert caught.value.ambiguous is True


def test_sandbox_create_order_is_repeated_after_a_connect_timeout(http: responses.RequestsMock, client):
    # Given a connect timeout (the request never left) then success
    http.post(f"{BASE}/orders", body=requests.exceptions.ConnectTimeout())
    http.post(f"{BASE}/orders", status=201)
    # When a sandbox order is created
    client.sandbox_create_order(
        {
            "items": [{"skuSellerId": "A", "salePrice": 10, "quantity": 1}],
            "customer": {"name": "N", "documentNumber": "1"},
        }
    )
    # Then the second attempt created it
    assert len(_calls(http, "POST", "/orders")) == 2


def test_tracking_timeout_already_applied_is_not_posted_twice(
    http: responses.RequestsMock, client: CnovaClient
):
    # Given POST trackings/sent times out although Cnova applied it
    http.post(f"{BASE}/orders/975101/trackings/sent", body=requests.exceptions.ReadTimeout())
    applied = {
        **ORDER,
        "trackings": [
            {
                "items": [{"id": "975101-1", "href": "/orders/975101/items/975101-1"}],
                "sellerDeliveryId": "PE327842878BR",
                "occurredAt": "2026-12-04T10:00:00.000-03:00",
            }
        ],
    }
    http.get(f"{BASE}/orders/975101", json=applied)
    # When the tracking is posted
    assert client.post_tracking_sent("975101", TRACKING) is True
    # Then the client checked the order and did not post again
    assert len(_calls(http, "POST", "/orders/975101/trackings/sent")) == 1
    assert len(_calls(http, "GET", "/orders/975101")) == 1


def test_tracking_5xx_not_applied_is_posted_again(http: responses.RequestsMock, client: CnovaClient) -> None:
    # Given POST trackings/sent answers 502 and the order shows no such tracking
    http.post(f"{BASE}/orders/975101/trackings/sent", status=502)
    http.post(f"{BASE}/orders/975101/trackings/sent", status=201)
    http.get(f"{BASE}/orders/975101", json=ORDER)
    # When posted
    client.post_tracking_sent("975101", TRACKING)
    # Then it was verified, then posted a second time
    assert len(_calls(http, "POST", "/orders/975101/trackings/sent")) == 2
    body = body_of(_calls(http, "POST", "/orders/975101/trackings/sent")[1])
    assert body["items"] == ["975101-1"]
    assert body["occurredAt"] == "2026-12-04T10:00:00.000-03:00"


def test_delivered_is_not_mistaken_for_the_earlier_sent_tracking(http: responses.RequestsMock, client):
    # Given the order holds the "sent" tracking (same sellerDeliveryId, earlier occurredAt) and the
    # "delivered" POST times out without being applied
    sent = {
        **ORDER,
        "trackings": [
            {
                "items": [{"id": "975101-1"}],
                "sellerDeliveryId": "PE327842878BR",
                "occurredAt": "2026-12-01T10:00:00-03:00",
            }
        ],
    }
    http.post(f"{BASE}/orders/975101/trackings/delivered", body=requests.exceptions.ReadTimeout())
    http.post(f"{BASE}/orders/975101/trackings/delivered", status=201)
    http.get(f"{BASE}/orders/975101", json=sent)
    # When the delivery is posted
    client.post_tracking_delivered("975101", TRACKING)
    # Then it was posted again
    assert len(_calls(http, "POST", "/orders/975101/trackings/delivered")) == 2


def test_tracking_without_seller_delivery_id_is_not_repeated(
    http: responses.RequestsMock, client: CnovaClient
):
    # Given a tracking without sellerDeliveryId (nothing to verify by) and a 500
    http.post(f"{BASE}/orders/975101/trackings/sent", status=500)
    tracking = TRACKING.model_copy(update={"seller_delivery_id": None})
    # When posted
    with pytest.raises(CnovaUnavailable) as caught:
        client.post_tracking_sent("975101", tracking)
    # Then one attempt, flagged ambiguous
    assert len(_calls(http, "POST", "/orders/975101/trackings/sent")) == 1
    assert caught.value.ambiguous is True


def test_tracking_whose_verification_fails_is_reported_ambiguous(http: responses.RequestsMock, client):
    # Given the POST times out and the verification GET is refused
    http.post(f"{BASE}/orders/975101/trackings/sent", body=requests.exceptions.ReadTimeout())
    http.get(f"{BASE}/orders/975101", status=404)
    # When posted
    with pytest.raises(CnovaUnavailable) as caught:
        client.post_tracking_sent("975101", TRACKING)
    # Then the caller learns it may or may not be applied
    assert caught.value.ambiguous is True
    assert len(_calls(http, "POST", "/orders/975101/trackings/sent")) == 1


def test_bulk_tracking_is_not_repeated_after_an_ambiguous_failure(http: responses.RequestsMock, client):
    # Given the bulk POST answers 503
    http.post(f"{BASE}/loads/orders/trackings/sent", status=503)
    # When posted
    with pytest.raises(CnovaUnavailable) as caught:
        client.post_bulk_trackings(
            "sent",
            [
                {
                    "order": {"id": "1"},
                    "items": [{"skuSellerId": "A", "quantity": 1}],
                    "occurredAt": TRACKING.occurred_at,
                }
            ],
        )
    # Then once only
    assert caught.value.ambiguous is True
    assert len(_calls(http, "POST", "/loads/orders/trackings/sent")) == 1


# -- 429 ---------------------------------------------------------------------------------------------


def test_429_waits_retry_after_then_succeeds(http: responses.RequestsMock, client: CnovaClient, fake_time):
    # Given a 429 with Retry-After 7 (the request was not executed), then success
    http.put(
        f"{BASE}/sellerItems/S1/prices",
        status=429,
        headers={"Retry-After": "7"},
        json={"errors": [{"message": "Your requests have exceeded the maximum allowed rate (300)"}]},
    )
    http.put(f"{BASE}/sellerItems/S1/prices", status=204)
    # When the price is updated
    client.update_price("S1", {"default": "59.90", "offer": "49.90", "site": "EX"})
    # Then the client waited 7 s and sent it again
    assert fake_time.sleeps == [pytest.approx(7)]
    assert len(_calls(http, "PUT", "/sellerItems/S1/prices")) == 2


def test_429_without_retry_after_waits_for_the_next_window(
    http: responses.RequestsMock, make_client, fake_time
):
    # Given a 10-per-second resource and a 429 without Retry-After
    client = make_client(rate_limits={"PUT /sellerItems/{skuSellerId}/stock": RateLimit(10, 1)})
    http.put(f"{BASE}/sellerItems/S1/stock", status=429)
    http.put(f"{BASE}/sellerItems/S1/stock", status=204)
    # When the stock is updated
    client.update_stock("S1", {"quantity": 1})
    # Then it waited one window
    assert fake_time.sleeps == [pytest.approx(1)]


def test_429_beyond_the_budget_raises_rate_limited(http: responses.RequestsMock, make_client, fake_time):
    # Given Cnova keeps answering 429 with Retry-After 30 and a budget of 65 s
    client = make_client(retry=RetryPolicy(max_rate_limit_wait=65))
    http.get(f"{BASE}/orders/status/new", status=429, headers={"Retry-After": "30"})
    # When the list is read
    with pytest.raises(CnovaRateLimited) as caught:
        client.list_orders("new").collect()
    # Then it tried 3 times (waits of 30 + 30 fit, a third would not) and says when to come back
    assert len(_calls(http, "GET", "/orders/status/new")) == 3
    assert caught.value.retry_after == pytest.approx(30)
    assert caught.value.status == 429
    assert caught.value.retry_at == pytest.approx(fake_time.wall() + 30)
    assert caught.value.resume_offset == 0


def test_429_with_http_date_retry_after(http: responses.RequestsMock, client: CnovaClient, fake_time) -> None:
    # Given a Retry-After as an HTTP date 4 s ahead
    import email.utils

    http.get(
        f"{BASE}/orders/1",
        status=429,
        headers={"Retry-After": email.utils.formatdate(fake_time.wall() + 4, usegmt=True)},
    )
    http.get(f"{BASE}/orders/1", json={"id": "1"})
    # When fetched
    client.get_order("1")
    # Then it waited about 4 s (HTTP dates have 1 s resolution)
    assert 3 <= fake_time.sleeps[0] <= 4


def test_non_blocking_client_raises_instead_of_waiting(http: responses.RequestsMock, make_client, fake_time):
    # Given a client that may not wait at all, and the "new" list's 2 calls already spent
    client = make_client(retry=RetryPolicy(max_rate_limit_wait=0))
    http.get(
        f"{BASE}/orders/status/new", json={"orders": [], "metadata": [{"key": "totalRows", "value": "0"}]}
    )
    client.list_orders("new").collect()
    client.list_orders("new").collect()
    # When a third listing starts
    with pytest.raises(CnovaRateLimited) as caught:
        client.list_orders("new").collect()
    # Then nothing was sent, nothing slept, and it says when to retry
    assert len(_calls(http, "GET", "/orders/status/new")) == 2
    assert fake_time.sleeps == []
    assert caught.value.status is None
    assert caught.value.retry_after == pytest.approx(60)


def test_lambda_deadline_bounds_the_wait(http: responses.RequestsMock, make_client, fake_time) -> None:
    # Given 30 s left in the Lambda and the "new" list spent for the next 60 s
    client = make_client(remaining_time=lambda: 30.0)
    http.get(
        f"{BASE}/orders/status/new", json={"orders": [], "metadata": [{"key": "totalRows", "value": "0"}]}
    )
    client.list_orders("new").collect()
    client.list_orders("new").collect()
    # When a third listing starts
    with pytest.raises(CnovaRateLimited):
        client.list_orders("new").collect()
    # Then the client did not start a wait it could not finish
    assert fake_time.sleeps == []


# -- error mapping -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "error_type"),
    [
        (400, CnovaValidationError),
        (409, CnovaValidationError),
        (413, CnovaValidationError),
        (422, CnovaValidationError),
        (401, CnovaAuthError),
        (403, CnovaAuthError),
        (404, CnovaNotFound),
    ],
)
def test_4xx_map_to_typed_errors_without_retry(
    http: responses.RequestsMock, client, status: int, error_type: type
):
    # Given Cnova refuses with its error envelope
    envelope = {
        "errors": [
            {
                "code": "E1",
                "message": "bad thing",
                "httpStatus": str(status),
                "type": "BusinessError",
                "skuSellerId": "S1",
            }
        ]
    }
    http.put(f"{BASE}/sellerItems/S1/prices", status=status, json=envelope)
    # When a price is sent
    with pytest.raises(error_type) as caught:
        client.update_price("S1", {"default": 10, "offer": 9})
    # Then the typed error carries the envelope and nothing was retried
    error = caught.value
    assert error.status == status
    assert error.request_path == "/sellerItems/S1/prices"
    assert error.errors[0].code == "E1" and error.errors[0].http_status == str(status)
    assert error.errors_for_sku("S1")[0].message == "bad thing"
    assert len(_calls(http, "PUT", "/sellerItems/S1/prices")) == 1


def test_price_drop_422_carries_cnova_message(http: responses.RequestsMock, client: CnovaClient) -> None:
    # Given Cnova refuses a >50% drop
    msg = "Alteração não permitida, variação de preço muito grande."
    http.put(
        f"{BASE}/sellerItems/S1/prices", status=422, json={"errors": [{"message": msg, "skuSellerId": "S1"}]}
    )
    # When the price drops
    with pytest.raises(CnovaValidationError) as caught:
        client.update_price("S1", {"default": 100, "offer": 10})
    # Then the message reaches the caller
    assert caught.value.messages == [msg]
    assert msg in str(caught.value)


def test_non_json_error_body_is_kept_as_message(http: responses.RequestsMock, client: CnovaClient) -> None:
    # Given a proxy answering 404 with HTML
    http.get(f"{BASE}/orders/1", status=404, body="<html>Not Found</html>")
    # When fetched
    with pytest.raises(CnovaNotFound) as caught:
        client.get_order("1")
    # Then the text is kept
    assert caught.value.messages == ["<html>Not Found</html>"]


def test_unretryable_5xx_raises_unavailable_at_once(
    http: responses.RequestsMock, client: CnovaClient
) -> None:
    # Given a 501
    http.get(f"{BASE}/orders/1", status=501)
    # When fetched
    with pytest.raises(CnovaUnavailable):
        client.get_order("1")
    # Then it was not retried
    assert len(_calls(http, "GET", "/orders/1")) == 1


def test_tracking_repeat_refused_as_duplicate_is_checked_again(
    http: responses.RequestsMock, client: CnovaClient
):
    # Given the first POST times out, the order does not show it yet (Cnova still processing),
    # and the repeat is refused as a duplicate because the first one landed in the meantime
    applied = {
        **ORDER,
        "trackings": [
            {
                "items": [{"id": "975101-1"}],
                "sellerDeliveryId": "PE327842878BR",
                "occurredAt": "2026-12-04T10:00:00-03:00",
            }
        ],
    }
    http.post(f"{BASE}/orders/975101/trackings/sent", body=requests.exceptions.ReadTimeout())
    http.post(
        f"{BASE}/orders/975101/trackings/sent",
        status=409,
        json={"errors": [{"code": "DuplicateSellerDeliveryId", "message": "já usado"}]},
    )
    http.get(f"{BASE}/orders/975101", json=ORDER)
    http.get(f"{BASE}/orders/975101", json=applied)
    # When posted
    assert client.post_tracking_sent("975101", TRACKING) is True
    # Then the refusal was recognised as "already there": two POSTs, no error, one tracking at Cnova
    assert len(_calls(http, "POST", "/orders/975101/trackings/sent")) == 2
    assert len(_calls(http, "GET", "/orders/975101")) == 2


def test_tracking_refused_on_first_attempt_is_a_plain_validation_error(http: responses.RequestsMock, client):
    # Given Cnova refuses the very first POST
    http.post(f"{BASE}/orders/975101/trackings/sent", status=422, json={"errors": [{"message": "status"}]})
    # Then the refusal is reported without any verification GET
    with pytest.raises(CnovaValidationError):
        client.post_tracking_sent("975101", TRACKING)
    assert _calls(http, "GET", "/orders/975101") == []


def test_2xx_body_that_is_not_json_is_a_protocol_error(
    http: responses.RequestsMock, client: CnovaClient
) -> None:
    # Given a 200 with an HTML body (a captive proxy, a maintenance page)
    http.get(f"{BASE}/orders/1", body="<html>maintenance</html>", status=200)
    # Then a typed error, not a JSONDecodeError
    from cnova_connector.cnova import CnovaProtocolError

    with pytest.raises(CnovaProtocolError):
        client.get_order("1")


def test_truncated_response_is_retried_like_a_dropped_connection(
    http: responses.RequestsMock, client
) -> None:
    # Given a GET whose body is cut short once
    http.get(f"{BASE}/orders/1", body=requests.exceptions.ChunkedEncodingError("cut"))
    http.get(f"{BASE}/orders/1", json={"id": "1"})
    # Then the second attempt answers
    assert client.get_order("1").id == "1"


def test_verification_waits_before_looking(
    http: responses.RequestsMock, client: CnovaClient, fake_time
) -> None:
    # Given a tracking POST that times out, and an order GET that records when it was asked
    asked_at: list[float] = []
    started = fake_time.now

    def order(request: Any) -> tuple[int, dict[str, str], str]:
        asked_at.append(fake_time.now)
        return 200, {}, json.dumps(ORDER)

    http.post(f"{BASE}/orders/975101/trackings/sent", body=requests.exceptions.ReadTimeout())
    http.post(f"{BASE}/orders/975101/trackings/sent", status=201)
    http.add_callback(responses.GET, f"{BASE}/orders/975101", callback=order)
    # When posted
    client.post_tracking_sent("975101", TRACKING)
    # Then the order was looked at only after a backoff pause (the POST might still be running)
    assert asked_at and asked_at[0] - started >= 0.5


def test_last_attempt_is_still_verified(http: responses.RequestsMock, make_client: Any) -> None:
    # Given a single attempt allowed, a POST answered 502 although applied
    client = make_client(retry=RetryPolicy(max_attempts=1))
    applied = {**ORDER, "trackings": [{"items": [{"id": "975101-1"}], "sellerDeliveryId": "PE327842878BR"}]}
    http.post(f"{BASE}/orders/975101/trackings/sent", status=502)
    http.get(f"{BASE}/orders/975101", json=applied)
    # Then the client finds it applied instead of raising
    assert client.post_tracking_sent("975101", TRACKING) is True
    assert len(_calls(http, "POST", "/orders/975101/trackings/sent")) == 1


def test_last_attempt_not_applied_raises_ambiguous(http: responses.RequestsMock, make_client: Any) -> None:
    # Given a single attempt allowed, a POST answered 502 and not applied
    client = make_client(retry=RetryPolicy(max_attempts=1))
    http.post(f"{BASE}/orders/975101/trackings/sent", status=502)
    http.get(f"{BASE}/orders/975101", json=ORDER)
    # Then the caller gets an ambiguous unavailability, after one POST only
    with pytest.raises(CnovaUnavailable) as caught:
        client.post_tracking_sent("975101", TRACKING)
    assert caught.value.ambiguous is True
    assert len(_calls(http, "POST", "/orders/975101/trackings/sent")) == 1


def test_time_budget_bounds_a_long_listing(http: responses.RequestsMock, make_client: Any, fake_time) -> None:
    # Given a 2-a-minute list of 5 pages and a poll allowed 100 s in total
    from cnova_connector.cnova import time_budget

    client = make_client(remaining_time=time_budget(100, clock=fake_time.clock))
    page = {"orders": [{"id": "x"}], "metadata": [{"key": "totalRows", "value": "5"}]}
    for n in range(5):
        http.get(f"{BASE}/orders/status/new", json={**page, "orders": [{"id": f"o{n}"}]})
    # When the list is read one order per page
    got: list[str] = []
    with pytest.raises(CnovaRateLimited) as caught:
        for order in client.list_orders("new", page_size=1):
            got.append(order.id)
    # Then it read what the budget allowed: 2 pages now, 2 more after one 60 s wait (78 s of the budget
    # usable: 100 minus read timeout and margin); a 2nd wait would end past the deadline
    assert got == ["o0", "o1", "o2", "o3"]
    assert fake_time.sleeps == [pytest.approx(60)]
    assert caught.value.resume_offset == 4
