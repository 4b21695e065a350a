"""End to end through the local stack: HTTP → API emulator → authorizer → API function → moto."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from typing import Any

import pytest

from tests.e2e.conftest import Client
from tests.integration.api.conftest import a_product

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def test_the_stack_file_names_two_demo_stores_and_the_urls(local_stack: dict[str, Any]) -> None:
    assert local_stack["apiUrl"].startswith("http://127.0.0.1:")
    assert local_stack["sandboxUrl"].startswith("http://127.0.0.1:")
    assert local_stack["awsEndpointUrl"].startswith("http://127.0.0.1:")
    stores = local_stack["stores"]
    assert len(stores) == 2 and all(s["token"].startswith("cnv_") for s in stores)
    assert stores[0]["id"] != stores[1]["id"]


def test_create_read_change_stock_and_list(store_a: Client) -> None:
    # Given a product with three SKUs
    pid = unique("CAM")
    skus = [f"{pid}-P", f"{pid}-M", f"{pid}-G"]

    # When the store creates it, reads it, changes one SKU's stock and lists its products
    created = store_a.request("PUT", f"/v1/products/{pid}", json_body=a_product(*skus))
    read = store_a.request("GET", f"/v1/products/{pid}")
    patched = store_a.request("PATCH", f"/v1/skus/{skus[1]}", json_body={"stock": 2})
    listing = store_a.request("GET", "/v1/products?limit=100")

    # Then each step answers as the contract says
    assert created.status_code == 201, created.text
    assert read.status_code == 200
    assert [s["skuId"] for s in read.json()["skus"]] == skus
    assert read.json()["skus"][0]["price"] == "59.90"
    assert patched.status_code == 200
    assert (patched.json()["stock"], patched.json()["version"]) == (2, 2)
    assert pid in [p["productId"] for p in listing.json()["items"]]
    after = store_a.request("GET", f"/v1/products/{pid}").json()
    assert [s["stock"] for s in after["skus"]] == [10, 2, 12]


def test_another_stores_token_gets_404_for_those_ids(store_a: Client, store_b: Client) -> None:
    pid = unique("ISO")
    store_a.request("PUT", f"/v1/products/{pid}", json_body=a_product(f"{pid}-1"))

    assert store_b.request("GET", f"/v1/products/{pid}").status_code == 404
    assert store_b.request("PATCH", f"/v1/skus/{pid}-1", json_body={"stock": 0}).status_code == 404
    assert pid not in [p["productId"] for p in store_b.request("GET", "/v1/products").json()["items"]]
    assert store_a.request("GET", f"/v1/products/{pid}").json()["skus"][0]["stock"] == 10


@pytest.mark.parametrize("token", [None, "cnv_not-a-real-token"])
def test_no_or_wrong_token_gets_401_in_the_error_format(
    local_stack: dict[str, Any], token: str | None
) -> None:
    reply = Client(local_stack["apiUrl"], token).request("GET", "/v1/products")
    assert reply.status_code == 401
    assert reply.json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize(
    ("body", "raw", "field"),
    [
        (None, '{"title": "x", "skus": [', "body"),
        ("negative stock", None, "skus[0].stock"),
        ("three decimals", None, "skus[0].price"),
        ("unknown field", None, "warranty"),
    ],
)
def test_bad_input_gets_a_400_per_field_and_nothing_is_written(
    store_a: Client, body: str | None, raw: str | None, field: str
) -> None:
    pid = unique("BAD")
    product = a_product(f"{pid}-1")
    if body == "negative stock":
        product["skus"][0]["stock"] = -1
    elif body == "three decimals":
        product["skus"][0]["price"] = "59.999"
    elif body == "unknown field":
        product["warranty"] = "12 months"

    reply = store_a.request("PUT", f"/v1/products/{pid}", json_body=None if raw else product, data=raw)

    assert reply.status_code == 400, reply.text
    error = reply.json()["error"]
    assert field in [d["field"] for d in error["details"]]
    assert all(d["message"] for d in error["details"])
    assert store_a.request("GET", f"/v1/products/{pid}").status_code == 404


def test_openapi_document_is_public_and_unknown_routes_are_404(anonymous: Client) -> None:
    doc = anonymous.request("GET", "/v1/openapi.json")
    assert doc.status_code == 200
    assert "/v1/products/{productId}" in doc.json()["paths"]
    missing = anonymous.request("GET", "/v1/nothing-here")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"


def test_the_stores_console_command_works_against_the_local_stack(local_stack: dict[str, Any]) -> None:
    # When an operator lists the stores of the running local stack
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "cnova_connector.cli.stores",
            "--local",
            local_stack["path"],
            "--json",
            "list",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    # Then both demo stores are there, with token hints only
    assert result.returncode == 0, result.stderr
    listed = json.loads(result.stdout)
    assert sorted(s["id"] for s in listed) == sorted(s["id"] for s in local_stack["stores"])
    assert all(s["tokens"] and s["tokens"][0].endswith("…") for s in listed)
