"""Shared test configuration.

Fixtures that start the Cnova sandbox live in the sandbox package (``cnova_sandbox.testing``) so the
local stack and the tests use the same code to start it.
"""

pytest_plugins = ["cnova_sandbox.testing"]
