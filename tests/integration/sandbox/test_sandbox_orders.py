"""Orders: sandbox creation, indexing delay, approval, lists with filters, raw replay, status moves."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.integration.sandbox.sandbox_helpers import (
    Api,
    create_order,
    errors_of,
    metadata,
    recorded,
    sandbox_order,
)


def _ids(body: dict[str, Any]) -> list[str]:
    return [order["id"] for order in body["orders"]]


def test_sandbox_order_has_one_item_per_unit_and_status_pen(api: Api) -> None:
    # Given the recorded OrderSandbox body with quantity "2" (a string)
    body = recorded("order-OrderInputSandbox.json")
    body["items"][0]["quantity"] = "2"
    # When it is posted and indexed
    response = api.post("/orders", json=body)
    order_id = response.headers["Location"].rsplit("/", 1)[1]
    api.sandbox.advance_clock(6)
    order = api.get(f"/orders/{order_id}").json()
    # Then 201 without body; one item per unit with ids <order>-<n>; status PEN; official names
    assert response.status_code == 201
    assert response.content == b""
    assert [i["id"] for i in order["items"]] == [f"{order_id}-1", f"{order_id}-2"]
    assert {i["skuSellerId"] for i in order["items"]} == {"14080"}
    assert all(i["sent"] is False and "quantity" not in i for i in order["items"])
    assert order["status"] == "PEN"
    assert order["orderSiteId"] and "orderMarketplaceId" not in order
    assert order["totalAmount"] == 278
    assert set(recorded("order-OrderId.json")) - {"orderMarketplaceId"} <= set(order)


@pytest.mark.parametrize("quantity", [3, "3", 3.0])
def test_quantity_as_string_or_number(api: Api, quantity: Any) -> None:
    # Given / When an order with quantity 3 in any JSON form
    order_id = create_order(api, approve=False, quantity=quantity)
    # Then three units
    assert len(api.get(f"/orders/{order_id}").json()["items"]) == 3


def test_order_shows_in_new_only_after_index_delay(api: Api) -> None:
    # Given a just-created order
    response = api.post("/orders", json=sandbox_order())
    order_id = response.headers["Location"].rsplit("/", 1)[1]
    # When new orders are listed before and after the index delay (5 s)
    api.sandbox.advance_clock(4)
    before = api.get("/orders/status/new").json()
    early_approve = api.put(f"/orders/status/approved/{order_id}")
    api.sandbox.advance_clock(2)
    after = api.get("/orders/status/new").json()
    # Then it is absent (and cannot be approved) before, present after, without shipping
    assert before == recorded("order-Empty.json")
    assert early_approve.status_code == 404
    assert _ids(after) == [order_id]
    assert "shipping" not in after["orders"][0]
    assert "shipping" in api.get(f"/orders/{order_id}").json()


def test_approve_moves_to_approved_pay_with_approved_at(api: Api) -> None:
    # Given an indexed new order
    order_id = create_order(api, approve=False)
    updated_before = api.get(f"/orders/{order_id}").json()["updatedAt"]
    api.sandbox.advance_clock(1)
    # When it is approved
    response = api.put(f"/orders/status/approved/{order_id}")
    # Then 204; it leaves new, shows in approved as PAY with approvedAt and a newer updatedAt
    assert response.status_code == 204
    assert api.get("/orders/status/new").json()["orders"] == []
    [order] = api.get("/orders/status/approved").json()["orders"]
    assert (order["id"], order["status"]) == (order_id, "PAY")
    assert order["approvedAt"] is not None
    assert order["updatedAt"] > updated_before
    assert "shipping" in order


def test_approving_twice_is_harmless_but_canceled_is_refused(api: Api) -> None:
    # Given an approved order and a canceled one
    approved = create_order(api)
    canceled = create_order(api, approve=False)
    api.sandbox.set_order_status(api.client_id, api.token, canceled, "canceled")
    # When both are approved (again)
    # Then the first is 204 and the second 422
    assert api.put(f"/orders/status/approved/{approved}").status_code == 204
    response = api.put(f"/orders/status/approved/{canceled}")
    assert response.status_code == 422
    assert errors_of(response)[0]["code"] == "InvalidOrderStatus"


def test_unknown_order_is_404_envelope(api: Api) -> None:
    # Given / When an unknown order is read, approved or its item read
    responses = [
        api.get("/orders/999"),
        api.put("/orders/status/approved/999"),
        api.get("/orders/999/items/SKU-1"),
    ]
    # Then 404 envelope each time
    for response in responses:
        assert response.status_code == 404
        assert errors_of(response)[0]["code"] == "OrderNotFound"


def test_order_item_by_sku_or_item_id(api: Api) -> None:
    # Given an order of 2 units of SKU-1
    order_id = create_order(api)
    # When its item is read by SKU and by item id
    by_sku = api.get(f"/orders/{order_id}/items/SKU-1")
    by_id = api.get(f"/orders/{order_id}/items/{order_id}-2")
    missing = api.get(f"/orders/{order_id}/items/OTHER")
    # Then the OrderItem comes back; an unknown one is 404
    assert by_sku.json()["id"] == f"{order_id}-1"
    assert by_id.json()["id"] == f"{order_id}-2"
    assert missing.status_code == 404


def test_get_orders_lists_every_status(api: Api) -> None:
    # Given an order in new and one approved
    new = create_order(api, approve=False)
    approved = create_order(api)
    # When all orders are listed
    body = api.get("/orders").json()
    # Then both come, oldest first
    assert _ids(body) == [new, approved]
    assert metadata(body)["totalRows"] == "2"


def test_purchased_at_range_filters_new_orders(api: Api) -> None:
    # Given an order purchased an hour before another
    first = create_order(api, approve=False)
    api.sandbox.advance_clock(3600)
    second = create_order(api, approve=False)
    second_at = api.get(f"/orders/{second}").json()["purchasedAt"]
    # When filtering with "start,*", "*,end" and "start,end" (with and without offset)
    since = api.get("/orders/status/new", params={"purchasedAt": f"{second_at},*"}).json()
    half_hour_before = (datetime.fromisoformat(second_at) - timedelta(minutes=30)).strftime(
        "%Y-%m-%dT%H:%M:%S"
    )
    until = api.get("/orders/status/new", params={"purchasedAt": f"*,{half_hour_before}"}).json()
    both = api.get(
        "/orders/status/new", params={"purchasedAt": "2000-01-01T00:00:00Z,2999-01-01T00:00:00.000-03:00"}
    ).json()
    # Then each range keeps its orders (a timestamp without offset is Brasília time)
    assert _ids(since) == [second]
    assert _ids(until) == [first]
    assert _ids(both) == [first, second]


def test_invalid_date_range_is_400(api: Api) -> None:
    # Given / When a malformed range is used
    response = api.get("/orders/status/new", params={"purchasedAt": "yesterday"})
    # Then 400 envelope
    assert response.status_code == 400
    assert errors_of(response)[0]["code"] == "InvalidDateRange"


def test_customer_filters(api: Api) -> None:
    # Given two orders of different customers
    ana = sandbox_order()
    ana["customer"] = {**ana["customer"], "name": "Ana Souza", "documentNumber": "222.333.444-05"}
    api.post("/orders", json=ana)
    create_order(api, approve=False)
    api.sandbox.advance_clock(6)
    # When filtered by customer name (part, any case) and document number
    by_name = api.get("/orders/status/new", params={"customer.name": "souza"}).json()
    by_doc = api.get("/orders/status/new", params={"customer.documentNumber": "22233344405"}).json()
    # Then only Ana's order comes back
    assert [o["customer"]["name"] for o in by_name["orders"]] == ["Ana Souza"]
    assert [o["customer"]["name"] for o in by_doc["orders"]] == ["Ana Souza"]


@pytest.mark.parametrize(
    ("status", "list_name", "date_filter"),
    [
        ("approved", "approved", "approvedAt"),
        ("sent", "sent", "sentAt"),
        ("partiallySent", "partiallySent", "sentAt"),
        ("delivered", "delivered", "deliveredAt"),
        ("partiallyDelivered", "partiallyDelivered", "sentAt"),
        ("canceled", "canceled", "canceledAt"),
    ],
)
def test_control_status_moves_place_orders_in_their_list(
    api: Api, status: str, list_name: str, date_filter: str
) -> None:
    # Given an indexed new order
    order_id = create_order(api, approve=False)
    # When the marketplace moves it
    api.sandbox.set_order_status(api.client_id, api.token, order_id, status)
    # Then it is in that list (also with its date filter open-ended) and nowhere else
    assert _ids(api.get(f"/orders/status/{list_name}").json()) == [order_id]
    filtered = api.get(f"/orders/status/{list_name}", params={date_filter: "2000-01-01T00:00:00,*"}).json()
    assert _ids(filtered) == [order_id]
    assert api.get("/orders/status/new").json()["orders"] == []


def test_cancel_through_control_surface(api: Api) -> None:
    # Given an approved order
    order_id = create_order(api)
    before = api.get(f"/orders/{order_id}").json()["updatedAt"]
    api.sandbox.advance_clock(1)
    # When the marketplace cancels it
    api.sandbox.set_order_status(api.client_id, api.token, order_id, "canceled")
    # Then it is CAN, in the canceled list, with a newer updatedAt
    order = api.get(f"/orders/{order_id}").json()
    assert order["status"] == "CAN"
    assert order["updatedAt"] > before
    assert _ids(api.get("/orders/status/canceled").json()) == [order_id]


def test_raw_recorded_order_replays_unchanged(api: Api) -> None:
    # Given the recorded GET /orders/{id} response
    raw = recorded("order-OrderId.json")
    # When it is put through the control surface
    api.sandbox.put_raw_order(api.client_id, api.token, "975101", raw)
    # Then GET returns it unchanged (plus the official orderSiteId) and it is listed in new
    body = api.get("/orders/975101").json()
    assert {k: v for k, v in body.items() if k != "orderSiteId"} == raw
    assert body["orderSiteId"] == raw["orderMarketplaceId"]
    [listed] = api.get("/orders/status/new").json()["orders"]
    assert listed["id"] == "975101" and "shipping" not in listed


@pytest.mark.parametrize(
    ("code", "list_name"),
    [
        ("PEN", "new"),
        ("NEW", "new"),
        ("PAY", "approved"),
        ("SHP", "sent"),
        ("DLV", "delivered"),
        ("CAN", "canceled"),
    ],
)
def test_raw_status_code_maps_to_list(api: Api, code: str, list_name: str) -> None:
    # Given a recorded order stored with a status code
    raw = {**recorded("order-OrderId.json"), "status": code}
    api.sandbox.put_raw_order(api.client_id, api.token, "975101", raw)
    # When the lists are read
    # Then it is only in the matching one
    for name in ("new", "approved", "sent", "delivered", "canceled"):
        assert _ids(api.get(f"/orders/status/{name}").json()) == (["975101"] if name == list_name else [])


def test_recorded_order_list_replays(api: Api) -> None:
    # Given every order of the recorded /orders/status/new page
    page = recorded("order-Orders.json")
    for order in page["orders"]:
        api.sandbox.put_raw_order(api.client_id, api.token, order["id"], order)
    # When the list is read with the recorded page size
    body = api.get("/orders/status/new", params={"_offset": 0, "_limit": 50}).json()
    # Then the orders and the metadata are the recorded ones (orderSiteId added)
    assert [{k: v for k, v in o.items() if k != "orderSiteId"} for o in body["orders"]] == page["orders"]
    assert body["metadata"] == page["metadata"]


def test_raw_order_with_mismatched_id_is_refused(api: Api) -> None:
    # Given / When the body id differs from the path
    from cnova_sandbox.testing import SandboxError

    with pytest.raises(SandboxError):
        api.sandbox.put_raw_order(api.client_id, api.token, "1", recorded("order-OrderId.json"))


def test_invalid_sandbox_order_is_400(api: Api) -> None:
    # Given / When orders without items, with a zero quantity or without customer
    bodies = [
        sandbox_order(items=[]),
        sandbox_order(quantity=0),
        {"items": [{"skuSellerId": "A", "salePrice": 1, "quantity": 1}]},
    ]
    # Then each is 400 with the envelope
    for body in bodies:
        response = api.post("/orders", json=body)
        assert response.status_code == 400
        assert errors_of(response)
