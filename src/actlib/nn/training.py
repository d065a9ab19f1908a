r"""Training small networks, reproducibly: one loop for every experiment of the book.

* :func:`fit`: the training loop (full batch or shuffled mini-batches, Adam or SGD with
  momentum, seeded, stops on divergence, progress bar only in interactive sessions);
* :func:`accuracy`: the fraction of correctly classified examples;
* :func:`load_digits_data`, :class:`TrainConfig` and :func:`train`: an
  :class:`~actlib.nn.networks.MLP` trained on scikit-learn's ``load_digits`` (shipped inside
  scikit-learn, nothing is downloaded), with its dead units measured before and after.

PyTorch and scikit-learn are imported here at module level: import this module only where
they are installed.

>>> from actlib.nn.networks import build_mlp
>>> net = build_mlp("tanh", (1, 8, 1), seed=0)
>>> x = torch.linspace(-1, 1, 20)[:, None]
>>> history = fit(net, x, x**2, loss="mse", epochs=50, lr=0.05, progress=False)
>>> history.loss[-1] < history.loss[0]
True
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import nn

from actlib.checks.timing import Timer
from actlib.display.i18n import tr
from actlib.nn._common import as_tensor, check_int, check_positive, dtype_of
from actlib.nn.diagnostics import DeadUnits, dead_units
from actlib.nn.networks import MLP, _check_init, _hidden_spec, build_mlp
from actlib.spec import Activation

__all__ = [
    "LOSSES",
    "OPTIMIZERS",
    "PROGRESS_ENV",
    "DigitsData",
    "FitHistory",
    "TrainConfig",
    "TrainResult",
    "accuracy",
    "fit",
    "load_digits_data",
    "progress_default",
    "train",
]

#: Environment variable that switches progress bars on ("1") or off ("0") when a function is
#: called with ``progress=None``. See :func:`progress_default`.
PROGRESS_ENV = "ACTLIB_PROGRESS"

#: Losses :func:`fit` knows, all averaged over the batch: cross-entropy of logits against class
#: indices, binary cross-entropy of one logit per example against 0/1 labels, mean squared error.
LOSSES: dict[str, Callable[[torch.Tensor, torch.Tensor], torch.Tensor]] = {
    "cross_entropy": nn.functional.cross_entropy,
    "bce": nn.functional.binary_cross_entropy_with_logits,
    "mse": nn.functional.mse_loss,
}

#: Optimisers :func:`fit` knows: SGD with (heavy-ball) momentum, and Adam whose first-moment
#: decay is the ``momentum`` argument (second-moment decay 0.999, PyTorch's default).
OPTIMIZERS = ("sgd", "adam")


# ---------------------------------------------------------------------------- progress
def progress_default() -> bool:
    """Whether to show progress bars when a function is called with ``progress=None``.

    The environment variable ``ACTLIB_PROGRESS`` decides if it is set ("1", "true", "yes" or
    "on" for bars; anything else for none). Otherwise bars are shown only in an interactive
    session: a terminal (standard error is a TTY) or a notebook kernel started by a Jupyter
    server (which sets ``JPY_SESSION_NAME``). A notebook executed headless, as in the book
    build, has neither, so it stays quiet.

    Returns:
        ``True`` to show bars.

    >>> os.environ[PROGRESS_ENV] = "0"
    >>> progress_default()
    False
    >>> del os.environ[PROGRESS_ENV]
    """
    env = os.environ.get(PROGRESS_ENV)
    if env is not None:
        return env.strip().lower() in ("1", "true", "yes", "on")
    try:
        tty = sys.stderr.isatty()
    except (AttributeError, ValueError):
        tty = False
    return bool(tty or os.environ.get("JPY_SESSION_NAME"))


def _check_progress(progress: Any) -> bool:
    if progress is None:
        return progress_default()
    if not isinstance(progress, (bool, np.bool_)):
        raise TypeError(f"progress must be True, False or None, got {type(progress).__name__}")
    return bool(progress)


# ---------------------------------------------------------------------------- the loop
@dataclass(frozen=True)
class FitHistory:
    """What :func:`fit` recorded, epoch by epoch.

    ``loss[e]`` is the mean loss over the batches of epoch ``e`` (with full batch: the loss
    before the step of epoch ``e``); ``seconds[e]`` its wall time (the only field that differs
    between two runs with the same seed); ``diverged`` tells whether the loss became inf or
    NaN, in which case training stopped after that epoch.
    """

    loss: tuple[float, ...]
    seconds: tuple[float, ...]
    diverged: bool


def fit(
    model: nn.Module,
    x: Any,
    y: Any,
    *,
    loss: str,
    epochs: int,
    lr: float,
    optimizer: str = "adam",
    momentum: float = 0.9,
    batch_size: int | None = None,
    seed: int = 0,
    progress: bool | None = None,
    desc: str = "training",
    on_epoch: Callable[[int, float], Any] | None = None,
    x_dtype: torch.dtype | None = None,
) -> FitHistory:
    r"""Train ``model`` on ``(x, y)``: the training loop of every experiment in the book.

    Each step minimises the mean loss :math:`\frac1{|B|}\sum_{i\in B} \ell(\text{model}(x_i),
    y_i)` over a batch :math:`B`. With ``batch_size=None`` the batch is the whole data set, in
    the given order, and an epoch is one step; otherwise every epoch visits the examples in a
    fresh random order in batches of ``batch_size`` (the last one may be smaller).

    Reproducible: the order of the examples is drawn from a :class:`torch.Generator` seeded
    with ``seed``, and random layers in training mode (RReLU's slopes) draw from the global RNG
    seeded with ``seed + 1`` inside a fork, so the caller's random state is unchanged. On the
    CPU two calls with the same model, data and arguments give the same weights. The model is
    in training mode during the loop and left in evaluation mode.

    Args:
        model: a module with at least one parameter; trained in place.
        x: inputs (tensor, array or list), converted to the dtype of the model.
        y: targets: class indices for ``"cross_entropy"``, otherwise numbers (0/1 labels for
            ``"bce"``) with one entry per model output, reshaped to the output's shape.
        loss: a key of :data:`LOSSES`.
        epochs: number of passes over the data (>= 1).
        lr: learning rate (> 0).
        optimizer: ``"adam"`` or ``"sgd"``.
        momentum: SGD's momentum, or Adam's first-moment decay :math:`\beta_1`; in [0, 1).
        batch_size: examples per step; ``None`` for full batch.
        seed: non-negative integer.
        progress: show a tqdm bar over epochs; ``None`` means :func:`progress_default`.
        desc: the label of the progress bar.
        on_epoch: called as ``on_epoch(epoch, mean_loss)`` after every epoch.
        x_dtype: the dtype ``x`` is converted to; ``None`` for the model's (floating) dtype, an
            integer dtype such as ``torch.long`` for indices (the tokens an ``nn.Embedding``
            looks up).

    Returns:
        A :class:`FitHistory`.

    Raises:
        TypeError: a wrongly typed argument.
        ValueError: unknown loss or optimiser, an argument out of range, ``x`` and ``y`` of
            different lengths.

    >>> from actlib.nn.networks import build_mlp
    >>> net = build_mlp("relu", (2, 4, 2), seed=0)
    >>> h = fit(net, torch.eye(2), torch.tensor([0, 1]), loss="cross_entropy", epochs=3,
    ...         lr=0.1, progress=False)
    >>> len(h.loss), len(h.seconds), h.diverged, net.training
    (3, 3, False, False)
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}; choose one of {', '.join(LOSSES)}")
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {optimizer!r}; choose one of {', '.join(OPTIMIZERS)}")
    epochs = check_int(epochs, "epochs", 1)
    lr = check_positive(lr, "lr")
    momentum = check_positive(momentum, "momentum", allow_zero=True)
    if momentum >= 1:
        raise ValueError(f"momentum must be in [0, 1), got {momentum}")
    if batch_size is not None:
        batch_size = check_int(batch_size, "batch_size", 1)
    seed = check_int(seed, "seed", 0)
    show = _check_progress(progress)
    dtype = dtype_of(model)
    if x_dtype is not None and not isinstance(x_dtype, torch.dtype):
        raise TypeError(f"x_dtype must be a torch.dtype or None, got {type(x_dtype).__name__}")
    xt = as_tensor(x, dtype if x_dtype is None else x_dtype)
    if loss == "cross_entropy":
        yt = y.long() if isinstance(y, torch.Tensor) else torch.as_tensor(np.asarray(y, np.int64))
    else:
        yt = as_tensor(y, dtype)
    n = xt.shape[0]
    if yt.shape[0] != n:
        raise ValueError(f"x has {n} examples but y has {yt.shape[0]}")
    loss_fn = LOSSES[loss]
    opt: torch.optim.Optimizer
    if optimizer == "adam":
        opt = torch.optim.Adam(model.parameters(), lr=lr, betas=(momentum, 0.999))
    else:
        opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    shuffle = torch.Generator().manual_seed(seed)
    losses: list[float] = []
    seconds: list[float] = []
    diverged = False
    bar = None
    if show:
        from tqdm.auto import tqdm

        bar = tqdm(total=epochs, desc=desc, leave=False)
    try:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed + 1)  # random layers in training mode (RReLU)
            model.train()
            for epoch in range(epochs):
                with Timer() as timer:
                    batches: Iterable[tuple[torch.Tensor, torch.Tensor]]
                    if batch_size is None:
                        batches = [(xt, yt)]
                    else:
                        order = torch.randperm(n, generator=shuffle)
                        batches = (
                            (xt[idx], yt[idx])
                            for idx in (order[i : i + batch_size] for i in range(0, n, batch_size))
                        )
                    total = 0.0
                    count = 0
                    for xb, yb in batches:
                        out = model(xb)
                        if loss != "cross_entropy" and yb.numel() == out.numel():
                            yb = yb.reshape(out.shape)
                        value = loss_fn(out, yb)
                        opt.zero_grad()
                        value.backward()
                        opt.step()
                        total += float(value.detach())
                        count += 1
                seconds.append(timer.wall)
                losses.append(total / count)
                if bar is not None:
                    bar.update(1)
                    bar.set_postfix(loss=f"{losses[-1]:.3f}")
                if on_epoch is not None:
                    on_epoch(epoch, losses[-1])
                if not math.isfinite(losses[-1]):
                    diverged = True
                    break
    finally:
        model.eval()
        if bar is not None:
            bar.close()
    return FitHistory(loss=tuple(losses), seconds=tuple(seconds), diverged=diverged)


def accuracy(model: nn.Module, x: Any, y: Any) -> float:
    r"""Fraction of examples whose predicted class equals the label.

    .. math::
        \text{accuracy} = \frac{1}{n} \sum_{i=1}^n [\hat y_i = y_i],

    where :math:`\hat y_i` is the index of the largest output, or, for a model with one output
    (a binary classifier's logit), :math:`[\text{logit}_i > 0]` against the label
    :math:`[y_i > 0.5]`. Evaluated without gradients, in the model's current mode.

    Args:
        model: a classifier returning logits.
        x: inputs (tensor, array or list).
        y: labels: class indices, or 0/1 for one output.

    Returns:
        A float in [0, 1].

    >>> accuracy(torch.nn.Identity(), [[2.0, 1.0], [0.0, 3.0]], [0, 0])
    0.5
    """
    try:
        dtype = dtype_of(model)
    except ValueError:  # no parameters (e.g. an identity): keep float64
        dtype = torch.float64
    with torch.no_grad():
        out = model(as_tensor(x, dtype))
    labels = y if isinstance(y, torch.Tensor) else torch.as_tensor(np.asarray(y))
    labels = labels.reshape(-1)
    if out.ndim == 1 or out.shape[-1] == 1:
        correct = (out.reshape(-1) > 0) == (labels > 0.5)
    else:
        correct = out.argmax(dim=-1) == labels
    return int(correct.sum()) / correct.numel()


# ---------------------------------------------------------------------------- digits
@dataclass(frozen=True)
class DigitsData:
    """scikit-learn's 8×8 digits, split and standardised with the training statistics."""

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor

    @property
    def n_features(self) -> int:
        """Pixels per image (64)."""
        return int(self.x_train.shape[1])

    @property
    def n_classes(self) -> int:
        """Number of classes (10)."""
        return int(torch.cat([self.y_train, self.y_test]).max()) + 1


def load_digits_data(*, test_fraction: float = 0.25, seed: int = 0) -> DigitsData:
    r"""Load ``sklearn.datasets.load_digits`` (1 797 images, 64 pixels, 10 classes).

    The split is stratified and seeded; each pixel is standardised with the mean and standard
    deviation of the training images, :math:`x' = (x - \mu_\text{train}) / \sigma_\text{train}`
    (pixels that are constant in training are only centred). The data ship inside scikit-learn:
    nothing is downloaded.

    Args:
        test_fraction: share of the images held out, in (0, 1).
        seed: seeds the split.

    Returns:
        A :class:`DigitsData` (float32 images, int64 labels).

    >>> data = load_digits_data(seed=0)
    >>> tuple(data.x_train.shape), tuple(data.x_test.shape), data.n_classes
    ((1347, 64), (450, 64), 10)
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    test_fraction = check_positive(test_fraction, "test_fraction")
    if not test_fraction < 1:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction}")
    seed = check_int(seed, "seed", 0)
    x, y = load_digits(return_X_y=True)
    x_tr, x_te, y_tr, y_te = train_test_split(
        x, y, test_size=test_fraction, random_state=seed, stratify=y
    )
    mean = x_tr.mean(axis=0)
    std = x_tr.std(axis=0)
    std[std == 0] = 1.0
    return DigitsData(
        x_train=torch.as_tensor((x_tr - mean) / std, dtype=torch.float32),
        y_train=torch.as_tensor(y_tr, dtype=torch.long),
        x_test=torch.as_tensor((x_te - mean) / std, dtype=torch.float32),
        y_test=torch.as_tensor(y_te, dtype=torch.long),
    )


@dataclass(frozen=True)
class TrainConfig:
    """Hyper-parameters of :func:`train` (all validated by :meth:`TrainConfig.check`).

    ``width`` units in each of ``depth`` hidden layers; ``epochs`` passes over the training set
    in shuffled mini-batches of ``batch_size``; ``optimizer`` (``"sgd"`` or ``"adam"``) with
    learning rate ``lr`` and ``momentum``; weights initialised by ``init``.
    """

    width: int = 64
    depth: int = 2
    epochs: int = 15
    batch_size: int = 64
    lr: float = 0.05
    momentum: float = 0.9
    init: str = "kaiming"
    optimizer: str = "sgd"

    def check(self) -> TrainConfig:
        """Validate every field.

        Returns:
            ``self``.

        >>> TrainConfig(depth=3).check().depth
        3
        """
        check_int(self.width, "width", 1)
        check_int(self.depth, "depth", 1)
        check_int(self.epochs, "epochs", 1)
        check_int(self.batch_size, "batch_size", 1)
        check_positive(self.lr, "lr")
        m = check_positive(self.momentum, "momentum", allow_zero=True)
        if m >= 1:
            raise ValueError(f"momentum must be in [0, 1), got {m}")
        _check_init(self.init)
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(
                f"unknown optimizer {self.optimizer!r}; choose one of {', '.join(OPTIMIZERS)}"
            )
        return self

    def fit_options(self) -> dict[str, Any]:
        """The keyword arguments of :func:`fit` for a classifier trained with this configuration.

        Returns:
            ``loss``, ``epochs``, ``lr``, ``optimizer``, ``momentum`` and ``batch_size``.

        >>> TrainConfig(epochs=3).fit_options()["epochs"]
        3
        """
        return {
            "loss": "cross_entropy",
            "epochs": self.epochs,
            "lr": self.lr,
            "optimizer": self.optimizer,
            "momentum": self.momentum,
            "batch_size": self.batch_size,
        }


@dataclass(frozen=True)
class TrainResult:
    """What one seeded run of :func:`train` produced.

    ``train_loss[e]`` is the mean cross-entropy over the mini-batches of epoch ``e``;
    ``epoch_seconds`` the wall time of each epoch (the only field that differs between two runs
    with the same seed); ``diverged`` tells whether the loss became inf/NaN, in which case
    training stopped, the later epochs are missing and ``dead_after`` holds NaN.
    ``extra["learned_parameters"]`` lists the final values of learnable activation parameters
    (PReLU's slope of each layer), if any.
    """

    activation: str
    seed: int
    config: TrainConfig
    params: Mapping[str, Any]
    train_loss: tuple[float, ...]
    test_accuracy: float
    epoch_seconds: tuple[float, ...]
    dead_before: DeadUnits
    dead_after: DeadUnits
    diverged: bool
    extra: Mapping[str, Any] = field(default_factory=dict)
    #: The trained network (in eval mode), for further measurements; not part of equality.
    model: MLP | None = field(default=None, compare=False, repr=False)

    def numbers(self) -> tuple:
        """Everything except the timings: equal for two runs with the same inputs."""
        return (self.train_loss, self.test_accuracy, self.dead_before, self.dead_after)


def train(
    activation: str | Activation,
    data: DigitsData,
    *,
    seed: int = 0,
    config: TrainConfig | None = None,
    params: Mapping[str, Any] | None = None,
    progress: bool | None = None,
) -> TrainResult:
    """Train an MLP with ``activation`` on the digits by :func:`fit`, with a cross-entropy loss.

    The network is ``build_mlp(activation, (64, width, …, width, 10), init=config.init,
    seed=seed)``; :func:`fit` shuffles with ``seed + 1`` and seeds RReLU's slopes with
    ``seed + 2``. Two calls with the same arguments return equal :meth:`TrainResult.numbers`
    on the same machine and thread count; the caller's random state is unchanged.

    Args:
        activation: registered name or spec (elementwise).
        data: from :func:`load_digits_data`.
        seed: non-negative integer.
        config: hyper-parameters (:class:`TrainConfig` defaults otherwise).
        params: activation parameters (initial values for learnable ones).
        progress: show a tqdm bar over epochs; ``None`` means :func:`progress_default`.

    Returns:
        A :class:`TrainResult`, with the test accuracy and the fraction of dead units on the
        training set before and after training.

    >>> data = load_digits_data(seed=0)
    >>> one_step = TrainConfig(width=8, depth=1, epochs=1, batch_size=2048)
    >>> result = train("relu", data, config=one_step, progress=False)
    >>> len(result.train_loss), result.diverged, 0 <= result.test_accuracy <= 1
    (1, False, True)
    """
    spec = _hidden_spec(activation)
    if not isinstance(data, DigitsData):
        raise TypeError(f"data must be a DigitsData, got {type(data).__name__}")
    config = TrainConfig() if config is None else config
    if not isinstance(config, TrainConfig):
        raise TypeError(f"config must be a TrainConfig, got {type(config).__name__}")
    config.check()
    seed = check_int(seed, "seed", 0)
    params = dict(spec.resolve(params or {}))
    show = _check_progress(progress)

    model = build_mlp(
        spec,
        (data.n_features, *[config.width] * config.depth, data.n_classes),
        params=params,
        init=config.init,
        seed=seed,
    )
    dead_before = dead_units(model, data.x_train)
    history = fit(
        model,
        data.x_train,
        data.y_train,
        **config.fit_options(),
        seed=seed + 1,
        progress=show,
        desc=tr("{name} seed {seed}").format(name=spec.name, seed=seed),
    )
    test_accuracy = accuracy(model, data.x_test, data.y_test)
    if history.diverged:  # NaN weights: "dead" is meaningless, report NaN rather than a number
        nan = float("nan")
        dead_after = DeadUnits((nan,) * model.depth, nan, dead_before.tol)
    else:
        dead_after = dead_units(model, data.x_train)
    learned = tuple(float(v) for p in model.activations.parameters() for v in p.detach().flatten())
    extra = {"learned_parameters": learned} if learned else {}
    return TrainResult(
        activation=spec.name,
        seed=seed,
        config=config,
        params=params,
        train_loss=history.loss,
        test_accuracy=test_accuracy,
        epoch_seconds=history.seconds,
        dead_before=dead_before,
        dead_after=dead_after,
        diverged=history.diverged,
        extra=extra,
        model=model,
    )
