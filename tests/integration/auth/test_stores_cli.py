"""``cnova-stores`` against the tables and secrets of template.yaml (table names from the environment)."""

from __future__ import annotations

import io
import json

import pytest

from cnova_connector.auth.authorizer import store_for_authorization
from cnova_connector.cli.stores import run
from tests.integration.conftest import AwsStack


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, object]:
    code = run(["--json", *args])
    out = capsys.readouterr().out
    return code, json.loads(out) if out.strip() else None


def test_create_list_disable_rotate(
    aws_stack: AwsStack, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # When a store is created from the console, with the Cnova token on standard input
    monkeypatch.setattr("sys.stdin", io.StringIO("cnova-token\n"))
    code, created = cli(
        capsys,
        "create",
        "--name",
        "Loja Nova",
        "--id",
        "loja-nova",
        "--cnova-client-id",
        "app",
        "--cnova-access-token",
        "-",
    )

    # Then it prints the token once, and the token authorises that store
    assert code == 0 and isinstance(created, dict)
    assert created["id"] == "loja-nova" and created["status"] == "active"
    assert store_for_authorization(f"Bearer {created['token']}") == "loja-nova"

    # When listed, disabled and its token rotated
    _, listed = cli(capsys, "list")
    _, disabled = cli(capsys, "disable", "loja-nova")
    assert store_for_authorization(f"Bearer {created['token']}") is None
    cli(capsys, "enable", "loja-nova")
    _, rotated = cli(capsys, "rotate-token", "loja-nova")

    # Then each step shows in the result
    assert isinstance(listed, list) and [s["id"] for s in listed] == ["loja-nova"]
    assert isinstance(disabled, dict) and disabled["status"] == "disabled"
    assert isinstance(rotated, dict)
    assert store_for_authorization(f"Bearer {rotated['token']}") == "loja-nova"
    assert store_for_authorization(f"Bearer {created['token']}") is None


def test_unknown_store_and_bad_id_are_clear_errors(
    aws_stack: AwsStack, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["disable", "nope-store"]) == 2
    assert "no store 'nope-store'" in capsys.readouterr().err
    assert (
        run(
            ["create", "--name", "X", "--id", "Bad Id", "--cnova-client-id", "a", "--cnova-access-token", "t"]
        )
        == 2
    )
    assert "must be 3-40 lowercase" in capsys.readouterr().err


def test_local_mode_without_a_running_stack_says_so(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    assert run(["--local", str(tmp_path / "stack.json"), "list"]) == 2
    assert "start the local stack with `make run`" in capsys.readouterr().err


def test_an_existing_store_id_is_a_clear_conflict(
    aws_stack: AwsStack, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["create", "--name", "X", "--id", "loja-x", "--cnova-client-id", "a", "--cnova-access-token", "t"]
    assert run(args) == 0
    capsys.readouterr()
    assert run(args) == 2
    assert "a store 'loja-x' already exists" in capsys.readouterr().err


def test_a_store_whose_credentials_could_not_be_kept_is_not_left_behind(aws_stack: AwsStack) -> None:
    from cnova_connector.stores.admin import StoreAdmin
    from cnova_connector.stores.credentials import new_credentials

    class BrokenSecrets:
        class exceptions:
            ResourceExistsException = KeyError

        def create_secret(self, **_: object) -> None:
            raise RuntimeError("secrets manager unavailable")

    admin = StoreAdmin(BrokenSecrets(), aws_stack.settings.secrets_prefix)
    with pytest.raises(RuntimeError):
        admin.create_store("Loja", new_credentials("a", "t"), store_id="loja-y")
    assert [s.id for s in aws_stack.admin.list_stores()] == []
