from __future__ import annotations

import pytest

from cnova_connector.config import ConfigError, Settings
from cnova_connector.stores.tokens import bearer_token, hash_token, new_token, token_hint


def test_tokens_are_random_prefixed_and_hashed() -> None:
    a, b = new_token(), new_token()
    assert a != b and a.startswith("cnv_") and len(a) > 40
    assert hash_token(a) == hash_token(a) != hash_token(b)
    assert len(hash_token(a)) == 64 and a not in hash_token(a)
    assert token_hint(a) == a[:8] + "…"


@pytest.mark.parametrize(
    ("header", "token"),
    [
        ("Bearer abc", "abc"),
        ("bearer abc", "abc"),
        ("  Bearer   abc  ", "abc"),
        ("Bearer", None),
        ("Basic abc", None),
        ("Bearer a b", None),
        ("", None),
        (None, None),
    ],
)
def test_bearer_header_parsing(header: str | None, token: str | None) -> None:
    assert bearer_token(header) == token


def test_settings_fail_fast_naming_the_missing_variable() -> None:
    with pytest.raises(ConfigError, match="SKUS_TABLE"):
        Settings.from_env(
            {
                "STAGE": "x",
                "STORES_TABLE": "a",
                "API_TOKENS_TABLE": "b",
                "PRODUCTS_TABLE": "c",
                "SECRETS_PREFIX": "p",
                "CNOVA_API_URL": "https://x",
            }
        )


def test_operator_typed_credentials_are_checked_before_storing() -> None:
    from cnova_connector.errors import InvalidInput
    from cnova_connector.stores.credentials import new_credentials

    creds = new_credentials(" app ", " tok ")
    assert (creds.client_id, creds.access_token) == ("app", "tok")
    assert "tok" not in repr(creds)
    with pytest.raises(InvalidInput, match="lack access_token"):
        new_credentials("app", "  ")
