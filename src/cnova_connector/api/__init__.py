"""The storefront API (/v1): routes, error responses and the OpenAPI document."""
