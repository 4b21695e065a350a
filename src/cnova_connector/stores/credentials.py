"""Each store's Cnova credentials, kept in Secrets Manager under ``<prefix>/stores/<storeId>/cnova``.

Reads go through Powertools parameters (cached for ``max_age`` seconds per process); writes (the
console command) go through boto3.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities import parameters
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cnova_connector.errors import NotFound


class CnovaCredentials(BaseModel):
    """The two static headers Cnova v2 wants on every request."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    client_id: str = Field(min_length=1)
    access_token: str = Field(min_length=1, repr=False)


def secret_name(prefix: str, store_id: str) -> str:
    return f"{prefix}/stores/{store_id}/cnova"


def get_cnova_credentials(
    prefix: str, store_id: str, *, max_age: int = 300, force_fetch: bool = False
) -> CnovaCredentials:
    """The store's Cnova credentials, from the Powertools cache (``max_age`` seconds) or Secrets Manager.

    ``force_fetch`` skips the cache: use it after Cnova refused the cached credentials (401)."""
    name = secret_name(prefix, store_id)
    try:
        raw = parameters.get_secret(name, transform="json", max_age=max_age, force_fetch=force_fetch)
    except parameters.exceptions.GetParameterError as exc:
        raise NotFound(f"no Cnova credentials for store {store_id}") from exc
    try:
        return CnovaCredentials.model_validate(raw)
    except ValidationError as exc:
        raise NotFound(f"the Cnova credentials of store {store_id} are malformed (secret {name})") from exc


def put_cnova_credentials(sm_client: Any, prefix: str, store_id: str, credentials: CnovaCredentials) -> None:
    """Create or replace the secret (used by the console command, not by the functions)."""
    name = secret_name(prefix, store_id)
    value = json.dumps(credentials.model_dump())
    try:
        sm_client.create_secret(Name=name, SecretString=value, Description=f"Cnova credentials of {store_id}")
    except sm_client.exceptions.ResourceExistsException:
        sm_client.put_secret_value(SecretId=name, SecretString=value)
