"""Every recorded Cnova response parses into the client's models, with its meaning intact."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
import responses
from cnova_unit_support import BASE, RECORDED_DIR, recorded, recorded_text

from cnova_connector.cnova import CnovaClient
from cnova_connector.cnova.models import (
    LoadedProduct,
    LoadStatus,
    Order,
    ProductLoadStatus,
    SandboxOrder,
    SellerItem,
)
from cnova_connector.cnova.pagination import parse_metadata

BRT = timezone(timedelta(hours=-3))


def test_every_recorded_file_is_covered_by_a_test() -> None:
    # Given the recorded responses shipped beside the contract
    files = {p.name for p in Path(RECORDED_DIR).glob("*.json")}
    # Then each one is exercised below (a new recording must get a test)
    assert files == {
        "loads-Errors.json",
        "loads-Loads.json",
        "order-Empty.json",
        "order-OrderId.json",
        "order-OrderInputSandbox.json",
        "order-Orders.json",
        "product-ProductId.json",
        "product-sellerItems.json",
    }


def test_order_by_id_parses_items_per_unit_and_groups_them_per_sku(
    http: responses.RequestsMock, client: CnovaClient
):
    # Given Cnova answers GET /orders/975101 with the recorded order
    http.get(
        f"{BASE}/orders/975101", body=recorded_text("order-OrderId.json"), content_type="application/json"
    )
    # When the client fetches it
    order = client.get_order("975101")
    # Then ids, status and money are as recorded, money as exact Decimals
    assert order.id == "975101"
    assert order.order_site_id == "9751"  # recorded as orderMarketplaceId
    assert order.status == "PEN"
    assert order.site == "EX"
    assert order.payment_type == "1"
    assert order.total_amount == Decimal("288") and isinstance(order.total_amount, Decimal)
    assert order.freight is not None and order.freight.actual_amount == Decimal("10")
    assert order.purchased_at == datetime(2015, 4, 30, 14, 54, 29, tzinfo=BRT)
    assert order.approved_at is None
    assert order.trackings == []
    assert order.shipping is not None and order.shipping.recipient_name == "João da Silva"
    # And the two units of SKU 14080 stay two items with their own ids...
    assert [i.id for i in order.items] == ["23236199-1", "23236199-2"]
    # ...and the per-SKU view says quantity 2 at 139 each, keeping both ids for trackings
    (line,) = order.lines()
    assert line.sku_seller_id == "14080"
    assert line.quantity == 2
    assert line.unit_price == Decimal("139")
    assert line.total == Decimal("278")
    assert line.item_ids == ("23236199-1", "23236199-2")
    assert line.sent_item_ids == ()


def test_order_emits_official_names_and_keeps_unknown_fields() -> None:
    # Given the recorded order (legacy orderMarketplaceId) plus a field Cnova might add one day
    raw = recorded("order-OrderId.json")
    raw["brandNewField"] = {"x": 1}
    # When it is parsed and written back
    wire = Order.model_validate(raw).to_wire()
    # Then the official name is emitted, the legacy one is gone, the unknown field survives
    assert wire["orderSiteId"] == "9751"
    assert "orderMarketplaceId" not in wire
    assert wire["brandNewField"] == {"x": 1}
    assert wire["totalAmount"] == 288
    assert wire["items"][0]["salePrice"] == 139


def test_order_with_both_spellings_keeps_the_official_one() -> None:
    # Given an order carrying both spellings
    order = Order.model_validate({"id": "1", "orderSiteId": "A", "orderMarketplaceId": "B"})
    # Then the official one wins and only it is emitted
    assert order.order_site_id == "A"
    assert "orderMarketplaceId" not in order.to_wire()


def test_new_orders_page_parses_and_tiles(http: responses.RequestsMock, client: CnovaClient) -> None:
    # Given Cnova answers the "new" list with the recorded page (2 orders, totalRows 2)
    http.get(
        f"{BASE}/orders/status/new", body=recorded_text("order-Orders.json"), content_type="application/json"
    )
    # When the client lists every new order
    orders = client.list_orders("new").collect()
    # Then both orders come, PEN, without shipping (suppressed for new), quantities per SKU right
    assert [o.id for o in orders] == ["975101", "975001"]
    assert [o.order_site_id for o in orders] == ["9751", "9750"]
    assert {o.status for o in orders} == {"PEN"}
    assert all(o.shipping is None for o in orders)
    assert orders[0].site is None  # null in list responses
    assert [(ln.sku_seller_id, ln.quantity) for ln in orders[0].lines()] == [("14080", 2)]
    assert [(ln.sku_seller_id, ln.quantity) for ln in orders[1].lines()] == [("14080", 1)]
    assert orders[1].total_amount == Decimal("149")
    assert orders[0].updated_at == datetime(2015, 4, 30, 19, 6, 18, 462000, tzinfo=BRT)


def test_empty_list_with_only_total_rows(http: responses.RequestsMock, client: CnovaClient) -> None:
    # Given an empty list whose metadata has only totalRows
    http.get(f"{BASE}/orders/status/approved", body=recorded_text("order-Empty.json"))
    # When listed
    it = client.list_orders("approved")
    orders = it.collect()
    # Then the result is empty, after one page, with total 0
    assert orders == []
    assert it.pages == 1
    assert it.total_rows == 0


def test_product_loads_page_parses_statuses(http: responses.RequestsMock, client: CnovaClient) -> None:
    # Given the recorded first page of GET /loads/products (totalRows 6287)
    raw = recorded("loads-Loads.json")
    # When parsed
    loads = [ProductLoadStatus.model_validate(s) for s in raw["skus"]]
    meta = parse_metadata(raw["metadata"])
    # Then every status is one of the four known values and ids come from skuSeller.id
    assert len(loads) == 20
    assert {s.status for s in loads} == {LoadStatus.PENDING, LoadStatus.AVAILABLE, LoadStatus.CANCELED}
    assert loads[0].sku_seller_id == "10001" and loads[0].status == "Pending"
    assert loads[1].sku_seller_id == "10009" and loads[1].status == "Available"
    assert next(s for s in loads if s.sku_seller_id == "101").status == "Canceled"
    assert loads[0].created_at == datetime(2015, 4, 28, 14, 47, 38, tzinfo=BRT)
    assert meta["totalRows"] == "6287" and meta["next"] == "/loads/products?_offset=20&_limit=20"


def test_product_load_errors_page_parses(http: responses.RequestsMock, client: CnovaClient) -> None:
    # Given Cnova answers GET /loads/products?status=Error with the recorded page (10 of totalRows 12)
    raw = recorded("loads-Errors.json")
    # When parsed
    loads = [ProductLoadStatus.model_validate(s) for s in raw["skus"]]
    # Then all ten are in Error with their SKU ids
    assert len(loads) == 10
    assert {s.status for s in loads} == {"Error"}
    assert loads[0].sku_seller_id == "1563"
    assert loads[-1].sku_seller_id == "22370"
    assert parse_metadata(raw["metadata"])["totalRows"] == "12"


def test_recorded_errors_page_is_a_short_page_for_the_iterator(
    http: responses.RequestsMock, client: CnovaClient
):
    # Given the recorded page says totalRows 12 with 10 rows and an empty "next" link, at limit 10
    http.get(f"{BASE}/loads/products", body=recorded_text("loads-Errors.json"))
    http.get(f"{BASE}/loads/products", json={"skus": [], "metadata": [{"key": "totalRows", "value": "12"}]})
    # When the client pages through it
    from cnova_connector.cnova import CnovaPaginationError

    it = client.list_product_loads(status="Error", page_size=10)
    seen = []
    with pytest.raises(CnovaPaginationError) as caught:
        for s in it:
            seen.append(s.sku_seller_id)
    # Then the ten rows came and the missing two are reported loudly, not silently dropped
    assert len(seen) == 10
    assert caught.value.total_rows == 12
    assert caught.value.offset == 10


def test_loaded_product_parses_levels_categories_and_null_gtin(
    http: responses.RequestsMock, client: CnovaClient
):
    # Given Cnova answers GET /loads/products/14080 with the recorded product
    http.get(f"{BASE}/loads/products/14080", body=recorded_text("product-ProductId.json"))
    # When fetched
    product = client.get_product_load("14080")
    # Then categories recorded as levels ["Teste", "API"] become the path "Teste>API"
    assert product.categories == ["Teste>API"]
    assert product.category_path == "Teste>API"
    # And the rest reads as recorded: [null] gtin dropped, prices Decimal, no errors
    assert product.gtin == []
    assert product.price is not None
    assert product.price.default == Decimal("139") and product.price.offer == Decimal("119")
    assert product.stock is not None and product.stock.quantity == 5 and product.stock.cross_docking_time == 1
    assert product.dimensions is not None and product.dimensions.weight == Decimal("0.3")
    assert product.attributes[0].name == "Tamanho" and product.attributes[0].value == "50ml"
    assert product.errors == []
    # And it is written back with the path form and numbers
    wire = product.to_wire()
    assert wire["categories"] == ["Teste>API"]
    assert wire["dimensions"]["length"] == 0.01


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (["Teste", "API"], ["Teste>API"]),
        (["Teste>API"], ["Teste>API"]),
        ("Teste > API", ["Teste>API"]),
        (["Informática>Notebook", "Teste>API"], ["Informática>Notebook", "Teste>API"]),
        (["Teste"], ["Teste"]),
        ([None, ""], []),
        (None, []),
    ],
)
def test_categories_normalise_to_path_strings(given: object, expected: list[str]) -> None:
    # Given categories in any of the recorded/documented forms
    # When a product is built
    product = LoadedProduct.model_validate({"skuSellerId": "1", "categories": given})
    # Then they are path strings
    assert product.categories == expected


def test_seller_items_page_parses_prices_per_site_and_stock_per_warehouse(
    http: responses.RequestsMock, client: CnovaClient
) -> None:
    # Given the recorded GET /sellerItems page (5 of 6273)
    raw = recorded("product-sellerItems.json")
    # When parsed
    items = [SellerItem.model_validate(i) for i in raw["sellerItems"]]
    # Then prices per site are exact decimals, stocks per warehouse, status per site
    assert [i.sku_seller_id for i in items] == ["17871", "17872", "720", "4575", "719"]
    initial = items[3]
    ex = initial.price_for("EX")
    assert ex is not None and ex.offer == Decimal("285.94") and ex.default == Decimal("285.94")
    assert str(ex.offer) == "285.94"  # not 285.93999999...
    assert initial.price_for("CD") is not None
    assert initial.stocks[0].warehouse == 2273 and initial.total_stock == 0
    assert initial.is_active("EX") is True
    assert initial.product is not None and initial.product.id == "5904214"
    assert [img.type for img in initial.images][:2] == ["ggP", "gmP"]
    assert parse_metadata(raw["metadata"])["totalRows"] == "6273"


def test_seller_items_money_does_not_go_through_float(
    http: responses.RequestsMock, client: CnovaClient
) -> None:
    # Given Cnova answers a seller item whose price has a float-unfriendly decimal
    http.get(
        f"{BASE}/sellerItems/X1",
        body='{"skuSellerId":"X1","prices":[{"default":0.1,"offer":1234567.89,"site":"EX"}]}',
    )
    # When fetched
    item = client.get_seller_item("X1")
    # Then the exact decimal is kept
    price = item.price_for("EX")
    assert price is not None
    assert price.default == Decimal("0.1") and price.offer == Decimal("1234567.89")


def test_sandbox_order_input_parses_and_is_written_with_numbers() -> None:
    # Given the recorded POST /orders body (salePrice and quantity as strings)
    order = SandboxOrder.model_validate(recorded("order-OrderInputSandbox.json"))
    # Then it parses with exact values
    assert order.items[0].sku_seller_id == "14080"
    assert order.items[0].sale_price == Decimal("139")
    assert order.items[0].quantity == 1
    assert order.customer.billing is not None and order.customer.billing.recipient_name == "A/C Joãozinho"
    assert order.customer.phones is not None and order.customer.phones.mobile == "11 999917771"
    # And the document number stays out of the repr
    assert "11111111111" not in repr(order)
    # And on the wire: numbers, Cnova names
    wire = order.to_wire()
    assert wire["items"][0] == {
        "skuSellerId": "14080",
        "name": "Esfoliante Facial Creme Doux Polissant Unissex 50ml Clarins",
        "salePrice": 139,
        "quantity": 1,
    }
    assert wire["customer"]["documentNumber"] == "11111111111"
    assert wire["customer"]["bornAt"] == "1942-01-01"


def test_recorded_json_numbers_parse_exactly_through_the_client_parser() -> None:
    # Given the recorded seller items as bytes, parsed like the client parses responses
    from cnova_connector.cnova.http import parse_json

    data = parse_json((RECORDED_DIR / "product-sellerItems.json").read_bytes())
    # Then non-integers are Decimals from the text, integers ints
    price = data["sellerItems"][3]["prices"][0]
    assert price["offer"] == Decimal("285.94") and isinstance(price["offer"], Decimal)
    assert isinstance(data["sellerItems"][0]["prices"][0]["offer"], int)
    assert json.loads(recorded_text("order-Empty.json")) == parse_json(
        recorded_text("order-Empty.json").encode()
    )


def test_sparse_payloads_with_nulls_parse() -> None:
    # Given payloads where Cnova sends null for every list and object
    nulls = {
        "gtin": None,
        "categories": None,
        "images": None,
        "videos": None,
        "attributes": None,
        "errors": None,
    }
    product = LoadedProduct.model_validate({"skuSellerId": "1", "price": None, **nulls})
    item = SellerItem.model_validate(
        {
            "skuSellerId": "1",
            "gtin": None,
            "status": None,
            "prices": None,
            "stocks": None,
            "urls": None,
            "images": None,
        }
    )
    order = Order.model_validate({"id": "1", "items": None, "trackings": None, "customer": {"phones": None}})
    # Then they parse to empty lists
    assert product.gtin == [] and product.categories == [] and product.errors == []
    assert item.prices == [] and item.total_stock == 0 and item.price_for("EX") is None
    assert order.items == [] and order.trackings == [] and order.lines() == []
