"""Builders shared by the Cnova client contract tests (imported by name: keep this module name unique)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from cnova_connector.cnova import RetryPolicy
from cnova_connector.cnova.models import Product

BRT = timezone(timedelta(hours=-3))

#: quick retries so that fault tests run in seconds
FAST_RETRY = RetryPolicy(max_attempts=5, backoff_base=0.05, backoff_max=0.3, max_rate_limit_wait=15)


def ean13(body12: str) -> str:
    digits = [int(c) for c in body12]
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return body12 + str((10 - total % 10) % 10)


def product(
    sku: str, *, price: str = "100.00", offer: str = "90.00", stock: int = 10, **extra: Any
) -> Product:
    """A product the sandbox approves (category Teste>API, valid GTIN, images, dimensions)."""
    number = "".join(c for c in sku if c.isdigit()) or "1"
    data: dict[str, Any] = {
        "sku_seller_id": sku,
        "product_seller_id": f"P-{sku}",
        "title": f"Produto {sku}",
        "description": "<p>Produto de teste</p>",
        "brand": "Marca",
        "gtin": [ean13(("789" + number.zfill(9))[-12:])],
        "categories": ["Teste", "API"],
        "images": [f"https://cdn.example.com/{sku}.jpg"],
        "price": {"default": Decimal(price), "offer": Decimal(offer)},
        "stock": {"quantity": stock, "cross_docking_time": 1},
        "dimensions": {
            "weight": Decimal("0.30"),
            "length": Decimal("0.20"),
            "width": Decimal("0.10"),
            "height": Decimal("0.05"),
        },
        "attributes": [{"name": "cor", "value": "Azul"}],
    }
    data.update(extra)
    return Product.model_validate(data)


def sandbox_order(items: list[tuple[str, str, int]], name: str = "Maria Souza") -> dict[str, Any]:
    return {
        "site": "EX",
        "items": [
            {"skuSellerId": s, "name": f"Produto {s}", "salePrice": p, "quantity": q} for s, p, q in items
        ],
        "customer": {
            "name": name,
            "gender": "Feminino",
            "documentNumber": "52998224725",
            "type": "PF",
            "email": "maria@example.com",
            "bornAt": "1980-01-01",
            "billing": {
                "address": "Rua A",
                "number": "1",
                "quarter": "Centro",
                "city": "São Paulo",
                "state": "SP",
                "countryId": "BR",
                "zipCode": "01001000",
                "recipientName": name,
            },
            "phones": {"mobile": "11 999990000"},
        },
    }


def seed_for(pattern: list[bool], rate: float) -> int:
    """A seed whose first draws fall under ``rate`` exactly where ``pattern`` is True (the sandbox's
    fault injector draws one ``random.Random(seed).random()`` per API request)."""
    for seed in range(100_000):
        rng = random.Random(seed)
        if all((rng.random() < rate) == wanted for wanted in pattern):
            return seed
    raise AssertionError("no seed found")


def now_brt() -> datetime:
    return datetime.now(BRT).replace(microsecond=0)


def nfe_key(first43: str) -> str:
    """An NF-e access key with its modulo-11 check digit (weights 2..9 from the right)."""
    total, weight = 0, 2
    for char in reversed(first43):
        total += int(char) * weight
        weight = 2 if weight == 9 else weight + 1
    remainder = total % 11
    return first43 + str(0 if remainder < 2 else 11 - remainder)
