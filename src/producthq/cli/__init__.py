"""The ``producthq`` command."""
