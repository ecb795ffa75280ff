"""ProductHQ: the open-source operating system for a product organisation."""

__version__ = "0.1.0"
