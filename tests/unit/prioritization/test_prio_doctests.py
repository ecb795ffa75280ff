"""The examples in the pure modules' docstrings run and pass."""

import doctest
from pathlib import Path
from types import ModuleType

import pytest

from producthq.catalog import csv_import, status
from producthq.prioritization import (
    charts,
    evidence,
    formula,
    kano,
    poker,
    scoring,
    uncertainty,
    weights,
)

PURE = [scoring, uncertainty, formula, kano, poker, evidence, weights, charts, csv_import, status]


@pytest.mark.parametrize("module", PURE, ids=lambda m: m.__name__)
def test_docstring_examples(module: ModuleType) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


@pytest.mark.parametrize("module", PURE, ids=lambda m: m.__name__)
def test_pure_modules_import_no_web_database_or_cli(module: ModuleType) -> None:
    source = Path(module.__file__ or "").read_text(encoding="utf-8")
    for forbidden in ("sqlalchemy", "fastapi", "starlette", "jinja2", "typer", "producthq.cli"):
        assert f"import {forbidden}" not in source
        assert f"from {forbidden}" not in source
