"""``cnova-stores`` against the tables and secrets of template.yaml (table names from the environment)."""

from __future__ import annotations

import json

import pytest

from cnova_connector.auth.authorizer import store_for_authorization
from cnova_connector.cli.stores import run
from tests.integration.conftest import AwsStack


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, object]:
    code = run(["--json", *args])
    out = capsys.readouterr().out
    return code, json.loads(out) if out.strip() else None


def test_create_list_disable_rotate(aws_stack: AwsStack, capsys: pytest.CaptureFixture[str]) -> None:
    # When a store is created from the console, with the Cnova token on standard input
    import io
    import sys

    sys.stdin = io.StringIO("cnova-token\n")
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
    sys.stdin = sys.__stdin__

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
