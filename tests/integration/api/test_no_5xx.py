"""Odd input of every kind gets a 4xx in the error format, never a 5xx (product.md: never a 5xx for
bad input)."""

from __future__ import annotations

from typing import Any

from tests.integration.api.conftest import StorefrontApi, a_product
from tests.integration.conftest import AwsStack
from tests.support.aws import load_handler


def test_odd_bodies_and_queries_never_reach_a_5xx(aws_stack: AwsStack) -> None:
    store, _ = aws_stack.new_store("x")
    api = StorefrontApi(load_handler("api"), store)
    api.put_product("P", a_product("S"))
    bodies = [
        "",
        "null",
        "[]",
        "{}",
        "1",
        '"x"',
        '{"a":',
        '{"skus": null}',
        '{"title": "t", "skus": [null]}',
        '{"title": "t", "skus": [{"skuId": "A", "price": 1e999, "stock": 1}]}',
        '{"title": "t", "skus": [{"skuId": "A", "price": "1", "stock": 1e400}]}',
        '{"title": "t", "skus": [{"skuId": "A", "price": NaN, "stock": 1}]}',
        '{"title": "t", "skus": [{"skuId": "A", "price": "1", "stock": 1, "attributes": [1]}]}',
        '{"title": "t", "skus": [{"skuId": "A", "price": "1", "stock": 1, "gtin": 123}]}',
        '{"stock": true}',
        '{"price": "1e-5"}',
        '{"offerPrice": "-1"}',
        '{"crossDockingDays": 9999}',
        '{"title": "\\u0000", "skus": [{"skuId": "A", "price": "1", "stock": 1}]}',
    ]
    bad: list[Any] = []
    refused = 0
    for b in bodies:
        for m, p in [("PUT", "/v1/products/P"), ("PATCH", "/v1/skus/S"), ("PUT", "/v1/products/Q")]:
            r = api.call(m, p, raw_body=b)
            if r.status >= 500 or (
                r.status >= 400 and set(r.body["error"]) != {"code", "message", "details"}
            ):
                bad.append((m, p, b, r.status, r.body))
            refused += r.status >= 400
    for q in ["limit=-1", "limit=1000000000000000000000", "cursor=%00", "cursor=eyJ", "cnovaStatus="]:
        r = api.call("GET", "/v1/products?" + q)
        if r.status >= 500:
            bad.append(("GET", q, r.status, r.body))
    assert bad == []
    assert refused >= 3 * len(bodies) - 2  # all but the one odd-but-valid body (a NUL in a title)
