"""Routes of the storefront API. Each route reads the caller's store from the authorizer's context,
validates its input with the Pydantic models and calls one use case; errors become responses in the
exception handlers below (one place)."""

from __future__ import annotations

import functools
import json
import re
from decimal import Decimal
from http import HTTPStatus
from typing import Any, TypeVar

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from pydantic import BaseModel, ValidationError

from cnova_connector.api.errors import domain_response, error_response, validation_response
from cnova_connector.catalogue.schemas import ID_PATTERN, ProductIn, SkuPatch
from cnova_connector.catalogue.service import CatalogueService
from cnova_connector.errors import DomainError, FieldProblem, InvalidInput
from cnova_connector.observability import logger

app = APIGatewayRestResolver()

_ID = re.compile(ID_PATTERN)
M = TypeVar("M", bound=BaseModel)


class Unauthenticated(Exception):
    """The request reached a route without a store in the authorizer context."""


class UnreadableBody(Exception):
    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__("unreadable body")
        self.errors = errors


def current_store_id() -> str:
    """The store the authorizer resolved from the bearer token; handlers never see another store."""
    context = (app.current_event.raw_event.get("requestContext") or {}).get("authorizer") or {}
    store_id = context.get("storeId")
    if not isinstance(store_id, str) or not store_id:
        raise Unauthenticated()
    logger.append_keys(store_id=store_id)
    return store_id


def body_as(model: type[M]) -> M:
    """The JSON body validated as ``model``; numbers are parsed as exact decimals, never floats."""
    content_type = (app.current_event.headers or {}).get("content-type") or ""
    if content_type and not content_type.lower().startswith("application/json"):
        raise UnreadableBody([{"type": "unsupported_content_type", "loc": ("body",), "msg": content_type}])
    try:
        data = json.loads(app.current_event.decoded_body or "", parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise UnreadableBody(
            [
                {
                    "type": "json_invalid",
                    "loc": ("body",),
                    "msg": exc.msg,
                    "ctx": {"error": f"{exc.msg} at line {exc.lineno} column {exc.colno}"},
                }
            ]
        ) from exc
    return model.model_validate(data)


def path_id(name: str, value: str) -> str:
    if not _ID.match(value):
        raise InvalidInput(
            f"bad {name}",
            [FieldProblem(name, "use 1-64 letters, digits, '.', '_' or '-', starting alphanumeric")],
        )
    return value


def _json(status: int, body: Any) -> Response[Any]:
    return Response(
        status_code=int(status),
        content_type=content_types.APPLICATION_JSON,
        body=json.dumps(body, ensure_ascii=False),
    )


# ------------------------------------------------------------------ products


@app.put("/v1/products/<productId>")
def put_product(productId: str) -> Response[Any]:
    service = CatalogueService(current_store_id())
    product_id = path_id("productId", productId)
    view, created = service.put_product(product_id, body_as(ProductIn))
    return _json(HTTPStatus.CREATED if created else HTTPStatus.OK, view)


@app.get("/v1/products/<productId>")
def get_product(productId: str) -> Response[Any]:
    service = CatalogueService(current_store_id())
    return _json(HTTPStatus.OK, service.get_product(path_id("productId", productId)))


@app.get("/v1/products")
def list_products() -> Response[Any]:
    service = CatalogueService(current_store_id())
    query = app.current_event.query_string_parameters or {}
    page = service.list_products(
        cnova_status=query.get("cnovaStatus"), cursor=query.get("cursor"), limit=query.get("limit")
    )
    return _json(HTTPStatus.OK, page)


@app.patch("/v1/skus/<skuId>")
def patch_sku(skuId: str) -> Response[Any]:
    service = CatalogueService(current_store_id())
    sku_id = path_id("skuId", skuId)
    return _json(HTTPStatus.OK, service.patch_sku(sku_id, body_as(SkuPatch)))


# ------------------------------------------------------------------ OpenAPI


@functools.cache
def openapi_document() -> str:
    from cnova_connector.api.openapi import build_document  # only this route pays for it

    return json.dumps(build_document())


@app.get("/v1/openapi.json")
def openapi() -> Response[Any]:
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=openapi_document())


# ------------------------------------------------------------------ errors


@app.exception_handler(ValidationError)
def _invalid(exc: ValidationError) -> Response[Any]:
    return validation_response(exc.errors(include_url=False))


@app.exception_handler(UnreadableBody)
def _unreadable(exc: UnreadableBody) -> Response[Any]:
    return validation_response(exc.errors)


@app.exception_handler(DomainError)
def _domain_error(exc: DomainError) -> Response[Any]:
    return domain_response(exc)


@app.exception_handler(Unauthenticated)
def _unauthenticated(_: Unauthenticated) -> Response[Any]:
    return error_response(HTTPStatus.UNAUTHORIZED, "unauthorized", "missing or invalid bearer token")


@app.not_found
def _no_route(_: NotFoundError) -> Response[Any]:
    return error_response(HTTPStatus.NOT_FOUND, "not_found", "no such route")


@app.exception_handler(Exception)
def _unexpected(exc: Exception) -> Response[Any]:
    logger.exception("unexpected error")
    return error_response(HTTPStatus.INTERNAL_SERVER_ERROR, "internal_error", "internal error, try again")
