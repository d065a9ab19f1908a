"""The chapter display helpers."""

from __future__ import annotations

import math

import pytest
import sympy as sp

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


@pytest.mark.battery  # SymPy simplifies GELU's tanh-form f′: seconds, like the other formulas
def test_published_decimal_constants_stay_decimals() -> None:
    """GELU's tanh form shows 0.044715 as its paper prints it, in f and in f′."""
    spec = actlib.get("gelu_tanh")
    tex = spec.shape.formula_latex(spec, True, {})
    f_tex, d_tex = tex.split(r"\qquad")
    assert "0.044715" in f_tex and "0.044715" in d_tex
    assert "8943" not in tex and "200000" not in tex and "decimal_" not in tex
    # Small fractions stay fractions.
    assert r"\frac{1}{2}" in actlib.get("hard_sigmoid").to_latex(sp.Rational(1, 2))


def test_piecewise_constant_derivative_lists_its_values() -> None:
    """ReLU's f′ is 0 or 1, never in between: the table says so rather than [0, 1]."""
    rows = dict(properties_table("relu").rows)
    assert rows["range of f′"] == "only the values 0 and 1"
    assert dict(properties_table("identity").rows)["range of f′"] == "only the value 1"
    assert actlib.get("relu").properties().derivative_values == (0.0, 1.0)
    sigmoid = dict(properties_table("sigmoid").rows)["range of f′"]
    assert sigmoid.startswith("(0, 0.25]")
    assert actlib.get("sigmoid").properties().derivative_values is None
