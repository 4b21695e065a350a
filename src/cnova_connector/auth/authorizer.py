"""The rule behind the Lambda authorizer: a bearer token names exactly one active store."""

from __future__ import annotations

from pynamodb.exceptions import DoesNotExist

from cnova_connector.storage.models import ApiTokenModel, StoreModel
from cnova_connector.stores.tokens import bearer_token, hash_token


def store_for_authorization(authorization: str | None) -> str | None:
    """The id of the active store the header's token belongs to, or None (the caller gets a 401)."""
    token = bearer_token(authorization)
    if token is None:
        return None
    try:
        record = ApiTokenModel.get(hash_token(token), consistent_read=True)
        store = StoreModel.get(record.store_id, consistent_read=True)
    except DoesNotExist:
        return None
    if store.status != "active":
        return None
    return store.store_id
