"""pynamodb models of the connector's tables (keys and indexes as declared in template.yaml).

Table shapes are kept apart from API and domain shapes; the catalogue and stores repositories map
between them explicitly.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pynamodb.attributes import (
    Attribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.constants import NUMBER
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from cnova_connector.config import Settings


class DecimalAttribute(Attribute[Decimal]):
    """An exact decimal stored as a DynamoDB number (never through float)."""

    attr_type = NUMBER

    def serialize(self, value: Decimal) -> str:
        return str(value)

    def deserialize(self, value: str) -> Decimal:
        return Decimal(value)


class NameValue(MapAttribute[str, Any]):
    name = UnicodeAttribute()
    value = UnicodeAttribute()


# ---------------------------------------------------------------- stores


class StoresByKind(GlobalSecondaryIndex["StoreModel"]):
    class Meta:
        index_name = "ByKind"
        projection = AllProjection()

    kind = UnicodeAttribute(hash_key=True)
    store_id = UnicodeAttribute(range_key=True, attr_name="storeId")


class StoreModel(Model):
    class Meta:
        table_name = "StoresTable"

    store_id = UnicodeAttribute(hash_key=True, attr_name="storeId")
    kind = UnicodeAttribute(default="store")
    name = UnicodeAttribute()
    status = UnicodeAttribute(default="active")  # active | disabled
    created_at = UTCDateTimeAttribute(attr_name="createdAt")
    updated_at = UTCDateTimeAttribute(attr_name="updatedAt")
    by_kind = StoresByKind()


class TokensByStore(GlobalSecondaryIndex["ApiTokenModel"]):
    class Meta:
        index_name = "ByStore"
        projection = AllProjection()

    store_id = UnicodeAttribute(hash_key=True, attr_name="storeId")
    token_hash = UnicodeAttribute(range_key=True, attr_name="tokenHash")


class ApiTokenModel(Model):
    """An API token of a store. Only the SHA-256 of the token is stored."""

    class Meta:
        table_name = "ApiTokensTable"

    token_hash = UnicodeAttribute(hash_key=True, attr_name="tokenHash")
    store_id = UnicodeAttribute(attr_name="storeId")
    token_hint = UnicodeAttribute(attr_name="tokenHint")  # first characters, to tell tokens apart
    created_at = UTCDateTimeAttribute(attr_name="createdAt")
    by_store = TokensByStore()


# ---------------------------------------------------------------- catalogue


class ProductModel(Model):
    class Meta:
        table_name = "ProductsTable"

    store_id = UnicodeAttribute(hash_key=True, attr_name="storeId")
    product_id = UnicodeAttribute(range_key=True, attr_name="productId")
    title = UnicodeAttribute()
    description = UnicodeAttribute(default="")
    brand = UnicodeAttribute(null=True)
    category_path = UnicodeAttribute(null=True, attr_name="categoryPath")
    images = ListAttribute[str](default=list)
    videos = ListAttribute[str](default=list)
    attributes = ListAttribute[NameValue](of=NameValue, default=list)
    sku_ids = ListAttribute[str](attr_name="skuIds", default=list)
    revision = NumberAttribute(default=1)
    created_at = UTCDateTimeAttribute(attr_name="createdAt")
    updated_at = UTCDateTimeAttribute(attr_name="updatedAt")


class SkusByProduct(GlobalSecondaryIndex["SkuModel"]):
    class Meta:
        index_name = "ByProduct"
        projection = AllProjection()

    store_product = UnicodeAttribute(hash_key=True, attr_name="storeProduct")
    sku_id = UnicodeAttribute(range_key=True, attr_name="skuId")


class SkusByCnovaStatus(GlobalSecondaryIndex["SkuModel"]):
    class Meta:
        index_name = "ByCnovaStatus"
        projection = KeysOnlyProjection()

    store_cnova_status = UnicodeAttribute(hash_key=True, attr_name="storeCnovaStatus")
    product_sku = UnicodeAttribute(range_key=True, attr_name="productSku")


class SkuCnovaState(MapAttribute[str, Any]):
    """What the connector knows of the SKU at Cnova (read-only for API callers)."""

    status = UnicodeAttribute(default="notSent")
    status_at = UTCDateTimeAttribute(null=True, attr_name="statusAt")
    errors = ListAttribute[NameValue](of=NameValue, default=list)  # name=code, value=message
    last_sync = MapAttribute[str, Any](null=True, attr_name="lastSync")


class SkuModel(Model):
    class Meta:
        table_name = "SkusTable"

    store_id = UnicodeAttribute(hash_key=True, attr_name="storeId")
    sku_id = UnicodeAttribute(range_key=True, attr_name="skuId")
    product_id = UnicodeAttribute(attr_name="productId")
    position = NumberAttribute(default=0)
    gtin = UnicodeAttribute(null=True)
    price = DecimalAttribute()
    offer_price = DecimalAttribute(null=True, attr_name="offerPrice")
    stock = NumberAttribute()
    cross_docking_days = NumberAttribute(default=0, attr_name="crossDockingDays")
    weight_kg = DecimalAttribute(null=True, attr_name="weightKg")
    length_m = DecimalAttribute(null=True, attr_name="lengthM")
    width_m = DecimalAttribute(null=True, attr_name="widthM")
    height_m = DecimalAttribute(null=True, attr_name="heightM")
    attributes = ListAttribute[NameValue](of=NameValue, default=list)
    version = NumberAttribute(default=1)
    cnova = SkuCnovaState(default=SkuCnovaState)
    updated_at = UTCDateTimeAttribute(attr_name="updatedAt")
    # index keys, derived from the fields above (see catalogue.repository)
    store_product = UnicodeAttribute(attr_name="storeProduct")
    store_cnova_status = UnicodeAttribute(attr_name="storeCnovaStatus")
    product_sku = UnicodeAttribute(attr_name="productSku")
    by_product = SkusByProduct()
    by_cnova_status = SkusByCnovaStatus()


_MODELS: dict[str, type[Model]] = {
    "stores_table": StoreModel,
    "api_tokens_table": ApiTokenModel,
    "products_table": ProductModel,
    "skus_table": SkuModel,
}


def bind_tables(
    settings: Settings, *, endpoint_url: str | None = None, access_keys: tuple[str, str] | None = None
) -> None:
    """Point every model at the tables and region of this deployment (called once per process).

    ``endpoint_url`` and ``access_keys`` are for tools that talk to an emulator (the local stack)
    without changing the process environment; functions rely on boto's usual configuration."""
    for attr, model in _MODELS.items():
        model.Meta.table_name = getattr(settings, attr)
        model.Meta.region = settings.aws_region
        model.Meta.host = endpoint_url
        model.Meta.aws_access_key_id, model.Meta.aws_secret_access_key = access_keys or (None, None)
        model._connection = None  # a rebind (tests) must not reuse a connection to the old table
