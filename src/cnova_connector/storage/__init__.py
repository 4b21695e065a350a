"""DynamoDB storage (pynamodb models and small repositories). Table names come from settings and are
bound once per process with :func:`bind_tables`."""

from cnova_connector.storage.models import (
    ApiTokenModel,
    ProductModel,
    SkuModel,
    StoreModel,
    bind_tables,
)

__all__ = ["ApiTokenModel", "ProductModel", "SkuModel", "StoreModel", "bind_tables"]
