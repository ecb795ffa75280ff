"""Prioritisation: scoring frameworks, uncertainty, Kano analysis and team estimation.

The pure modules here (``scoring``, ``formula``, ``uncertainty``, ``kano``, ``poker``) do no I/O
and import nothing from the web, the database or the CLI.
"""
