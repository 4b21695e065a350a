"""A store never sees or changes another store's data: 404, not 403."""

from __future__ import annotations

from tests.integration.api.conftest import StorefrontApi, a_product
from tests.integration.conftest import AwsStack


def test_another_stores_ids_are_not_found(aws_stack: AwsStack, api: StorefrontApi) -> None:
    # Given store A's product, and store B
    api.put_product("CAM-AZ", a_product("CAM-AZ-P"))
    other_id, _ = aws_stack.new_store("Outra Loja")
    other = api.as_store(other_id)

    # When B reads, lists and patches A's ids
    get = other.get_product("CAM-AZ")
    patch = other.patch_sku("CAM-AZ-P", {"stock": 0})
    listing = other.call("GET", "/v1/products")

    # Then B gets 404s and an empty list, and A's SKU is unchanged
    assert get.status == 404 and get.body["error"]["code"] == "not_found"
    assert patch.status == 404
    assert listing.body["items"] == []
    assert api.get_product("CAM-AZ").body["skus"][0]["stock"] == 10


def test_two_stores_may_use_the_same_ids_independently(aws_stack: AwsStack, api: StorefrontApi) -> None:
    other_id, _ = aws_stack.new_store("Outra Loja")
    other = api.as_store(other_id)
    assert api.put_product("P", a_product("S")).status == 201
    assert other.put_product("P", a_product("S", title="Outro")).status == 201
    assert api.get_product("P").body["title"] == "Camiseta Básica Algodão"
    assert other.get_product("P").body["title"] == "Outro"


def test_a_request_without_a_store_in_the_authorizer_context_is_401(api: StorefrontApi) -> None:
    reply = api.as_store(None).call("GET", "/v1/products")
    assert reply.status == 401
    assert reply.body["error"]["code"] == "unauthorized"
