"""Routes of the storefront API. Each route reads the caller's store from the authorizer's context
and calls one use case; errors become responses in the exception handlers below."""

from __future__ import annotations

import functools
import json
import re
from decimal import Decimal
from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer
from aws_lambda_powertools.event_handler.openapi.params import Body, Query

from cnova_connector.api.errors import domain_response, error_response, validation_response
from cnova_connector.catalogue.schemas import ID_PATTERN, ProductIn, SkuPatch
from cnova_connector.catalogue.service import CatalogueService
from cnova_connector.errors import DomainError, FieldProblem, InvalidInput
from cnova_connector.observability import logger

app = APIGatewayRestResolver(
    enable_validation=True,
    json_body_deserializer=functools.partial(json.loads, parse_float=Decimal),
)

_ID = re.compile(ID_PATTERN)


class Unauthenticated(Exception):
    """The request reached a route without a store in the authorizer context."""


def current_store_id() -> str:
    """The store the authorizer resolved from the bearer token; handlers never see another store."""
    context = (app.current_event.raw_event.get("requestContext") or {}).get("authorizer") or {}
    store_id = context.get("storeId")
    if not isinstance(store_id, str) or not store_id:
        raise Unauthenticated()
    logger.append_keys(store_id=store_id)
    return store_id


def _check_id(name: str, value: str) -> str:
    if not _ID.match(value):
        raise InvalidInput(
            f"bad {name}",
            [FieldProblem(name, "use 1-64 letters, digits, '.', '_' or '-', starting alphanumeric")],
        )
    return value


# ------------------------------------------------------------------ products


@app.put("/v1/products/<productId>", summary="Create or replace a product with its SKUs")
def put_product(productId: str, product: Annotated[ProductIn, Body(embed=False)]) -> Response[dict[str, Any]]:  # noqa: N803
    service = CatalogueService(current_store_id())
    view, created = service.put_product(_check_id("productId", productId), product)
    return _json(HTTPStatus.CREATED if created else HTTPStatus.OK, view)


@app.get("/v1/products/<productId>", summary="A product, its SKUs and each SKU's Cnova status")
def get_product(productId: str) -> Response[dict[str, Any]]:  # noqa: N803
    service = CatalogueService(current_store_id())
    return _json(HTTPStatus.OK, service.get_product(_check_id("productId", productId)))


@app.get("/v1/products", summary="List products, optionally by the Cnova status of their SKUs")
def list_products(
    cnovaStatus: Annotated[str | None, Query()] = None,  # noqa: N803
    cursor: Annotated[str | None, Query()] = None,
    limit: Annotated[str | None, Query()] = None,
) -> Response[dict[str, Any]]:
    service = CatalogueService(current_store_id())
    return _json(HTTPStatus.OK, service.list_products(cnova_status=cnovaStatus, cursor=cursor, limit=limit))


@app.patch("/v1/skus/<skuId>", summary="Change a SKU's price, offer price, stock or cross-docking days")
def patch_sku(skuId: str, patch: Annotated[SkuPatch, Body(embed=False)]) -> Response[dict[str, Any]]:  # noqa: N803
    service = CatalogueService(current_store_id())
    return _json(HTTPStatus.OK, service.patch_sku(_check_id("skuId", skuId), patch))


# ------------------------------------------------------------------ OpenAPI


@functools.cache
def openapi_document() -> str:
    return app.get_openapi_json_schema(
        title="Cnova connector storefront API",
        version="1",
        description="The product and sales modules' API of the Cnova Marketplace connector.",
        security_schemes={"bearerAuth": HTTPBearer(description="the store's API token")},
        security=[{"bearerAuth": []}],
    )


@app.get("/v1/openapi.json", include_in_schema=False)
def openapi():  # type: ignore[no-untyped-def]  # an annotation would be validated as a response model
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=openapi_document())


# ------------------------------------------------------------------ errors


def _json(status: int, body: dict[str, Any]) -> Response[dict[str, Any]]:
    return Response(status_code=int(status), content_type=content_types.APPLICATION_JSON, body=body)


@app.exception_handler(RequestValidationError)
def _invalid_request(exc: RequestValidationError) -> Response:
    return validation_response(exc.errors())


@app.exception_handler(DomainError)
def _domain_error(exc: DomainError) -> Response:
    return domain_response(exc)


@app.exception_handler(Unauthenticated)
def _unauthenticated(_: Unauthenticated) -> Response:
    return error_response(HTTPStatus.UNAUTHORIZED, "unauthorized", "missing or invalid bearer token")


@app.not_found
def _no_route(_: NotFoundError) -> Response:
    return error_response(HTTPStatus.NOT_FOUND, "not_found", "no such route")


@app.exception_handler(Exception)
def _unexpected(exc: Exception) -> Response:
    logger.exception("unexpected error")
    return error_response(HTTPStatus.INTERNAL_SERVER_ERROR, "internal_error", "internal error, try again")
