"""Rules of the product module, without I/O."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from cnova_connector.catalogue.rules import SkuValues, apply_patch, decode_cursor, encode_cursor, next_version
from cnova_connector.catalogue.schemas import ProductIn, SkuIn, SkuPatch, gtin_is_valid
from cnova_connector.errors import InvalidInput

BASE = SkuValues(Decimal("59.90"), Decimal("49.90"), 10, 1)


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        (SkuValues(Decimal("59.90"), Decimal("49.90"), 10, 1), 7),
        (SkuValues(Decimal("59.90"), Decimal("49.90"), 9, 1), 8),
        (SkuValues(Decimal("60.00"), Decimal("49.90"), 10, 1), 8),
        (SkuValues(Decimal("59.90"), None, 10, 1), 8),
        (SkuValues(Decimal("59.90"), Decimal("49.90"), 10, 5), 7),  # preparation days are not price/stock
    ],
)
def test_version_moves_only_on_price_or_stock_changes(after: SkuValues, expected: int) -> None:
    assert next_version(7, BASE, after) == expected


def test_patch_may_not_put_the_offer_above_the_price() -> None:
    with pytest.raises(InvalidInput) as err:
        apply_patch(BASE, {"price": Decimal("40.00")})
    assert err.value.details[0].field == "price"
    assert apply_patch(BASE, {"price": Decimal("40.00"), "offer_price": None}).offer_price is None


@pytest.mark.parametrize(
    ("code", "valid"),
    [
        ("7891234567895", True),
        ("7891234567890", False),
        ("96385074", True),
        ("036000291452", True),
        ("10012345678902", True),
        ("789123456789X", False),
        ("12345", False),
    ],
)
def test_gtin_check_digit(code: str, valid: bool) -> None:
    assert gtin_is_valid(code) is valid


def test_cursor_round_trip_and_foreign_cursors() -> None:
    assert decode_cursor(encode_cursor({"after": "P-9"}), {"after"}) == {"after": "P-9"}
    assert decode_cursor(None, {"after"}) is None
    for bad in ("!!!", encode_cursor({"other": "x"}), "eyJhZnRlciI6IDF9"):
        with pytest.raises(InvalidInput):
            decode_cursor(bad, {"after"})


def test_money_accepts_strings_and_numbers_exactly() -> None:
    sku = SkuIn.model_validate({"skuId": "A", "price": "59.9", "offerPrice": 49.9, "stock": 0})
    assert sku.price == Decimal("59.9") and sku.offer_price == Decimal("49.9")
    with pytest.raises(ValidationError):
        SkuIn.model_validate({"skuId": "A", "price": "0.001", "stock": 0})
    with pytest.raises(ValidationError):
        SkuIn.model_validate({"skuId": "A", "price": "NaN", "stock": 0})


def test_snake_case_names_are_not_accepted_as_aliases() -> None:
    with pytest.raises(ValidationError) as err:
        SkuIn.model_validate({"sku_id": "A", "price": "1", "stock": 0})
    assert {e["type"] for e in err.value.errors()} >= {"extra_forbidden", "missing"}


def test_product_needs_unique_skus() -> None:
    sku = {"skuId": "A", "price": "1.00", "stock": 0}
    with pytest.raises(ValidationError, match="more than once"):
        ProductIn.model_validate({"title": "T", "skus": [sku, sku]})


def test_patch_needs_something_and_refuses_nulls_for_required_values() -> None:
    with pytest.raises(ValidationError, match="at least one"):
        SkuPatch.model_validate({})
    with pytest.raises(ValidationError, match="stock can't be null"):
        SkuPatch.model_validate({"stock": None})
    assert SkuPatch.model_validate({"offerPrice": None}).model_fields_set == {"offer_price"}
