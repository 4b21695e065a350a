"""The product module API through the real handler, on tables created from template.yaml."""

from __future__ import annotations

import copy

import pytest

from tests.integration.api.conftest import StorefrontApi, a_product


def test_create_read_and_replace_a_product_with_three_skus(api: StorefrontApi) -> None:
    # Given a product with three SKUs
    product = a_product("CAM-AZ-P", "CAM-AZ-M", "CAM-AZ-G")

    # When it is created and read back
    created = api.put_product("CAM-AZ", product)
    read = api.get_product("CAM-AZ")

    # Then it was created, and reads back exactly, money as strings with two places
    assert created.status == 201
    assert read.status == 200
    assert read.body == created.body
    body = read.body
    assert body["productId"] == "CAM-AZ"
    assert body["categoryPath"] == "Moda>Camisetas"
    assert [s["skuId"] for s in body["skus"]] == ["CAM-AZ-P", "CAM-AZ-M", "CAM-AZ-G"]
    first = body["skus"][0]
    assert (first["price"], first["offerPrice"], first["stock"]) == ("59.90", "49.90", 10)
    assert (first["weightKg"], first["heightM"]) == ("0.20", "0.02")
    assert first["version"] == 1
    assert first["cnova"] == {"status": "notSent", "statusAt": None, "errors": [], "lastSync": None}

    # When the same product is sent again unchanged, and then with one price changed
    again = api.put_product("CAM-AZ", product)
    changed = copy.deepcopy(product)
    changed["skus"][1]["price"] = 64.9  # a JSON number is accepted too
    replaced = api.put_product("CAM-AZ", changed)

    # Then a replace answers 200; only the changed SKU's version moved
    assert again.status == 200
    assert [s["version"] for s in again.body["skus"]] == [1, 1, 1]
    assert replaced.status == 200
    assert [s["version"] for s in replaced.body["skus"]] == [1, 2, 1]
    assert replaced.body["skus"][1]["price"] == "64.90"


def test_patch_changes_stock_and_price_and_bumps_the_version(api: StorefrontApi) -> None:
    # Given a product
    api.put_product("CAM-AZ", a_product("CAM-AZ-P", "CAM-AZ-M"))

    # When one SKU's stock changes, then its price and offer, then only its preparation days
    stock = api.patch_sku("CAM-AZ-M", {"stock": 3})
    price = api.patch_sku("CAM-AZ-M", {"price": "69.90", "offerPrice": 59.9})
    days = api.patch_sku("CAM-AZ-M", {"crossDockingDays": 4})

    # Then each answer shows the SKU; price/stock changes bump the version, the others don't
    assert (stock.status, stock.body["stock"], stock.body["version"]) == (200, 3, 2)
    assert (price.body["price"], price.body["offerPrice"], price.body["version"]) == ("69.90", "59.90", 3)
    assert (days.body["crossDockingDays"], days.body["version"]) == (4, 3)
    # and the product shows it; the other SKU is untouched
    skus = {s["skuId"]: s for s in api.get_product("CAM-AZ").body["skus"]}
    assert (skus["CAM-AZ-M"]["stock"], skus["CAM-AZ-M"]["price"]) == (3, "69.90")
    assert (skus["CAM-AZ-P"]["stock"], skus["CAM-AZ-P"]["version"]) == (10, 1)


def test_patch_that_changes_nothing_keeps_the_version(api: StorefrontApi) -> None:
    api.put_product("CAM-AZ", a_product("CAM-AZ-P"))
    same = api.patch_sku("CAM-AZ-P", {"stock": 10})
    assert (same.status, same.body["version"]) == (200, 1)


def test_list_pages_with_a_cursor_and_filters_by_cnova_status(api: StorefrontApi) -> None:
    # Given five products
    for n in range(5):
        api.put_product(f"P{n}", a_product(f"P{n}-A", f"P{n}-B"))

    # When the list is read two at a time
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        path = "/v1/products?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = api.call("GET", path)
        assert page.status == 200
        seen += [p["productId"] for p in page.body["items"]]
        pages += 1
        cursor = page.body["nextCursor"]
        if cursor is None:
            break

    # Then the pages tile: every product once, in order
    assert seen == ["P0", "P1", "P2", "P3", "P4"]
    assert pages == 3
    # and the Cnova-status filter finds them all as not sent, none as available
    not_sent = api.call("GET", "/v1/products?cnovaStatus=notSent&limit=3")
    assert [p["productId"] for p in not_sent.body["items"]] == ["P0", "P1", "P2"]
    rest = api.call("GET", f"/v1/products?cnovaStatus=notSent&limit=3&cursor={not_sent.body['nextCursor']}")
    assert [p["productId"] for p in rest.body["items"]] == ["P3", "P4"]
    assert rest.body["nextCursor"] is None
    available = api.call("GET", "/v1/products?cnovaStatus=Available")
    assert available.body == {"items": [], "nextCursor": None}


def test_list_rejects_unknown_status_bad_cursor_and_bad_limit(api: StorefrontApi) -> None:
    for path, field in [
        ("/v1/products?cnovaStatus=Live", "cnovaStatus"),
        ("/v1/products?cursor=not-ours", "cursor"),
        ("/v1/products?limit=0", "limit"),
        ("/v1/products?limit=abc", "limit"),
    ]:
        reply = api.call("GET", path)
        assert reply.status == 400, path
        assert reply.body["error"]["details"][0]["field"] == field


def test_removing_a_sku_that_was_never_sent_deletes_it(api: StorefrontApi) -> None:
    api.put_product("CAM-AZ", a_product("CAM-AZ-P", "CAM-AZ-M"))
    reply = api.put_product("CAM-AZ", a_product("CAM-AZ-P"))
    assert [s["skuId"] for s in reply.body["skus"]] == ["CAM-AZ-P"]
    assert api.patch_sku("CAM-AZ-M", {"stock": 1}).status == 404


def test_a_sku_id_of_another_product_is_a_conflict_and_nothing_is_written(api: StorefrontApi) -> None:
    # Given a product owning SKU X
    api.put_product("P1", a_product("X"))
    # When another product claims X
    reply = api.put_product("P2", a_product("Y", "X"))
    # Then 409 names the SKU and its owner, and P2 does not exist
    assert reply.status == 409
    assert reply.body["error"]["details"] == [
        {"field": "skus[1].skuId", "code": "invalid", "message": "SKU 'X' already belongs to product 'P1'"}
    ]
    assert api.get_product("P2").status == 404
    assert api.patch_sku("Y", {"stock": 1}).status == 404


def test_openapi_document_describes_the_routes(api: StorefrontApi) -> None:
    reply = api.as_store(None).call("GET", "/v1/openapi.json")
    assert reply.status == 200
    paths = reply.body["paths"]
    assert {"/v1/products/{productId}", "/v1/products", "/v1/skus/{skuId}"} <= set(paths)
    assert "put" in paths["/v1/products/{productId}"]
    schemas = reply.body["components"]["schemas"]
    assert "ProductIn" in schemas and "SkuPatch" in schemas
    assert "stock" in schemas["SkuIn"]["properties"]


def test_a_concurrent_change_is_a_conflict_and_loses_neither_side(api: StorefrontApi) -> None:
    from cnova_connector.catalogue.repository import CatalogueRepository
    from cnova_connector.catalogue.schemas import ProductIn
    from cnova_connector.catalogue.service import CatalogueService
    from cnova_connector.errors import Conflict

    # Given a product, and a writer that read it before someone else changed it
    api.put_product("CAM-AZ", a_product("CAM-AZ-P"))
    repo = CatalogueRepository(api.store_id or "")
    stale = repo.find_product("CAM-AZ")
    api.patch_sku("CAM-AZ-P", {"stock": 1})

    class StaleRead(CatalogueRepository):
        def find_product(self, product_id: str):  # type: ignore[no-untyped-def]
            return stale

    # When the late writer saves its replacement
    late = CatalogueService(api.store_id or "", StaleRead(api.store_id or ""))
    changed = a_product("CAM-AZ-P")
    changed["skus"][0]["price"] = "50.00"
    with pytest.raises(Conflict):
        late.put_product("CAM-AZ", ProductIn.model_validate(changed))

    # Then the earlier change stands and the late one wrote nothing
    sku = api.get_product("CAM-AZ").body["skus"][0]
    assert (sku["stock"], sku["price"], sku["version"]) == (1, "59.90", 2)
