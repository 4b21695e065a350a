"""Contract: product loads, seller items and bulk updates through the client, against the sandbox."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from cnova_contract_support import product

from cnova_connector.cnova import (
    CnovaAuthError,
    CnovaClient,
    CnovaCredentials,
    CnovaNotFound,
    CnovaValidationError,
    RateLimit,
)
from cnova_connector.cnova.models import BulkPriceItem, LoadStatus, PriceUpdate, StockUpdate

pytestmark = pytest.mark.integration


def _item(state: dict[str, Any], sku: str) -> dict[str, Any]:
    return next(i for i in state["sellerItems"] if i["skuSellerId"] == sku)


def test_product_load_review_fix_and_cancel(
    cnova_sandbox: Any, seller: CnovaCredentials, client: CnovaClient
):
    # Given manual review, and a load with one good SKU and one without images
    cnova_sandbox.configure(autoApprove=False)
    good = product("1001")
    bad = product("1002", images=[])
    # When the load is sent
    client.post_product_load([good, bad])
    # Then both are Pending in the listing
    loads = {s.sku_seller_id: s for s in client.list_product_loads()}
    assert {k: v.status for k, v in loads.items()} == {"1001": LoadStatus.PENDING, "1002": LoadStatus.PENDING}
    assert loads["1001"].created_at is not None
    # When the marketplace rejects the bad one, the client reads Cnova's reasons
    cnova_sandbox.review(
        seller.client_id, seller.access_token, "1002", "reject", [{"code": "IMG", "message": "sem imagem"}]
    )
    detail = client.get_product_load("1002")
    assert detail.errors and detail.errors[0].message == "sem imagem"
    assert detail.categories == ["Teste>API"]
    assert [s.sku_seller_id for s in client.list_product_loads(status="Error")] == ["1002"]
    # When the seller fixes it before approval (PUT) and the marketplace approves it
    client.update_product_load("1002", product("1002", title="Produto corrigido"))
    cnova_sandbox.review(seller.client_id, seller.access_token, "1002", "approve")
    # Then it is Available with the fixed title, and a live seller item
    assert [s.status for s in client.list_product_loads() if s.sku_seller_id == "1002"] == ["Available"]
    assert client.get_seller_item("1002").title == "Produto corrigido"
    # When the still-pending SKU is cancelled (sandbox-only DELETE)
    client.delete_product_load("1001")
    # Then it is Canceled
    assert [s.status for s in client.list_product_loads() if s.sku_seller_id == "1001"] == ["Canceled"]


def test_fixing_an_available_product_is_refused(client: CnovaClient) -> None:
    # Given an approved SKU
    client.post_product_load([product("2001")])
    assert client.get_seller_item("2001").sku_seller_id == "2001"
    # When its sheet is changed through PUT /loads/products/{sku}
    with pytest.raises(CnovaValidationError) as caught:
        client.update_product_load("2001", product("2001", title="Outro"))
    # Then Cnova refuses with 422 and its envelope
    assert caught.value.status == 422
    assert caught.value.errors


def test_seller_items_and_unit_updates(
    cnova_sandbox: Any, seller: CnovaCredentials, make_client: Any
) -> None:
    # Given two approved SKUs (and a client allowed to list seller items freely, like the sandbox is set)
    cnova_sandbox.configure(rateLimits={"GET /sellerItems": {"limit": 50, "windowSeconds": 60}})
    client = make_client(rate_limits={"GET /sellerItems": RateLimit(50, 60)})
    client.post_product_load([product("3001", price="100.00", offer="90.00"), product("3002")])
    # When the seller changes price, stock and status of 3001
    client.update_price("3001", PriceUpdate(default=Decimal("120.00"), offer=Decimal("99.90"), site="EX"))
    client.update_stock("3001", StockUpdate(quantity=7, cross_docking_time=2))
    client.update_status("3002", {"active": False, "site": "EX"})
    # Then GET /sellerItems/{sku} shows them with exact decimals
    item = client.get_seller_item("3001", site="EX")
    price = item.price_for("EX")
    assert price is not None and price.default == Decimal("120") and price.offer == Decimal("99.9")
    assert item.total_stock == 7 and item.stocks[0].cross_docking_time == 2
    # And the lists agree: both items exist, only 3001 is selling on EX
    assert sorted(i.sku_seller_id for i in client.list_seller_items(site="EX")) == ["3001", "3002"]
    assert [i.sku_seller_id for i in client.list_selling_items(site="EX")] == ["3001"]
    # And the sandbox's own state says the same
    state = cnova_sandbox.state(seller.client_id, seller.access_token)
    assert _item(state, "3001")["stocks"][0]["quantity"] == 7
    assert next(s for s in _item(state, "3002")["status"] if s["site"] == "EX")["active"] is False


def test_price_drop_over_half_is_refused_with_422(client: CnovaClient) -> None:
    # Given an item offered at 90.00
    client.post_product_load([product("4001", price="100.00", offer="90.00")])
    # When the offer drops to 40.00 (more than 50%)
    with pytest.raises(CnovaValidationError) as caught:
        client.update_price("4001", {"default": "100.00", "offer": "40.00", "site": "EX"})
    # Then Cnova's 422 and message reach the caller, and the price did not change
    assert caught.value.status == 422
    assert "variação de preço muito grande" in " ".join(caught.value.messages)
    assert caught.value.errors_for_sku("4001")
    price = client.get_seller_item("4001").price_for("EX")
    assert price is not None and price.offer == Decimal("90")


def test_bulk_updates_apply_and_report(
    cnova_sandbox: Any, seller: CnovaCredentials, client: CnovaClient
) -> None:
    # Given three approved SKUs
    client.post_product_load([product("5001"), product("5002"), product("5003")])
    # When prices, stocks and status are sent in bulk
    client.bulk_update_prices(
        [
            BulkPriceItem(sku_seller_id=s, prices=[{"default": "110.00", "offer": "95.50", "site": "EX"}])
            for s in ("5001", "5002")
        ]
    )
    client.bulk_update_stocks([{"skuSellerId": "5003", "stocks": [{"quantity": 42, "crossDockingTime": 3}]}])
    client.bulk_update_status([{"skuSellerId": "5002", "status": [{"active": False, "site": "EX"}]}])
    # Then the results (processed after the sandbox's bulk delay) say Success per SKU
    prices = client.list_bulk_price_results().collect()
    stocks = client.list_bulk_stock_results().collect()
    statuses = client.list_bulk_status_results().collect()
    assert sorted((r.sku_seller_id, r.status) for r in prices) == [("5001", "Success"), ("5002", "Success")]
    assert [(r.sku_seller_id, r.status) for r in stocks] == [("5003", "Success")]
    assert [(r.sku_seller_id, r.status) for r in statuses] == [("5002", "Success")]
    assert prices[0].processed_at is not None
    # And the values are live
    offer = client.get_seller_item("5001").price_for("EX")
    assert offer is not None and offer.offer == Decimal("95.5")
    assert client.get_seller_item("5003").total_stock == 42


def test_bulk_rejection_is_reported_per_sku(client: CnovaClient) -> None:
    # Given an item at 90.00
    client.post_product_load([product("5101")])
    # When a bulk price drop of more than 50% is sent
    client.bulk_update_prices(
        [{"skuSellerId": "5101", "prices": [{"default": "100.00", "offer": "10.00", "site": "EX"}]}]
    )
    # Then the result row is an Error carrying Cnova's reason
    (row,) = client.list_bulk_price_results().collect()
    assert row.status == "Error"
    assert row.errors and row.errors[0].sku_seller_id == "5101"


def test_listing_loads_over_several_pages(client: CnovaClient) -> None:
    # Given 23 loaded SKUs
    client.post_product_load([product(f"6{n:03d}") for n in range(23)])
    # When listed 5 per page
    it = client.list_product_loads(page_size=5)
    skus = [s.sku_seller_id for s in it]
    # Then all 23 come once, over 5 pages
    assert sorted(skus) == sorted(f"6{n:03d}" for n in range(23))
    assert len(set(skus)) == 23
    assert it.pages == 5
    assert it.total_rows == 23


def test_listing_seller_items_over_several_pages(cnova_sandbox: Any, make_client: Any) -> None:
    # Given 12 live items and GET /sellerItems allowed 10 a minute on both sides
    cnova_sandbox.configure(rateLimits={"GET /sellerItems": {"limit": 10, "windowSeconds": 60}})
    client = make_client(rate_limits={"GET /sellerItems": RateLimit(10, 60)})
    client.post_product_load([product(f"7{n:03d}") for n in range(12)])
    # When listed 5 per page
    items = client.list_seller_items(page_size=5).collect()
    # Then all 12 come
    assert sorted(i.sku_seller_id for i in items) == [f"7{n:03d}" for n in range(12)]


def test_unknown_credentials_get_auth_error(cnova_sandbox: Any, make_client: Any) -> None:
    # Given credentials the sandbox does not know
    client = make_client(credentials=CnovaCredentials("nobody", "wrong-token"))
    # When any call is made
    with pytest.raises(CnovaAuthError) as caught:
        client.get_seller_item("1")
    # Then 401 with the envelope
    assert caught.value.status == 401
    assert caught.value.errors


def test_unknown_resources_are_not_found(client: CnovaClient) -> None:
    # Given an empty seller, When unknown loads, items and orders are read, Then 404 → CnovaNotFound
    with pytest.raises(CnovaNotFound):
        client.get_product_load("does-not-exist")
    with pytest.raises(CnovaNotFound):
        client.get_seller_item("does-not-exist")
    with pytest.raises(CnovaNotFound):
        client.get_order("999999999")
