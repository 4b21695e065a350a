"""Store administration: create, list, disable/enable, rotate tokens, set Cnova credentials.

Used by the ``cnova-stores`` console command and by the local stack's demo set-up.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist, PutError

from cnova_connector.config import Settings
from cnova_connector.errors import Conflict, InvalidInput, NotFound
from cnova_connector.storage.models import ApiTokenModel, StoreModel, bind_tables
from cnova_connector.stores import tokens
from cnova_connector.stores.credentials import CnovaCredentials, put_cnova_credentials

STORE_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{2,39}$")


@dataclass(frozen=True)
class StoreView:
    id: str
    name: str
    status: str
    created_at: datetime
    token_hints: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "status": self.status,
            "createdAt": self.created_at.isoformat(),
            "tokens": list(self.token_hints),
        }


@dataclass(frozen=True)
class IssuedToken:
    store_id: str
    token: str  # shown once, never stored


def _now() -> datetime:
    return datetime.now(UTC)


class StoreAdmin:
    """Administrative operations over the stores and API-tokens tables and the secrets."""

    def __init__(self, secrets_client: Any, secrets_prefix: str) -> None:
        self._sm = secrets_client
        self._prefix = secrets_prefix

    @classmethod
    def connect(
        cls,
        settings: Settings,
        *,
        endpoint_url: str | None = None,
        access_keys: tuple[str, str] | None = None,
    ) -> StoreAdmin:
        """An admin bound to this deployment's tables and secrets (an emulator when ``endpoint_url``)."""
        import boto3

        bind_tables(settings, endpoint_url=endpoint_url, access_keys=access_keys)
        keys = {}
        if access_keys is not None:
            keys = {"aws_access_key_id": access_keys[0], "aws_secret_access_key": access_keys[1]}
        client = boto3.client(
            "secretsmanager", region_name=settings.aws_region, endpoint_url=endpoint_url, **keys
        )
        return cls(client, settings.secrets_prefix)

    def create_store(
        self, name: str, credentials: CnovaCredentials, store_id: str | None = None
    ) -> tuple[StoreView, IssuedToken]:
        name = name.strip()
        if not name:
            raise InvalidInput("a store needs a name")
        store_id = store_id or f"store-{secrets.token_hex(4)}"
        if not STORE_ID_RE.match(store_id):
            raise InvalidInput(
                f"store id {store_id!r} must be 3-40 lowercase letters, digits or dashes, "
                "starting alphanumeric"
            )
        now = _now()
        store = StoreModel(store_id, name=name, status="active", created_at=now, updated_at=now)
        try:
            store.save(condition=StoreModel.store_id.does_not_exist())
        except PutError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                raise Conflict(f"a store {store_id!r} already exists") from exc
            raise
        try:
            put_cnova_credentials(self._sm, self._prefix, store_id, credentials)
            issued = self._issue_token(store_id)
        except Exception:
            # no half-made store: without credentials or a token it could never be used or fixed by name
            store.delete()
            raise
        return self._view(store), issued

    def list_stores(self) -> list[StoreView]:
        return [self._view(s) for s in StoreModel.by_kind.query("store")]

    def get_store(self, store_id: str) -> StoreView:
        return self._view(self._load(store_id))

    def set_status(self, store_id: str, status: str) -> StoreView:
        if status not in ("active", "disabled"):
            raise InvalidInput(f"unknown store status {status!r}")
        store = self._load(store_id)
        store.update(actions=[StoreModel.status.set(status), StoreModel.updated_at.set(_now())])
        return self._view(store)

    def rotate_token(self, store_id: str) -> IssuedToken:
        """Issue a new token and revoke every older one of the store."""
        self._load(store_id)
        old = list(ApiTokenModel.by_store.query(store_id))
        issued = self._issue_token(store_id)
        for token in old:
            token.delete()
        return issued

    def set_credentials(self, store_id: str, credentials: CnovaCredentials) -> None:
        self._load(store_id)
        put_cnova_credentials(self._sm, self._prefix, store_id, credentials)

    # -------------------------------------------------------------- helpers

    def _issue_token(self, store_id: str) -> IssuedToken:
        token = tokens.new_token()
        ApiTokenModel(
            tokens.hash_token(token),
            store_id=store_id,
            token_hint=tokens.token_hint(token),
            created_at=_now(),
        ).save()
        return IssuedToken(store_id=store_id, token=token)

    def _load(self, store_id: str) -> StoreModel:
        try:
            return StoreModel.get(store_id, consistent_read=True)
        except DoesNotExist as exc:
            raise NotFound(f"no store {store_id!r}") from exc

    def _view(self, store: StoreModel) -> StoreView:
        hints = tuple(t.token_hint for t in ApiTokenModel.by_store.query(store.store_id))
        return StoreView(store.store_id, store.name, store.status, store.created_at, hints)
