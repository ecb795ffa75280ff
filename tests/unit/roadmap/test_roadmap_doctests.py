"""The examples in the roadmap modules' docstrings run."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["scenario", "optimizer", "greedy", "checker", "explain", "synthetic"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str) -> None:
    module = importlib.import_module(f"producthq.roadmap.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
