"""Cnova's error envelope: ``{"errors": [{"code", "httpStatus", "type", "message", "skuSellerId"}]}``."""

from __future__ import annotations

from typing import Any


def error_item(
    code: str, http_status: int, message: str, type_: str = "BusinessError", sku_seller_id: str | None = None
) -> dict[str, Any]:
    return {
        "code": code,
        "httpStatus": str(http_status),
        "type": type_,
        "message": message,
        "skuSellerId": sku_seller_id,
    }


class ApiError(Exception):
    """An error answered with Cnova's envelope. Raised by the domain, turned into a response by the app."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        type_: str = "BusinessError",
        sku_seller_id: str | None = None,
        *,
        items: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.items = items or [error_item(code, status, message, type_, sku_seller_id)]
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return {"errors": self.items}


def bad_request(message: str, code: str = "InvalidRequest", sku_seller_id: str | None = None) -> ApiError:
    return ApiError(400, code, message, "ValidationError", sku_seller_id)


def not_found(message: str, code: str = "NotFound", sku_seller_id: str | None = None) -> ApiError:
    return ApiError(404, code, message, "NotFound", sku_seller_id)


def unprocessable(message: str, code: str, sku_seller_id: str | None = None) -> ApiError:
    return ApiError(422, code, message, "BusinessError", sku_seller_id)


def conflict(message: str, code: str, sku_seller_id: str | None = None) -> ApiError:
    return ApiError(409, code, message, "BusinessError", sku_seller_id)
