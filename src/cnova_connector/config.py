"""Configuration read once from the environment at cold start (house style §5).

Logic never reads ``os.environ``: handlers call :func:`get_settings` and pass what is needed on.
A missing or malformed variable fails fast with a message naming it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class ConfigError(RuntimeError):
    """The environment does not describe a usable configuration."""


class Settings(BaseModel):
    """What every function of the connector needs to know about its deployment."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    stage: str = Field(alias="STAGE", min_length=1)
    stores_table: str = Field(alias="STORES_TABLE", min_length=1)
    api_tokens_table: str = Field(alias="API_TOKENS_TABLE", min_length=1)
    products_table: str = Field(alias="PRODUCTS_TABLE", min_length=1)
    skus_table: str = Field(alias="SKUS_TABLE", min_length=1)
    secrets_prefix: str = Field(alias="SECRETS_PREFIX", min_length=1)
    cnova_api_url: str = Field(alias="CNOVA_API_URL", pattern=r"^https?://")
    secrets_max_age_seconds: int = Field(alias="SECRETS_MAX_AGE_SECONDS", default=300, ge=0)
    aws_region: str = Field(alias="AWS_REGION", default="", validate_default=False)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        # Lambda sets AWS_REGION; boto3's own configuration (local work, the CLI) uses AWS_DEFAULT_REGION.
        env.setdefault("AWS_REGION", env.get("AWS_DEFAULT_REGION", "us-east-1"))
        try:
            return cls.model_validate(env)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
            )
            raise ConfigError(f"invalid configuration in environment variables: {problems}") from exc


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read once."""
    return Settings.from_env()
