"""Tests of actlib.symbolic.pieces: piecewise-linear activations from their SymPy expressions."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import sympy as sp

import actlib
from actlib.shapes import X
from actlib.symbolic.pieces import AffinePiece, affine_pieces, is_affine, is_piecewise_linear


def _throwaway(name: str, expr) -> actlib.Activation:
    """A spec that is not registered: ReLU's spec with another SymPy expression."""
    return dataclasses.replace(actlib.get("relu"), name=name, sympy_expr=expr)


def test_registry_has_both_kinds():
    assert is_piecewise_linear("relu") and is_piecewise_linear("leaky_relu")
    assert not is_piecewise_linear("gelu") and not is_piecewise_linear("tanh")
    assert not is_piecewise_linear("softmax")


@pytest.mark.parametrize("spec", actlib.specs(), ids=lambda s: s.name)
def test_piecewise_linear_decision_agrees_with_numpy(spec, rng):
    """SymPy's verdict against second differences of the NumPy forward, away from kinks."""
    if not spec.shape.entrywise:
        assert not is_piecewise_linear(spec)
        return
    x = rng.uniform(-4, 4, 400)
    x = x[np.min(np.abs(x[:, None] - np.array([*spec.kinks, 99.0])), axis=1) > 1e-2]
    h = 1e-3
    second = (spec.forward(x + h) - 2 * spec.forward(x) + spec.forward(x - h)) / h**2
    if is_piecewise_linear(spec):
        np.testing.assert_allclose(second, 0.0, atol=1e-6)
        pieces = affine_pieces(spec)
        assert [p.hi for p in pieces[:-1]] == list(spec.kinks)
        for p in pieces:
            inside = x[(x > p.lo) & (x < p.hi)]
            np.testing.assert_allclose(
                spec.forward(inside), p.slope * inside + p.intercept, rtol=1e-14, atol=1e-15
            )
    else:
        assert np.max(np.abs(second)) > 1e-3
        with pytest.raises(ValueError, match="not piecewise linear"):
            affine_pieces(spec)


def test_only_identity_like_activations_are_affine():
    for spec in actlib.specs():
        pieces = affine_pieces(spec) if is_piecewise_linear(spec) else []
        assert is_affine(spec) == (len(pieces) == 1)
    assert is_affine("identity")
    assert not is_affine("relu")


def test_parameters_change_the_pieces():
    (left, right) = affine_pieces("leaky_relu", negative_slope=0.25)
    assert (left.slope, right.slope) == (0.25, 1.0)
    assert is_affine("leaky_relu", negative_slope=1.0)


def test_scaled_piecewise_expression_is_folded():
    """A constant times a Piecewise is a Mul, not a Piecewise: it must be folded first.

    Without sympy.piecewise_fold the product was taken for one smooth piece; affine_pieces then
    raised TypeError on float(Piecewise(...)).
    """
    scaled = _throwaway("scaled_relu", lambda x: 2 * sp.Piecewise((x, x > 0), (0, True)))
    assert isinstance(scaled.sympy_expr(X), sp.Mul)
    assert is_piecewise_linear(scaled)
    assert affine_pieces(scaled) == [
        AffinePiece(-np.inf, 0.0, 0.0, 0.0),
        AffinePiece(0.0, np.inf, 2.0, 0.0),
    ]
    assert not is_affine(scaled)
    shifted = _throwaway(
        "shifted_hinge", lambda x: 3 * sp.Piecewise((x, x > 1), (1, True)) + sp.Rational(1, 2)
    )
    assert [(p.lo, p.hi, p.slope, p.intercept) for p in affine_pieces(shifted)] == [
        (-np.inf, 1.0, 0.0, 3.5),
        (1.0, np.inf, 3.0, 0.5),
    ]
    curved = _throwaway("scaled_square", lambda x: 2 * sp.Piecewise((x**2, x > 0), (0, True)))
    assert not is_piecewise_linear(curved)
    with pytest.raises(ValueError, match="not piecewise linear"):
        affine_pieces(curved)
