"""Store authorisation for the storefront API."""
