"""Tests of actlib.nn.deep: normalized and residual deep networks, their gradients, training."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from actlib.nn.deep import (
    NORMS,
    DeepMLP,
    SeedAccuracy,
    accuracy_over_seeds,
    batch_norm_factor,
    build_deep_mlp,
    depth_profile,
    gradient_per_layer,
    norm_layer,
    train_deep,
)
from actlib.nn.networks import build_mlp
from actlib.nn.training import DigitsData, TrainConfig, load_digits_data

pytestmark = pytest.mark.usefixtures("one_torch_thread")

#: A few hundred cheap steps: enough to move the accuracy far above chance.
QUICK = TrainConfig(width=16, depth=4, epochs=3, batch_size=128, lr=0.01, optimizer="adam")


@pytest.fixture(scope="module")
def digits() -> DigitsData:
    return load_digits_data(seed=0)


def _batch(n: int = 32, m: int = 8, seed: int = 0) -> torch.Tensor:
    return torch.randn(n, m, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


# ---------------------------------------------------------------------------- normalizations
def test_norm_layers_standardise_along_their_axis() -> None:
    z = 3.0 + 2.0 * _batch(64, 16)
    batch = norm_layer("batch", 16).double().train()(z).detach()
    layer = norm_layer("layer", 16).double()(z).detach()
    rms = norm_layer("rms", 16).double()(z).detach()
    # batch normalization: every feature (column) has mean 0 and variance 1 over the batch
    np.testing.assert_allclose(batch.mean(0), 0, atol=1e-12)
    np.testing.assert_allclose(batch.var(0, correction=0), 1, atol=1e-4)
    # layer normalization: every example (row) has mean 0 and variance 1 over its features
    np.testing.assert_allclose(layer.mean(1), 0, atol=1e-12)
    np.testing.assert_allclose(layer.var(1, correction=0), 1, atol=1e-4)
    # RMS normalization: every row has root mean square 1, but its mean is not removed
    np.testing.assert_allclose(rms.pow(2).mean(1), 1, atol=1e-4)
    assert float(rms.mean(1).abs().min()) > 0.5
    assert isinstance(norm_layer("none", 16), torch.nn.Identity)


def test_norm_layer_validates() -> None:
    with pytest.raises(TypeError, match="norm must be a string"):
        norm_layer(None, 4)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown norm 'group'; choose one of none, batch"):
        norm_layer("group", 4)
    with pytest.raises(ValueError, match="width must be an integer >= 1"):
        norm_layer("layer", 0)
    assert set(NORMS) == {"none", "batch", "layer", "rms"}


# ---------------------------------------------------------------------------- the model
def test_plain_network_without_norm_is_the_course_mlp() -> None:
    deep = build_deep_mlp("tanh", 8, 3, width=12, depth=4, seed=5, dtype=torch.float64)
    mlp = build_mlp("tanh", (8, 12, 12, 12, 12, 3), seed=5, dtype=torch.float64)
    x = _batch()
    torch.testing.assert_close(deep(x), mlp(x), rtol=0, atol=0)


def test_residual_block_formula() -> None:
    net = build_deep_mlp(
        "gelu", 8, 3, width=6, depth=2, norm="rms", residual=True, dtype=torch.float64
    )
    x = _batch()
    y, hidden, inputs = net.forward_with_trace(x)
    assert net.input_layer is not None
    h0 = net.input_layer(x)
    u1 = h0 / torch.sqrt(h0.pow(2).mean(1, keepdim=True) + 1e-5)
    h1 = h0 + net.linears[0](torch.nn.functional.gelu(u1))
    torch.testing.assert_close(inputs[0], u1)
    torch.testing.assert_close(hidden[0], h1)
    assert net.depth == 2 and len(net.norms) == 2 and isinstance(net.final_norm, torch.nn.RMSNorm)
    torch.testing.assert_close(y, net(x))


def test_build_is_seeded_and_leaves_the_global_rng_alone() -> None:
    state = torch.get_rng_state()
    a = build_deep_mlp("relu", 4, 2, width=8, depth=3, norm="layer", residual=True, seed=3)
    b = build_deep_mlp("relu", 4, 2, width=8, depth=3, norm="layer", residual=True, seed=3)
    c = build_deep_mlp("relu", 4, 2, width=8, depth=3, norm="layer", residual=True, seed=4)
    assert torch.equal(state, torch.get_rng_state())
    pa, pb, pc = (torch.cat([p.detach().ravel() for p in m.parameters()]) for m in (a, b, c))
    assert torch.equal(pa, pb) and not torch.equal(pa, pc)
    assert not a.training


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"norm": 1}, TypeError, "norm must be a string"),
        ({"norm": "weight"}, ValueError, "unknown norm 'weight'"),
        ({"residual": "yes"}, TypeError, "residual must be True or False"),
        ({"width": 2.5}, TypeError, "width must be an integer"),
        ({"depth": 0}, ValueError, "depth must be an integer >= 1"),
        ({"init": "orthogonal"}, ValueError, "unknown initialiser 'orthogonal'"),
        ({"seed": -1}, ValueError, "seed must be an integer >= 0"),
        ({"dtype": torch.int32}, TypeError, "dtype must be a floating torch dtype"),
    ],
)
def test_build_validates(kwargs: dict, error: type[Exception], message: str) -> None:
    args = {"width": 4, "depth": 2, **kwargs}
    with pytest.raises(error, match=message):
        build_deep_mlp("relu", 3, 2, **args)


def test_vector_valued_activation_is_refused() -> None:
    with pytest.raises(ValueError, match="softmax"):
        DeepMLP("softmax", 3, 2, width=4, depth=2)


# ---------------------------------------------------------------------------- gradients
def test_gradient_per_layer_measures_every_block_and_restores_the_mode() -> None:
    net = build_deep_mlp("relu", 8, 3, width=8, depth=5, norm="batch", dtype=torch.float64)
    profile = gradient_per_layer(net, _batch(), torch.arange(32) % 3)
    assert profile.depth == 5 and profile.weight_grad.shape == (5,)
    assert np.all(profile.stream_grad > 0) and np.all(np.isfinite(profile.weight_grad))
    # batch normalization in training mode: each activation input is standardised per feature
    np.testing.assert_allclose(profile.input_mean, 0, atol=1e-10)
    np.testing.assert_allclose(profile.input_std, 1, atol=1e-3)
    assert not net.training
    # the gradient of the last block matches a hand-made backward pass
    y, hidden, _ = net.train().forward_with_trace(_batch())
    hidden[-1].retain_grad()
    torch.nn.functional.cross_entropy(y, torch.arange(32) % 3).backward()
    assert hidden[-1].grad is not None
    assert profile.stream_grad[-1] == pytest.approx(float(hidden[-1].grad.norm()), rel=1e-12)


def test_gradient_per_layer_validates() -> None:
    net = build_deep_mlp("relu", 8, 3, width=4, depth=2, dtype=torch.float64)
    labels = torch.arange(32) % 3
    with pytest.raises(TypeError, match="DeepMLP"):
        gradient_per_layer(build_mlp("relu", (8, 4, 3)), _batch(), labels)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="x must be a floating-point"):
        gradient_per_layer(net, torch.ones(32, 8, dtype=torch.long), labels)
    with pytest.raises(ValueError, match="at least two rows"):
        gradient_per_layer(net, _batch(1), labels[:1])
    with pytest.raises(TypeError, match="y must be an integer"):
        gradient_per_layer(net, _batch(), labels.double())
    with pytest.raises(ValueError, match=r"y must have shape \(32,\)"):
        gradient_per_layer(net, _batch(), labels[:5])


def test_residual_blocks_keep_the_gradient_where_a_plain_stack_loses_it() -> None:
    plain = depth_profile("sigmoid", depth=24, width=32, batch=64)
    residual = depth_profile("sigmoid", norm="layer", residual=True, depth=24, width=32, batch=64)
    assert plain.first_to_last < 1e-6  # vanishes geometrically
    assert 0.5 < residual.first_to_last < 10 and abs(residual.factor_per_layer - 1) < 0.1
    # the layer norm hands every activation a standardised input, whatever the depth
    np.testing.assert_allclose(residual.input_std, 1, atol=1e-3)


def test_residual_without_normalization_explodes_for_a_rectifier() -> None:
    bare = depth_profile("relu", residual=True, depth=24, width=32, batch=64)
    normed = depth_profile("relu", norm="rms", residual=True, depth=24, width=32, batch=64)
    assert bare.stream_rms[-1] > 1e3 * bare.stream_rms[0]
    assert normed.stream_rms[-1] < 10 * normed.stream_rms[0]


# ---------------------------------------------------------------------------- training
def test_train_deep_learns_and_is_reproducible(digits: DigitsData) -> None:
    state = torch.get_rng_state()
    a = train_deep("relu", digits, norm="layer", residual=True, seed=1, config=QUICK)
    b = train_deep("relu", digits, norm="layer", residual=True, seed=1, config=QUICK)
    assert torch.equal(state, torch.get_rng_state())
    assert a == b
    assert a.test_accuracy > 0.5 and not a.diverged and len(a.train_loss) == QUICK.epochs
    assert a.train_loss[-1] < a.train_loss[0]


def test_train_deep_with_batch_norm_uses_running_statistics(digits: DigitsData) -> None:
    run = train_deep("tanh", digits, norm="batch", seed=0, config=QUICK)
    assert run.norm == "batch" and not run.residual and run.test_accuracy > 0.5


def test_train_deep_validates(digits: DigitsData) -> None:
    with pytest.raises(TypeError, match="data must be a DigitsData"):
        train_deep("relu", "digits")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="config must be a TrainConfig"):
        train_deep("relu", digits, config={"depth": 3})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="residual must be True or False"):
        train_deep("relu", digits, residual=1)  # type: ignore[arg-type]
    n = int(digits.x_train.shape[0])
    bad = TrainConfig(width=4, depth=2, epochs=1, batch_size=n - 1)
    with pytest.raises(ValueError, match="last batch of one example"):
        train_deep("relu", digits, norm="batch", config=bad)


def test_accuracy_over_seeds(digits: DigitsData) -> None:
    one_epoch = TrainConfig(width=8, depth=2, epochs=1, batch_size=512, lr=0.01, optimizer="adam")
    result = accuracy_over_seeds(
        "gelu", digits, norm="rms", residual=True, seeds=(2, 0), config=one_epoch
    )
    assert isinstance(result, SeedAccuracy) and result.seeds == (2, 0)
    acc = result.accuracies
    assert result.mean == pytest.approx(acc.mean()) and result.std == pytest.approx(acc.std(ddof=1))
    assert result.low == acc.min() and result.high == acc.max() and result.diverged == 0
    single = train_deep("gelu", digits, norm="rms", residual=True, seed=2, config=one_epoch)
    assert result.runs[0] == single
    with pytest.raises(ValueError, match="at least one seed"):
        accuracy_over_seeds("gelu", digits, seeds=())
    with pytest.raises(ValueError, match="must not repeat"):
        accuracy_over_seeds("gelu", digits, seeds=(1, 1))
    with pytest.raises(TypeError, match="every seed in seeds must be an integer"):
        accuracy_over_seeds("gelu", digits, seeds=(0.5,))  # type: ignore[arg-type]


def test_example_share_and_dead_units_follow_the_normalization_axis() -> None:
    kwargs = {"depth": 24, "width": 32, "batch": 64}
    by_example = depth_profile("sigmoid", norm="layer", **kwargs)
    by_feature = depth_profile("sigmoid", norm="batch", **kwargs)
    centred = depth_profile("tanh", norm="layer", **kwargs)
    # a positive mean output survives a per-example normalization: the examples merge
    assert by_example.example_share[-1] < 1e-6
    np.testing.assert_allclose(by_feature.example_share, 1, atol=1e-6)
    assert centred.example_share[-1] > 0.9
    relu_batch = depth_profile("relu", norm="batch", **kwargs)
    relu_plain = depth_profile("relu", **kwargs)
    assert relu_batch.dead_fraction.max() == 0 and relu_plain.dead_fraction[-1] > 0.05
    assert depth_profile("tanh", **kwargs).dead_fraction.max() == 0


def test_batch_norm_factor_is_at_least_one_and_predicts_the_measurement() -> None:
    import actlib

    assert batch_norm_factor("identity") == pytest.approx(1.0, abs=1e-9)
    for name in actlib.names(role="hidden", entrywise=True):
        assert batch_norm_factor(name) >= 1 - 1e-4, name  # Gaussian Poincaré inequality
    measured = depth_profile("relu", norm="batch", depth=16, width=128, batch=256)
    assert measured.factor_per_layer == pytest.approx(batch_norm_factor("relu"), rel=0.05)
    assert batch_norm_factor("leaky_relu", negative_slope=1.0) == pytest.approx(1.0, abs=1e-6)
    with pytest.raises(ValueError, match="softmax"):
        batch_norm_factor("softmax")
