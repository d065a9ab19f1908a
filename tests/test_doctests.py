"""Every docstring example in actlib runs and gives the output it shows."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import actlib

MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(actlib.__path__, prefix="actlib.")
    if not m.name.endswith("_torch")
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} doctest failure(s) in {name}"
