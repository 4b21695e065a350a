"""Products and SKUs in DynamoDB: all reads by key or index (no scans), writes in one transaction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from pynamodb.connection import Connection
from pynamodb.exceptions import DoesNotExist, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from cnova_connector.catalogue.rules import SkuValues
from cnova_connector.errors import Conflict, NotFound
from cnova_connector.storage.models import ProductModel, SkuModel, SkusByCnovaStatus

# DynamoDB transactions take at most 100 actions.
MAX_TRANSACTION_ITEMS = 100


def now() -> datetime:
    return datetime.now(UTC)


def status_key(store_id: str, status: str) -> str:
    return f"{store_id}#{status}"


def product_sku_key(product_id: str, sku_id: str) -> str:
    return f"{product_id}#{sku_id}"


def after_product_key(product_id: str) -> str:
    """A sort key above every ``<productId>#<skuId>`` of this product and below any other product's.

    Ids use ``[A-Za-z0-9._-]``, all above ``$``, which is just above ``#``."""
    return f"{product_id}$"


def sku_values(sku: SkuModel) -> SkuValues:
    return SkuValues(sku.price, sku.offer_price, int(sku.stock), int(sku.cross_docking_days))


@dataclass
class StoredProduct:
    product: ProductModel
    skus: list[SkuModel]


class CatalogueRepository:
    def __init__(self, store_id: str) -> None:
        self.store_id = store_id

    # -------------------------------------------------------------- reads

    def find_product(self, product_id: str) -> StoredProduct | None:
        try:
            product = ProductModel.get(self.store_id, product_id, consistent_read=True)
        except DoesNotExist:
            return None
        return StoredProduct(product, self.skus_by_ids(product.sku_ids))

    def skus_by_ids(self, sku_ids: Iterable[str]) -> list[SkuModel]:
        ids = list(sku_ids)
        if not ids:
            return []
        found = {
            s.sku_id: s for s in SkuModel.batch_get([(self.store_id, i) for i in ids], consistent_read=True)
        }
        return [found[i] for i in ids if i in found]

    def get_sku(self, sku_id: str) -> SkuModel:
        try:
            return SkuModel.get(self.store_id, sku_id, consistent_read=True)
        except DoesNotExist as exc:
            raise NotFound(f"no SKU {sku_id!r} in this store") from exc

    def product_page(self, limit: int, after: str | None) -> tuple[list[ProductModel], bool]:
        """Products in id order after ``after``; the flag says whether more follow."""
        condition = ProductModel.product_id > after if after else None
        items = list(
            ProductModel.query(
                self.store_id, range_key_condition=condition, limit=limit + 1, page_size=limit + 1
            )
        )
        return items[:limit], len(items) > limit

    def product_ids_with_status(self, status: str, limit: int, after: str | None) -> tuple[list[str], bool]:
        """Ids of products having at least one SKU in this Cnova status, in id order after ``after``."""
        ids: list[str] = []
        start = after_product_key(after) if after else None
        while True:
            condition = SkusByCnovaStatus.product_sku > start if start else None
            batch = list(
                SkuModel.by_cnova_status.query(
                    status_key(self.store_id, status), range_key_condition=condition, limit=200, page_size=200
                )
            )
            for key in batch:
                product_id = key.product_sku.split("#", 1)[0]
                if not ids or ids[-1] != product_id:
                    if len(ids) == limit:
                        return ids, True
                    ids.append(product_id)
            if len(batch) < 200:
                return ids, False
            start = after_product_key(ids[-1])

    def products_by_ids(self, product_ids: list[str]) -> list[ProductModel]:
        if not product_ids:
            return []
        found = {p.product_id: p for p in ProductModel.batch_get([(self.store_id, i) for i in product_ids])}
        return [found[i] for i in product_ids if i in found]

    # -------------------------------------------------------------- writes

    def save_product(
        self,
        product: ProductModel,
        previous: StoredProduct | None,
        upserts: list[tuple[SkuModel, SkuModel | None]],
        removals: list[SkuModel],
    ) -> None:
        """Write the product, its new/changed SKUs and the removals atomically.

        Every write is conditioned on what was read, so a concurrent change makes the whole request
        fail with a conflict instead of losing either side's data."""
        with TransactWrite(connection=Connection(region=ProductModel.Meta.region)) as tx:
            if previous is None:
                tx.save(product, condition=ProductModel.product_id.does_not_exist())
            else:
                tx.save(product, condition=ProductModel.revision == previous.product.revision)
            for sku, before in upserts:
                if before is None:
                    tx.save(sku, condition=SkuModel.sku_id.does_not_exist())
                else:
                    tx.save(
                        sku,
                        condition=(SkuModel.version == before.version)
                        & (SkuModel.product_id == product.product_id),
                    )
            for sku in removals:
                tx.delete(
                    sku,
                    condition=(SkuModel.product_id == product.product_id) & (SkuModel.version == sku.version),
                )

    def update_sku(self, sku: SkuModel, values: SkuValues, version: int) -> None:
        try:
            sku.update(
                actions=[
                    SkuModel.price.set(values.price),
                    SkuModel.offer_price.set(values.offer_price)
                    if values.offer_price is not None
                    else SkuModel.offer_price.remove(),
                    SkuModel.stock.set(values.stock),
                    SkuModel.cross_docking_days.set(values.cross_docking_days),
                    SkuModel.version.set(version),
                    SkuModel.updated_at.set(now()),
                ],
                condition=SkuModel.version == sku.version,
            )
        except UpdateError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                raise ConcurrentChange(sku.sku_id) from exc
            raise


class ConcurrentChange(Conflict):
    def __init__(self, sku_id: str) -> None:
        super().__init__(f"SKU {sku_id!r} changed while this request was applied; nothing was written")


def is_conflict(exc: TransactWriteError) -> bool:
    reasons = exc.cancellation_reasons or []
    return any(r is not None and r.code == "ConditionalCheckFailed" for r in reasons)
