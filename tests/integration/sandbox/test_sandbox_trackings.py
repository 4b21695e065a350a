"""Trackings: sent / delivered / cancel per order, item forms, sellerDeliveryId rules, invoices, bulk."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.sandbox.sandbox_helpers import Api, create_order, errors_of

VALID_KEY = "42220575277525000178550030000292481295366801"


def tracking(items: list[Any], sdid: str = "PE327842878BR", **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "items": items,
        "occurredAt": "2026-12-04T10:00:00.000-03:00",
        "url": "https://rastreamento.correios.com.br/app/index.php?objeto=PE327842878BR",
        "number": "PE327842878BR",
        "sellerDeliveryId": sdid,
        "carrier": {"name": "ECT", "cnpj": "34028316000103"},
        "invoice": {
            "cnpj": "75277525000178",
            "number": "29248",
            "serie": "3",
            "issuedAt": "2026-12-04T09:00:00.000-03:00",
            "accessKey": VALID_KEY,
            "linkXml": "https://nfe.example.com/x.xml",
            "linkDanfe": "https://nfe.example.com/d.pdf",
        },
    }
    body.update(extra)
    return body


def _order(api: Api, order_id: str) -> dict[str, Any]:
    return dict(api.get(f"/orders/{order_id}").json())


def test_partial_then_full_shipment(api: Api) -> None:
    # Given an approved order of 2 units
    order_id = create_order(api, quantity=2)
    approved_updated_at = _order(api, order_id)["updatedAt"]
    api.sandbox.advance_clock(1)
    # When the first unit is sent
    first = api.post(f"/orders/{order_id}/trackings/sent", json=tracking([f"{order_id}-1"], "D1"))
    partial = _order(api, order_id)
    in_partial_list = [o["id"] for o in api.get("/orders/status/partiallySent").json()["orders"]]
    # And then the second
    second = api.post(f"/orders/{order_id}/trackings/sent", json=tracking([f"{order_id}-2"], "D2"))
    full = _order(api, order_id)
    # Then 201 both times; partiallySent after the first, sent (SHP) after the second
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.content == b""
    assert [i["sent"] for i in partial["items"]] == [True, False]
    assert partial["updatedAt"] > approved_updated_at
    assert in_partial_list == [order_id]
    assert full["status"] == "SHP"
    assert [i["sent"] for i in full["items"]] == [True, True]
    assert [o["id"] for o in api.get("/orders/status/sent").json()["orders"]] == [order_id]
    assert [t["sellerDeliveryId"] for t in full["trackings"]] == ["D1", "D2"]
    assert full["trackings"][0]["items"] == [
        {"id": f"{order_id}-1", "href": f"/orders/{order_id}/items/{order_id}-1"}
    ]
    assert full["trackings"][0]["invoice"]["accessKey"] == VALID_KEY


def test_items_as_sku_and_quantity(api: Api) -> None:
    # Given an approved order of 3 units of SKU-1
    order_id = create_order(api, quantity=3)
    # When 2 units are sent as {skuSellerId, quantity}
    response = api.post(
        f"/orders/{order_id}/trackings/sent", json=tracking([{"skuSellerId": "SKU-1", "quantity": 2}])
    )
    # Then 201 and two units are marked sent
    assert response.status_code == 201
    order = _order(api, order_id)
    assert [i["sent"] for i in order["items"]] == [True, True, False]
    assert order["status"] == "PAY"
    # And asking for more units than are left is refused
    too_many = api.post(
        f"/orders/{order_id}/trackings/sent", json=tracking([{"skuSellerId": "SKU-1", "quantity": 2}], "D9")
    )
    assert too_many.status_code == 422
    assert errors_of(too_many)[0]["code"] == "ItemQuantityNotAvailable"


def test_sent_needs_an_approved_order(api: Api) -> None:
    # Given an order still new
    order_id = create_order(api, approve=False)
    # When a sent tracking is posted
    response = api.post(f"/orders/{order_id}/trackings/sent", json=tracking([f"{order_id}-1"]))
    # Then 422 and nothing changes
    assert response.status_code == 422
    assert errors_of(response)[0]["code"] == "InvalidOrderStatus"
    assert _order(api, order_id)["trackings"] is None


def test_unknown_item_ids_are_refused(api: Api) -> None:
    # Given an approved order
    order_id = create_order(api)
    # When a tracking names an item that is not in it
    response = api.post(f"/orders/{order_id}/trackings/sent", json=tracking([f"{order_id}-1", "999-9"]))
    # Then 422 ItemNotFound, and the known item was not marked either
    assert response.status_code == 422
    assert errors_of(response)[0]["code"] == "ItemNotFound"
    assert [i["sent"] for i in _order(api, order_id)["items"]] == [False, False]


def test_delivered_only_for_sent_items(api: Api) -> None:
    # Given an approved order of 2 units, one sent
    order_id = create_order(api, quantity=2)
    api.post(f"/orders/{order_id}/trackings/sent", json=tracking([f"{order_id}-1"], "D1"))
    # When the unsent unit is reported delivered
    refused = api.post(f"/orders/{order_id}/trackings/delivered", json=tracking([f"{order_id}-2"], "D1"))
    # Then 422 ItemNotSent
    assert refused.status_code == 422
    assert errors_of(refused)[0]["code"] == "ItemNotSent"


def test_partial_then_full_delivery(api: Api) -> None:
    # Given an order of 2 units, both sent
    order_id = create_order(api, quantity=2)
    api.post(f"/orders/{order_id}/trackings/sent", json=tracking([f"{order_id}-1", f"{order_id}-2"], "D1"))
    # When one unit and then the other are delivered (the delivered tracking reuses the sent sellerDeliveryId)
    first = api.post(f"/orders/{order_id}/trackings/delivered", json=tracking([f"{order_id}-1"], "D1"))
    partially = _order(api, order_id)["status"]
    in_list = [o["id"] for o in api.get("/orders/status/partiallyDelivered").json()["orders"]]
    second = api.post(f"/orders/{order_id}/trackings/delivered", json=tracking([f"{order_id}-2"], "D2"))
    # Then partiallyDelivered, then delivered (DLV)
    assert (first.status_code, second.status_code) == (201, 201)
    assert partially == "SHP"
    assert in_list == [order_id]
    assert _order(api, order_id)["status"] == "DLV"
    assert [
        o["id"]
        for o in api.get("/orders/status/delivered", params={"deliveredAt": "2000-01-01,*"}).json()["orders"]
    ] == [order_id]


def test_cancel_all_items_cancels_the_order(api: Api) -> None:
    # Given an approved order of 2 units
    order_id = create_order(api, quantity=2)
    # When the seller cancels one unit, then the other (sku form with info, as the 2015 clients send)
    first = api.post(
        f"/orders/{order_id}/trackings/cancel",
        json={"items": [{"skuSellerId": "SKU-1", "quantity": 1}], "info": "Pedido Cancelado"},
    )
    still = _order(api, order_id)["status"]
    second = api.post(f"/orders/{order_id}/trackings/cancel", json={"items": [f"{order_id}-2"]})
    # Then 201 both times; the order is canceled (CAN) after the last unit
    assert (first.status_code, second.status_code) == (201, 201)
    assert still == "PAY"
    order = _order(api, order_id)
    assert order["status"] == "CAN"
    assert [o["id"] for o in api.get("/orders/status/canceled").json()["orders"]] == [order_id]
    assert order["trackings"][0]["description"] == "Pedido Cancelado"


def test_cancel_remaining_after_partial_shipment_makes_it_sent(api: Api) -> None:
    # Given an order of 2 units with one sent
    order_id = create_order(api, quantity=2)
    api.post(f"/orders/{order_id}/trackings/sent", json=tracking([f"{order_id}-1"], "D1"))
    # When the other unit is canceled
    api.post(f"/orders/{order_id}/trackings/cancel", json={"items": [f"{order_id}-2"]})
    # Then every remaining unit is sent: the order is SHP
    assert _order(api, order_id)["status"] == "SHP"


def test_identical_retry_is_accepted_once(api: Api) -> None:
    # Given a sent tracking already applied (the client timed out and retries)
    order_id = create_order(api, quantity=2)
    body = tracking([f"{order_id}-1"], "D1")
    first = api.post(f"/orders/{order_id}/trackings/sent", json=body)
    # When the very same tracking is posted again
    retry = api.post(f"/orders/{order_id}/trackings/sent", json=body)
    # Then it is 201 again but recorded only once
    assert (first.status_code, retry.status_code) == (201, 201)
    trackings = _order(api, order_id)["trackings"]
    assert [t["sellerDeliveryId"] for t in trackings] == ["D1"]
    assert len(api.state()["trackings"]) == 1


def test_same_delivery_id_with_other_items_is_409(api: Api) -> None:
    # Given a sent tracking D1 for item 1
    order_id = create_order(api, quantity=2)
    api.post(f"/orders/{order_id}/trackings/sent", json=tracking([f"{order_id}-1"], "D1"))
    # When D1 is used again for item 2 on the same order
    response = api.post(f"/orders/{order_id}/trackings/sent", json=tracking([f"{order_id}-2"], "D1"))
    # Then 409 and item 2 is not sent
    assert response.status_code == 409
    assert errors_of(response)[0]["code"] == "DuplicateSellerDeliveryId"
    assert [i["sent"] for i in _order(api, order_id)["items"]] == [True, False]


def test_delivery_id_is_never_reused_across_orders(api: Api) -> None:
    # Given two approved orders, the first shipped with D1
    first = create_order(api)
    second = create_order(api)
    api.post(f"/orders/{first}/trackings/sent", json=tracking([f"{first}-1"], "D1"))
    # When the second order uses D1
    response = api.post(f"/orders/{second}/trackings/sent", json=tracking([f"{second}-1"], "D1"))
    # Then 409
    assert response.status_code == 409
    assert errors_of(response)[0]["code"] == "SellerDeliveryIdInUse"


def test_link_xml_in_caps_is_accepted_and_emitted_official(api: Api) -> None:
    # Given an approved order
    order_id = create_order(api, quantity=1)
    body = tracking([f"{order_id}-1"])
    body["invoice"]["linkXML"] = body["invoice"].pop("linkXml")
    # When the tracking uses linkXML
    assert api.post(f"/orders/{order_id}/trackings/sent", json=body).status_code == 201
    # Then the order shows linkXml
    invoice = _order(api, order_id)["trackings"][0]["invoice"]
    assert invoice["linkXml"] == "https://nfe.example.com/x.xml"
    assert "linkXML" not in invoice


@pytest.mark.parametrize(
    ("invoice_change", "fragment"),
    [
        ({"accessKey": VALID_KEY[:-1] + "2"}, "check digit"),
        ({"accessKey": "34" + VALID_KEY[2:]}, "cUF"),
        ({"accessKey": VALID_KEY[:43]}, "44 digits"),
        ({"serie": "A1"}, "serie"),
        ({"number": "12x"}, "number"),
        ({"issuedAt": "ontem"}, "issuedAt"),
    ],
    ids=["check-digit", "cuf", "length", "serie", "number", "issued-at"],
)
def test_invalid_invoice_is_400(api: Api, invoice_change: dict[str, str], fragment: str) -> None:
    # Given an approved order
    order_id = create_order(api, quantity=1)
    body = tracking([f"{order_id}-1"])
    body["invoice"].update(invoice_change)
    # When the tracking carries a bad invoice
    response = api.post(f"/orders/{order_id}/trackings/sent", json=body)
    # Then 400 naming the problem, and nothing is applied
    assert response.status_code == 400
    assert any(fragment in e["message"] for e in errors_of(response))
    assert _order(api, order_id)["items"][0]["sent"] is False


@pytest.mark.parametrize(
    "key",
    ["33150308370779000149550010001100931002410775", "13181017921427000125650010000000309887251170"],
)
def test_other_valid_access_keys_pass(api: Api, key: str) -> None:
    # Given an approved order and a valid key (including the "remainder 0 → digit 0" case)
    order_id = create_order(api, quantity=1)
    body = tracking([f"{order_id}-1"])
    body["invoice"]["accessKey"] = key
    # When / Then the tracking is accepted
    assert api.post(f"/orders/{order_id}/trackings/sent", json=body).status_code == 201


def test_tracking_without_invoice_is_accepted(api: Api) -> None:
    # Given an approved order
    order_id = create_order(api, quantity=1)
    body = tracking([f"{order_id}-1"])
    del body["invoice"]
    # When / Then a tracking with no invoice is accepted
    assert api.post(f"/orders/{order_id}/trackings/sent", json=body).status_code == 201
    assert _order(api, order_id)["trackings"][0]["invoice"] is None


def test_sent_without_seller_delivery_id_is_400(api: Api) -> None:
    # Given an approved order
    order_id = create_order(api, quantity=1)
    body = tracking([f"{order_id}-1"])
    del body["sellerDeliveryId"]
    # When / Then 400
    response = api.post(f"/orders/{order_id}/trackings/sent", json=body)
    assert response.status_code == 400
    assert errors_of(response)[0]["code"] == "SellerDeliveryIdRequired"


def test_tracking_on_unknown_order_is_404(api: Api) -> None:
    # Given / When a tracking for an unknown order
    response = api.post("/orders/424242/trackings/sent", json=tracking(["424242-1"]))
    # Then 404
    assert response.status_code == 404


def test_bulk_sent_trackings_report_results_later(api: Api) -> None:
    # Given two approved orders
    ok, new = create_order(api), create_order(api, approve=False)
    body = {
        "trackings": [
            {**tracking([{"skuSellerId": "SKU-1", "quantity": 2}], "B1"), "order": {"id": int(ok)}},
            {**tracking([{"skuSellerId": "SKU-1", "quantity": 1}], "B2"), "order": {"id": new}},
        ]
    }
    # When they are posted in bulk
    response = api.post("/loads/orders/trackings/sent", json=body)
    pending = api.get("/loads/orders/trackings/sent").json()["trackings"]
    api.sandbox.advance_clock(3)
    done = api.get("/loads/orders/trackings/sent").json()["trackings"]
    errors = api.get("/loads/orders/trackings/sent", params={"status": "Error"}).json()["trackings"]
    # Then 201; results Pending first, then Success for the approved order and Error for the new one
    assert response.status_code == 201
    assert [r["status"] for r in pending] == ["Pending", "Pending"]
    assert [(r["order"]["id"], r["status"]) for r in done] == [(ok, "Success"), (new, "Error")]
    assert done[0]["order"]["href"] == f"/orders/{ok}" and done[0]["processedAt"]
    assert [r["order"]["id"] for r in errors] == [new]
    assert errors[0]["errors"][0]["code"] == "InvalidOrderStatus"
    assert _order(api, ok)["status"] == "SHP"


def test_bulk_delivered_trackings(api: Api) -> None:
    # Given a shipped order
    order_id = create_order(api, quantity=1)
    api.post(f"/orders/{order_id}/trackings/sent", json=tracking([f"{order_id}-1"], "D1"))
    # When its delivery is posted in bulk and processed
    body = {
        "trackings": [
            {**tracking([{"skuSellerId": "SKU-1", "quantity": 1}], "D1"), "order": {"id": order_id}}
        ]
    }
    assert api.post("/loads/orders/trackings/delivered", json=body).status_code == 201
    api.sandbox.advance_clock(3)
    # Then the order is delivered and the result is Success
    assert _order(api, order_id)["status"] == "DLV"
    assert api.get("/loads/orders/trackings/delivered").json()["trackings"][0]["status"] == "Success"


def test_malformed_bulk_trackings_is_400(api: Api) -> None:
    # Given / When a bulk body without trackings or without order ids
    for body in ({}, {"trackings": [{"items": []}]}):
        response = api.post("/loads/orders/trackings/sent", json=body)
        # Then 400
        assert response.status_code == 400
