"""The examples in the docstrings of the roadmap area's pure modules run."""

import doctest
import importlib

import pytest


@pytest.mark.parametrize("name", ["org", "diff", "exports", "xmltext"])
def test_docstring_examples_run(name: str) -> None:
    module = importlib.import_module(f"producthq.roadmap.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0
