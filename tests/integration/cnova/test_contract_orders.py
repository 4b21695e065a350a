"""Contract: orders, trackings and recorded responses through the client, against the sandbox."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from cnova_contract_support import nfe_key, now_brt, product, sandbox_order

from cnova_connector.cnova import CnovaClient, CnovaCredentials, CnovaValidationError, RateLimit
from cnova_connector.cnova.models import BulkTracking, CancelTracking, NewTracking, Order

pytestmark = pytest.mark.integration

RECORDED = Path(__file__).resolve().parents[2] / "fixtures" / "cnova-recorded"
LISTS = ("new", "approved", "sent", "partiallySent", "delivered", "partiallyDelivered", "canceled")


@pytest.fixture
def orders_client(cnova_sandbox: Any, make_client: Any) -> CnovaClient:
    """A client and sandbox that allow 60 calls a minute per order list (the default 2 would make these
    tests wait minutes; the limiter itself is exercised in test_contract_faults)."""
    relaxed = {f"GET /orders/status/{name}": {"limit": 60, "windowSeconds": 60} for name in LISTS}
    cnova_sandbox.configure(rateLimits={**relaxed, "GET /orders": {"limit": 60, "windowSeconds": 60}})
    limits = {key: RateLimit(60, 60) for key in [*relaxed, "GET /orders"]}
    return make_client(rate_limits=limits)


def _ids(orders: list[Order]) -> list[str]:
    return [o.id for o in orders]


def _create(client: CnovaClient, items: list[tuple[str, str, int]]) -> str:
    order_id = client.sandbox_create_order(sandbox_order(items))
    assert order_id is not None
    return order_id


def test_order_lifecycle_with_partial_shipment(cnova_sandbox: Any, seller: CnovaCredentials, orders_client):
    client = orders_client
    # Given two live SKUs and a sandbox order of 2 x A and 1 x B
    client.post_product_load([product("8001"), product("8002")])
    started = now_brt() - timedelta(minutes=1)
    order_id = _create(client, [("8001", "59.90", 2), ("8002", "10.00", 1)])
    # Then it is in "new" (status PEN, shipping hidden), items one per unit, grouped per SKU by lines()
    (new,) = client.list_orders("new", since=started).collect()
    assert new.id == order_id and new.status == "PEN" and new.shipping is None
    assert [(ln.sku_seller_id, ln.quantity, ln.unit_price) for ln in new.lines()] == [
        ("8001", 2, Decimal("59.9")),
        ("8002", 1, Decimal("10")),
    ]
    assert new.total_amount == Decimal("129.8")
    # When the marketplace approves it (sandbox-only PUT)
    client.sandbox_approve_order(order_id)
    # Then it moves to "approved" (PAY) and leaves "new"
    assert _ids(client.list_orders("approved", since=started).collect()) == [order_id]
    assert client.list_orders("new").collect() == []
    order = client.get_order(order_id)
    assert order.status == "PAY" and order.shipping is not None
    assert client.get_order_item(order_id, "8002").sku_seller_id == "8002"
    # When the two units of 8001 are shipped with an NF-e
    line_a = order.lines()[0]
    shipped_at = now_brt()
    client.post_tracking_sent(
        order_id,
        NewTracking(
            items=list(line_a.item_ids),
            occurred_at=shipped_at,
            number="PE327842878BR",
            seller_delivery_id="PE327842878BR",
            url="https://rastreamento.correios.com.br/app/index.php",
            carrier={"name": "Correios", "cnpj": "34028316000103"},
            invoice={
                "cnpj": "12345678000195",
                "number": "2456",
                "serie": "1",
                "issuedAt": shipped_at,
                "accessKey": nfe_key("3515041234567800019555001000002456100002456"),
                "linkXML": "https://nfe.example.com/2456.xml",
            },
        ),
    )
    # Then the order is partially sent and carries the tracking with those item ids
    assert _ids(client.list_orders("partiallySent").collect()) == [order_id]
    order = client.get_order(order_id)
    tracking = order.find_tracking("PE327842878BR", list(line_a.item_ids), shipped_at)
    assert tracking is not None
    assert tracking.invoice is not None and tracking.invoice.link_xml == "https://nfe.example.com/2456.xml"
    assert order.lines()[0].sent_item_ids == line_a.item_ids
    # When the rest is shipped, then delivered
    line_b = order.lines()[1]
    client.post_tracking_sent(
        order_id,
        {"items": list(line_b.item_ids), "occurredAt": now_brt(), "sellerDeliveryId": "PE000000001BR"},
    )
    assert client.get_order(order_id).status == "SHP"
    assert _ids(client.list_orders("sent").collect()) == [order_id]
    client.post_tracking_delivered(
        order_id,
        {"items": list(line_a.item_ids), "occurredAt": now_brt(), "sellerDeliveryId": "PE327842878BR"},
    )
    assert _ids(client.list_orders("partiallyDelivered").collect()) == [order_id]
    client.post_tracking_delivered(
        order_id,
        {"items": list(line_b.item_ids), "occurredAt": now_brt(), "sellerDeliveryId": "PE000000001BR"},
    )
    # Then it is delivered and the sandbox holds exactly the four trackings
    assert client.get_order(order_id).status == "DLV"
    assert _ids(client.list_orders("delivered").collect()) == [order_id]
    assert _ids(client.list_orders().collect()) == [order_id]
    trackings = cnova_sandbox.state(seller.client_id, seller.access_token)["trackings"]
    assert sorted(t["type"] for t in trackings) == ["delivered", "delivered", "sent", "sent"]


def test_tracking_for_an_order_not_approved_is_refused(orders_client: CnovaClient) -> None:
    client = orders_client
    # Given a new (unpaid) order
    client.post_product_load([product("8101")])
    order_id = _create(client, [("8101", "20.00", 1)])
    # When a shipment is posted
    with pytest.raises(CnovaValidationError) as caught:
        client.post_tracking_sent(
            order_id, {"items": [f"{order_id}-1"], "occurredAt": now_brt(), "sellerDeliveryId": "X1"}
        )
    # Then Cnova refuses (4xx) with its envelope
    assert caught.value.status in (400, 409, 422)
    assert caught.value.errors


def test_cancel_tracking_cancels_units(orders_client: CnovaClient) -> None:
    client = orders_client
    # Given an approved order of 1 unit
    client.post_product_load([product("8201")])
    order_id = _create(client, [("8201", "30.00", 1)])
    client.sandbox_approve_order(order_id)
    # When the seller cancels it
    client.post_tracking_cancel(
        order_id,
        CancelTracking(
            items=[{"sku_seller_id": "8201", "quantity": 1}], info="Sem estoque", occurred_at=now_brt()
        ),
    )
    # Then it is in the canceled list
    assert _ids(client.list_orders("canceled").collect()) == [order_id]


def test_bulk_trackings_and_results(cnova_sandbox: Any, seller: CnovaCredentials, orders_client) -> None:
    client = orders_client
    # Given two approved orders
    client.post_product_load([product("8301")])
    first = _create(client, [("8301", "10.00", 1)])
    second = _create(client, [("8301", "10.00", 2)])
    for order_id in (first, second):
        client.sandbox_approve_order(order_id)
    # When their shipments go in one bulk load, then their deliveries in another
    when = now_brt()
    sent = [
        BulkTracking(
            order={"id": oid},
            items=[{"sku_seller_id": "8301", "quantity": qty}],
            occurred_at=when,
            seller_delivery_id=f"B-{oid}",
        )
        for oid, qty in ((first, 1), (second, 2))
    ]
    client.post_bulk_trackings("sent", sent)
    sent_results = client.list_bulk_tracking_results("sent").collect()
    client.post_bulk_trackings("delivered", [t.model_copy(update={"occurred_at": now_brt()}) for t in sent])
    delivered_results = client.list_bulk_tracking_results("delivered", status="Success").collect()
    # Then both loads were processed with success and the orders are delivered
    assert sorted((r.order.id if r.order else None, r.status) for r in sent_results) == sorted(
        [(first, "Success"), (second, "Success")]
    )
    assert len(delivered_results) == 2
    assert {client.get_order(first).status, client.get_order(second).status} == {"DLV"}


def test_order_list_over_several_pages(orders_client: CnovaClient) -> None:
    client = orders_client
    # Given 7 new orders
    client.post_product_load([product("8401")])
    created = [_create(client, [("8401", "10.00", 1)]) for _ in range(7)]
    # When the "new" list is read 3 per page
    it = client.list_orders("new", page_size=3)
    got = _ids(it.collect())
    # Then every order comes exactly once, over 3 pages
    assert sorted(got) == sorted(created)
    assert it.pages == 3 and it.total_rows == 7


def test_order_list_shrinking_while_paging_fails_loudly(orders_client: CnovaClient) -> None:
    client = orders_client
    from cnova_connector.cnova import CnovaPaginationError

    # Given 5 new orders
    client.post_product_load([product("8501")])
    created = [_create(client, [("8501", "10.00", 1)]) for _ in range(5)]
    # When one is approved (leaves "new") after the first page has been read
    it = iter(client.list_orders("new", page_size=2))
    first_page = [next(it).id, next(it).id]
    client.sandbox_approve_order(created[0])
    # Then the iterator refuses to continue instead of skipping an order
    with pytest.raises(CnovaPaginationError):
        list(it)
    assert first_page == created[:2]


@pytest.mark.parametrize(
    ("file", "path"),
    [("order-OrderId.json", None), ("order-Orders.json", 0), ("order-Orders.json", 1)],
)
def test_recorded_orders_round_trip_unchanged_in_meaning(
    cnova_sandbox: Any, seller: CnovaCredentials, orders_client: CnovaClient, file: str, path: int | None
) -> None:
    client = orders_client
    # Given a real recorded order replayed into the sandbox as Cnova returned it
    raw = json.loads((RECORDED / file).read_text(encoding="utf-8"))
    if path is not None:
        raw = raw["orders"][path]
    cnova_sandbox.put_raw_order(seller.client_id, seller.access_token, raw["id"], raw)
    # When the client reads it back
    got = client.get_order(raw["id"])
    expected = Order.model_validate(raw)
    # Then it means the same: ids, status, money, units per SKU, item ids, customer, addresses
    assert got.to_wire() == expected.to_wire()
    assert got.lines() == expected.lines()
    assert got.order_site_id == raw["orderMarketplaceId"]
    # And it is found in the list its status puts it in (PEN → new)
    assert raw["id"] in _ids(client.list_orders("new").collect())


def test_recorded_empty_list_shape_matches_the_sandbox(orders_client: CnovaClient) -> None:
    # Given no orders at all
    it = orders_client.list_orders("canceled")
    # Then the list is empty after one page with totalRows 0, as recorded in order-Empty.json
    assert it.collect() == []
    assert it.pages == 1 and it.total_rows == 0


def test_date_range_filters_select_by_the_lists_own_date(orders_client: CnovaClient) -> None:
    client = orders_client
    # Given an order bought and approved just now
    client.post_product_load([product("8601")])
    order_id = _create(client, [("8601", "10.00", 1)])
    now = now_brt()
    hour = timedelta(hours=1)
    # Then the "new" list finds it in a window around now (purchasedAt), open-ended or closed
    assert _ids(client.list_orders("new", since=now - hour).collect()) == [order_id]
    assert _ids(client.list_orders("new", until=now + hour).collect()) == [order_id]
    assert _ids(client.list_orders("new", since=now - hour, until=now + hour).collect()) == [order_id]
    # And not outside it
    assert client.list_orders("new", since=now + hour).collect() == []
    assert client.list_orders("new", until=now - hour).collect() == []
    # When approved, the "approved" list filters on approvedAt the same way
    client.sandbox_approve_order(order_id)
    assert _ids(client.list_orders("approved", since=now - hour).collect()) == [order_id]
    assert client.list_orders("approved", until=now - hour).collect() == []
    # And the customer filters narrow the list too
    assert _ids(client.list_orders("approved", customer_name="maria").collect()) == [order_id]
    assert client.list_orders("approved", customer_name="ninguém").collect() == []
