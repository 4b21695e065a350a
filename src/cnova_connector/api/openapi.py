"""The OpenAPI 3.1 document of the storefront API, built on first request from the same Pydantic models
that validate the input (so the document can't drift from what the API accepts)."""

from __future__ import annotations

from typing import Any

from pydantic.json_schema import models_json_schema

from cnova_connector.catalogue.schemas import CNOVA_STATUSES, ProductIn, SkuPatch

_ERROR = {"$ref": "#/components/schemas/Error"}


def _error_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message", "details"],
                "properties": {
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "details": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "field": {"type": "string", "description": "e.g. skus[0].price"},
                                "code": {"type": "string"},
                                "message": {"type": "string"},
                            },
                        },
                    },
                },
            }
        },
    }


def _sku_out_schema() -> dict[str, Any]:
    money = {"type": ["string", "null"], "pattern": r"^\d+\.\d{2}$"}
    return {
        "type": "object",
        "properties": {
            "skuId": {"type": "string"},
            "productId": {"type": "string"},
            "gtin": {"type": ["string", "null"]},
            "price": money,
            "offerPrice": money,
            "stock": {"type": "integer"},
            "crossDockingDays": {"type": "integer"},
            "weightKg": money,
            "lengthM": money,
            "widthM": money,
            "heightM": money,
            "attributes": {"type": "array", "items": {"type": "object"}},
            "version": {"type": "integer", "description": "bumped by every price or stock change"},
            "updatedAt": {"type": "string", "format": "date-time"},
            "cnova": {
                "type": "object",
                "readOnly": True,
                "properties": {
                    "status": {"enum": list(CNOVA_STATUSES)},
                    "statusAt": {"type": ["string", "null"], "format": "date-time"},
                    "errors": {"type": "array", "items": {"type": "object"}},
                    "lastSync": {"type": ["object", "null"]},
                },
            },
        },
    }


def _product_out_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "productId": {"type": "string"},
            "title": {"type": "string"},
            "description": {"type": "string"},
            "brand": {"type": ["string", "null"]},
            "categoryPath": {"type": ["string", "null"]},
            "images": {"type": "array", "items": {"type": "string"}},
            "videos": {"type": "array", "items": {"type": "string"}},
            "attributes": {"type": "array", "items": {"type": "object"}},
            "createdAt": {"type": "string", "format": "date-time"},
            "updatedAt": {"type": "string", "format": "date-time"},
            "skus": {"type": "array", "items": {"$ref": "#/components/schemas/Sku"}},
        },
    }


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict[str, Any]:
    text = {
        400: "invalid input",
        401: "missing or invalid token",
        404: "not found (or another store's)",
        409: "conflicts with the current state",
    }
    return {str(c): _json(_ERROR, text[c]) for c in codes}


def build_document() -> dict[str, Any]:
    _, defs = models_json_schema(
        [(ProductIn, "validation"), (SkuPatch, "validation")], ref_template="#/components/schemas/{model}"
    )
    schemas: dict[str, Any] = dict(defs.get("$defs", {}))
    schemas.update(Error=_error_schema(), Sku=_sku_out_schema(), Product=_product_out_schema())
    product = {"$ref": "#/components/schemas/Product"}
    product_id = {"name": "productId", "in": "path", "required": True, "schema": {"type": "string"}}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Cnova connector storefront API",
            "version": "1",
            "description": "The product and sales modules' API of the Cnova Marketplace connector. "
            "Money and measures are decimals with at most two places, accepted as numbers or strings, "
            "returned as strings.",
        },
        "security": [{"bearerAuth": []}],
        "paths": {
            "/v1/products/{productId}": {
                "put": {
                    "summary": "Create or replace a product with its SKUs",
                    "parameters": [product_id],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/ProductIn"}}
                        },
                    },
                    "responses": {
                        "200": _json(product, "replaced"),
                        "201": _json(product, "created"),
                        **_errors(400, 401, 409),
                    },
                },
                "get": {
                    "summary": "A product, its SKUs and each SKU's Cnova status and last sync outcome",
                    "parameters": [product_id],
                    "responses": {"200": _json(product, "the product"), **_errors(401, 404)},
                },
            },
            "/v1/products": {
                "get": {
                    "summary": "List products, optionally those with a SKU in a Cnova status",
                    "parameters": [
                        {"name": "cnovaStatus", "in": "query", "schema": {"enum": list(CNOVA_STATUSES)}},
                        {"name": "cursor", "in": "query", "schema": {"type": "string"}},
                        {
                            "name": "limit",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 1, "maximum": 100},
                        },
                    ],
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "properties": {
                                    "items": {"type": "array", "items": product},
                                    "nextCursor": {"type": ["string", "null"]},
                                },
                            },
                            "a page of products",
                        ),
                        **_errors(400, 401),
                    },
                }
            },
            "/v1/skus/{skuId}": {
                "patch": {
                    "summary": "Change a SKU's price, offer price, stock and/or cross-docking days",
                    "parameters": [
                        {"name": "skuId", "in": "path", "required": True, "schema": {"type": "string"}}
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/SkuPatch"}}
                        },
                    },
                    "responses": {
                        "200": _json({"$ref": "#/components/schemas/Sku"}, "the SKU after the change"),
                        **_errors(400, 401, 404),
                    },
                }
            },
        },
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
    }
