"""Each store's Cnova credentials, kept in Secrets Manager under ``<prefix>/stores/<storeId>/cnova``.

Reads go through Powertools parameters (cached for ``max_age`` seconds per process); writes (the
console command) go through boto3. The value is the Cnova client's own :class:`CnovaCredentials`.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities import parameters

from cnova_connector.cnova.http import CnovaCredentials
from cnova_connector.errors import InvalidInput, NotFound

__all__ = ["CnovaCredentials", "get_cnova_credentials", "put_cnova_credentials", "secret_name"]


def secret_name(prefix: str, store_id: str) -> str:
    return f"{prefix}/stores/{store_id}/cnova"


def _checked(raw: Any, where: str) -> CnovaCredentials:
    if not isinstance(raw, dict):
        raise InvalidInput(
            f"{where}: Cnova credentials must be a JSON object with client_id and access_token"
        )
    missing = [
        k for k in ("client_id", "access_token") if not isinstance(raw.get(k), str) or not raw[k].strip()
    ]
    if missing:
        raise InvalidInput(f"{where}: Cnova credentials lack {', '.join(missing)}")
    return CnovaCredentials(client_id=raw["client_id"].strip(), access_token=raw["access_token"].strip())


def new_credentials(client_id: str, access_token: str) -> CnovaCredentials:
    """Credentials typed by an operator, checked before anything is stored."""
    return _checked({"client_id": client_id, "access_token": access_token}, "the given credentials")


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
        return _checked(raw, f"secret {name}")
    except InvalidInput as exc:
        raise NotFound(f"the Cnova credentials of store {store_id} are unusable: {exc}") from exc


def put_cnova_credentials(sm_client: Any, prefix: str, store_id: str, credentials: CnovaCredentials) -> None:
    """Create or replace the secret (used by the console command, not by the functions)."""
    name = secret_name(prefix, store_id)
    value = json.dumps({"client_id": credentials.client_id, "access_token": credentials.access_token})
    try:
        sm_client.create_secret(Name=name, SecretString=value, Description=f"Cnova credentials of {store_id}")
    except sm_client.exceptions.ResourceExistsException:
        sm_client.put_secret_value(SecretId=name, SecretString=value)
