"""Auth (401 envelope, one state per seller) and Cnova pagination metadata."""

from __future__ import annotations

import pytest
import requests
from cnova_sandbox.testing import SandboxHandle

from tests.integration.sandbox.sandbox_helpers import (
    Api,
    errors_of,
    generous_limits,
    make_available,
    metadata,
    product,
    recorded,
)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"client_id": "app-test"},
        {"access_token": "SANDBOX-Test"},
        {"client_id": "x", "access_token": "y"},
    ],
    ids=["none", "no-token", "no-client", "unknown-pair"],
)
def test_missing_or_unknown_credentials_get_401_envelope(api: Api, headers: dict[str, str]) -> None:
    # Given a registered seller
    # When a request comes without its headers or with an unknown pair
    response = requests.get(api.sandbox.api_url + "/sellerItems", headers=headers, timeout=10)
    # Then it is refused with 401 and Cnova's error envelope
    assert response.status_code == 401
    [error] = errors_of(response)
    assert error["code"] == "Unauthorized"


def test_each_credential_pair_is_its_own_seller(api: Api, cnova_sandbox: SandboxHandle) -> None:
    # Given two sellers sharing a client_id but with different tokens
    cnova_sandbox.register_seller("app-test", "other-token", "Outra Loja")
    other = Api(cnova_sandbox, "app-test", "other-token")
    # When the first one loads a product
    assert api.post("/loads/products", json=[product("ONLY-MINE")]).status_code == 201
    # Then only the first one sees it
    assert metadata(api.get("/loads/products").json())["totalRows"] == "1"
    assert other.get("/loads/products").json() == {
        "skus": [],
        "metadata": [{"key": "totalRows", "value": "0"}],
    }
    assert other.get("/loads/products/ONLY-MINE").status_code == 404


def test_empty_list_is_exactly_the_recorded_shape(api: Api) -> None:
    # Given a seller with no orders
    # When it lists new orders
    body = api.get("/orders/status/new").json()
    # Then the body is the recorded empty page
    assert body == recorded("order-Empty.json")


def test_metadata_is_a_list_of_string_pairs_with_relative_links(api: Api) -> None:
    # Given 45 loaded SKUs
    assert api.post("/loads/products", json=[product(f"S{n:03d}") for n in range(45)]).status_code == 201
    # When the second page of 20 is asked for
    body = api.get("/loads/products", params={"_offset": 20, "_limit": 20}).json()
    # Then the metadata has the recorded keys, in order, all strings
    keys = [entry["key"] for entry in recorded("loads-Loads.json")["metadata"]]
    assert [entry["key"] for entry in body["metadata"]] == keys
    assert all(isinstance(entry["value"], str) for entry in body["metadata"])
    assert metadata(body) == {
        "totalRows": "45",
        "offset": "20",
        "limit": "20",
        "first": "/loads/products?_offset=0&_limit=20",
        "previous": "/loads/products?_offset=0&_limit=20",
        "next": "/loads/products?_offset=40&_limit=20",
        "last": "/loads/products?_offset=40&_limit=20",
    }
    assert [row["skuSeller"]["id"] for row in body["skus"]] == [f"S{n:03d}" for n in range(20, 40)]


def test_links_keep_the_filters_url_encoded_like_the_recording(api: Api) -> None:
    # Given 12 SKUs in Error
    bad = [product(f"E{n:02d}", images=[]) for n in range(12)]
    assert api.post("/loads/products", json=bad).status_code == 201
    api.sandbox.advance_clock(11)
    # When they are listed with status and createdAt filters
    created = "2015-04-28T14:47:38.000-03:00,*"
    body = api.get(
        "/loads/products", params={"_offset": 0, "_limit": 10, "status": "Error", "createdAt": created}
    ).json()
    # Then the links repeat the filters URL-encoded as in loads-Errors.json
    meta = metadata(body)
    assert meta["totalRows"] == "12"
    assert meta["first"] == (
        "/loads/products?_offset=0&_limit=10&status=Error&createdAt=2015-04-28T14%3A47%3A38.000-03%3A00%2C%2A"
    )
    assert meta["last"].startswith(
        "/loads/products?_offset=10&_limit=10&status=Error&createdAt=2015-04-28T14%3A47"
    )
    assert meta["previous"] == ""


def test_limit_is_capped_at_50_for_orders_and_100_otherwise(api: Api) -> None:
    # Given 120 loaded SKUs and 60 indexed orders
    assert api.post("/loads/products", json=[product(f"S{n:03d}") for n in range(120)]).status_code == 201
    for _ in range(60):
        assert (
            api.post(
                "/orders",
                json={
                    "items": [{"skuSellerId": "S000", "salePrice": 1, "quantity": 1}],
                    "customer": {"name": "Ana"},
                },
            ).status_code
            == 201
        )
    api.sandbox.advance_clock(6)
    # When pages larger than the caps are asked for
    loads = api.get("/loads/products", params={"_limit": 500}).json()
    orders = api.get("/orders", params={"_limit": 500}).json()
    # Then the page sizes are capped
    assert (len(loads["skus"]), metadata(loads)["limit"]) == (100, "100")
    assert (len(orders["orders"]), metadata(orders)["limit"]) == (50, "50")


def test_limit_caps_are_configurable(api: Api) -> None:
    # Given a cap of 5 for non-order lists
    api.sandbox.configure(limits={"defaultMaxLimit": 5})
    assert api.post("/loads/products", json=[product(f"S{n}") for n in range(8)]).status_code == 201
    # When 100 are asked for
    body = api.get("/loads/products", params={"_limit": 100}).json()
    # Then 5 come back
    assert len(body["skus"]) == 5


@pytest.mark.parametrize("params", [{"_limit": "abc"}, {"_limit": "0"}, {"_offset": "-1"}])
def test_invalid_pagination_is_a_400_envelope(api: Api, params: dict[str, str]) -> None:
    # Given / When a list is asked for with invalid pagination
    response = api.get("/sellerItems", params=params)
    # Then 400 with the envelope
    assert response.status_code == 400
    assert errors_of(response)[0]["code"] == "InvalidPagination"


def test_seller_items_page_matches_recorded_shape(api: Api) -> None:
    # Given one available SKU
    generous_limits(api.sandbox)
    make_available(api, "SKU-1")
    # When the seller items are listed
    body = api.get("/sellerItems", params={"_offset": 0, "_limit": 5}).json()
    # Then each item has the recorded SellerItem keys
    recorded_item = recorded("product-sellerItems.json")["sellerItems"][0]
    assert set(body["sellerItems"][0]) == set(recorded_item)
    assert metadata(body)["first"] == "/sellerItems?_offset=0&_limit=5"


def test_unknown_route_and_wrong_method_use_the_envelope(api: Api) -> None:
    # Given / When an unknown path and a known path with the wrong method
    unknown = api.get("/categories")
    wrong_method = api.request("DELETE", "/orders")
    # Then 404 and 405, both with the envelope
    assert unknown.status_code == 404
    assert errors_of(unknown)[0]["code"] == "NotFound"
    assert wrong_method.status_code == 405
    assert errors_of(wrong_method)[0]["code"] == "MethodNotAllowed"


def test_sites_and_warehouses(api: Api) -> None:
    # Given / When the reference data is read
    sites = api.get("/sites").json()
    warehouses = api.get("/warehouses").json()
    # Then the configured sites and the default warehouse come back
    assert sites["totalRows"] == 3
    assert [s["mnemonic"] for s in sites["sites"]] == ["EX", "PF", "CB"]
    assert warehouses["warehouses"] == [{"id": 2273, "sites": ["EX", "PF", "CB"]}]
