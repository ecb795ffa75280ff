"""The feature catalogue: the things that get prioritised (features and ideas)."""
