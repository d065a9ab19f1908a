"""Tests of actlib.nn.networks: the MLP class, build_mlp, initialisers, the sawtooth network."""

from __future__ import annotations

import math

import pytest
import torch

import actlib
from actlib.nn.networks import INIT_SCHEMES, INITIALISERS, MLP, build_mlp, initialise, sawtooth_mlp

#: Hidden-layer activations that act on each unit alone (an MLP layer of any width).
HIDDEN = [s.name for s in actlib.specs(role="hidden") if s.shape.entrywise]


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.mark.parametrize("name", HIDDEN)
def test_build_mlp_for_every_hidden_activation(name):
    model = build_mlp(name, (5, 7, 7, 7, 7, 3), seed=1)
    assert isinstance(model, MLP) and model.depth == 4 and model.sizes == (5, 7, 7, 7, 7, 3)
    assert model.spec is actlib.get(name) and model.params == actlib.get(name).params
    assert tuple(model(torch.randn(6, 5)).shape) == (6, 3)
    # one module per layer: learnable activations get one parameter set per layer
    assert len({id(a) for a in model.activations}) == 4
    per_layer = [sum(p.numel() for p in a.parameters()) for a in model.activations]
    assert len(set(per_layer)) == 1
    # forward_with_hidden agrees with forward and exposes every hidden layer
    assert not model.training
    out, pre, post = model.forward_with_hidden(torch.ones(2, 5))
    assert torch.equal(out, model(torch.ones(2, 5)))
    assert len(pre) == len(post) == 4 and tuple(pre[0].shape) == (2, 7)
    assert torch.equal(post[0], model.activations[0](pre[0]))


@pytest.mark.parametrize("init", INIT_SCHEMES)
def test_build_mlp_is_seeded_and_leaves_global_rng_alone(init):
    torch.manual_seed(123)
    before = torch.random.get_rng_state()
    a = build_mlp("tanh", (4, 6, 2), init=init, seed=3)
    assert torch.equal(torch.random.get_rng_state(), before)
    b = build_mlp("tanh", (4, 6, 2), init=init, seed=3)
    c = build_mlp("tanh", (4, 6, 2), init=init, seed=4)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters(), strict=True))
    assert not torch.equal(a.linears[0].weight, c.linears[0].weight)


def test_pytorch_init_is_the_default_of_nn_linear_drawn_from_the_seed():
    """init="pytorch" gives exactly what constructing the layers after manual_seed gives."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(7)
        expected = MLP("relu", (2, 5, 5, 1))
    net = build_mlp("relu", (2, 5, 5, 1), init="pytorch", seed=7, dtype=torch.float64)
    for p, q in zip(net.parameters(), expected.parameters(), strict=True):
        assert p.dtype == torch.float64
        assert torch.equal(p, q.double())


def test_dtype_keeps_the_float32_draws():
    a = build_mlp("gelu", (3, 4, 1), seed=2)
    b = build_mlp("gelu", (3, 4, 1), seed=2, dtype=torch.float64)
    assert a.linears[0].weight.dtype == torch.float32
    assert torch.equal(a.linears[0].weight.double(), b.linears[0].weight)


def test_mlp_takes_activation_parameters():
    net = MLP("leaky_relu", (1, 3, 1), params={"negative_slope": 0.2})
    assert net.params == {"negative_slope": 0.2}
    assert net.activations[0](torch.tensor([-1.0])).item() == pytest.approx(-0.2)


@pytest.mark.parametrize("init", sorted(INITIALISERS))
def test_initialisers_draw_the_documented_variance(init):
    layer = torch.nn.Linear(400, 300)
    initialise(layer, init, seed=0)
    expected = INITIALISERS[init](400, 300)
    assert float(layer.weight.detach().std()) == pytest.approx(expected, rel=0.02)
    assert torch.count_nonzero(layer.bias) == 0


def test_initialiser_formulas():
    # Glorot: 2 / (fan_in + fan_out); He: 2 / fan_in; the bad one ignores the fan-in.
    assert INITIALISERS["xavier"](100, 300) == pytest.approx(math.sqrt(2 / 400))
    assert INITIALISERS["kaiming"](50, 7) == pytest.approx(math.sqrt(2 / 50))
    assert INITIALISERS["large"](10_000, 10_000) == 1.0


@pytest.mark.parametrize("depth", range(1, 5))
def test_sawtooth_folds_the_unit_interval(depth):
    net = sawtooth_mlp(depth)
    teeth = 2 ** (depth - 1)
    xs = torch.arange(0, 2 * teeth + 1, dtype=torch.float64)[:, None] / (2 * teeth)
    expected = torch.tensor([float(k % 2) for k in range(2 * teeth + 1)], dtype=torch.float64)
    torch.testing.assert_close(net(xs)[:, 0], expected, rtol=0, atol=1e-15)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"activation": "relu_typo"}, ValueError, "Did you mean"),
        ({"activation": "rellu"}, ValueError, "unknown activation"),
        ({"activation": 3}, TypeError, "string"),
        ({"activation": "softmax"}, ValueError, "needs an elementwise activation"),
        ({"sizes": (4,)}, ValueError, "sizes"),
        ({"sizes": (4, 0, 2)}, ValueError, "sizes"),
        ({"sizes": (4, 2.0, 2)}, TypeError, "sizes"),
        ({"sizes": (4, True, 2)}, TypeError, "sizes"),
        ({"init": "he"}, ValueError, "xavier"),
        ({"init": None}, TypeError, "init"),
        ({"seed": -1}, ValueError, "seed"),
        ({"dtype": torch.int64}, TypeError, "dtype"),
        ({"params": {"slope": 0.1}}, TypeError, "negative_slope"),
    ],
)
def test_build_mlp_rejects_bad_input(kwargs, error, match):
    args = {"activation": "leaky_relu", "sizes": (4, 8, 2), **kwargs}
    with pytest.raises(error, match=match):
        build_mlp(args.pop("activation"), args.pop("sizes"), **args)


def test_other_bad_inputs():
    with pytest.raises(TypeError, match="Module"):
        initialise("not a model", "xavier")
    with pytest.raises(ValueError, match="depth"):
        sawtooth_mlp(0)


# ---------------------------------------------------------------------------- LeCun normal
def test_lecun_normal_has_variance_one_over_fan_in():
    assert INITIALISERS["lecun"](50, 7) == pytest.approx(math.sqrt(1 / 50))
    assert INITIALISERS["lecun"](50, 7) == INITIALISERS["lecun"](50, 5000)  # fan-out ignored
    assert "lecun" in INIT_SCHEMES


def test_lecun_layer_keeps_the_second_moment_of_its_input():
    """Var(Wx) = fan_in · Var(w) · E[x²] = E[x²]: the variance SELU's fixed point assumes."""
    layer = initialise(torch.nn.Linear(500, 500, dtype=torch.float64), "lecun", seed=3)
    gen = torch.Generator().manual_seed(4)
    x = 2.0 * torch.randn(2000, 500, generator=gen, dtype=torch.float64)
    with torch.no_grad():
        z = layer(x)
    assert float(z.pow(2).mean()) == pytest.approx(float(x.pow(2).mean()), rel=0.05)
    kaiming = initialise(torch.nn.Linear(500, 500, dtype=torch.float64), "kaiming", seed=3)
    with torch.no_grad():
        assert float(kaiming(x).pow(2).mean()) == pytest.approx(2 * float(z.pow(2).mean()))


def test_build_mlp_accepts_lecun():
    net = build_mlp("selu", (8, 16, 2), init="lecun", seed=0)
    assert float(net.linears[0].weight.detach().std()) == pytest.approx(math.sqrt(1 / 8), rel=0.2)
    assert torch.count_nonzero(net.linears[0].bias) == 0
