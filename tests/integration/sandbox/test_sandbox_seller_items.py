"""Seller items: reads, unit price/stock/status updates, the 50% rule, bulk updates and their results."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.sandbox.sandbox_helpers import Api, errors_of, make_available, metadata, product

PRICE_DROP = "Alteração não permitida, variação de preço muito grande."


def _price(api: Api, sku: str, site: str = "EX") -> tuple[float, float]:
    item = api.get(f"/sellerItems/{sku}").json()
    entry = next(p for p in item["prices"] if p["site"] == site)
    return entry["default"], entry["offer"]


def test_lists_all_items_and_only_selling_ones(api: Api) -> None:
    # Given two available SKUs, one without stock
    make_available(api, "A")
    api.put("/sellerItems/A/stock", json={"quantity": 0, "crossDockingTime": 1, "warehouse": 2273})
    make_available(api, "B")
    # When the lists are read (site defaults to EX)
    everything = api.get("/sellerItems").json()
    selling = api.get("/sellerItems/status/selling", params={"site": "EX"}).json()
    # Then all are listed, but only B is selling
    assert [i["skuSellerId"] for i in everything["sellerItems"]] == ["A", "B"]
    assert [i["skuSellerId"] for i in selling["sellerItems"]] == ["B"]
    assert metadata(selling)["totalRows"] == "1"


def test_unknown_site_is_400(api: Api) -> None:
    # Given / When an unknown site code is used
    response = api.get("/sellerItems", params={"site": "XX"})
    # Then 400 envelope
    assert response.status_code == 400
    assert errors_of(response)[0]["code"] == "InvalidSite"


def test_unit_price_update_changes_that_site_only(api: Api) -> None:
    # Given an available SKU at 59.90/49.90
    make_available(api, "A")
    # When the PF price is changed
    response = api.put("/sellerItems/A/prices", json={"default": 55.5, "offer": 45, "site": "PF"})
    # Then 204, PF changed and EX kept
    assert response.status_code == 204
    assert response.content == b""
    assert _price(api, "A", "PF") == (55.5, 45)
    assert _price(api, "A", "EX") == (59.9, 49.9)


def test_price_site_defaults_to_ex(api: Api) -> None:
    # Given an available SKU
    make_available(api, "A")
    # When a price comes without a site
    assert api.put("/sellerItems/A/prices", json={"default": 50, "offer": 40}).status_code == 204
    # Then EX changed
    assert _price(api, "A", "EX") == (50, 40)


def test_offer_drop_over_50_percent_is_422_with_cnova_message(api: Api) -> None:
    # Given an offer of 49.90
    make_available(api, "A")
    # When the offer drops to 24.90 (more than 50%) and then to 24.95 (exactly 50%)
    too_much = api.put("/sellerItems/A/prices", json={"default": 59.9, "offer": 24.9, "site": "EX"})
    unchanged = _price(api, "A")
    half = api.put("/sellerItems/A/prices", json={"default": 59.9, "offer": 24.95, "site": "EX"})
    # Then the first is refused with Cnova's message and not applied; exactly half is accepted
    assert too_much.status_code == 422
    [error] = errors_of(too_much)
    assert (error["message"], error["skuSellerId"]) == (PRICE_DROP, "A")
    assert unchanged == (59.9, 49.9)
    assert half.status_code == 204
    assert _price(api, "A") == (59.9, 24.95)


@pytest.mark.parametrize(
    "body",
    [
        {"default": 10, "offer": 12},
        {"default": 0, "offer": 0},
        {"default": "abc", "offer": 1},
        {"default": 10.123, "offer": 9},
    ],
    ids=["offer-above-default", "zero", "not-a-number", "three-decimals"],
)
def test_invalid_unit_price_is_refused(api: Api, body: dict[str, Any]) -> None:
    # Given an available SKU
    make_available(api, "A")
    # When an invalid price is sent
    response = api.put("/sellerItems/A/prices", json=body)
    # Then 4xx with the envelope and the price is unchanged
    assert response.status_code in (400, 422)
    assert errors_of(response)
    assert _price(api, "A") == (59.9, 49.9)


def test_unit_stock_update(api: Api) -> None:
    # Given an available SKU
    make_available(api, "A")
    # When its stock is changed (quantity 0 = not for sale)
    response = api.put("/sellerItems/A/stock", json={"quantity": 0, "crossDockingTime": 3, "warehouse": 2273})
    # Then 204 and the stock shows it; the SKU leaves the selling list
    assert response.status_code == 204
    item = api.get("/sellerItems/A").json()
    assert item["stocks"] == [{"quantity": 0, "reserved": 0, "crossDockingTime": 3, "warehouse": 2273}]
    assert api.get("/sellerItems/status/selling").json()["sellerItems"] == []


def test_unit_status_update(api: Api) -> None:
    # Given an available SKU
    make_available(api, "A")
    # When it is deactivated on EX
    response = api.put("/sellerItems/A/status", json={"active": False, "site": "EX"})
    # Then 204, its EX status is inactive and it is not selling on EX but still on PF
    assert response.status_code == 204
    status = {s["site"]: s["active"] for s in api.get("/sellerItems/A").json()["status"]}
    assert status == {"EX": False, "PF": True, "CB": True}
    assert api.get("/sellerItems/status/selling", params={"site": "EX"}).json()["sellerItems"] == []
    assert len(api.get("/sellerItems/status/selling", params={"site": "PF"}).json()["sellerItems"]) == 1


@pytest.mark.parametrize("what", ["prices", "stock", "status"])
def test_unit_updates_on_unknown_or_not_available_skus(api: Api, what: str) -> None:
    # Given a Pending SKU and a never-loaded one
    api.post("/loads/products", json=[product("PEND")])
    body = {"prices": {"default": 10, "offer": 9}, "stock": {"quantity": 1}, "status": {"active": True}}[what]
    # When either is updated
    pending = api.put(f"/sellerItems/PEND/{what}", json=body)
    unknown = api.put(f"/sellerItems/NOPE/{what}", json=body)
    # Then 422 (loaded but not Available) and 404 (unknown), with the envelope
    assert (pending.status_code, errors_of(pending)[0]["code"]) == (422, "SkuNotAvailable")
    assert (unknown.status_code, errors_of(unknown)[0]["code"]) == (404, "SkuNotFound")


def test_get_unknown_seller_item_is_404(api: Api) -> None:
    # Given / When an unknown SKU is read
    response = api.get("/sellerItems/NOPE")
    # Then 404 envelope
    assert response.status_code == 404
    assert errors_of(response)[0]["skuSellerId"] == "NOPE"


def test_bulk_prices_apply_later_with_per_sku_results(api: Api) -> None:
    # Given two available SKUs
    make_available(api, "A", "B")
    body = [
        {"skuSellerId": "A", "prices": [{"default": 59.9, "offer": 39.9, "site": "EX"}]},
        {"skuSellerId": "B", "prices": [{"default": 59.9, "offer": 10, "site": "EX"}]},
        {"skuSellerId": "NOPE", "prices": [{"default": 10, "offer": 9, "site": "EX"}]},
    ]
    # When a bulk price update is sent
    response = api.put("/loads/sellerItems/prices", json=body)
    before = api.get("/loads/sellerItems/prices").json()
    price_before = _price(api, "A")
    api.sandbox.advance_clock(3)
    after = api.get("/loads/sellerItems/prices").json()
    # Then 204; the results are Pending and nothing is applied until the bulk delay passes
    assert response.status_code == 204
    assert [r["status"] for r in before["skus"]] == ["Pending"] * 3
    assert price_before == (59.9, 49.9)
    # And then A is applied, B is refused by the 50% rule and NOPE is unknown
    results = {r["skuSellerId"]: r for r in after["skus"]}
    assert results["A"]["status"] == "Success" and results["A"]["processedAt"]
    assert results["B"]["status"] == "Error"
    assert results["B"]["errors"][0]["message"] == PRICE_DROP
    assert results["NOPE"]["errors"][0]["code"] == "SkuNotFound"
    assert set(results["A"]) >= {"skuSellerId", "status", "processedAt", "updateValue", "siteName", "errors"}
    assert _price(api, "A") == (59.9, 39.9)
    assert _price(api, "B") == (59.9, 49.9)


def test_bulk_stocks_and_status(api: Api) -> None:
    # Given an available SKU
    make_available(api, "A")
    # When bulk stock and status updates are sent and processed
    stocks = api.put(
        "/loads/sellerItems/stocks",
        json=[{"skuSellerId": "A", "stocks": [{"quantity": 7, "crossDockingTime": 2, "warehouse": 2273}]}],
    )
    status = api.put(
        "/loads/sellerItems/status", json=[{"skuSellerId": "A", "status": [{"active": False, "site": "CB"}]}]
    )
    api.sandbox.advance_clock(3)
    # Then both are 204, applied, and reported with their shapes
    assert (stocks.status_code, status.status_code) == (204, 204)
    item = api.get("/sellerItems/A").json()
    assert item["stocks"][0]["quantity"] == 7
    assert {s["site"]: s["active"] for s in item["status"]}["CB"] is False
    [stock_row] = api.get("/loads/sellerItems/stocks").json()["skus"]
    [status_row] = api.get("/loads/sellerItems/status").json()["skus"]
    assert set(stock_row) >= {
        "warehouse",
        "skuSellerId",
        "status",
        "processedAt",
        "updateValue",
        "refer",
        "skuSite",
        "siteList",
        "errors",
    }
    assert set(status_row) >= {
        "skuSellerId",
        "site",
        "status",
        "processedAt",
        "updateValue",
        "siteName",
        "skuSite",
        "errors",
    }
    assert (stock_row["status"], status_row["status"]) == ("Success", "Success")


def test_bulk_updates_apply_in_order(api: Api) -> None:
    # Given an available SKU
    make_available(api, "A")
    # When two bulk stock updates are sent one after the other
    api.put("/loads/sellerItems/stocks", json=[{"skuSellerId": "A", "stocks": [{"quantity": 1}]}])
    api.put("/loads/sellerItems/stocks", json=[{"skuSellerId": "A", "stocks": [{"quantity": 2}]}])
    api.sandbox.advance_clock(3)
    # Then the last one wins
    assert api.get("/sellerItems/A").json()["stocks"][0]["quantity"] == 2


def test_bulk_body_over_1_mib_is_413(api: Api) -> None:
    # Given a body just over 1 MiB
    padding = "x" * (1024 * 1024)
    body = [{"skuSellerId": "A", "prices": [{"default": 1, "offer": 1}], "pad": padding}]
    # When it is sent
    response = api.put("/loads/sellerItems/prices", json=body)
    # Then 413 with the envelope and nothing queued
    assert response.status_code == 413
    assert errors_of(response)[0]["code"] == "BodyTooLarge"
    assert api.get("/loads/sellerItems/prices").json()["skus"] == []


def test_bulk_item_cap_is_configurable(api: Api) -> None:
    # Given a cap of 3 items
    api.sandbox.configure(limits={"bulkMaxItems": 3})
    body = [{"skuSellerId": f"S{n}", "stocks": [{"quantity": 1}]} for n in range(4)]
    # When 4 items are sent
    response = api.put("/loads/sellerItems/stocks", json=body)
    # Then 413 TooManyItems
    assert response.status_code == 413
    assert errors_of(response)[0]["code"] == "TooManyItems"


def test_default_bulk_cap_is_1000(api: Api) -> None:
    # Given 1000 and 1001 items
    ok = [{"skuSellerId": f"S{n}", "stocks": [{"quantity": 1}]} for n in range(1000)]
    # When sent
    # Then 1000 pass and 1001 do not
    assert api.put("/loads/sellerItems/stocks", json=ok).status_code == 204
    assert api.put("/loads/sellerItems/stocks", json=[*ok, ok[0]]).status_code == 413


def test_malformed_bulk_body_is_400(api: Api) -> None:
    # Given / When a bulk body without the price list
    response = api.put("/loads/sellerItems/prices", json=[{"skuSellerId": "A"}])
    # Then 400
    assert response.status_code == 400
    assert errors_of(response)
