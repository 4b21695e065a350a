"""Bad input gets a 400 with a per-field message, and nothing is written."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.integration.api.conftest import StorefrontApi, a_product


def _fields(body: dict[str, Any]) -> list[str]:
    return [d["field"] for d in body["error"]["details"]]


@pytest.mark.parametrize(
    ("mutate", "field", "words"),
    [
        (lambda p: p["skus"][0].update(stock=-1), "skus[0].stock", "greater than or equal to 0"),
        (lambda p: p["skus"][0].update(price="59.999"), "skus[0].price", "at most 2 decimal places"),
        (lambda p: p["skus"][0].update(price=59.999), "skus[0].price", "at most 2 decimal places"),
        (lambda p: p.update(colour="blue"), "colour", "unknown field"),
        (lambda p: p["skus"][0].update(colour="blue"), "skus[0].colour", "unknown field"),
        (lambda p: p["skus"][0].update(stock=1.5), "skus[0].stock", "whole number"),
        (lambda p: p["skus"][0].update(gtin="7891234567890"), "skus[0].gtin", "check digit"),
        (lambda p: p["skus"][0].update(offerPrice="70.00"), "skus[0]", "must not be above price"),
        (lambda p: p.pop("title"), "title", "is required"),
        (lambda p: p.update(skus=[]), "skus", "at least 1"),
        (lambda p: p["skus"].append(copy.deepcopy(p["skus"][0])), "skus", "more than once"),
        (lambda p: p["skus"][0].update(price="abc"), "skus[0].price", "decimal"),
        (lambda p: p.update(images=["ftp://x"]), "images[0]", "pattern"),
    ],
)
def test_invalid_product_is_refused_per_field_and_nothing_is_written(
    api: StorefrontApi, mutate: Any, field: str, words: str
) -> None:
    # Given a valid product, spoilt in one place
    product = a_product("CAM-AZ-P")
    mutate(product)

    # When it is sent
    reply = api.put_product("CAM-AZ", product)

    # Then 400 names the field and says what is wrong, and nothing was written
    assert reply.status == 400, reply.body
    assert reply.body["error"]["code"] == "validation_error"
    assert field in _fields(reply.body)
    detail = next(d for d in reply.body["error"]["details"] if d["field"] == field)
    assert words in detail["message"]
    assert api.get_product("CAM-AZ").status == 404


def test_malformed_json_is_a_400_and_nothing_is_written(api: StorefrontApi) -> None:
    reply = api.call("PUT", "/v1/products/CAM-AZ", raw_body='{"title": "x", "skus": [')
    assert reply.status == 400
    assert reply.body["error"]["code"] == "invalid_json"
    assert reply.body["error"]["details"][0]["field"] == "body"
    assert api.get_product("CAM-AZ").status == 404


def test_a_body_that_is_not_an_object_is_a_400(api: StorefrontApi) -> None:
    reply = api.call("PUT", "/v1/products/CAM-AZ", raw_body="[1, 2]")
    assert reply.status == 400
    assert api.get_product("CAM-AZ").status == 404


def test_invalid_replace_keeps_the_previous_product(api: StorefrontApi) -> None:
    # Given a stored product
    api.put_product("CAM-AZ", a_product("CAM-AZ-P"))
    # When a replacement with a negative stock arrives
    bad = a_product("CAM-AZ-P")
    bad["skus"][0]["stock"] = -5
    assert api.put_product("CAM-AZ", bad).status == 400
    # Then the stored product is unchanged
    assert api.get_product("CAM-AZ").body["skus"][0]["stock"] == 10


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"stock": -1}, "stock"),
        ({"price": "10.001"}, "price"),
        ({"colour": "red"}, "colour"),
        ({}, "body"),
        ({"offerPrice": "99.00"}, "offerPrice"),
        ({"price": None}, "body"),
    ],
)
def test_invalid_patch_is_refused_and_the_sku_is_unchanged(
    api: StorefrontApi, changes: dict[str, Any], field: str
) -> None:
    api.put_product("CAM-AZ", a_product("CAM-AZ-P"))
    reply = api.patch_sku("CAM-AZ-P", changes)
    assert reply.status == 400, reply.body
    assert field in _fields(reply.body)
    sku = api.get_product("CAM-AZ").body["skus"][0]
    assert (sku["stock"], sku["price"], sku["version"]) == (10, "59.90", 1)


def test_bad_ids_in_the_path_are_refused(api: StorefrontApi) -> None:
    reply = api.put_product("bad id!", a_product("CAM-AZ-P"))
    assert reply.status == 400
    assert _fields(reply.body) == ["productId"]
