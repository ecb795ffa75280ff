"""Roadmap: the capacity-aware optimiser, its formats, checker and explanations."""
