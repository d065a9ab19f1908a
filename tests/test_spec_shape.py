"""The spec shape takes activations with several parameters without change (e.g. SELU)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp

import actlib
from actlib.spec import Activation, Param, Reference, TorchReference

# SELU's constants (Klambauer et al. 2017), used here only to exercise a two-parameter spec.
SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805


def _forward(x, alpha, scale):
    return scale * np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0)))


def _derivative(x, alpha, scale):
    return scale * np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0.0)))


def _torch(t, alpha, scale):
    import torch

    return scale * torch.where(t > 0, t, alpha * torch.expm1(torch.clamp(t, max=0)))


SELU_LIKE = Activation(
    name="selu_like",
    title="SELU-like",
    order=75,
    summary="Two-parameter test spec.",
    sympy_expr=lambda x, alpha, scale: (
        scale * sp.Piecewise((x, x > 0), (alpha * (sp.exp(x) - 1), True))
    ),
    numpy_forward=_forward,
    numpy_derivative=_derivative,
    torch_reference=TorchReference("torch.nn.functional.selu", call=_torch),
    parameters=(
        Param("alpha", SELU_ALPHA, "negative saturation", low=0.0),
        Param("scale", SELU_SCALE, "output scale", low=0.0, low_open=True),
    ),
    kinks=(0.0,),
    kink_convention="left piece",
    reference=Reference(
        "klambauer2017self",
        "Klambauer et al.",
        "Self-normalizing neural networks",
        2017,
        "https://arxiv.org/abs/1706.02515",
    ),
)


def test_two_parameter_spec_works_end_to_end():
    assert SELU_LIKE.params == {"alpha": SELU_ALPHA, "scale": SELU_SCALE}
    assert actlib.verify(SELU_LIKE).passed
    props = SELU_LIKE.properties()
    assert props.range.inf == pytest.approx(-SELU_ALPHA * SELU_SCALE, rel=1e-15)
    assert props.derivative_range.sup == pytest.approx(SELU_ALPHA * SELU_SCALE, rel=1e-15)
    assert SELU_LIKE.forward(-np.inf) == pytest.approx(-SELU_ALPHA * SELU_SCALE)
    assert SELU_LIKE.properties(alpha=1.0, scale=2.0).range == (-2.0, math.inf)
    with pytest.raises(ValueError, match="scale"):
        SELU_LIKE.forward([1.0], scale=0.0)
    assert "scale" in SELU_LIKE.latex()


def test_registry_rejects_modules_without_specs(monkeypatch, tmp_path):
    """A module in actlib/activations must expose SPECS; the registry says which one does not."""
    import importlib

    from actlib import registry

    pkg = tmp_path / "fakeacts"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "broken.py").write_text("X = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    fake = importlib.import_module("fakeacts")
    monkeypatch.setattr(registry, "_activations_pkg", fake)
    registry._registry.cache_clear()
    try:
        with pytest.raises(RuntimeError, match="defines no SPECS"):
            registry._registry()
    finally:
        monkeypatch.undo()
        registry._registry.cache_clear()
    assert "relu" in actlib.names()


def test_registry_discovers_a_new_module(monkeypatch, tmp_path):
    """Adding an activation is adding one module: nothing else lists names."""
    import importlib

    from actlib import registry

    pkg = tmp_path / "moreacts"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "selu_like.py").write_text(
        "from tests_spec_shape_source import SELU_LIKE\nSPECS = (SELU_LIKE,)\n"
    )
    (tmp_path / "tests_spec_shape_source.py").write_text("from test_spec_shape import SELU_LIKE\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.syspath_prepend(str(__import__("pathlib").Path(__file__).parent))
    fake = importlib.import_module("moreacts")
    monkeypatch.setattr(registry, "_activations_pkg", fake)
    registry._registry.cache_clear()
    try:
        assert actlib.names() == ["selu_like"]
        assert actlib.get("selu_like").title == "SELU-like"
    finally:
        monkeypatch.undo()
        registry._registry.cache_clear()
    assert "selu_like" not in actlib.names()
