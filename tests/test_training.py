"""Tests of actlib.nn.training: the training loop, accuracy, the digits data and train()."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import actlib
from actlib.nn.networks import build_mlp
from actlib.nn.training import (
    LOSSES,
    DigitsData,
    TrainConfig,
    accuracy,
    fit,
    load_digits_data,
    progress_default,
    train,
)

#: A small but real training configuration (a few hundred SGD steps).
QUICK = TrainConfig(width=32, depth=2, epochs=4, batch_size=64, lr=0.05)


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def digits() -> DigitsData:
    return load_digits_data(seed=0)


def _weights(model: torch.nn.Module) -> torch.Tensor:
    return torch.cat([p.detach().ravel() for p in model.parameters()])


# ---------------------------------------------------------------------------- the loop
def _reference_full_batch(model, x, y, loss_fn, steps, opt):
    """The plain loop the chapters used to write: zero_grad, loss, backward, step."""
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_full_batch_fit_equals_the_plain_loop(optimizer):
    x = torch.linspace(-2, 2, 40, dtype=torch.float64)[:, None]
    y = torch.sin(2 * x)
    a = build_mlp("tanh", (1, 8, 1), seed=0, dtype=torch.float64)
    b = build_mlp("tanh", (1, 8, 1), seed=0, dtype=torch.float64)
    history = fit(a, x, y, loss="mse", epochs=25, lr=0.03, optimizer=optimizer, progress=False)
    opt = (
        torch.optim.Adam(b.parameters(), lr=0.03)
        if optimizer == "adam"
        else torch.optim.SGD(b.parameters(), lr=0.03, momentum=0.9)
    )
    expected = _reference_full_batch(b, x, y, lambda p, t: torch.mean((p - t) ** 2), 25, opt)
    assert list(history.loss) == expected
    assert torch.equal(_weights(a), _weights(b))
    assert len(history.seconds) == 25 and min(history.seconds) >= 0 and not history.diverged


def test_fit_trains_a_module_that_is_not_an_mlp():
    """A lone PReLU learns the slope of data generated with it (1-D targets, SGD)."""
    torch.manual_seed(0)
    layer = torch.nn.PReLU().double()
    rng = np.random.default_rng(0)
    xs = rng.standard_normal(256)
    ys = np.where(xs > 0, xs, 0.05 * xs)
    seen = []
    fit(
        layer,
        xs,
        ys,
        loss="mse",
        epochs=300,
        lr=0.05,
        optimizer="sgd",
        momentum=0.0,
        progress=False,
        on_epoch=lambda epoch, loss: seen.append((epoch, layer.weight.item())),
    )
    assert [e for e, _ in seen] == list(range(300))
    assert seen[-1][1] == pytest.approx(0.05, abs=1e-6)


def test_mini_batches_are_seeded_and_cover_the_data():
    x = torch.randn(50, 3, generator=torch.Generator().manual_seed(0))
    y = (x.sum(dim=1) > 0).long()
    runs = []
    for seed in (0, 0, 1):
        net = build_mlp("relu", (3, 6, 2), seed=0)
        h = fit(net, x, y, loss="cross_entropy", epochs=3, lr=0.1, batch_size=16, seed=seed)
        runs.append((h.loss, _weights(net)))
    assert runs[0][0] == runs[1][0] and torch.equal(runs[0][1], runs[1][1])
    assert runs[0][0] != runs[2][0]


def test_fit_leaves_the_global_rng_alone_and_the_model_in_eval_mode():
    torch.manual_seed(5)
    expected = torch.rand(2)
    torch.manual_seed(5)
    net = build_mlp("rrelu", (2, 4, 1), seed=0)
    fit(net, torch.randn(8, 2), torch.ones(8), loss="bce", epochs=2, lr=0.1, progress=False)
    assert not net.training
    torch.manual_seed(5)
    fit(net, [[0.0, 1.0]], [1.0], loss="bce", epochs=2, lr=0.1, progress=False)
    assert torch.equal(torch.rand(2), expected)


def test_binary_classifier_separates_circles_where_a_linear_model_cannot():
    from sklearn.datasets import make_circles

    x, y = make_circles(n_samples=300, noise=0.05, factor=0.5, random_state=0)
    results = {}
    for name in ("identity", "relu"):
        net = build_mlp(name, (2, 16, 1), init="pytorch", seed=0, dtype=torch.float64)
        history = fit(net, x, y, loss="bce", epochs=200, lr=0.03, progress=False)
        assert len(history.loss) == 200 and history.loss[-1] < history.loss[0]
        results[name] = accuracy(net, x, y)
    assert results["relu"] > 0.95
    assert results["identity"] < 0.75


def test_regression_loss_starts_at_the_initial_error():
    net = build_mlp("tanh", (1, 8, 1), init="pytorch", seed=0, dtype=torch.float64)
    xs = np.linspace(-2, 2, 50)[:, None]
    target = np.sin(2 * xs)
    with torch.no_grad():
        before = float(np.mean((net(torch.as_tensor(xs)).numpy() - target) ** 2))
    history = fit(net, xs, target, loss="mse", epochs=300, lr=0.03, progress=False)
    assert history.loss[0] == pytest.approx(before, rel=1e-12)
    assert history.loss[-1] < 0.1 * before


def test_divergence_stops_the_loop():
    net = build_mlp("relu", (1, 4, 1), seed=0, dtype=torch.float64)
    x = torch.linspace(-1, 1, 10, dtype=torch.float64)[:, None]
    history = fit(net, x, 1e200 * x, loss="mse", epochs=5, lr=1.0, progress=False)
    assert history.diverged and len(history.loss) < 5 and not math.isfinite(history.loss[-1])


def test_fit_can_keep_integer_inputs_for_an_embedding():
    """x_dtype=torch.long feeds token indices to an nn.Embedding; the default converts to float."""
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Embedding(6, 4), torch.nn.Flatten(), torch.nn.Linear(8, 6))
    x = np.array([[i, (i + 1) % 6] for i in range(6)])  # two tokens -> the next one
    y = (x[:, 1] + 1) % 6
    history = fit(
        model, x, y, loss="cross_entropy", epochs=60, lr=0.1, progress=False, x_dtype=torch.long
    )
    assert history.loss[-1] < 0.05 * history.loss[0]
    with torch.no_grad():
        assert torch.equal(model(torch.as_tensor(x)).argmax(dim=1), torch.as_tensor(y))
    with pytest.raises(RuntimeError, match="Long|Int"):  # float indices, as before
        fit(model, x, y, loss="cross_entropy", epochs=1, lr=0.1, progress=False)
    with pytest.raises(TypeError, match="x_dtype"):
        fit(model, x, y, loss="cross_entropy", epochs=1, lr=0.1, progress=False, x_dtype="long")


def test_accuracy_for_one_logit_and_for_several_classes():
    ident = torch.nn.Identity()
    assert accuracy(ident, [[1.0], [-1.0], [2.0]], [1, 1, 1]) == pytest.approx(2 / 3)
    assert accuracy(ident, [[0.0, 1.0, 0.0], [3.0, 1.0, 0.0]], torch.tensor([1, 2])) == 0.5


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"loss": "hinge"}, ValueError, "cross_entropy"),
        ({"optimizer": "lbfgs"}, ValueError, "sgd"),
        ({"epochs": 0}, ValueError, "epochs"),
        ({"lr": -1.0}, ValueError, "lr"),
        ({"momentum": 1.0}, ValueError, "momentum"),
        ({"batch_size": 0}, ValueError, "batch_size"),
        ({"seed": 1.5}, TypeError, "seed"),
        ({"progress": "yes"}, TypeError, "progress"),
        ({"y": [1.0, 0.0]}, ValueError, "examples"),
        ({"model": "net"}, TypeError, "Module"),
    ],
)
def test_fit_rejects_bad_input(kwargs, error, match):
    args = {
        "model": build_mlp("relu", (2, 3, 1), seed=0),
        "x": [[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]],
        "y": [1.0, 0.0, 1.0],
        "loss": "bce",
        "epochs": 2,
        "lr": 0.1,
        "progress": False,
        **kwargs,
    }
    with pytest.raises(error, match=match):
        fit(args.pop("model"), args.pop("x"), args.pop("y"), **args)


def test_losses_table():
    assert set(LOSSES) == {"cross_entropy", "bce", "mse"}


# ---------------------------------------------------------------------------- digits and train
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
    assert a.test_accuracy == accuracy(a.model, digits.x_test, digits.y_test)
    assert not a.diverged and not a.model.training


def test_train_is_fit_on_the_seeded_network(digits):
    """train() adds nothing to the loop: the same network and fit() give the same losses."""
    result = train("tanh", digits, seed=3, config=QUICK, progress=False)
    net = build_mlp("tanh", (64, 32, 32, 10), init=QUICK.init, seed=3)
    history = fit(
        net,
        digits.x_train,
        digits.y_train,
        loss="cross_entropy",
        epochs=QUICK.epochs,
        lr=QUICK.lr,
        optimizer="sgd",
        momentum=QUICK.momentum,
        batch_size=QUICK.batch_size,
        seed=4,
        progress=False,
    )
    assert history.loss == result.train_loss
    assert torch.equal(_weights(net), _weights(result.model))


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


@pytest.mark.parametrize(
    ("config", "error"),
    [
        (TrainConfig(lr=0.0), ValueError),
        (TrainConfig(lr=float("nan")), ValueError),
        (TrainConfig(momentum=1.0), ValueError),
        (TrainConfig(epochs=0), ValueError),
        (TrainConfig(batch_size=1.5), TypeError),
        (TrainConfig(optimizer="lbfgs"), ValueError),
        (TrainConfig(init="he"), ValueError),
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
    with pytest.raises(ValueError, match="elementwise"):
        train("softmax", digits, config=QUICK, progress=False)
    with pytest.raises(ValueError, match="test_fraction"):
        load_digits_data(test_fraction=1.0)
