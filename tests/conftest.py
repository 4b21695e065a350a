"""Shared test configuration (fixtures shared by several test folders are registered here)."""
