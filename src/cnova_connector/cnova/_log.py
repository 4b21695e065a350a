"""Logger of the Cnova client.

The project's ``cnova_connector.observability`` module (written elsewhere) will own the one Powertools
logger; until then this package uses a child logger of the same service so that its records reach
whatever handler the parent ``Logger(service="cnova-connector")`` installs.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger

logger = Logger(service="cnova-connector", child=True)
