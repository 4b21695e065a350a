"""``cnova-stores``: create, list, disable/enable stores, rotate their API tokens, set Cnova credentials.

Works against the local stack (``--local``, reads ``.local/stack.json``) or a real AWS account
(``--stack-name``, reads the CloudFormation stack's outputs with boto3's usual configuration), or with
the table names given in the environment (``STORES_TABLE``, ``API_TOKENS_TABLE``, ``SECRETS_PREFIX``).
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.exceptions import PynamoDBException

from cnova_connector.config import ConfigError, Settings
from cnova_connector.errors import DomainError
from cnova_connector.stores.admin import StoreAdmin
from cnova_connector.stores.credentials import CnovaCredentials, new_credentials

DEFAULT_STACK_FILE = Path(".local/stack.json")
_OUTPUTS = {
    "STORES_TABLE": "StoresTableName",
    "API_TOKENS_TABLE": "ApiTokensTableName",
    "PRODUCTS_TABLE": "ProductsTableName",
    "SKUS_TABLE": "SkusTableName",
    "SECRETS_PREFIX": "SecretsPrefix",
}


class UsageError(Exception):
    pass


def _settings_from_outputs(outputs: dict[str, str]) -> dict[str, str]:
    missing = [o for o in _OUTPUTS.values() if o not in outputs]
    if missing:
        raise UsageError(f"the stack has no output(s) {', '.join(missing)}: is it this project's stack?")
    return {env: outputs[out] for env, out in _OUTPUTS.items()}


@dataclass(frozen=True)
class Target:
    env: dict[str, str]
    endpoint_url: str | None = None
    access_keys: tuple[str, str] | None = None


def resolve_target(args: argparse.Namespace) -> Target:
    """Table names, secrets prefix and (for the local stack) endpoint of the chosen target."""
    env = dict(os.environ)
    env.setdefault("STAGE", "cli")
    env.setdefault("CNOVA_API_URL", "https://api.cnova.com/api/v2")
    if args.local is not None:
        path = Path(args.local)
        try:
            stack = json.loads(path.read_text())
        except FileNotFoundError as exc:
            raise UsageError(f"{path} not found: start the local stack with `make run` first") from exc
        except json.JSONDecodeError as exc:
            raise UsageError(f"{path} is not valid JSON: {exc}") from exc
        env.update(_settings_from_outputs(stack.get("outputs", {})))
        env["AWS_REGION"] = stack.get("region", "us-east-1")
        return Target(env, endpoint_url=stack["awsEndpointUrl"], access_keys=("testing", "testing"))
    if args.stack_name:
        cfn = boto3.client("cloudformation")
        stacks = cfn.describe_stacks(StackName=args.stack_name)["Stacks"]
        outputs = {o["OutputKey"]: o["OutputValue"] for o in stacks[0].get("Outputs", [])}
        env.update(_settings_from_outputs(outputs))
    return Target(env)


def _admin(target: Target) -> StoreAdmin:
    settings = Settings.from_env(target.env)
    return StoreAdmin.connect(settings, endpoint_url=target.endpoint_url, access_keys=target.access_keys)


def _credentials(args: argparse.Namespace) -> CnovaCredentials:
    token = args.cnova_access_token
    if token == "-":
        token = sys.stdin.readline().strip()
    elif token is None:
        token = os.environ.get("CNOVA_ACCESS_TOKEN") or getpass.getpass("Cnova access_token: ")
    return new_credentials(args.cnova_client_id, token)


def _print(data: Any, as_json: bool) -> None:
    if as_json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return
    rows = data if isinstance(data, list) else [data]
    for row in rows:
        print("  ".join(f"{k}={v}" for k, v in row.items()))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cnova-stores", description=__doc__.split("\n\n")[0])
    target = parser.add_mutually_exclusive_group()
    target.add_argument(
        "--local",
        nargs="?",
        const=str(DEFAULT_STACK_FILE),
        metavar="STACK_JSON",
        help="use the local stack described by this file (default .local/stack.json)",
    )
    target.add_argument("--stack-name", help="use the deployed CloudFormation stack of this name")
    parser.add_argument("--json", action="store_true", help="print JSON")
    sub = parser.add_subparsers(dest="command", required=True)

    create = sub.add_parser("create", help="create a store; prints its API token once")
    create.add_argument("--name", required=True)
    create.add_argument("--id", help="store id (default: generated)")
    create.add_argument("--cnova-client-id", required=True)
    create.add_argument(
        "--cnova-access-token",
        help="'-' reads it from standard input; default: $CNOVA_ACCESS_TOKEN or a prompt "
        "(keeps it out of the shell history)",
    )
    sub.add_parser("list", help="list stores")
    for name, text in (
        ("disable", "refuse the store's tokens"),
        ("enable", "accept the store's tokens again"),
    ):
        p = sub.add_parser(name, help=text)
        p.add_argument("store_id")
    rotate = sub.add_parser("rotate-token", help="issue a new API token and revoke the old ones")
    rotate.add_argument("store_id")
    creds = sub.add_parser("set-credentials", help="replace the store's Cnova credentials")
    creds.add_argument("store_id")
    creds.add_argument("--cnova-client-id", required=True)
    creds.add_argument("--cnova-access-token")
    return parser


def run(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        admin = _admin(resolve_target(args))
        if args.command == "create":
            store, issued = admin.create_store(args.name, _credentials(args), store_id=args.id)
            _print({**store.as_dict(), "token": issued.token}, args.json)
            if not args.json:
                print("keep this token: it is shown only once", file=sys.stderr)
        elif args.command == "list":
            _print([s.as_dict() for s in admin.list_stores()], args.json)
        elif args.command in ("disable", "enable"):
            status = "disabled" if args.command == "disable" else "active"
            _print(admin.set_status(args.store_id, status).as_dict(), args.json)
        elif args.command == "rotate-token":
            issued = admin.rotate_token(args.store_id)
            _print({"id": issued.store_id, "token": issued.token}, args.json)
        elif args.command == "set-credentials":
            admin.set_credentials(args.store_id, _credentials(args))
            _print({"id": args.store_id, "credentials": "updated"}, args.json)
    except (UsageError, DomainError, ConfigError) as exc:
        print(f"cnova-stores: {exc}", file=sys.stderr)
        return 2
    except (BotoCoreError, ClientError, PynamoDBException) as exc:
        print(f"cnova-stores: AWS refused or could not be reached: {exc}", file=sys.stderr)
        return 1
    return 0


def main() -> None:
    sys.exit(run())


if __name__ == "__main__":
    main()
