"""Tests of actlib.display.comparison: the comparison table is generated from the registry."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp

import actlib
from actlib import registry
from actlib.display.comparison import (
    GATE_USE,
    ActivationRow,
    comparison_rows,
    format_interval,
    to_markdown,
    typical_use,
)
from actlib.spec import Activation, Reference, TorchReference


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


@pytest.mark.battery  # every activation's properties, computed from SymPy
def test_one_row_per_registered_activation_in_book_order():
    rows = comparison_rows()
    assert [r.name for r in rows] == actlib.names()
    for row in rows:
        spec = actlib.get(row.name)
        props = spec.properties()
        assert row.formula == spec.latex()
        assert row.monotonic is props.monotonic
        assert row.smooth is props.continuously_differentiable
        assert row.zero_centred is props.zero_centred
        inside = ("hidden layers", GATE_USE, "feed-forward blocks")
        assert any(use in row.typical_use for use in inside) == ("hidden" in spec.roles)
        assert ("output" in row.typical_use) == ("output" in spec.roles)
        assert (row.saturates == "none") == (props.saturates == ())
        assert math.isnan(row.cost)


def test_markdown_table_shape_and_cells():
    shown = ["relu", "sigmoid", "softmax", "glu"]  # one of each shape (the battery: all of them)
    cost = {n: 2.0 for n in shown}
    rows = comparison_rows(shown, cost=cost, extra={"Note": {"relu": "x"}})
    lines = to_markdown(rows).splitlines()
    assert len(lines) == len(shown) + 2
    header = _cells(lines[0])
    assert header[-1] == "Note"
    for line, row in zip(lines[2:], rows, strict=True):
        cells = _cells(line)
        assert len(cells) == len(header)
        assert cells[0] == row.title
        assert cells[1].startswith("$") and cells[1].endswith("$")
        assert cells[header.index("Cost (× baseline)")] == "2.0"
        assert cells[-1] == ("x" if row.name == "relu" else "—")
    custom = to_markdown(rows, cost_header="Cost, forward + backward (× ReLU)")
    assert "Cost, forward + backward (× ReLU)" in custom.splitlines()[0]


def test_a_pipe_in_a_formula_cannot_split_a_cell():
    row = ActivationRow(
        "abs", "Absolute value", "|x|", "[0, 1]", "[-1, 1]", False, False, False, 0.798,
        "none", 1.0, "hidden layers",
    )  # fmt: skip
    line = to_markdown([row]).splitlines()[2]
    assert len(_cells(line)) == len(_cells(to_markdown([row]).splitlines()[0]))
    assert r"\vert" in line


def test_format_interval_uses_exact_values_and_attainment():
    sig = actlib.get("sigmoid").properties()
    text = format_interval(
        sig.derivative_range, sig.derivative_range_exact, sig.derivative_range_attained
    )
    # sigma' never reaches 0 but reaches 1/4 at the origin
    assert text == r"\left(0,\ \frac{1}{4}\right]"
    assert format_interval((-0.123456, math.inf), attained=(True, True)) == (
        r"\left[-0.123,\ +\infty\right)"
    )
    with pytest.raises(ValueError, match="infimum"):
        format_interval((0.0,))


def test_typical_use_of_output_activations_follows_their_range():
    for spec in actlib.specs(role="output"):
        use = typical_use(spec)
        lo, hi = spec.properties().range
        if lo >= 0 and hi <= 1:
            assert spec.shape.output_task in use
        if math.isinf(lo) and math.isinf(hi):
            assert "regression" in use


def _softplus() -> Activation:
    return Activation(
        name="softplus_test",
        title="Softplus (test)",
        order=10_000,
        summary="A smooth ReLU.",
        sympy_expr=lambda x: sp.log(1 + sp.exp(x)),
        numpy_forward=lambda x: np.logaddexp(x, 0.0),
        numpy_derivative=lambda x: 1.0 / (1.0 + np.exp(-x)),
        torch_reference=TorchReference("torch.nn.functional.softplus"),
        reference=Reference("none", "nobody", "none", 2000, "https://example.org"),
    )


def test_registering_an_activation_adds_its_row(monkeypatch):
    # A registry of three is enough (and computes three activations' properties, not all).
    table = {n: s for n, s in registry._registry().items() if n in ("relu", "sigmoid", "softmax")}
    monkeypatch.setattr(registry, "_registry", lambda: table)
    assert [r.name for r in comparison_rows(cost={})] == ["sigmoid", "relu", "softmax"]
    spec = _softplus()
    monkeypatch.setitem(table, spec.name, spec)
    rows = comparison_rows()
    assert [r.name for r in rows] == ["sigmoid", "relu", "softmax", spec.name]
    new = rows[-1]
    assert new.name == spec.name
    assert new.range == r"\left(0,\ +\infty\right)"
    assert new.saturates == "x → −∞"
    assert new.typical_use == "hidden layers"


@pytest.mark.battery  # every hidden activation's range, computed from SymPy
def test_a_hidden_function_onto_a_fraction_is_a_gate_not_a_hidden_layer():
    """Sigmoid-like functions (range within [0, 1]) are listed as gates, as their chapters say."""
    gates = []
    for spec in actlib.specs(role="hidden", entrywise=True):
        lo, hi = spec.properties().range
        use = typical_use(spec)
        if lo >= 0 and hi <= 1:
            gates.append(spec.name)
            assert GATE_USE in use and "hidden layers" not in use
        else:
            assert use.startswith("hidden layers")
    assert "sigmoid" in gates and "relu" not in gates and "tanh" not in gates
    sigmoid_use = typical_use("sigmoid")
    assert "output, binary" in sigmoid_use and "hidden layers" not in sigmoid_use
    for spec in actlib.specs(role="hidden", entrywise=False):
        assert typical_use(spec).startswith("feed-forward blocks")


def test_to_markdown_needs_rows():
    with pytest.raises(ValueError, match="no rows"):
        to_markdown([])
