"""Validation rules the sandbox applies, with their error codes and messages (see docs/cnova-sandbox.md)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from cnova_sandbox.clock import parse_dt
from cnova_sandbox.errors import error_item

SITE_NAMES = {
    "EX": "Extra",
    "PF": "Pontofrio",
    "CB": "Casas Bahia",
    "EH": "Extra Hotsite",
    "BT": "Barateiro",
    "CD": "Cdiscount",
}
TEST_CATEGORY = "Teste>API"
GTIN_LENGTHS = (8, 12, 13, 14)
UF_CODES = frozenset(
    {"11", "12", "13", "14", "15", "16", "17", "21", "22", "23", "24", "25", "26", "27", "28", "29"}
    | {"31", "32", "33", "35", "41", "42", "43", "50", "51", "52", "53"}
)
_FORBIDDEN_TAGS = re.compile(r"<\s*(img|object|script|iframe)\b", re.IGNORECASE)
_NFE_KEY = re.compile(r"^[0-9]{6}[0-9A-Z]{12}[0-9]{26}$")
_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)


# ---------------------------------------------------------------- numbers


def to_decimal(value: Any) -> Decimal | None:
    """A JSON number or numeric string as Decimal; None if it is neither."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float | str):
        try:
            result = Decimal(str(value).strip())
        except InvalidOperation:
            return None
        return result if result.is_finite() else None
    return None


def to_int(value: Any) -> int | None:
    """A JSON integer or integer string; None otherwise."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        return int(value)
    return None


def decimal_places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def money_ok(value: Decimal | None) -> bool:
    return value is not None and value > 0 and decimal_places(value) <= 2


def as_json_number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


# ---------------------------------------------------------------- GTIN and categories


def gtin_valid(code: Any) -> bool:
    """EAN-8, UPC-A (12), EAN-13 (also ISBN-13) or GTIN-14 with a correct mod-10 check digit."""
    if not isinstance(code, str) or not code.isdigit() or len(code) not in GTIN_LENGTHS:
        return False
    digits = [int(c) for c in code]
    body, check = digits[:-1], digits[-1]
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def category_path(categories: Any) -> str | None:
    """Accept ``["A>B"]`` (path strings) and ``["A", "B"]`` (one level per entry, as recorded)."""
    if not isinstance(categories, list) or not categories:
        return None
    parts = [c.strip() for c in categories if isinstance(c, str) and c.strip()]
    if len(parts) != len(categories):
        return None
    if any(">" in p for p in parts):
        return parts[0] if len(parts) == 1 else None
    return ">".join(parts)


def normalise_path(path: str) -> str:
    return ">".join(p.strip() for p in path.split(">"))


# ---------------------------------------------------------------- product (load item)


def _err(code: str, message: str, sku: str | None) -> dict[str, Any]:
    return error_item(code, 422, message, "ValidationError", sku)


def validate_product(product: dict[str, Any], title_max: int) -> list[dict[str, Any]]:
    """Content errors of one product load item, in Cnova's Error shape (empty when valid)."""
    sku = product.get("skuSellerId")
    sku = sku if isinstance(sku, str) else None
    errors: list[dict[str, Any]] = []

    title = product.get("title")
    if not isinstance(title, str) or not title.strip():
        errors.append(_err("TitleRequired", "O título é obrigatório.", sku))
    elif len(title) > title_max:
        errors.append(_err("TitleTooLong", f"O título deve ter no máximo {title_max} caracteres.", sku))

    description = product.get("description")
    if not isinstance(description, str) or not description.strip():
        errors.append(_err("DescriptionRequired", "A descrição é obrigatória.", sku))
    elif _FORBIDDEN_TAGS.search(description):
        errors.append(
            _err(
                "DescriptionForbiddenTag",
                "A descrição não pode conter as tags img, object, script ou iframe.",
                sku,
            )
        )

    brand = product.get("brand")
    if not isinstance(brand, str) or not brand.strip():
        errors.append(_err("BrandRequired", "A marca é obrigatória.", sku))

    gtins = product.get("gtin")
    present = [g for g in gtins if g not in (None, "")] if isinstance(gtins, list) else []
    if not present:
        errors.append(_err("GtinRequired", "O código EAN (GTIN) é obrigatório.", sku))
    for code in present:
        if not gtin_valid(code):
            errors.append(
                _err("GtinInvalid", f"O código EAN (GTIN) {code!s} é inválido (tamanho ou dígito).", sku)
            )

    if category_path(product.get("categories")) is None:
        errors.append(_err("CategoryRequired", "A categoria é obrigatória.", sku))

    images = product.get("images")
    if not isinstance(images, list) or not [i for i in images if i]:
        errors.append(_err("ImageRequired", "Ao menos uma imagem é obrigatória.", sku))
    else:
        for url in images:
            if not isinstance(url, str) or not _URL.match(url):
                errors.append(_err("ImageInvalid", f"URL de imagem inválida: {url!s}.", sku))

    errors.extend(_price_errors(product.get("price"), sku))
    errors.extend(_stock_errors(product.get("stock"), sku))
    errors.extend(_dimension_errors(product.get("dimensions"), sku))
    return errors


def _price_errors(price: Any, sku: str | None) -> list[dict[str, Any]]:
    if not isinstance(price, dict):
        return [_err("PriceRequired", "O preço (default e offer) é obrigatório.", sku)]
    errors = []
    default, offer = to_decimal(price.get("default")), to_decimal(price.get("offer"))
    for name, value in (("default", default), ("offer", offer)):
        if not money_ok(value):
            errors.append(
                _err(
                    "PriceInvalid",
                    f"O preço {name} deve ser maior que zero e ter no máximo 2 casas decimais.",
                    sku,
                )
            )
    if not errors and offer is not None and default is not None and offer > default:
        errors.append(_err("OfferAboveDefault", "O preço de oferta (por) é maior que o preço (de).", sku))
    return errors


def _stock_errors(stock: Any, sku: str | None) -> list[dict[str, Any]]:
    if not isinstance(stock, dict):
        return [_err("StockRequired", "O estoque é obrigatório.", sku)]
    errors = []
    quantity = to_int(stock.get("quantity"))
    if quantity is None or quantity < 0:
        errors.append(_err("StockInvalid", "A quantidade em estoque deve ser um inteiro >= 0.", sku))
    cross = stock.get("crossDockingTime")
    if cross is not None and ((to_int(cross) is None) or (to_int(cross) or 0) < 0):
        errors.append(_err("CrossDockingInvalid", "O crossDockingTime deve ser um inteiro >= 0.", sku))
    return errors


def _dimension_errors(dimensions: Any, sku: str | None) -> list[dict[str, Any]]:
    if not isinstance(dimensions, dict):
        return [
            _err("DimensionsRequired", "As dimensões (weight, length, width, height) são obrigatórias.", sku)
        ]
    errors = []
    for name in ("weight", "length", "width", "height"):
        value = to_decimal(dimensions.get(name))
        if not money_ok(value):
            errors.append(
                _err(
                    "DimensionInvalid",
                    f"A dimensão {name} deve ser maior que zero e ter no máximo 2 casas decimais.",
                    sku,
                )
            )
    return errors


# ---------------------------------------------------------------- NF-e (invoice in trackings)


def nfe_check_digit(first43: str) -> int:
    """Modulo 11, weights 2..9 from the right; each character counts as (ASCII code − 48)."""
    total = 0
    weight = 2
    for char in reversed(first43):
        total += (ord(char) - 48) * weight
        weight = 2 if weight == 9 else weight + 1
    remainder = total % 11
    return 0 if remainder < 2 else 11 - remainder


def invoice_errors(invoice: Any) -> list[str]:
    """Problems of a tracking's invoice block (messages only; empty when valid)."""
    if invoice is None:
        return []
    if not isinstance(invoice, dict):
        return ["invoice must be an object"]
    problems = []
    key = invoice.get("accessKey")
    if key is not None:
        if not isinstance(key, str) or not _NFE_KEY.match(key):
            problems.append("invoice.accessKey must have 44 digits")
        elif key[:2] not in UF_CODES:
            problems.append(f"invoice.accessKey has an invalid cUF ({key[:2]})")
        elif nfe_check_digit(key[:43]) != int(key[43]):
            problems.append("invoice.accessKey has a wrong check digit")
    for name, max_len in (("number", 9), ("serie", 3)):
        value = invoice.get(name)
        if value is None:
            continue
        text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
        if not isinstance(text, str) or not text.isdigit() or len(text) > max_len:
            problems.append(f"invoice.{name} must be numeric (at most {max_len} digits)")
    issued = invoice.get("issuedAt")
    if issued is not None:
        try:
            if not isinstance(issued, str):
                raise ValueError
            parse_dt(issued)
        except ValueError:
            problems.append("invoice.issuedAt must be an ISO-8601 timestamp")
    return problems


def site_ok(site: Any) -> bool:
    return isinstance(site, str) and site in SITE_NAMES
