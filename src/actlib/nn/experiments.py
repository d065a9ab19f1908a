"""Small, seeded experiments with multilayer perceptrons, shared by several chapters.

Everything here takes an activation *name* (or spec) from the registry and builds its layers
with :meth:`actlib.spec.Activation.torch_module`, so an activation added to actlib is covered by
every experiment without further code.

* :func:`build_mlp` and :class:`MLP`: a fully connected network whose hidden layers all use
  one activation;
* :data:`INITIALISERS` and :func:`initialise`: Xavier/Glorot, Kaiming/He and a deliberately bad
  large-variance initialisation;
* :func:`gradient_profile`: per-layer gradient norms at initialisation;
* :func:`dead_units`: the fraction of hidden units that pass no gradient on a data set;
* :func:`load_digits_data` and :func:`train`: a seeded training loop on scikit-learn's
  ``load_digits`` (shipped inside scikit-learn, nothing is downloaded).

PyTorch and scikit-learn are imported here at module level: import this module only where
they are installed.

>>> from actlib.nn.experiments import gradient_profile
>>> profile = gradient_profile("relu", depth=3, width=8, batch=16, init="kaiming")
>>> profile.weight_grad.shape
(4,)
"""

from __future__ import annotations

import math
import numbers
import os
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import nn

from actlib.registry import get
from actlib.spec import Activation

__all__ = [
    "INITIALISERS",
    "MLP",
    "DeadUnits",
    "DigitsData",
    "GradientProfile",
    "TrainConfig",
    "TrainResult",
    "build_mlp",
    "dead_units",
    "gradient_profile",
    "initialise",
    "load_digits_data",
    "progress_default",
    "train",
]

#: Environment variable that switches progress bars on ("1") or off ("0") when a function is
#: called with ``progress=None``. See :func:`progress_default`.
PROGRESS_ENV = "ACTLIB_PROGRESS"


# ---------------------------------------------------------------------------- validation
def _check_int(value: Any, name: str, minimum: int) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value}")
    return int(value)


def _check_positive(value: Any, name: str, *, allow_zero: bool = False) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    value = float(value)
    ok = value >= 0 if allow_zero else value > 0
    if not (math.isfinite(value) and ok):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be a finite number {bound}, got {value}")
    return value


def _elementwise_spec(activation: str | Activation) -> Activation:
    spec = get(activation)  # TypeError / ValueError with suggestions for bad names
    spec.shape.require_elementwise(spec, "a hidden layer (each unit is activated on its own)")
    return spec


# ---------------------------------------------------------------------------- the model
class MLP(nn.Module):
    """A fully connected network: ``depth`` hidden layers of ``width`` units, one activation.

    ``forward`` returns the logits (no output activation: the loss applies it). The pre- and
    post-activation values of every hidden layer are available through
    :meth:`forward_with_hidden`, which the gradient and dead-unit measurements use.
    """

    def __init__(self, linears: Iterable[nn.Linear], activations: Iterable[nn.Module]) -> None:
        super().__init__()
        self.linears = nn.ModuleList(linears)
        self.activations = nn.ModuleList(activations)
        if len(self.linears) != len(self.activations) + 1:
            raise ValueError("an MLP needs exactly one more linear layer than activations")

    @property
    def depth(self) -> int:
        """Number of hidden layers."""
        return len(self.activations)

    def forward_with_hidden(
        self, x: torch.Tensor
    ) -> tuple[torch.Tensor, list[torch.Tensor], list[torch.Tensor]]:
        """Logits, the pre-activations z_l and the activations a_l = f(z_l) of each hidden layer."""
        pre: list[torch.Tensor] = []
        post: list[torch.Tensor] = []
        h = x
        for linear, act in zip(self.linears[:-1], self.activations, strict=True):
            z = linear(h)
            h = act(z)
            pre.append(z)
            post.append(h)
        return self.linears[-1](h), pre, post

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = x
        for linear, act in zip(self.linears[:-1], self.activations, strict=True):
            h = act(linear(h))
        return self.linears[-1](h)


def build_mlp(
    activation: str | Activation,
    *,
    in_features: int,
    out_features: int,
    width: int = 64,
    depth: int = 2,
    params: Mapping[str, Any] | None = None,
    init: str = "kaiming",
    seed: int = 0,
) -> MLP:
    """Build and initialise an :class:`MLP` whose hidden layers all use ``activation``.

    Each hidden layer gets its own module from ``spec.torch_module(**params)``, so learnable
    activations (PReLU) learn one parameter per layer, and RReLU draws random slopes in training
    mode as PyTorch does.

    Args:
        activation: a registered name (or alias) or a spec; must be elementwise.
        in_features, out_features: sizes of the input and of the output (logits).
        width: units per hidden layer.
        depth: number of hidden layers (>= 1).
        params: activation parameters; the spec's defaults (PyTorch's) otherwise.
        init: a key of :data:`INITIALISERS`.
        seed: seeds the weights (a private generator: the global RNG is untouched).

    Raises:
        TypeError: a size, the depth or the seed is not an integer; unknown activation
            parameter; ``activation`` is not a string or spec.
        ValueError: unknown activation or initialiser, a size < 1, a negative seed, a
            vector-valued activation (softmax).

    >>> model = build_mlp("tanh", in_features=4, out_features=2, width=8, depth=3)
    >>> model.depth, tuple(model(torch.zeros(5, 4)).shape)
    (3, (5, 2))
    """
    spec = _elementwise_spec(activation)
    in_features = _check_int(in_features, "in_features", 1)
    out_features = _check_int(out_features, "out_features", 1)
    width = _check_int(width, "width", 1)
    depth = _check_int(depth, "depth", 1)
    seed = _check_int(seed, "seed", 0)
    params = dict(params or {})
    _check_init(init)
    sizes = [in_features] + [width] * depth + [out_features]
    # nn.Linear draws PyTorch's default initialisation from the global RNG: fork it, so that
    # building a model leaves the caller's random state as it was (initialise() redraws all).
    with torch.random.fork_rng(devices=[]):
        linears = [nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
        activations = [spec.torch_module(**params) for _ in range(depth)]
    model = MLP(linears, activations)
    initialise(model, init, seed=seed)
    return model


# ---------------------------------------------------------------------------- initialisers
def _xavier_std(fan_in: int, fan_out: int) -> float:
    """Glorot and Bengio (2010): Var(w) = 2 / (fan_in + fan_out), keeping both passes stable."""
    return math.sqrt(2.0 / (fan_in + fan_out))


def _kaiming_std(fan_in: int, fan_out: int) -> float:
    """He et al. (2015): Var(w) = 2 / fan_in, compensating the half of a ReLU layer that is 0."""
    return math.sqrt(2.0 / fan_in)


def _large_std(fan_in: int, fan_out: int) -> float:
    """Unit variance whatever the fan-in: the mistake of forgetting the 1/sqrt(fan_in) scale."""
    return 1.0


#: Standard deviation of the normal weights, as a function of (fan_in, fan_out). Biases are 0.
INITIALISERS: dict[str, Callable[[int, int], float]] = {
    "xavier": _xavier_std,
    "kaiming": _kaiming_std,
    "large": _large_std,
}


def _check_init(init: Any) -> str:
    if not isinstance(init, str):
        raise TypeError(f"init must be a string, got {type(init).__name__}")
    if init not in INITIALISERS:
        raise ValueError(f"unknown initialiser {init!r}; choose one of {', '.join(INITIALISERS)}")
    return init


def initialise(model: nn.Module, init: str, *, seed: int = 0) -> nn.Module:
    """Draw every ``nn.Linear`` weight of ``model`` from N(0, std²) and set biases to 0.

    The standard deviation comes from ``INITIALISERS[init](fan_in, fan_out)``. Draws use a
    private :class:`torch.Generator` seeded with ``seed``, in the order of ``model.modules()``.
    Returns ``model`` (modified in place).
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    std_of = INITIALISERS[_check_init(init)]
    seed = _check_int(seed, "seed", 0)
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, nn.Linear):
                fan_out, fan_in = module.weight.shape
                std = std_of(fan_in, fan_out)
                w = torch.randn(module.weight.shape, generator=gen, dtype=module.weight.dtype)
                module.weight.copy_(w * std)
                if module.bias is not None:
                    module.bias.zero_()
    return model


# ---------------------------------------------------------------------------- gradients
@dataclass(frozen=True)
class GradientProfile:
    """Gradient norms of one freshly initialised network, layer by layer (input side first).

    ``weight_grad[l]`` is the Frobenius norm of dL/dW for linear layer ``l`` (the last entry is
    the output layer); ``preact_grad[l]`` is the norm of dL/dz_l, the gradient reaching the
    pre-activations of hidden layer ``l``; ``activation_rms[l]`` is the root mean square of
    a_l = f(z_l) in the forward pass.
    """

    activation: str
    init: str
    depth: int
    width: int
    weight_grad: np.ndarray
    preact_grad: np.ndarray
    activation_rms: np.ndarray

    @property
    def first_to_last(self) -> float:
        """dL/dz of the first hidden layer over that of the last: < 1 shrinking, > 1 growing."""
        return float(self.preact_grad[0] / self.preact_grad[-1])

    @property
    def factor_per_layer(self) -> float:
        """Geometric-mean factor by which dL/dz changes per layer, going towards the input."""
        if self.depth < 2:
            return 1.0
        with np.errstate(divide="ignore", invalid="ignore"):
            return float(self.first_to_last ** (1.0 / (self.depth - 1)))


def gradient_profile(
    activation: str | Activation,
    *,
    depth: int = 12,
    width: int = 64,
    init: str = "xavier",
    batch: int = 256,
    classes: int = 10,
    seed: int = 0,
    params: Mapping[str, Any] | None = None,
) -> GradientProfile:
    """Per-layer gradient norms at initialisation of a ``depth``-layer MLP.

    The input is a seeded batch of standard normal vectors of size ``width``, the loss the
    cross-entropy against seeded random labels: at initialisation nothing has been learned, so
    the labels only set the direction of the gradient at the output. Runs in float64.

    Args:
        activation: registered name or spec (elementwise).
        depth, width, batch, classes: network and batch sizes (integers >= 1; classes >= 2).
        init: a key of :data:`INITIALISERS`.
        seed: seeds the weights, the inputs and the labels.
        params: activation parameters.

    Returns:
        A :class:`GradientProfile`.
    """
    spec = _elementwise_spec(activation)
    batch = _check_int(batch, "batch", 1)
    classes = _check_int(classes, "classes", 2)
    seed = _check_int(seed, "seed", 0)
    model = build_mlp(
        spec,
        in_features=width,
        out_features=classes,
        width=width,
        depth=depth,
        params=params,
        init=init,
        seed=seed,
    ).double()
    model.eval()  # RReLU uses its mean slope: the profile is deterministic
    gen = torch.Generator().manual_seed(seed + 1)
    x = torch.randn(batch, width, generator=gen, dtype=torch.float64)
    y = torch.randint(0, classes, (batch,), generator=gen)
    logits, pre, post = model.forward_with_hidden(x)
    for z in pre:
        z.retain_grad()
    loss = nn.functional.cross_entropy(logits, y)
    model.zero_grad()
    loss.backward()
    weight_grad = np.array([float(lin.weight.grad.norm()) for lin in model.linears])
    preact_grad = np.array([float(z.grad.norm()) for z in pre])
    rms = np.array([float(a.detach().pow(2).mean().sqrt()) for a in post])
    return GradientProfile(
        activation=spec.name,
        init=init,
        depth=model.depth,
        width=width,
        weight_grad=weight_grad,
        preact_grad=preact_grad,
        activation_rms=rms,
    )


# ---------------------------------------------------------------------------- dead units
@dataclass(frozen=True)
class DeadUnits:
    """Which hidden units pass no gradient on a whole data set.

    ``per_layer[l]`` is the fraction of units of hidden layer ``l`` for which
    ``|f'(z)| <= tol`` on every example; ``overall`` the fraction over all hidden units.
    """

    per_layer: tuple[float, ...]
    overall: float
    tol: float


def dead_units(model: MLP, x: torch.Tensor, *, tol: float = 0.0) -> DeadUnits:
    """Fraction of hidden units of ``model`` that are dead on the inputs ``x``.

    A unit is *dead* when the derivative of its activation is (at most ``tol`` in absolute value)
    zero for every row of ``x``: no example sends any gradient through it, so its incoming
    weights never change again. For ReLU with ``tol=0`` this is the usual definition (the unit
    outputs 0 on every input). The derivative f'(z) is obtained by autograd through the layer's
    own module, so learned parameters (PReLU's slope) count as they are now. Evaluated in eval
    mode (RReLU at its mean slope); the model's mode is restored afterwards.

    Raises:
        TypeError: ``model`` is not an :class:`MLP` or ``x`` not a floating tensor.
        ValueError: ``x`` has no rows, or ``tol`` is negative.
    """
    if not isinstance(model, MLP):
        raise TypeError(f"model must be an actlib.nn.experiments.MLP, got {type(model).__name__}")
    if not isinstance(x, torch.Tensor) or not x.is_floating_point():
        raise TypeError("x must be a floating-point torch.Tensor")
    if x.ndim != 2 or x.shape[0] == 0:
        raise ValueError(f"x must be a non-empty 2-D batch, got shape {tuple(x.shape)}")
    tol = _check_positive(tol, "tol", allow_zero=True)
    was_training = model.training
    model.eval()
    per_layer: list[float] = []
    dead_total = 0
    units_total = 0
    try:
        with torch.no_grad():
            _, pre, _ = model.forward_with_hidden(x.to(model.linears[0].weight.dtype))
        for z, act in zip(pre, model.activations, strict=True):
            z = z.detach().requires_grad_(True)
            (slope,) = torch.autograd.grad(act(z).sum(), z)
            alive = (slope.abs() > tol).any(dim=0)
            dead = int((~alive).sum())
            per_layer.append(dead / alive.numel())
            dead_total += dead
            units_total += alive.numel()
    finally:
        model.train(was_training)
    return DeadUnits(tuple(per_layer), dead_total / units_total, tol)


# ---------------------------------------------------------------------------- data
@dataclass(frozen=True)
class DigitsData:
    """scikit-learn's 8×8 digits, split and standardised with the training statistics."""

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor

    @property
    def n_features(self) -> int:
        return int(self.x_train.shape[1])

    @property
    def n_classes(self) -> int:
        return int(torch.cat([self.y_train, self.y_test]).max()) + 1


def load_digits_data(*, test_fraction: float = 0.25, seed: int = 0) -> DigitsData:
    """Load ``sklearn.datasets.load_digits`` (1 797 images, 64 pixels, 10 classes).

    The split is stratified and seeded; each pixel is standardised with the mean and standard
    deviation of the training images (pixels that are constant in training are only centred).
    The data ship inside scikit-learn: nothing is downloaded.
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    test_fraction = _check_positive(test_fraction, "test_fraction")
    if not test_fraction < 1:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction}")
    seed = _check_int(seed, "seed", 0)
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


# ---------------------------------------------------------------------------- training
#: Optimisers :func:`train` knows: mini-batch SGD with (heavy-ball) momentum, and Adam whose
#: first-moment decay is ``TrainConfig.momentum``.
OPTIMIZERS = ("sgd", "adam")


@dataclass(frozen=True)
class TrainConfig:
    """Hyper-parameters of :func:`train` (all validated by :meth:`check`)."""

    width: int = 64
    depth: int = 2
    epochs: int = 15
    batch_size: int = 64
    lr: float = 0.05
    momentum: float = 0.9
    init: str = "kaiming"
    optimizer: str = "sgd"

    def check(self) -> TrainConfig:
        """Validate every field; return ``self``."""
        _check_int(self.width, "width", 1)
        _check_int(self.depth, "depth", 1)
        _check_int(self.epochs, "epochs", 1)
        _check_int(self.batch_size, "batch_size", 1)
        _check_positive(self.lr, "lr")
        m = _check_positive(self.momentum, "momentum", allow_zero=True)
        if m >= 1:
            raise ValueError(f"momentum must be in [0, 1), got {m}")
        _check_init(self.init)
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(
                f"unknown optimizer {self.optimizer!r}; choose one of {', '.join(OPTIMIZERS)}"
            )
        return self


@dataclass(frozen=True)
class TrainResult:
    """What one seeded training run produced.

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


def progress_default() -> bool:
    """Whether to show progress bars when a function is called with ``progress=None``.

    The environment variable ``ACTLIB_PROGRESS`` decides if it is set ("1", "true", "yes" or
    "on" for bars; anything else for none). Otherwise bars are shown only in an interactive
    session: a terminal (standard error is a TTY) or a notebook kernel started by a Jupyter
    server (which sets ``JPY_SESSION_NAME``). A notebook executed headless, as in the book
    build, has neither, so it stays quiet.
    """
    env = os.environ.get(PROGRESS_ENV)
    if env is not None:
        return env.strip().lower() in ("1", "true", "yes", "on")
    try:
        tty = sys.stderr.isatty()
    except (AttributeError, ValueError):
        tty = False
    return bool(tty or os.environ.get("JPY_SESSION_NAME"))


def _progress_bar(total: int, desc: str, enabled: bool):
    if not enabled:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, leave=False)


def train(
    activation: str | Activation,
    data: DigitsData,
    *,
    seed: int = 0,
    config: TrainConfig | None = None,
    params: Mapping[str, Any] | None = None,
    progress: bool | None = None,
) -> TrainResult:
    """Train an MLP with ``activation`` on ``data`` by mini-batch SGD with momentum.

    Reproducible: the weights, the shuffling and RReLU's random slopes are all drawn from RNGs
    seeded with ``seed`` (the global torch RNG is forked, so the caller's state is unchanged).
    Two calls with the same arguments return equal :meth:`TrainResult.numbers` on the same
    machine and thread count.

    Args:
        activation: registered name or spec (elementwise).
        data: from :func:`load_digits_data`.
        seed: non-negative integer.
        config: hyper-parameters (:class:`TrainConfig` defaults otherwise).
        params: activation parameters (initial values for learnable ones).
        progress: show a tqdm bar over epochs; ``None`` means :func:`progress_default`.

    Returns:
        A :class:`TrainResult`, with the fraction of dead units on the training set before and
        after training.
    """
    spec = _elementwise_spec(activation)
    if not isinstance(data, DigitsData):
        raise TypeError(f"data must be a DigitsData, got {type(data).__name__}")
    config = TrainConfig() if config is None else config
    if not isinstance(config, TrainConfig):
        raise TypeError(f"config must be a TrainConfig, got {type(config).__name__}")
    config.check()
    seed = _check_int(seed, "seed", 0)
    params = dict(spec.resolve(params or {}))
    if progress is None:
        progress = progress_default()
    elif not isinstance(progress, (bool, np.bool_)):
        raise TypeError(f"progress must be True, False or None, got {type(progress).__name__}")

    model = build_mlp(
        spec,
        in_features=data.n_features,
        out_features=data.n_classes,
        width=config.width,
        depth=config.depth,
        params=params,
        init=config.init,
        seed=seed,
    )
    if config.optimizer == "adam":
        opt = torch.optim.Adam(model.parameters(), lr=config.lr, betas=(config.momentum, 0.999))
    else:
        opt = torch.optim.SGD(model.parameters(), lr=config.lr, momentum=config.momentum)
    n = data.x_train.shape[0]
    shuffle = torch.Generator().manual_seed(seed + 1)
    dead_before = dead_units(model, data.x_train)
    losses: list[float] = []
    seconds: list[float] = []
    diverged = False
    bar = _progress_bar(config.epochs, f"{spec.name} seed {seed}", bool(progress))
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed + 2)  # RReLU's random slopes in training mode
        model.train()
        for _ in range(config.epochs):
            start = time.perf_counter()
            order = torch.randperm(n, generator=shuffle)
            total = 0.0
            batches = 0
            for i in range(0, n, config.batch_size):
                idx = order[i : i + config.batch_size]
                loss = nn.functional.cross_entropy(model(data.x_train[idx]), data.y_train[idx])
                opt.zero_grad()
                loss.backward()
                opt.step()
                total += float(loss.detach())
                batches += 1
            seconds.append(time.perf_counter() - start)
            losses.append(total / batches)
            if bar is not None:
                bar.update(1)
                bar.set_postfix(loss=f"{losses[-1]:.3f}")
            if not math.isfinite(losses[-1]):
                diverged = True
                break
    if bar is not None:
        bar.close()
    model.eval()
    with torch.no_grad():
        pred = model(data.x_test).argmax(dim=1)
    accuracy = float((pred == data.y_test).float().mean())
    if diverged:  # NaN weights: "dead" is meaningless, report NaN rather than a number
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
        train_loss=tuple(losses),
        test_accuracy=accuracy,
        epoch_seconds=tuple(seconds),
        dead_before=dead_before,
        dead_after=dead_after,
        diverged=diverged,
        extra=extra,
        model=model,
    )
