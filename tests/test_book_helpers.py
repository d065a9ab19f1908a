"""The chapter display helpers."""

from __future__ import annotations

import math

import pytest

import actlib
from actlib.display.book import (
    HTMLTable,
    fmt_interval,
    fmt_number,
    formula,
    properties_table,
    source,
)
from actlib.display.table import Table


def test_fmt_number_and_interval():
    assert fmt_number(math.inf) == "∞" and fmt_number(-math.inf) == "−∞"
    assert fmt_number(-1.0) == "−1" and fmt_number(0.25) == "0.25"
    assert fmt_number(None) == "—"
    assert fmt_interval((0.0, math.inf), (True, False)) == "[0, ∞)"
    assert fmt_interval((-math.inf, 1.0), (True, True)) == "(−∞, 1]"


@pytest.mark.battery
def test_properties_table_for_every_activation(spec):
    table = properties_table(spec)
    html = table._repr_html_()
    assert spec.title in html and "<table" in html
    assert len(table.rows) >= 8
    assert str(table).startswith("Properties of")


def test_properties_table_brackets_follow_attainment():
    assert properties_table("relu").rows[0][1].startswith("[0, ∞)")
    assert properties_table("sigmoid").rows[1][1].startswith("(0, 0.25]")


def test_chapter_tables_are_the_one_table_class():
    assert HTMLTable is Table
    with pytest.raises(ValueError, match="row 0 has 1 cell"):
        HTMLTable(["a", "b"], [["1"]])


def test_formula_and_source():
    assert "f'(x)" in formula("sigmoid").data
    assert "J =" in formula("softmax").data
    assert "2 e^{x}" in formula("elu", alpha=2.0).data
    assert "def forward" in source(actlib.get("elu").numpy_forward).data
    with pytest.raises(TypeError, match="function"):
        source("not a function")
