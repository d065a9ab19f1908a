"""Tests of actlib.nn.experiments: models, initialisers, gradient profiles, dead units, training."""

from __future__ import annotations

import math

import pytest
import torch

import actlib
from actlib.nn.experiments import (
    INITIALISERS,
    MLP,
    DigitsData,
    TrainConfig,
    build_mlp,
    dead_units,
    gradient_profile,
    initialise,
    load_digits_data,
    progress_default,
    train,
)

HIDDEN = actlib.names(role="hidden")
#: A small but real training configuration (a few hundred SGD steps).
QUICK = TrainConfig(width=32, depth=2, epochs=4, batch_size=64, lr=0.05)


@pytest.fixture(scope="module", autouse=True)
def _one_thread():
    """Tiny models: one thread is fastest and is not slowed down by a busy machine."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def digits() -> DigitsData:
    return load_digits_data(seed=0)


# ---------------------------------------------------------------------------- model
@pytest.mark.parametrize("name", HIDDEN)
def test_build_mlp_for_every_hidden_activation(name):
    model = build_mlp(name, in_features=5, out_features=3, width=7, depth=4, seed=1)
    assert isinstance(model, MLP) and model.depth == 4
    assert tuple(model(torch.randn(6, 5)).shape) == (6, 3)
    # one module per layer: learnable activations get one parameter set per layer
    assert len({id(a) for a in model.activations}) == 4
    per_layer = [sum(p.numel() for p in a.parameters()) for a in model.activations]
    assert len(set(per_layer)) == 1
    # forward_with_hidden agrees with forward and exposes every hidden layer
    model.eval()
    out, pre, post = model.forward_with_hidden(torch.ones(2, 5))
    assert torch.equal(out, model(torch.ones(2, 5)))
    assert len(pre) == len(post) == 4 and tuple(pre[0].shape) == (2, 7)


def test_build_mlp_is_seeded():
    a = build_mlp("tanh", in_features=4, out_features=2, seed=3)
    b = build_mlp("tanh", in_features=4, out_features=2, seed=3)
    c = build_mlp("tanh", in_features=4, out_features=2, seed=4)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters(), strict=True))
    assert not torch.equal(a.linears[0].weight, c.linears[0].weight)


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


# ---------------------------------------------------------------------------- gradients
def test_sigmoid_gradients_vanish_within_the_derivative_bound():
    bound = actlib.get("sigmoid").properties().derivative_range.sup
    prof = gradient_profile("sigmoid", depth=12, init="xavier", seed=0)
    assert prof.preact_grad.shape == (12,) and prof.weight_grad.shape == (13,)
    # each layer multiplies the backward signal by about the mean of sigma' (<= 1/4)
    assert prof.factor_per_layer < 1.1 * bound
    assert prof.first_to_last < 1e-4
    # dL/dz shrinks monotonically towards the input
    assert all(prof.preact_grad[:-1] < prof.preact_grad[1:])


def test_kaiming_relu_keeps_gradients_of_the_same_order():
    sig = gradient_profile("sigmoid", depth=12, init="xavier", seed=0)
    relu = gradient_profile("relu", depth=12, init="kaiming", seed=0)
    assert 0.1 < relu.first_to_last < 10
    assert relu.factor_per_layer > 3 * sig.factor_per_layer


def test_relu_gradients_shrink_with_xavier_but_not_with_kaiming():
    xavier = gradient_profile("relu", depth=12, init="xavier", seed=1)
    kaiming = gradient_profile("relu", depth=12, init="kaiming", seed=1)
    assert xavier.first_to_last < 0.1 * kaiming.first_to_last


def test_large_initialisation_explodes():
    prof = gradient_profile("relu", depth=12, init="large", seed=0)
    assert prof.first_to_last > 1e4
    assert prof.weight_grad[0] > 1e6
    assert prof.activation_rms[-1] > 1e6 * prof.activation_rms[0]


def test_gradient_profile_is_reproducible():
    a = gradient_profile("rrelu", depth=5, seed=2)
    b = gradient_profile("rrelu", depth=5, seed=2)
    assert (a.weight_grad == b.weight_grad).all() and (a.preact_grad == b.preact_grad).all()


# ---------------------------------------------------------------------------- dead units
def test_identity_has_no_dead_units(rng):
    model = build_mlp("identity", in_features=8, out_features=2, width=16, depth=3)
    report = dead_units(model, torch.randn(50, 8))
    assert report.overall == 0.0 and report.per_layer == (0.0, 0.0, 0.0)


def _with_negative_bias(name: str) -> MLP:
    model = build_mlp(name, in_features=8, out_features=2, width=16, depth=3)
    with torch.no_grad():
        model.linears[0].bias.fill_(-1e6)
    return model


def test_relu_with_huge_negative_bias_is_all_dead():
    model = _with_negative_bias("relu")
    report = dead_units(model, torch.randn(50, 8))
    # layer 1 never fires; later layers then only see 0 and relu'(0) = 0
    assert report.per_layer[0] == 1.0
    assert report.overall == 1.0


def test_leaky_relu_does_not_die():
    model = _with_negative_bias("leaky_relu")
    assert dead_units(model, torch.randn(50, 8)).overall == 0.0


def test_dead_units_counts_a_single_dead_unit():
    model = build_mlp("relu", in_features=8, out_features=2, width=10, depth=1)
    with torch.no_grad():
        model.linears[0].bias[3] = -1e6
        model.linears[0].bias[[0, 1, 2, 4, 5, 6, 7, 8, 9]] = 1e6
    report = dead_units(model, torch.randn(20, 8))
    assert report.per_layer == (0.1,)


def test_dead_units_restores_training_mode():
    model = build_mlp("rrelu", in_features=3, out_features=2, width=4, depth=2)
    model.train()
    dead_units(model, torch.randn(5, 3))
    assert model.training


# ---------------------------------------------------------------------------- data and training
def test_digits_split_and_standardisation(digits):
    n = digits.x_train.shape[0] + digits.x_test.shape[0]
    assert n == 1797 and digits.n_features == 64 and digits.n_classes == 10
    assert torch.allclose(digits.x_train.mean(dim=0), torch.zeros(64), atol=1e-5)
    # stratified: every class is in the test set
    assert set(digits.y_test.tolist()) == set(range(10))


def test_training_is_reproducible_and_learns(digits):
    a = train("relu", digits, seed=0, config=QUICK, progress=False)
    b = train("relu", digits, seed=0, config=QUICK, progress=False)
    c = train("relu", digits, seed=1, config=QUICK, progress=False)
    assert a.numbers() == b.numbers()
    assert a.numbers() != c.numbers()
    assert len(a.train_loss) == len(a.epoch_seconds) == QUICK.epochs
    assert a.train_loss[-1] < 0.5 * a.train_loss[0]
    assert a.test_accuracy > 0.8  # ten classes: chance is 0.1
    assert not a.diverged


def test_training_rrelu_and_prelu_reproducible(digits):
    for name in ("rrelu", "prelu"):
        a = train(name, digits, seed=5, config=QUICK, progress=False)
        b = train(name, digits, seed=5, config=QUICK, progress=False)
        assert a.numbers() == b.numbers() and a.extra == b.extra
    # PReLU's slopes were learned: one per layer, moved away from their initial value
    slopes = a.extra["learned_parameters"]
    assert len(slopes) == QUICK.depth
    assert all(s != actlib.get("prelu").params["weight"] for s in slopes)


def test_training_leaves_the_global_rng_alone(digits):
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    train("rrelu", digits, seed=0, config=QUICK, progress=False)
    assert torch.equal(torch.rand(3), expected)


def test_divergence_is_reported(digits):
    config = TrainConfig(width=32, depth=3, epochs=3, lr=50.0)
    result = train("relu", digits, seed=0, config=config, progress=False)
    assert result.diverged
    assert len(result.train_loss) < config.epochs or not math.isfinite(result.train_loss[-1])
    assert math.isnan(result.dead_after.overall)


def test_progress_bar_only_when_asked(digits, capsys):
    train("tanh", digits, seed=0, config=QUICK, progress=False)
    assert capsys.readouterr().err == ""
    train("tanh", digits, seed=0, config=QUICK, progress=True)
    assert "tanh seed 0" in capsys.readouterr().err


def test_progress_default_reads_the_environment(monkeypatch):
    monkeypatch.setenv("ACTLIB_PROGRESS", "1")
    assert progress_default() is True
    monkeypatch.setenv("ACTLIB_PROGRESS", "0")
    assert progress_default() is False
    monkeypatch.delenv("ACTLIB_PROGRESS")
    monkeypatch.setenv("JPY_SESSION_NAME", "notebook.ipynb")
    assert progress_default() is True


# ---------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"activation": "relu_typo"}, ValueError, "Did you mean"),
        ({"activation": 3}, TypeError, "string"),
        ({"activation": "softmax"}, ValueError, "needs an elementwise activation"),
        ({"depth": 0}, ValueError, "depth"),
        ({"depth": 2.0}, TypeError, "depth"),
        ({"width": True}, TypeError, "width"),
        ({"init": "he"}, ValueError, "xavier"),
        ({"seed": -1}, ValueError, "seed"),
        ({"params": {"slope": 0.1}}, TypeError, "negative_slope"),
    ],
)
def test_build_mlp_rejects_bad_input(kwargs, error, match):
    args = {"activation": "leaky_relu", "in_features": 4, "out_features": 2, **kwargs}
    with pytest.raises(error, match=match):
        build_mlp(args.pop("activation"), **args)


@pytest.mark.parametrize(
    ("config", "error"),
    [
        (TrainConfig(lr=0.0), ValueError),
        (TrainConfig(lr=float("nan")), ValueError),
        (TrainConfig(momentum=1.0), ValueError),
        (TrainConfig(epochs=0), ValueError),
        (TrainConfig(batch_size=1.5), TypeError),
        (TrainConfig(optimizer="lbfgs"), ValueError),
        ({"lr": 0.1}, TypeError),
    ],
)
def test_train_rejects_bad_config(digits, config, error):
    with pytest.raises(error):
        train("relu", digits, config=config, progress=False)


def test_other_bad_inputs(digits):
    with pytest.raises(TypeError, match="DigitsData"):
        train("relu", (digits.x_train, digits.y_train), progress=False)
    with pytest.raises(TypeError, match="progress"):
        train("relu", digits, config=QUICK, progress="yes")
    with pytest.raises(TypeError, match="MLP"):
        dead_units(torch.nn.Linear(2, 2), torch.zeros(3, 2))
    model = build_mlp("relu", in_features=2, out_features=2)
    with pytest.raises(TypeError, match="floating"):
        dead_units(model, torch.zeros(3, 2, dtype=torch.long))
    with pytest.raises(ValueError, match="non-empty"):
        dead_units(model, torch.zeros(0, 2))
    with pytest.raises(ValueError, match="tol"):
        dead_units(model, torch.zeros(3, 2), tol=-1.0)
    with pytest.raises(ValueError, match="classes"):
        gradient_profile("relu", classes=1)
    with pytest.raises(TypeError, match="Module"):
        initialise("not a model", "xavier")
    with pytest.raises(ValueError, match="test_fraction"):
        load_digits_data(test_fraction=1.0)
