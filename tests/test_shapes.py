"""Shapes are objects: a new family member needs one spec, and nothing in actlib's core changes.

A throwaway gated activation, bilinear(a, b) = a·b, is registered from this test module and gets
verification, accuracy, a plot, a properties table and an explorer. Channel-wise PReLU and
RReLU's seeded module are checked against PyTorch here too.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import numpy as np
import pytest
import sympy as sp
import torch
from matplotlib.figure import Figure

import actlib
from actlib import registry
from actlib.checks import accuracy
from actlib.display.book import properties_table
from actlib.display.explorer import explore
from actlib.display.plotting import plot_activation
from actlib.shapes import Elementwise, Gated, Normalizing
from actlib.spec import Activation, Reference, TorchReference


def _forward(a, b):
    return a * b


def _derivative(a, b):
    # ∂(ab)/∂a = b and ∂(ab)/∂b = a; a NaN in either half makes both NaN.
    nan = np.isnan(a) | np.isnan(b)
    return np.where(nan, np.nan, b), np.where(nan, np.nan, a)


def _torch(t, axis):
    a, b = t.chunk(2, dim=axis)
    return a * b


BILINEAR = Activation(
    name="bilinear_test",
    title="Bilinear (test)",
    order=10_000,
    summary="The product of the two halves: a gated unit with the identity as its gate.",
    sympy_expr=lambda a, b: a * b,
    numpy_forward=_forward,
    numpy_derivative=_derivative,
    torch_reference=TorchReference("a * b", call=_torch, composite=True),
    shape=Gated(axis=-1, gated="first"),
    reference=Reference("none", "nobody", "none", 2020, "https://example.org"),
)


@pytest.fixture
def bilinear(monkeypatch):
    monkeypatch.setitem(registry._registry(), BILINEAR.name, BILINEAR)
    return BILINEAR


def test_a_gated_spec_gets_every_consumer(bilinear):
    assert bilinear.name in actlib.names()
    x = np.array([[1.0, 2.0, 3.0, -4.0]])
    np.testing.assert_array_equal(bilinear.forward(x), [[3.0, -8.0]])
    np.testing.assert_array_equal(bilinear.derivative(x), [[3.0, -4.0, 1.0, 2.0]])

    report = actlib.verify(bilinear.name)
    assert report.passed, str(report)
    assert {c.implementation for c in report.checks} == {"NumPy", "PyTorch"}
    assert any("gradient" in c.quantity for c in report.checks)

    rows = accuracy.measure(bilinear.name, mode="fast", implementations=("actlib", "PyTorch"))
    assert rows and all(r.ok for r in rows if r.implementation == "actlib")
    # The slice varies the gated half with the other half at 1, so it is not identically 0.
    t = accuracy.truth(accuracy.Config(bilinear), "forward", np.array([2.0, -3.0]))
    np.testing.assert_array_equal(t.value, [2.0, -3.0])

    lines = plot_activation(Figure().add_subplot(), bilinear.name, x=(-2.0, 2.0), num=5)
    np.testing.assert_allclose(lines["f"].get_ydata(), np.linspace(-2.0, 2.0, 5))
    assert lines["f"].get_label() == "bilinear_test(t, 1)"

    table = properties_table(bilinear.name)
    assert "slice" in table.caption
    props = bilinear.properties()
    assert props is not None
    assert explore(bilinear.name).spec is bilinear


def test_gated_errors_name_the_problem(bilinear):
    with pytest.raises(ValueError, match="even"):
        bilinear.forward(np.ones((2, 3)))
    with pytest.raises(ValueError, match="axis"):
        bilinear.forward(np.ones(4), axis=1)
    with pytest.raises(ValueError, match="0-d"):
        bilinear.forward(1.0)
    with pytest.raises(ValueError, match="first' or 'second"):
        Gated(gated="middle")


def test_gated_halves_follow_the_axis(bilinear):
    x = np.arange(12.0).reshape(4, 3)
    np.testing.assert_array_equal(bilinear.forward(x, axis=0), x[:2] * x[2:])
    ours = bilinear.derivative(x, axis=0)
    t = torch.tensor(x, requires_grad=True)
    (g,) = torch.autograd.grad(_torch(t, 0).sum(), t)
    np.testing.assert_array_equal(ours, g.numpy())


def test_gated_slice_of_the_second_half():
    shape = Gated(gated="second")
    spec = Activation(
        name="glu_like_test",
        title="GLU-like",
        order=10_001,
        summary="a·σ(b)",
        sympy_expr=lambda a, b: a / (1 + sp.exp(-b)),
        numpy_forward=lambda a, b: a / (1 + np.exp(-b)),
        numpy_derivative=lambda a, b: (
            1 / (1 + np.exp(-b)),
            a * np.exp(-b) / (1 + np.exp(-b)) ** 2,
        ),
        torch_reference=TorchReference("torch.nn.functional.glu", keywords={"axis": "dim"}),
        shape=shape,
        reference=Reference("none", "nobody", "none", 2020, "https://example.org"),
    )
    x = spec.scalar_expr()
    assert sp.simplify(x - 1 / (1 + sp.exp(-sp.Symbol("x", real=True)))) == 0
    assert actlib.verify(spec).passed


def test_every_registered_spec_has_a_shape_object(spec):
    assert isinstance(spec.shape, Elementwise | Normalizing | Gated)
    assert {p.name for p in spec.shape.parameters()} <= set(spec.params)


def test_no_shape_is_decided_by_name_or_tag():
    """Outside the shape classes, the package never branches on a family tag or a name."""
    src = Path(actlib.__file__).parent
    words = {s.name for s in actlib.specs()} | {
        p.name for s in actlib.specs() for p in s.parameters
    }
    words |= {"vector", "elementwise", "normalizing", "gated"}
    quoted = "|".join(sorted(map(re.escape, words)))
    pattern = re.compile(
        rf"(==|!=|\bin)\s*[\"']({quoted})[\"']|[\"']({quoted})[\"']\s*(==|!=|in\b)"
        r"|\.kind\s*[!=]=\s*[\"'](vector|elementwise)"
    )
    offenders = []
    for path in src.rglob("*.py"):
        if path.name == "shapes.py":
            continue
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line) and not re.search(r"\.kind [!=]= \"generator\"", line):
                offenders.append(f"{path.relative_to(src)}:{i}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


# ---------------------------------------------------------------------- the real API
def test_forward_and_derivative_have_real_signatures(spec):
    for fn in (spec.forward, spec.derivative):
        sig = inspect.signature(fn)
        names = list(sig.parameters)
        assert names[0] == "x"
        assert {n: sig.parameters[n].default for n in names[1:]} == spec.params


def test_elu_signature_lists_alpha():
    assert str(inspect.signature(actlib.get("elu").forward)) == "(x, *, alpha=1.0) -> numpy.ndarray"
    with pytest.raises(TypeError, match="alpah.*did you mean 'alpha'"):
        actlib.get("elu").forward([1.0], alpah=2.0)


def test_torch_reference_is_written_once(spec):
    ref = spec.torch_reference
    assert spec.torch_name.startswith(ref.function)
    module = spec.torch_module()
    assert isinstance(module, torch.nn.Module)
    values = spec.deterministic(spec.resolve({}))
    x = torch.linspace(-3, 3, 8, dtype=torch.float64)
    x = spec.shape.embed(x)
    with torch.no_grad():
        np.testing.assert_allclose(
            module.double().eval()(x).numpy(), spec.torch_forward(x, **values).numpy()
        )


# ---------------------------------------------------------------------- channel-wise PReLU
@pytest.mark.parametrize("shape", [(2, 3, 4, 5), (5, 3), (1, 3, 7)])
def test_prelu_per_channel_matches_torch_bit_for_bit(rng, shape):
    prelu = actlib.get("prelu")
    # ONNX's PRelu: input and slope share one type; each product is rounded once in both.
    x = rng.normal(size=shape).astype(np.float32)
    w = rng.uniform(-0.5, 1.0, size=shape[1]).astype(np.float32)
    ours = prelu.forward(x, weight=w)
    theirs = torch.nn.functional.prelu(torch.from_numpy(x), torch.from_numpy(w))
    np.testing.assert_array_equal(ours, theirs.numpy())
    assert ours.dtype == np.float32


def test_prelu_per_channel_gradients_match_autograd(rng):
    prelu = actlib.get("prelu")
    x = rng.normal(size=(4, 3, 5))
    w = np.array([0.1, -0.2, 0.7])
    tx = torch.tensor(x, requires_grad=True)
    tw = torch.tensor(w, requires_grad=True)
    gx, gw = torch.autograd.grad(torch.nn.functional.prelu(tx, tw).sum(), (tx, tw))
    np.testing.assert_array_equal(prelu.derivative(x, weight=w), gx.numpy())
    per_entry = prelu.param_gradients(x, weight=w)["weight"]
    np.testing.assert_allclose(per_entry.sum(axis=(0, 2)), gw.numpy(), rtol=1e-15)


def test_prelu_module_takes_per_channel_slopes():
    w = np.array([0.1, 0.2, 0.3])
    module = actlib.get("prelu").torch_module(weight=w)
    assert module.num_parameters == 3
    np.testing.assert_allclose(module.weight.detach().numpy(), w, rtol=1e-7)


@pytest.mark.parametrize(
    ("x", "weight", "match"),
    [
        (np.ones((2, 4)), np.array([0.1, 0.2, 0.3]), "3 slopes but the input has 4 channels"),
        (np.ones(3), np.array([0.1, 0.2, 0.3]), "two or more axes"),
        (np.ones((2, 2)), np.zeros((2, 2)), "1-d array"),
        (np.ones((2, 2)), np.array([]), "non-empty"),
        (np.ones((2, 2)), np.array([0.1, np.nan]), "finite"),
    ],
)
def test_prelu_bad_channel_slopes_are_rejected(x, weight, match):
    with pytest.raises(ValueError, match=match):
        actlib.get("prelu").forward(x, weight=weight)


def test_prelu_channel_slopes_of_the_wrong_type():
    with pytest.raises(TypeError, match="weight"):
        actlib.get("prelu").forward(np.ones((2, 2)), weight=np.array(["a", "b"]))
    with pytest.raises(ValueError, match="single number"):
        actlib.get("prelu").properties(weight=np.array([0.1, 0.2]))


# ---------------------------------------------------------------------- RReLU's generator
def test_rrelu_module_draws_from_the_given_generator():
    rrelu = actlib.get("rrelu")
    x = -torch.ones(1000, dtype=torch.float64)

    def draw(seed):
        module = rrelu.torch_module(training=True, generator=seed).double()
        torch.manual_seed(1234)  # the global state must not matter
        return module(x).numpy()

    a, b, c = draw(7), draw(7), draw(8)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    slopes = -a
    assert slopes.min() >= 1 / 8 and slopes.max() <= 1 / 3
    evaluation = rrelu.torch_module(generator=7).double()
    np.testing.assert_allclose(evaluation(x).numpy(), -(1 / 8 + 1 / 3) / 2)
