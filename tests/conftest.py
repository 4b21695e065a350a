"""Shared test configuration (fixtures shared by several test folders are registered here)."""

pytest_plugins = ["cnova_sandbox.testing"]
