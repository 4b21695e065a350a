"""Fixtures for tests that run the connector's code against in-process moto (tables from template.yaml)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import boto3
import pytest
from local_stack.resources import DeployedStack, deploy
from moto import mock_aws

from cnova_connector.config import Settings, get_settings
from cnova_connector.storage import bind_tables
from cnova_connector.stores.admin import StoreAdmin
from cnova_connector.stores.credentials import CnovaCredentials
from tests.support.aws import FAKE_AWS_ENV, TEMPLATE


@dataclass
class AwsStack:
    deployed: DeployedStack
    settings: Settings
    admin: StoreAdmin

    def new_store(
        self, name: str = "Loja", client_id: str = "cid", access_token: str = "tok"
    ) -> tuple[str, str]:
        store, issued = self.admin.create_store(
            name, CnovaCredentials(client_id=client_id, access_token=access_token)
        )
        return store.id, issued.token


@pytest.fixture
def aws_stack(monkeypatch: pytest.MonkeyPatch) -> Iterator[AwsStack]:
    """Given every resource of template.yaml in moto, and the process configured like ApiFunction."""
    for key, value in FAKE_AWS_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        deployed = deploy(TEMPLATE, stack_name="test")
        for key, value in deployed.functions["ApiFunction"].environment.items():
            monkeypatch.setenv(key, value)
        get_settings.cache_clear()
        settings = get_settings()
        bind_tables(settings)
        yield AwsStack(
            deployed, settings, StoreAdmin(boto3.client("secretsmanager"), settings.secrets_prefix)
        )
    get_settings.cache_clear()
