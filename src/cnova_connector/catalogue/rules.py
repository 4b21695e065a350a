"""Pure rules of the product module (no I/O)."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from cnova_connector.errors import FieldProblem, InvalidInput


@dataclass(frozen=True)
class SkuValues:
    """The sellable values of a SKU that Cnova follows (price, offer, stock, preparation days)."""

    price: Decimal
    offer_price: Decimal | None
    stock: int
    cross_docking_days: int


def next_version(current: int, before: SkuValues, after: SkuValues) -> int:
    """Every change to a SKU's price or stock bumps its version, so consumers can order and deduplicate."""
    changed = (before.price, before.offer_price, before.stock) != (
        after.price,
        after.offer_price,
        after.stock,
    )
    return current + 1 if changed else current


def apply_patch(before: SkuValues, changes: dict[str, Any]) -> SkuValues:
    """The SKU's values after a PATCH; the offer price may not end up above the price."""
    after = SkuValues(
        price=changes.get("price", before.price),
        offer_price=changes.get("offer_price", before.offer_price),
        stock=changes.get("stock", before.stock),
        cross_docking_days=changes.get("cross_docking_days", before.cross_docking_days),
    )
    if after.offer_price is not None and after.offer_price > after.price:
        field = "offerPrice" if "offer_price" in changes else "price"
        raise InvalidInput(
            "the offer price can't be above the price",
            [FieldProblem(field, f"offerPrice {after.offer_price} would be above price {after.price}")],
        )
    return after


def encode_cursor(position: dict[str, str]) -> str:
    raw = json.dumps(position, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, keys: set[str]) -> dict[str, str] | None:
    """The position a cursor stands for; a cursor we did not issue is a 400, not a 500."""
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        position = json.loads(raw)
    except (binascii.Error, ValueError) as exc:
        raise InvalidInput("bad cursor", [FieldProblem("cursor", "not a cursor this API issued")]) from exc
    if (
        not isinstance(position, dict)
        or set(position) != keys
        or not all(isinstance(v, str) for v in position.values())
    ):
        raise InvalidInput("bad cursor", [FieldProblem("cursor", "not a cursor this API issued")])
    return position
