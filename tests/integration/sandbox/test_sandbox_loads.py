"""Product loads: Pending → Available/Error after the review delay, reviews, last load wins, cancel."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.integration.sandbox.sandbox_helpers import Api, errors_of, metadata, product, recorded


def _status(api: Api, sku: str) -> str:
    rows = api.get("/loads/products", params={"_limit": 100}).json()["skus"]
    return next(row["status"] for row in rows if row["skuSeller"]["id"] == sku)


def test_post_load_answers_201_without_body_and_sku_is_pending(api: Api) -> None:
    # Given a valid product
    # When it is loaded
    response = api.post("/loads/products", json=[product("SKU-1")])
    # Then 201 with no body, and the SKU is Pending in the recorded row shape
    assert response.status_code == 201
    assert response.content == b""
    [row] = api.get("/loads/products").json()["skus"]
    assert set(row) == set(recorded("loads-Loads.json")["skus"][0])
    assert row["skuSeller"] == {"id": "SKU-1", "href": "/loads/products/SKU-1"}
    assert row["status"] == "Pending"


def test_valid_sku_becomes_available_with_its_price_and_stock(api: Api) -> None:
    # Given a loaded valid SKU
    api.post("/loads/products", json=[product("SKU-1", price={"default": 59.9, "offer": 49.9})])
    # When the review delay (10 s by default) passes on the sandbox clock
    api.sandbox.advance_clock(9)
    still_pending = _status(api, "SKU-1")
    api.sandbox.advance_clock(2)
    # Then it is Available and shows in /sellerItems with price per site and stock with a warehouse
    assert still_pending == "Pending"
    assert _status(api, "SKU-1") == "Available"
    item = api.get("/sellerItems/SKU-1").json()
    assert {p["site"]: (p["default"], p["offer"]) for p in item["prices"]} == {
        "EX": (59.9, 49.9),
        "PF": (59.9, 49.9),
        "CB": (59.9, 49.9),
    }
    assert item["stocks"] == [{"quantity": 10, "reserved": 0, "crossDockingTime": 1, "warehouse": 2273}]
    assert item["gtin"] == ["7891234567895"]


INVALID_CASES: list[tuple[str, dict[str, Any], str]] = [
    ("no-gtin", {"gtin": []}, "GtinRequired"),
    ("null-gtin", {"gtin": [None]}, "GtinRequired"),
    ("bad-ean13-check-digit", {"gtin": ["7891234567890"]}, "GtinInvalid"),
    ("bad-length", {"gtin": ["12345"]}, "GtinInvalid"),
    ("bad-ean8", {"gtin": ["96385075"]}, "GtinInvalid"),
    ("no-image", {"images": []}, "ImageRequired"),
    ("no-category", {"categories": []}, "CategoryRequired"),
    (
        "zero-dimension",
        {"dimensions": {"weight": 0, "length": 0.3, "width": 0.2, "height": 0.02}},
        "DimensionInvalid",
    ),
    (
        "three-decimals",
        {"dimensions": {"weight": 0.2, "length": 0.305, "width": 0.2, "height": 0.02}},
        "DimensionInvalid",
    ),
    ("title-too-long", {"title": "x" * 151}, "TitleTooLong"),
    ("offer-above-default", {"price": {"default": 10, "offer": 12}}, "OfferAboveDefault"),
    ("no-brand", {"brand": ""}, "BrandRequired"),
    ("no-description", {"description": None}, "DescriptionRequired"),
    ("script-in-description", {"description": "<script>x</script>"}, "DescriptionForbiddenTag"),
    ("price-three-decimals", {"price": {"default": 10.001, "offer": 9}}, "PriceInvalid"),
]


@pytest.mark.parametrize(
    ("overrides", "code"), [c[1:] for c in INVALID_CASES], ids=[c[0] for c in INVALID_CASES]
)
def test_invalid_sku_goes_to_error_with_reasons(api: Api, overrides: dict[str, Any], code: str) -> None:
    # Given a product with one problem
    api.post("/loads/products", json=[product("BAD", **overrides)])
    # When the review delay passes
    api.sandbox.advance_clock(11)
    # Then it is in Error, with the reason in errors[] of GET /loads/products/{sku}, and not a seller item
    assert _status(api, "BAD") == "Error"
    detail = api.get("/loads/products/BAD").json()
    assert code in [e["code"] for e in detail["errors"]]
    assert all(e["skuSellerId"] == "BAD" and e["message"] for e in detail["errors"])
    assert api.get("/sellerItems/BAD").status_code == 422


@pytest.mark.parametrize("gtin", ["96385074", "036000291452", "7891234567895", "17891234567892"])
def test_gtin_check_digit_accepts_ean8_upc_ean13_and_gtin14(api: Api, gtin: str) -> None:
    # Given a product whose GTIN has a correct check digit
    api.post("/loads/products", json=[product("G", gtin=[gtin])])
    # When reviewed
    api.sandbox.advance_clock(11)
    # Then it is Available
    assert _status(api, "G") == "Available"


def test_title_limit_is_150_and_configurable(api: Api) -> None:
    # Given a 150-character title and a 20-character one under a limit of 10
    api.post("/loads/products", json=[product("T150", title="x" * 150)])
    api.sandbox.advance_clock(11)
    api.sandbox.configure(limits={"titleMaxLength": 10})
    api.post("/loads/products", json=[product("T20", title="x" * 20)])
    api.sandbox.advance_clock(11)
    # Then the first passes and the second fails
    assert (_status(api, "T150"), _status(api, "T20")) == ("Available", "Error")


def test_load_detail_matches_recorded_product_shape(api: Api) -> None:
    # Given a loaded SKU
    api.post("/loads/products", json=[product("SKU-1")])
    # When its load is read
    detail = api.get("/loads/products/SKU-1").json()
    # Then it has the recorded Product keys plus errors
    assert set(detail) == set(recorded("product-ProductId.json"))
    assert detail["errors"] == []
    assert detail["title"] == product()["title"]


def test_categories_as_levels_list_like_the_recording(api: Api) -> None:
    # Given the recorded product (categories ["Teste", "API"], gtin [null]) with a valid GTIN
    body = {k: v for k, v in recorded("product-ProductId.json").items() if k != "errors"}
    body["gtin"] = ["7891234567895"]
    # When it is loaded under the "only Teste>API is approved" rule
    api.sandbox.configure(onlyTestCategoryApproved=True)
    api.post("/loads/products", json=[body])
    api.sandbox.advance_clock(11)
    # Then it is approved (the levels form is the same category as "Teste>API")
    assert _status(api, "14080") == "Available"


def test_only_test_category_is_auto_approved_when_configured(api: Api) -> None:
    # Given the real sandbox's rule
    api.sandbox.configure(onlyTestCategoryApproved=True)
    # When a Teste>API SKU and a real-category SKU are loaded and the delay passes
    api.post("/loads/products", json=[product("TEST"), product("REAL", categories=["Moda>Camisetas"])])
    api.sandbox.advance_clock(3600)
    # Then only the first is approved; the other stays Pending
    assert (_status(api, "TEST"), _status(api, "REAL")) == ("Available", "Pending")


def test_auto_approve_off_keeps_skus_pending_until_reviewed(api: Api) -> None:
    # Given automatic approval off
    api.sandbox.configure(autoApprove=False)
    api.post("/loads/products", json=[product("A"), product("B")])
    api.sandbox.advance_clock(3600)
    assert (_status(api, "A"), _status(api, "B")) == ("Pending", "Pending")
    # When the control surface approves one and rejects the other with a reason
    api.sandbox.review(api.client_id, api.token, "A", "approve")
    api.sandbox.review(api.client_id, api.token, "B", "reject", [{"code": "FOTO", "message": "Imagem ruim"}])
    # Then A is Available (and a seller item) and B is Error with that reason
    assert _status(api, "A") == "Available"
    assert api.get("/sellerItems/A").status_code == 200
    assert _status(api, "B") == "Error"
    assert [(e["code"], e["message"]) for e in api.get("/loads/products/B").json()["errors"]] == [
        ("FOTO", "Imagem ruim")
    ]


def test_resending_before_final_replaces_the_load(api: Api) -> None:
    # Given a Pending SKU with a bad image list
    api.post("/loads/products", json=[product("SKU-1", images=[])])
    api.sandbox.advance_clock(5)
    # When it is sent again, fixed, before the review
    api.post("/loads/products", json=[product("SKU-1", title="Título novo")])
    api.sandbox.advance_clock(6)
    # Then the first review (due now) did not use the old data: it is still Pending, then Available
    assert _status(api, "SKU-1") == "Pending"
    api.sandbox.advance_clock(5)
    assert _status(api, "SKU-1") == "Available"
    assert api.get("/loads/products/SKU-1").json()["title"] == "Título novo"


def test_error_sku_can_be_fixed_with_put(api: Api) -> None:
    # Given a SKU in Error
    api.post("/loads/products", json=[product("SKU-1", brand="")])
    api.sandbox.advance_clock(11)
    # When it is fixed with PUT /loads/products/{sku}
    response = api.put("/loads/products/SKU-1", json=product("SKU-1"))
    # Then 204, Pending again, and Available after the review
    assert response.status_code == 204
    assert _status(api, "SKU-1") == "Pending"
    api.sandbox.advance_clock(11)
    assert _status(api, "SKU-1") == "Available"


def test_available_sku_refuses_put_and_resend(api: Api) -> None:
    # Given an Available SKU
    api.post("/loads/products", json=[product("SKU-1")])
    api.sandbox.advance_clock(11)
    # When it is changed through PUT or sent again in a load
    put = api.put("/loads/products/SKU-1", json=product("SKU-1", title="Outro"))
    post = api.post("/loads/products", json=[product("SKU-1", title="Outro"), product("SKU-2")])
    # Then both are refused with 422 and the envelope naming the SKU; nothing changed
    assert put.status_code == 422
    assert errors_of(put)[0]["code"] == "ProductAlreadyAvailable"
    assert post.status_code == 422
    assert [e["skuSellerId"] for e in errors_of(post)] == ["SKU-1"]
    assert api.get("/loads/products/SKU-1").json()["title"] == product()["title"]
    assert api.get("/loads/products/SKU-2").status_code == 404


def test_put_unknown_load_is_404(api: Api) -> None:
    # Given / When a never-loaded SKU is PUT
    response = api.put("/loads/products/NOPE", json=product("NOPE"))
    # Then 404 envelope
    assert response.status_code == 404
    assert errors_of(response)[0]["code"] == "LoadNotFound"


def test_delete_cancels_pending_and_error_but_not_available(api: Api) -> None:
    # Given a Pending, an Error and an Available SKU
    api.post("/loads/products", json=[product("ERR", images=[]), product("OK")])
    api.sandbox.advance_clock(11)
    api.post("/loads/products", json=[product("PEND")])
    # When each is deleted
    results = {sku: api.delete(f"/loads/products/{sku}").status_code for sku in ("PEND", "ERR", "OK")}
    # Then Pending and Error become Canceled (204) and Available is refused (422)
    assert results == {"PEND": 204, "ERR": 204, "OK": 422}
    assert (_status(api, "PEND"), _status(api, "ERR"), _status(api, "OK")) == (
        "Canceled",
        "Canceled",
        "Available",
    )
    # And a canceled SKU is not approved later
    api.sandbox.advance_clock(60)
    assert _status(api, "PEND") == "Canceled"


def test_list_filters_by_status_and_created_at(api: Api) -> None:
    # Given SKUs loaded at two moments, one of them in Error
    api.post("/loads/products", json=[product("OLD")])
    api.sandbox.advance_clock(3600)
    api.post("/loads/products", json=[product("NEW"), product("BAD", images=[])])
    rows = api.get("/loads/products").json()["skus"]
    new_created_at = next(r["createdAt"] for r in rows if r["skuSeller"]["id"] == "NEW")
    half_hour_before = (datetime.fromisoformat(new_created_at) - timedelta(minutes=30)).strftime(
        "%Y-%m-%dT%H:%M:%S"
    )
    api.sandbox.advance_clock(11)
    # When filtered by status, and by a createdAt range starting at the second load
    errors = api.get("/loads/products", params={"status": "Error"}).json()
    recent = api.get("/loads/products", params={"createdAt": f"{new_created_at},*"}).json()
    old = api.get("/loads/products", params={"createdAt": f"*,{half_hour_before}"}).json()
    # Then each filter keeps only its rows
    assert [r["skuSeller"]["id"] for r in errors["skus"]] == ["BAD"]
    assert sorted(r["skuSeller"]["id"] for r in recent["skus"]) == ["BAD", "NEW"]
    assert [r["skuSeller"]["id"] for r in old["skus"]] == ["OLD"]


@pytest.mark.parametrize(
    "body",
    [{"skuSellerId": "x"}, [{"title": "no sku"}], "nope", []],
    ids=["object", "no-sku", "string", "empty"],
)
def test_malformed_load_body_is_400(api: Api, body: Any) -> None:
    # Given / When a load body that is not an array of products with skuSellerId
    response = api.post("/loads/products", json=body)
    # Then 400 with the envelope and nothing loaded
    assert response.status_code == 400
    assert errors_of(response)
    assert metadata(api.get("/loads/products").json())["totalRows"] == "0"


def test_invalid_json_is_400(api: Api) -> None:
    # Given / When the body is not JSON
    response = api.post("/loads/products", data=b"{not json", headers={"Content-Type": "application/json"})
    # Then 400 with the envelope
    assert response.status_code == 400
    assert errors_of(response)[0]["code"] == "InvalidJson"
