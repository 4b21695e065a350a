from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import Any

import pytest
from local_stack.template import RouteDef, parse_template

from tests.integration.conftest import AwsStack
from tests.support.aws import TEMPLATE, load_handler
from tests.support.events import FakeLambdaContext, api_event


def resource_of(method: str, path: str) -> str:
    """The route template of ``template.yaml`` that API Gateway would match (fails for a route the
    template does not declare, as API Gateway would)."""
    for route in _routes():
        if route.method in (method, "ANY") and route.pattern.match(path):
            return route.path
    raise AssertionError(f"template.yaml has no route {method} {path}")


@functools.cache
def _routes() -> list[RouteDef]:
    return [r for api in parse_template(TEMPLATE).apis.values() for r in api.routes]


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str]


class StorefrontApi:
    """Calls the real API handler with API Gateway REST events, as the authorizer would pass them."""

    def __init__(self, handler: Any, store_id: str | None) -> None:
        self.handler = handler
        self.store_id = store_id

    def as_store(self, store_id: str | None) -> StorefrontApi:
        return StorefrontApi(self.handler, store_id)

    def call(self, method: str, path: str, body: Any = None, raw_body: str | None = None) -> Reply:
        resource = resource_of(method, path.split("?")[0])
        event = api_event(
            method, path, resource=resource, body=body, raw_body=raw_body, store_id=self.store_id
        )
        result = self.handler.lambda_handler(event, FakeLambdaContext())
        text = result.get("body") or "null"
        return Reply(result["statusCode"], json.loads(text), result.get("headers") or {})

    def put_product(self, product_id: str, product: dict[str, Any]) -> Reply:
        return self.call("PUT", f"/v1/products/{product_id}", body=product)

    def get_product(self, product_id: str) -> Reply:
        return self.call("GET", f"/v1/products/{product_id}")

    def patch_sku(self, sku_id: str, changes: dict[str, Any]) -> Reply:
        return self.call("PATCH", f"/v1/skus/{sku_id}", body=changes)


@pytest.fixture
def store(aws_stack: AwsStack) -> tuple[str, str]:
    return aws_stack.new_store("Loja Exemplo")


@pytest.fixture
def api(aws_stack: AwsStack, store: tuple[str, str]) -> StorefrontApi:
    return StorefrontApi(load_handler("api"), store[0])


def a_product(*sku_ids: str, **overrides: Any) -> dict[str, Any]:
    """A valid product (the product.md example) with these SKU ids."""
    skus = [
        {
            "skuId": sku_id,
            "gtin": "7891234567895",
            "price": "59.90",
            "offerPrice": "49.90",
            "stock": 10 + i,
            "crossDockingDays": 1,
            "weightKg": "0.20",
            "lengthM": "0.30",
            "widthM": "0.20",
            "heightM": "0.02",
            "attributes": [{"name": "cor", "value": "Azul"}, {"name": "tamanho", "value": "P"}],
        }
        for i, sku_id in enumerate(sku_ids or ("CAM-AZ-P",))
    ]
    product = {
        "title": "Camiseta Básica Algodão",
        "description": "<p>Camiseta 100% algodão.</p>",
        "brand": "Marca Exemplo",
        "categoryPath": "Moda>Camisetas",
        "images": ["https://cdn.example.com/cam-azul.jpg"],
        "videos": [],
        "attributes": [{"name": "material", "value": "algodão"}],
        "skus": skus,
    }
    product.update(overrides)
    return product
