"""API shapes of the product module (input validation and output), as in the /v1 contract.

Money and measures are exact decimals with at most two places, accepted as JSON numbers or strings
and returned as strings. Unknown fields are refused, so nothing the caller sends is silently dropped.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
CNOVA_STATUSES = ("notSent", "Pending", "Available", "Error", "Canceled")
MAX_SKUS_PER_PRODUCT = 99

Identifier = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
Money = Annotated[Decimal, Field(gt=0, lt=Decimal("1000000000"), decimal_places=2, allow_inf_nan=False)]
Measure = Annotated[Decimal, Field(gt=0, lt=Decimal("100000"), decimal_places=2, allow_inf_nan=False)]
Url = Annotated[str, StringConstraints(pattern=r"^https?://\S+$", max_length=2000)]


class _In(BaseModel):
    model_config = ConfigDict(
        extra="forbid", alias_generator=to_camel, validate_by_alias=True, validate_by_name=False
    )


class NameValueIn(_In):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    value: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


def gtin_is_valid(code: str) -> bool:
    """GS1 check digit of a GTIN-8/12/13/14 (EAN/UPC)."""
    if not code.isdigit() or len(code) not in (8, 12, 13, 14):
        return False
    digits = [int(c) for c in code]
    body, check = digits[:-1], digits[-1]
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


class SkuIn(_In):
    sku_id: Identifier
    gtin: str | None = None
    price: Money
    offer_price: Money | None = None
    stock: Annotated[StrictInt, Field(ge=0, le=10_000_000)]
    cross_docking_days: Annotated[StrictInt, Field(ge=0, le=365)] = 0
    weight_kg: Measure | None = None
    length_m: Measure | None = None
    width_m: Measure | None = None
    height_m: Measure | None = None
    attributes: Annotated[list[NameValueIn], Field(max_length=50)] = []

    @field_validator("gtin")
    @classmethod
    def _gtin(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip()
        if not gtin_is_valid(value):
            raise ValueError("must be a GTIN/EAN of 8, 12, 13 or 14 digits with a valid check digit")
        return value

    @model_validator(mode="after")
    def _offer_not_above_price(self) -> SkuIn:
        if self.offer_price is not None and self.offer_price > self.price:
            raise ValueError(f"offerPrice {self.offer_price} must not be above price {self.price}")
        return self


class ProductIn(_In):
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    description: Annotated[str, StringConstraints(max_length=50_000)] = ""
    brand: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] | None = (
        None
    )
    category_path: (
        Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[^>]+(>[^>]+)*$", max_length=500)]
        | None
    ) = None
    images: Annotated[list[Url], Field(max_length=20)] = []
    videos: Annotated[list[Url], Field(max_length=10)] = []
    attributes: Annotated[list[NameValueIn], Field(max_length=100)] = []
    skus: Annotated[list[SkuIn], Field(min_length=1, max_length=MAX_SKUS_PER_PRODUCT)]

    @field_validator("skus")
    @classmethod
    def _unique_sku_ids(cls, skus: list[SkuIn]) -> list[SkuIn]:
        seen: set[str] = set()
        for sku in skus:
            if sku.sku_id in seen:
                raise ValueError(f"skuId {sku.sku_id!r} appears more than once")
            seen.add(sku.sku_id)
        return skus


class SkuPatch(_In):
    """``PATCH /v1/skus/{skuId}``: any of these; at least one."""

    price: Money | None = None
    offer_price: Money | None = None
    stock: Annotated[StrictInt, Field(ge=0, le=10_000_000)] | None = None
    cross_docking_days: Annotated[StrictInt, Field(ge=0, le=365)] | None = None

    @model_validator(mode="after")
    def _something_to_change(self) -> SkuPatch:
        if not self.model_fields_set:
            raise ValueError("give at least one of price, offerPrice, stock, crossDockingDays")
        for name in ("price", "stock", "cross_docking_days"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{to_camel(name)} can't be null")
        return self


def money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"
