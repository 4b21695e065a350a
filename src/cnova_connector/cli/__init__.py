"""Console commands (installed in the project's virtual environment)."""
