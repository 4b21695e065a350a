"""What each client method puts on the wire, and what it returns."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, urlparse

import pytest
import responses
from cnova_unit_support import BASE, CLIENT_ID, TOKEN, body_of

from cnova_connector.cnova import CnovaClient, CnovaCredentials, CnovaProtocolError, date_range
from cnova_connector.cnova.models import (
    BulkPriceItem,
    BulkTracking,
    CancelTracking,
    Invoice,
    NewTracking,
    PriceUpdate,
    Product,
    StockUpdate,
)

BRT = timezone(timedelta(hours=-3))
EMPTY = {"metadata": [{"key": "totalRows", "value": "0"}]}


def only_call(http: responses.RequestsMock) -> Any:
    assert len(http.calls) == 1
    return http.calls[0]


def query_of(call: Any) -> dict[str, str]:
    return dict(parse_qsl(urlparse(call.request.url).query))


def test_every_request_carries_auth_and_json_headers(
    http: responses.RequestsMock, client: CnovaClient
) -> None:
    # Given any endpoint
    http.get(f"{BASE}/orders/1", json={"id": "1"})
    # When called
    client.get_order("1")
    # Then Cnova's two static headers and the JSON headers were sent
    headers = only_call(http).request.headers
    assert headers["client_id"] == CLIENT_ID
    assert headers["access_token"] == TOKEN
    assert headers["Accept"] == "application/json"
    assert headers["Content-Type"] == "application/json"
    assert "Authorization" not in headers


def test_credentials_repr_hides_the_token() -> None:
    # Given credentials and a client built from them, Then neither repr shows the token
    assert TOKEN not in repr(CnovaCredentials(CLIENT_ID, TOKEN))
    assert TOKEN not in repr(CnovaClient(BASE, CnovaCredentials(CLIENT_ID, TOKEN)))


def test_timeouts_are_passed_to_requests(http: responses.RequestsMock, make_client: Any) -> None:
    # Given a client with custom timeouts and a session that records what it is asked
    from cnova_connector.cnova import Timeouts

    seen: dict[str, Any] = {}

    class Recording:
        def request(self, *args: Any, **kwargs: Any) -> Any:
            seen.update(kwargs)
            raise __import__("requests").exceptions.ConnectTimeout()

    client = make_client(timeouts=Timeouts(connect=1.5, read=7), session=Recording())
    # When a call fails to connect
    from cnova_connector.cnova import CnovaUnavailable

    with pytest.raises(CnovaUnavailable):
        client.get_order("1")
    # Then the connect and read timeouts were those configured
    assert seen["timeout"] == (1.5, 7)


def test_base_url_defaults_to_production() -> None:
    # Given no base URL, Then the client talks to Cnova production
    assert (
        CnovaClient(credentials=CnovaCredentials("a", "b")).transport.base_url
        == "https://api.cnova.com/api/v2"
    )


# -- loads -------------------------------------------------------------------------------------------


def test_post_product_load_sends_a_list_of_products(
    http: responses.RequestsMock, client: CnovaClient
) -> None:
    # Given a product with two decimal prices and categories as levels
    http.post(f"{BASE}/loads/products", status=201)
    product = Product(
        sku_seller_id="CAM-AZ-P",
        product_seller_id="CAM",
        title="Camiseta",
        categories=["Teste", "API"],
        price={"default": Decimal("59.90"), "offer": Decimal("49.90")},
        stock={"quantity": 10, "cross_docking_time": 1},
        dimensions={
            "weight": Decimal("0.20"),
            "length": Decimal("0.30"),
            "width": Decimal("0.2"),
            "height": 0.02,
        },
        gtin=["7891234567895"],
    )
    # When loaded
    client.post_product_load([product])
    # Then the wire body is Cnova's Product list with exact numbers and the path category
    body = body_of(only_call(http))
    assert body == [
        {
            "skuSellerId": "CAM-AZ-P",
            "productSellerId": "CAM",
            "title": "Camiseta",
            "gtin": ["7891234567895"],
            "categories": ["Teste>API"],
            "images": [],
            "videos": [],
            "price": {"default": 59.9, "offer": 49.9},
            "stock": {"quantity": 10, "crossDockingTime": 1},
            "dimensions": {"weight": 0.2, "length": 0.3, "width": 0.2, "height": 0.02},
            "attributes": [],
        }
    ]
    assert b'"default": 59.9' in only_call(http).request.body


def test_list_product_loads_filters_and_paginates(http: responses.RequestsMock, client: CnovaClient) -> None:
    # Given an empty result
    http.get(f"{BASE}/loads/products", json={"skus": [], **EMPTY})
    # When listed with a status and a date range
    start = datetime(2015, 4, 28, 14, 47, 38, tzinfo=BRT)
    client.list_product_loads(status="Error", created_from=start, page_size=10).collect()
    # Then the query carries _offset, _limit, status and the open-ended range
    call = only_call(http)
    assert query_of(call) == {
        "_offset": "0",
        "_limit": "10",
        "status": "Error",
        "createdAt": "2015-04-28T14:47:38.000-03:00,*",
    }
    # And the range keeps "*", "," and ":" readable while "+" would be escaped
    assert "createdAt=2015-04-28T14:47:38.000-03:00,*" in call.request.url


def test_date_range_format() -> None:
    # Given aware datetimes, Then ranges use "*" for an open side and keep milliseconds and offset
    utc = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert date_range(None, None) is None
    assert date_range(utc, None) == "2026-01-02T03:04:05.000+00:00,*"
    assert date_range(None, utc) == "*,2026-01-02T03:04:05.000+00:00"


def test_plus_offset_is_escaped(http: responses.RequestsMock, client: CnovaClient) -> None:
    # Given a UTC date filter (offset "+00:00")
    http.get(f"{BASE}/orders/status/approved", json={"orders": [], **EMPTY})
    # When listed
    client.list_orders("approved", since=datetime(2026, 1, 2, tzinfo=UTC)).collect()
    # Then "+" is escaped so that the server does not read a space
    assert "approvedAt=2026-01-02T00:00:00.000%2B00:00,*" in only_call(http).request.url


def test_update_and_delete_product_load(http: responses.RequestsMock, client: CnovaClient) -> None:
    # Given Cnova accepts PUT and DELETE of a load item
    http.put(f"{BASE}/loads/products/A%2FB", status=204)
    http.delete(f"{BASE}/loads/products/A%2FB", status=204)
    # When a SKU with a slash is fixed then deleted
    client.update_product_load("A/B", {"skuSellerId": "A/B", "title": "New"})
    client.delete_product_load("A/B")
    # Then the id is escaped in the path and the PUT body is a single Product
    assert [c.request.method for c in http.calls] == ["PUT", "DELETE"]
    assert body_of(http.calls[0]) == {
        "skuSellerId": "A/B",
        "title": "New",
        "gtin": [],
        "categories": [],
        "images": [],
        "videos": [],
        "attributes": [],
    }


def test_get_product_load_with_errors(http: responses.RequestsMock, client: CnovaClient) -> None:
    # Given a loaded SKU rejected by the review
    http.get(
        f"{BASE}/loads/products/S1",
        json={
            "skuSellerId": "S1",
            "errors": [{"code": "IMG", "message": "imagem inválida", "skuSellerId": "S1"}],
        },
    )
    # When read, Then Cnova's reasons are there
    product = client.get_product_load("S1")
    assert product.errors[0].message == "imagem inválida"


# -- seller items ------------------------------------------------------------------------------------


def test_unit_updates(http: responses.RequestsMock, client: CnovaClient) -> None:
    # Given Cnova accepts unit updates
    http.put(f"{BASE}/sellerItems/S1/prices", status=204)
    http.put(f"{BASE}/sellerItems/S1/stock", status=204)
    http.put(f"{BASE}/sellerItems/S1/status", status=204)
    # When price, stock and status change
    client.update_price("S1", PriceUpdate(default=Decimal("59.90"), offer=Decimal("49.90"), site="EX"))
    client.update_stock("S1", StockUpdate(quantity=0, cross_docking_time=2, warehouse=2273))
    client.update_status("S1", {"active": False, "site": "PF"})
    # Then Cnova received the three documented bodies
    assert [body_of(c) for c in http.calls] == [
        {"default": 59.9, "offer": 49.9, "site": "EX"},
        {"quantity": 0, "crossDockingTime": 2, "warehouse": 2273},
        {"active": False, "site": "PF"},
    ]


def test_bulk_updates_and_results(http: responses.RequestsMock, client: CnovaClient) -> None:
    # Given Cnova accepts bulk updates and reports their results
    for kind in ("prices", "stocks", "status"):
        http.put(f"{BASE}/loads/sellerItems/{kind}", status=204)
    http.get(
        f"{BASE}/loads/sellerItems/prices",
        json={
            "skus": [
                {"skuSellerId": "S1", "status": "Processed", "processedAt": "2026-12-04T10:00:00.000-03:00"}
            ],
            "metadata": [{"key": "totalRows", "value": "1"}],
        },
    )
    http.get(
        f"{BASE}/loads/sellerItems/stocks", json={"skus": [{"skuSellerId": "S1", "warehouse": 2273}], **EMPTY}
    )
    http.get(f"{BASE}/loads/sellerItems/status", json={"skus": [], **EMPTY})
    # When bulk updates are sent and their results read
    client.bulk_update_prices(
        [BulkPriceItem(sku_seller_id="S1", prices=[{"default": 10, "offer": "9.99", "site": "EX"}])]
    )
    client.bulk_update_stocks([{"skuSellerId": "S1", "stocks": [{"quantity": 5, "crossDockingTime": 1}]}])
    client.bulk_update_status([{"skuSellerId": "S1", "status": [{"active": True, "site": "EX"}]}])
    prices = client.list_bulk_price_results().collect()
    client.list_bulk_stock_results().collect()
    client.list_bulk_status_results().collect()
    # Then the bodies are the documented arrays
    puts = [c for c in http.calls if c.request.method == "PUT"]
    assert body_of(puts[0]) == [
        {"skuSellerId": "S1", "prices": [{"default": 10, "offer": 9.99, "site": "EX"}]}
    ]
    assert body_of(puts[1]) == [{"skuSellerId": "S1", "stocks": [{"quantity": 5, "crossDockingTime": 1}]}]
    assert body_of(puts[2]) == [{"skuSellerId": "S1", "status": [{"active": True, "site": "EX"}]}]
    assert prices[0].sku_seller_id == "S1" and prices[0].status == "Processed"


def test_empty_bulk_is_refused_before_sending(client: CnovaClient) -> None:
    # Given nothing to send, Then the client refuses without calling Cnova
    with pytest.raises(ValueError):
        client.bulk_update_prices([])


def test_seller_item_lists_and_one(http: responses.RequestsMock, client: CnovaClient) -> None:
    # Given one seller item, When listed and read with a site, Then the site is in the query
    http.get(
        f"{BASE}/sellerItems",
        json={"sellerItems": [{"skuSellerId": "A"}], "metadata": [{"key": "totalRows", "value": "1"}]},
    )
    http.get(f"{BASE}/sellerItems/status/selling", json={"sellerItems": [], **EMPTY})
    http.get(f"{BASE}/sellerItems/A", json={"skuSellerId": "A", "title": "T"})
    assert [i.sku_seller_id for i in client.list_seller_items(site="EX")] == ["A"]
    assert client.list_selling_items().collect() == []
    assert client.get_seller_item("A", site="EX").title == "T"
    assert query_of(http.calls[0])["site"] == "EX"
    assert query_of(http.calls[2]) == {"site": "EX"}


# -- orders ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "param"),
    [
        ("new", "purchasedAt"),
        ("approved", "approvedAt"),
        ("sent", "sentAt"),
        ("partiallySent", "sentAt"),
        ("delivered", "deliveredAt"),
        ("partiallyDelivered", "sentAt"),
        ("canceled", "canceledAt"),
    ],
)
def test_each_order_list_uses_its_date_filter(
    http: responses.RequestsMock, client: CnovaClient, status, param
):
    # Given each status list, When read with a date window and a customer name,
    # Then the list's own date parameter carries the range
    http.get(f"{BASE}/orders/status/{status}", json={"orders": [], **EMPTY})
    since = datetime(2026, 12, 1, 0, 0, tzinfo=BRT)
    until = datetime(2026, 12, 2, 0, 0, tzinfo=BRT)
    client.list_orders(status, since=since, until=until, customer_name="Ana").collect()
    query = query_of(only_call(http))
    assert query[param] == "2026-12-01T00:00:00.000-03:00,2026-12-02T00:00:00.000-03:00"
    assert query["customer.name"] == "Ana"
    assert query["_limit"] == "50"


def test_all_orders_list_and_one_item(http: responses.RequestsMock, client: CnovaClient) -> None:
    # Given one order with one item, When read through GET /orders and the item path, Then both parse;
    # and a date filter without a status, or an unknown status, is refused before sending
    http.get(
        f"{BASE}/orders", json={"orders": [{"id": "1"}], "metadata": [{"key": "totalRows", "value": "1"}]}
    )
    http.get(f"{BASE}/orders/1/items/SKU", json={"id": "1-1", "skuSellerId": "SKU", "salePrice": 10.5})
    assert [o.id for o in client.list_orders()] == ["1"]
    item = client.get_order_item("1", "SKU")
    assert item.sale_price == Decimal("10.5")
    with pytest.raises(ValueError):
        client.list_orders(None, since=datetime.now(BRT))
    with pytest.raises(ValueError):
        client.list_orders("bogus")  # type: ignore[arg-type]


def test_unparseable_order_raises_protocol_error(http: responses.RequestsMock, client: CnovaClient) -> None:
    # Given an order without its id, Then a typed protocol error
    http.get(f"{BASE}/orders/1", json={"no": "id"})
    with pytest.raises(CnovaProtocolError):
        client.get_order("1")


# -- trackings ---------------------------------------------------------------------------------------


def test_tracking_sent_body_is_the_official_new_tracking(http: responses.RequestsMock, client: CnovaClient):
    # Given a shipment of two units with an NF-e whose XML link came spelled linkXML
    http.post(f"{BASE}/orders/975101/trackings/sent", status=201)
    tracking = NewTracking(
        items=["23236199-1", "23236199-2"],
        occurred_at=datetime(2015, 5, 4, 14, 54, 29, tzinfo=BRT),
        url="https://rastreamento.correios.com.br/",
        number="PE327842878BR",
        seller_delivery_id="PE327842878BR",
        carrier={"name": "ECT", "cnpj": "34028316000103"},
        invoice=Invoice.model_validate(
            {
                "cnpj": "12345678000195",
                "number": "2456",
                "serie": "1",
                "issuedAt": "2015-05-04T14:54:29.000-03:00",
                "accessKey": "3" * 44,
                "linkXML": "http://nfe/xml",
                "linkDanfe": "http://nfe/danfe",
            }
        ),
    )
    # When posted
    client.post_tracking_sent("975101", tracking)
    # Then Cnova receives the official NewTracking body
    assert body_of(only_call(http)) == {
        "items": ["23236199-1", "23236199-2"],
        "occurredAt": "2015-05-04T14:54:29.000-03:00",
        "url": "https://rastreamento.correios.com.br/",
        "number": "PE327842878BR",
        "sellerDeliveryId": "PE327842878BR",
        "carrier": {"name": "ECT", "cnpj": "34028316000103"},
        "invoice": {
            "cnpj": "12345678000195",
            "number": "2456",
            "serie": "1",
            "issuedAt": "2015-05-04T14:54:29.000-03:00",
            "accessKey": "3" * 44,
            "linkXml": "http://nfe/xml",  # accepted as linkXML, emitted with the official spelling
            "linkDanfe": "http://nfe/danfe",
        },
    }


def test_tracking_needs_an_offset_on_occurred_at() -> None:
    # Given a naive occurredAt, Then the tracking is refused before anything is sent
    with pytest.raises(ValueError):
        NewTracking(items=["1-1"], occurred_at=datetime(2026, 1, 1))


def test_delivered_cancel_and_bulk_trackings(http: responses.RequestsMock, client: CnovaClient) -> None:
    # Given Cnova accepts every tracking endpoint
    when = datetime(2026, 12, 4, 9, 0, tzinfo=BRT)
    http.post(f"{BASE}/orders/1/trackings/delivered", status=201)
    http.post(f"{BASE}/orders/1/trackings/cancel", status=201)
    http.post(f"{BASE}/loads/orders/trackings/sent", status=201)
    http.post(f"{BASE}/loads/orders/trackings/delivered", status=201)
    http.get(
        f"{BASE}/loads/orders/trackings/sent",
        json={
            "trackings": [
                {
                    "order": {"id": "1", "href": "/orders/1"},
                    "items": [{"skuSellerId": "A", "quantity": 2}],
                    "status": "OK",
                }
            ],
            "metadata": [{"key": "totalRows", "value": "1"}],
        },
    )
    client.post_tracking_delivered("1", {"items": ["1-1"], "occurredAt": when, "sellerDeliveryId": "D1"})
    client.post_tracking_cancel(
        "1", CancelTracking(items=[{"sku_seller_id": "A", "quantity": 1}], info="Sem estoque")
    )
    bulk = BulkTracking(
        order={"id": "1"}, items=[{"skuSellerId": "A", "quantity": 2}], occurred_at=when, number="X"
    )
    client.post_bulk_trackings("sent", [bulk])
    client.post_bulk_trackings("delivered", [bulk])
    results = client.list_bulk_tracking_results("sent", status="OK").collect()
    # Then each body has the documented shape
    bodies = [body_of(c) for c in http.calls if c.request.method == "POST"]
    assert bodies[0] == {
        "items": ["1-1"],
        "occurredAt": "2026-12-04T09:00:00.000-03:00",
        "sellerDeliveryId": "D1",
    }
    assert bodies[1] == {"items": [{"skuSellerId": "A", "quantity": 1}], "info": "Sem estoque"}
    assert bodies[2] == {
        "trackings": [
            {
                "order": {"id": "1"},
                "items": [{"skuSellerId": "A", "quantity": 2}],
                "occurredAt": "2026-12-04T09:00:00.000-03:00",
                "number": "X",
            }
        ]
    }
    assert bodies[3] == bodies[2]
    assert results[0].order is not None and results[0].order.id == "1"
    assert results[0].items[0].quantity == 2


# -- sandbox -----------------------------------------------------------------------------------------


def test_sandbox_operations(http: responses.RequestsMock, client: CnovaClient) -> None:
    # Given the sandbox answers an order creation with its Location, When created and approved,
    # Then numbers are sent as numbers and the id comes back
    http.post(f"{BASE}/orders", status=201, headers={"Location": "/api/v2/orders/975101"})
    http.put(f"{BASE}/orders/status/approved/975101", status=204)
    order_id = client.sandbox_create_order(
        {
            "site": "EX",
            "items": [{"skuSellerId": "14080", "name": "X", "salePrice": "139", "quantity": "2"}],
            "customer": {"name": "João", "documentNumber": "11111111111", "type": "PF"},
        }
    )
    client.sandbox_approve_order("975101")
    assert order_id == "975101"
    assert body_of(http.calls[0])["items"] == [
        {"skuSellerId": "14080", "name": "X", "salePrice": 139, "quantity": 2}
    ]
    assert http.calls[1].request.method == "PUT"


def test_client_is_a_context_manager(http: responses.RequestsMock) -> None:
    # Given a client used in a with block, Then it works and closes its session at the end
    http.get(f"{BASE}/orders/1", json={"id": "1"})
    with CnovaClient(BASE, CnovaCredentials(CLIENT_ID, TOKEN)) as client:
        assert client.get_order("1").id == "1"
