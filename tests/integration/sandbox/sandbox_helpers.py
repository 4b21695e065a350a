"""Helpers for the sandbox tests: an HTTP client bound to one seller, and body builders."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import requests
from cnova_sandbox.testing import SandboxHandle

CLIENT_ID = "app-test"
TOKEN = "SANDBOX-Test"


class Api:
    """A tiny Cnova API client bound to one seller's headers."""

    def __init__(self, sandbox: SandboxHandle, client_id: str = CLIENT_ID, token: str = TOKEN) -> None:
        self.sandbox = sandbox
        self.client_id = client_id
        self.token = token
        self.http = requests.Session()
        self.http.headers.update(
            {"client_id": client_id, "access_token": token, "Accept": "application/json; charset=utf-8"}
        )

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.http.request(method, self.sandbox.api_url + path, timeout=30, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, json=json, **kwargs)

    def put(self, path: str, json: Any = None, **kwargs: Any) -> requests.Response:
        return self.request("PUT", path, json=json, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)

    def state(self) -> dict[str, Any]:
        return self.sandbox.state(self.client_id, self.token)


def product(sku: str = "SKU-1", **overrides: Any) -> dict[str, Any]:
    """A valid Product (load item) in category Teste>API."""
    body: dict[str, Any] = {
        "skuSellerId": sku,
        "productSellerId": "P-1",
        "title": "Camiseta Básica Algodão Azul P",
        "description": "<p>Camiseta 100% algodão.</p>",
        "brand": "Marca Exemplo",
        "gtin": ["7891234567895"],
        "categories": ["Teste>API"],
        "images": ["https://cdn.example.com/cam-azul.jpg"],
        "videos": [],
        "price": {"default": 59.90, "offer": 49.90},
        "stock": {"quantity": 10, "crossDockingTime": 1},
        "dimensions": {"weight": 0.2, "length": 0.3, "width": 0.2, "height": 0.02},
        "giftWrap": {"available": False, "value": None, "messageSupport": False},
        "attributes": [{"name": "cor", "value": "Azul"}],
    }
    body.update(overrides)
    return body


def metadata(body: dict[str, Any]) -> dict[str, str]:
    return {entry["key"]: entry["value"] for entry in body["metadata"]}


def make_available(api: Api, *skus: str, **overrides: Any) -> None:
    """Load SKUs and let the review delay pass so they become Available."""
    response = api.post("/loads/products", json=[product(sku, **overrides) for sku in skus])
    assert response.status_code == 201, response.text
    api.sandbox.advance_clock(api.sandbox.configure()["reviewDelaySeconds"] + 1)


def sandbox_order(sku: str = "SKU-1", quantity: Any = 2, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "site": "EX",
        "items": [{"skuSellerId": sku, "name": "Camiseta", "salePrice": "49.90", "quantity": quantity}],
        "customer": {
            "name": "João da Silva",
            "gender": "Masculino",
            "documentNumber": "11111111111",
            "type": "PF",
            "email": "me@foo.com",
            "bornAt": "1942-01-01",
            "billing": {
                "address": "Rua da Chaleira",
                "number": "01",
                "complement": "Na hora do Chá",
                "quarter": "Ingleses",
                "reference": "Perto do Chapeleiro Maluco",
                "city": "NãoSeiLândia",
                "state": "SP",
                "countryId": "BR",
                "zipCode": "50000000",
                "recipientName": "A/C Joãozinho",
            },
            "phones": {"mobile": "11 999917771", "home": "11 399977721", "office": "11 499974771"},
        },
    }
    body.update(overrides)
    return body


def create_order(api: Api, approve: bool = True, **kwargs: Any) -> str:
    """Create a sandbox order, let it index, and (by default) approve it. Returns its id."""
    response = api.post("/orders", json=sandbox_order(**kwargs))
    assert response.status_code == 201, response.text
    order_id = response.headers["Location"].rsplit("/", 1)[1]
    api.sandbox.advance_clock(api.sandbox.configure()["orderIndexDelaySeconds"] + 1)
    if approve:
        approved = api.put(f"/orders/status/approved/{order_id}")
        assert approved.status_code == 204, approved.text
    return order_id


RECORDED = Path(__file__).resolve().parents[2] / "fixtures" / "cnova-recorded"


def recorded(name: str) -> Any:
    """A real Cnova response recorded in 2015 (see recorded/README.md)."""
    return json.loads((RECORDED / name).read_text(encoding="utf-8"))


def generous_limits(sandbox: SandboxHandle) -> None:
    """Lift the list rate limits (2-3/min) for tests that page or poll a lot."""
    rules = {key: {"limit": 10_000, "windowSeconds": 60} for key in sandbox.configure()["rateLimits"]}
    sandbox.configure(rateLimits=rules)


def errors_of(response: requests.Response) -> list[dict[str, Any]]:
    """The Cnova error envelope's items, checking the envelope's shape on the way."""
    body = response.json()
    assert set(body) == {"errors"}
    for item in body["errors"]:
        assert set(item) == {"code", "httpStatus", "type", "message", "skuSellerId"}
        assert item["httpStatus"] == str(response.status_code)
    return list(body["errors"])
