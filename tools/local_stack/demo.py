"""The local stack's two demo stores: created through the same admin code as ``cnova-stores``, each
registered as its own seller in the Cnova sandbox."""

from __future__ import annotations

from typing import Any

from cnova_connector.config import Settings
from cnova_connector.stores.admin import StoreAdmin
from cnova_connector.stores.credentials import CnovaCredentials
from local_stack.resources import DeployedStack

DEMO_STORES = (
    ("loja-azul", "Loja Azul", "demo-app", "SANDBOX-loja-azul"),
    ("loja-verde", "Loja Verde", "demo-app", "SANDBOX-loja-verde"),
)


def admin_for(stack: DeployedStack) -> StoreAdmin:
    """A store admin bound to the local stack's tables and secrets."""
    settings = Settings.from_env({**stack.functions["ApiFunction"].environment, "AWS_REGION": stack.region})
    return StoreAdmin.connect(settings, endpoint_url=stack.endpoint_url, access_keys=("testing", "testing"))


def create_demo_stores(stack: DeployedStack, sandbox: Any) -> list[dict[str, str]]:
    """Create the demo stores and their sandbox sellers; returns ``[{"id", "name", "token"}]``."""
    admin = admin_for(stack)
    created = []
    for store_id, name, client_id, access_token in DEMO_STORES:
        sandbox.register_seller(client_id, access_token, name)
        store, issued = admin.create_store(
            name, CnovaCredentials(client_id=client_id, access_token=access_token), store_id=store_id
        )
        created.append({"id": store.id, "name": store.name, "token": issued.token})
    return created
