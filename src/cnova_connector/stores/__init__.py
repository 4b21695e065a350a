"""Stores (lojistas): records, API tokens and Cnova credentials."""
