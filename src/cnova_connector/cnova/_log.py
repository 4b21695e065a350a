"""Logger of the Cnova client: the project's one Powertools logger (house style §3)."""

from __future__ import annotations

from cnova_connector.observability import logger

__all__ = ["logger"]
