r"""Deep networks with normalization layers and residual connections.

* :data:`NORMS` and :func:`norm_layer`: no normalization, batch normalization, layer
  normalization or RMS normalization, as PyTorch modules;
* :class:`DeepMLP` and :func:`build_deep_mlp`: ``depth`` blocks of ``width`` units with one
  registry activation, either plain (:math:`h_\ell = f(N(W_\ell h_{\ell-1} + b_\ell))`) or
  pre-norm residual (:math:`h_\ell = h_{\ell-1} + W_\ell f(N(h_{\ell-1})) + b_\ell`);
* :class:`DepthProfile`, :func:`gradient_per_layer` and :func:`depth_profile`: the gradient
  reaching every block, and the statistics of what every activation receives, at
  initialisation; :func:`batch_norm_factor`: the factor per layer that batch normalization
  predicts for the gradient;
* :class:`DeepRun`, :func:`train_deep`, :class:`SeedAccuracy` and :func:`accuracy_over_seeds`:
  seeded training on scikit-learn's digits by :func:`actlib.nn.training.fit`, over several
  seeds.

The plain network without normalization is the :class:`~actlib.nn.networks.MLP` of the other
chapters (same layers, same initialisers); the initialisers are those of
:func:`actlib.nn.networks.initialise`. PyTorch is imported at module level.

>>> net = build_deep_mlp("gelu", 4, 3, width=8, depth=5, norm="layer", residual=True, seed=0)
>>> net.depth, tuple(net(torch.zeros(2, 4)).shape)
(5, (2, 3))
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from actlib.display.i18n import tr
from actlib.nn._common import check_int
from actlib.nn.networks import _check_init, _hidden_spec, initialise
from actlib.nn.training import (
    DigitsData,
    TrainConfig,
    _check_progress,
    accuracy,
    fit,
)
from actlib.spec import Activation

__all__ = [
    "NORMS",
    "DeepMLP",
    "DeepRun",
    "DepthProfile",
    "SeedAccuracy",
    "accuracy_over_seeds",
    "batch_norm_factor",
    "build_deep_mlp",
    "depth_profile",
    "gradient_per_layer",
    "norm_layer",
    "train_deep",
]

#: The normalizations a :class:`DeepMLP` can use, each as ``width -> module``. ``"batch"``
#: standardises every feature over the batch (Ioffe and Szegedy, 2015), ``"layer"`` every
#: example over its features (Ba, Kiros and Hinton, 2016), ``"rms"`` divides every example by
#: the root mean square of its features without centring (Zhang and Sennrich, 2019). All have
#: a learnable gain (and, except RMS normalization, a bias), initialised to 1 (and 0).
NORMS: dict[str, Callable[[int], nn.Module]] = {
    "none": lambda width: nn.Identity(),
    "batch": lambda width: nn.BatchNorm1d(width),
    "layer": lambda width: nn.LayerNorm(width),
    "rms": lambda width: nn.RMSNorm(width, eps=1e-5),
}


def _check_norm(norm: Any) -> str:
    if not isinstance(norm, str):
        raise TypeError(f"norm must be a string, got {type(norm).__name__}")
    if norm not in NORMS:
        raise ValueError(f"unknown norm {norm!r}; choose one of {', '.join(NORMS)}")
    return norm


def _check_bool(value: Any, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__}")
    return bool(value)


def norm_layer(norm: str, width: int) -> nn.Module:
    r"""The normalization module ``norm`` for ``width`` features.

    For a batch :math:`z \in \mathbb R^{n \times m}` (``n`` examples, ``m`` features), with a
    gain :math:`\gamma` and a bias :math:`\beta` per feature and a small :math:`\varepsilon`:

    .. math::
        \text{batch:}\; \frac{z_{ij} - \mu_j}{\sqrt{\sigma_j^2 + \varepsilon}}\gamma_j + \beta_j,
        \qquad
        \text{layer:}\; \frac{z_{ij} - \mu_i}{\sqrt{\sigma_i^2 + \varepsilon}}\gamma_j + \beta_j,
        \qquad
        \text{rms:}\; \frac{z_{ij}}{\sqrt{\tfrac1m \sum_k z_{ik}^2 + \varepsilon}}\gamma_j,

    where :math:`\mu_j, \sigma_j^2` are the mean and (biased) variance of feature :math:`j`
    over the batch and :math:`\mu_i, \sigma_i^2` those of example :math:`i` over its features.
    Batch normalization uses running averages instead in evaluation mode.

    Args:
        norm: a key of :data:`NORMS`.
        width: the number of features (>= 1).

    Returns:
        A fresh module (``nn.Identity`` for ``"none"``).

    Raises:
        TypeError: ``norm`` is not a string, ``width`` not an integer.
        ValueError: unknown ``norm``; ``width`` < 1.

    >>> layer = norm_layer("layer", 4)
    >>> out = layer(torch.tensor([[1.0, 2.0, 3.0, 6.0]])).detach()
    >>> round(float(out.mean()), 6), round(float(out.var(correction=0)), 3)
    (0.0, 1.0)
    """
    norm = _check_norm(norm)
    width = check_int(width, "width", 1)
    return NORMS[norm](width)


# ---------------------------------------------------------------------------- the model
class DeepMLP(nn.Module):
    r"""A deep fully connected network, plain or pre-norm residual, with optional normalization.

    With :math:`N` the normalization (:func:`norm_layer`; the identity for ``"none"``) and
    :math:`f` the activation, a **plain** network computes, for :math:`\ell = 1, \dots, L`,

    .. math::
        h_0 = x, \qquad u_\ell = N_\ell(W_\ell h_{\ell-1} + b_\ell), \qquad
        h_\ell = f(u_\ell), \qquad y = W_\text{out} h_L + b_\text{out},

    normalization between the affine map and the activation, as batch normalization was
    introduced. A **pre-norm residual** network first maps the input to the width and then
    adds the output of every block to a running sum, the residual stream:

    .. math::
        h_0 = W_\text{in} x + b_\text{in}, \qquad u_\ell = N_\ell(h_{\ell-1}), \qquad
        h_\ell = h_{\ell-1} + W_\ell f(u_\ell) + b_\ell, \qquad
        y = W_\text{out} N_\text{out}(h_L) + b_\text{out}.

    :math:`u_\ell` is what the activation of block :math:`\ell` receives. Without
    normalization the plain network is the :class:`~actlib.nn.networks.MLP` of the other
    chapters. Construction draws PyTorch's default initialisation from the global RNG;
    :func:`build_deep_mlp` builds a seeded one without touching it.

    Args:
        activation: a registered name (or alias) or a spec; must be elementwise.
        in_features, out_features: input and output sizes (>= 1).
        width: units per block (>= 1).
        depth: number of blocks, :math:`L` (>= 1).
        norm: a key of :data:`NORMS`.
        residual: ``True`` for pre-norm residual blocks.
        params: activation parameters; the spec's defaults otherwise.

    Attributes:
        spec: the activation spec.
        params: the validated activation parameters.
        norm: the normalization, a key of :data:`NORMS`.
        residual: whether the blocks are pre-norm residual.
        width: the width of every block.
        linears: the :math:`L` block layers :math:`W_\ell`, an ``nn.ModuleList``.
        norms: the :math:`L` normalizations :math:`N_\ell`.
        activations: the :math:`L` activation modules.
        input_layer: :math:`W_\text{in}` (residual) or ``None`` (plain).
        final_norm: :math:`N_\text{out}` (residual) or ``nn.Identity``.
        output_layer: :math:`W_\text{out}`.

    Raises:
        TypeError: a size is not an integer, ``norm`` not a string, ``residual`` not a bool.
        ValueError: unknown or vector-valued activation, unknown ``norm``, a size < 1.

    >>> net = DeepMLP("relu", 3, 2, width=4, depth=2, norm="batch")
    >>> [type(m).__name__ for m in net.norms], net.input_layer is None
    (['BatchNorm1d', 'BatchNorm1d'], True)
    """

    def __init__(
        self,
        activation: str | Activation,
        in_features: int,
        out_features: int,
        *,
        width: int,
        depth: int,
        norm: str = "none",
        residual: bool = False,
        params: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__()
        spec = _hidden_spec(activation)
        values = spec.resolve(dict(params or {}))
        in_features = check_int(in_features, "in_features", 1)
        out_features = check_int(out_features, "out_features", 1)
        width = check_int(width, "width", 1)
        depth = check_int(depth, "depth", 1)
        norm = _check_norm(norm)
        residual = _check_bool(residual, "residual")
        if residual:
            self.input_layer: nn.Linear | None = nn.Linear(in_features, width)
            fan_in = [width] * depth
        else:
            self.input_layer = None
            fan_in = [in_features] + [width] * (depth - 1)
        self.linears = nn.ModuleList(nn.Linear(a, width) for a in fan_in)
        self.norms = nn.ModuleList(NORMS[norm](width) for _ in fan_in)
        self.activations = nn.ModuleList(spec.torch_module(**values) for _ in range(depth))
        self.final_norm = NORMS[norm](width) if residual else nn.Identity()
        self.output_layer = nn.Linear(width, out_features)
        self.spec = spec
        self.params = values
        self.norm = norm
        self.residual = residual
        self.width = width

    @property
    def depth(self) -> int:
        """Number of blocks."""
        return len(self.linears)

    def forward_with_trace(
        self, x: torch.Tensor
    ) -> tuple[torch.Tensor, list[torch.Tensor], list[torch.Tensor]]:
        r"""The output, the block outputs :math:`h_\ell` and the activation inputs :math:`u_\ell`.

        Args:
            x: a batch of inputs, shape ``(n, in_features)``.

        Returns:
            ``(y, [h_1, …, h_L], [u_1, …, u_L])``.

        >>> net = DeepMLP("tanh", 2, 1, width=3, depth=4, residual=True)
        >>> y, hidden, inputs = net.forward_with_trace(torch.zeros(5, 2))
        >>> len(hidden), tuple(inputs[0].shape)
        (4, (5, 3))
        """
        hidden: list[torch.Tensor] = []
        inputs: list[torch.Tensor] = []
        h = x if self.input_layer is None else self.input_layer(x)
        for linear, norm, act in zip(self.linears, self.norms, self.activations, strict=True):
            if self.residual:
                u = norm(h)
                h = h + linear(act(u))
            else:
                u = norm(linear(h))
                h = act(u)
            inputs.append(u)
            hidden.append(h)
        return self.output_layer(self.final_norm(h)), hidden, inputs

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The output (logits) for a batch ``x`` of shape ``(n, in_features)``."""
        return self.forward_with_trace(x)[0]


def build_deep_mlp(
    activation: str | Activation,
    in_features: int,
    out_features: int,
    *,
    width: int = 64,
    depth: int = 32,
    norm: str = "none",
    residual: bool = False,
    init: str = "kaiming",
    seed: int = 0,
    params: Mapping[str, Any] | None = None,
    dtype: torch.dtype = torch.float32,
) -> DeepMLP:
    r"""A seeded, initialised :class:`DeepMLP`, in evaluation mode.

    Every ``nn.Linear`` is redrawn by :func:`actlib.nn.networks.initialise` (normal weights
    with the standard deviation of ``init``, zero biases); normalization gains start at 1 and
    biases at 0. In a residual network each block adds a term of roughly constant variance to
    the stream, so the stream's variance grows with depth; the normalization in front of each
    activation takes that growth out of what the activation sees. The caller's random state is
    left unchanged.

    Args:
        activation: a registered name (or alias) or a spec; must be elementwise.
        in_features, out_features: input and output sizes.
        width, depth: units per block and number of blocks.
        norm: a key of :data:`NORMS`.
        residual: ``True`` for pre-norm residual blocks.
        init: one of :data:`~actlib.nn.networks.INIT_SCHEMES`.
        seed: seeds the weights (a non-negative integer).
        params: activation parameters.
        dtype: a floating torch dtype.

    Returns:
        The :class:`DeepMLP`.

    Raises:
        TypeError: a size or the seed is not an integer; bad ``norm``, ``residual`` or
            ``dtype`` type.
        ValueError: unknown activation, norm or initialiser; a size < 1; a negative seed.

    >>> a = build_deep_mlp("relu", 4, 2, width=8, depth=3, seed=1)
    >>> b = build_deep_mlp("relu", 4, 2, width=8, depth=3, seed=1)
    >>> bool(all((p == q).all() for p, q in zip(a.parameters(), b.parameters()))), a.training
    (True, False)
    """
    init = _check_init(init)
    seed = check_int(seed, "seed", 0)
    if not (isinstance(dtype, torch.dtype) and dtype.is_floating_point):
        raise TypeError(f"dtype must be a floating torch dtype, got {dtype!r}")
    with torch.random.fork_rng(devices=[]):
        model = DeepMLP(
            activation,
            in_features,
            out_features,
            width=width,
            depth=depth,
            norm=norm,
            residual=residual,
            params=params,
        )
    initialise(model, init, seed=seed)
    return model.to(dtype).eval()


# ---------------------------------------------------------------------------- gradients
@dataclass(frozen=True)
class DepthProfile:
    r"""Gradients and activation inputs of one network, block by block (input side first).

    ``stream_grad[l]`` is the norm of :math:`\partial\mathcal L/\partial h_{l+1}`, the gradient
    reaching the output of block ``l + 1`` (the activations of a plain layer, the residual
    stream of a residual block); ``weight_grad[l]`` the Frobenius norm of
    :math:`\partial\mathcal L/\partial W_{l+1}`; ``input_mean[l]`` and ``input_std[l]`` the
    mean and standard deviation of what activation ``l + 1`` receives, over all examples and
    units; ``stream_rms[l]`` the root mean square of :math:`h_{l+1}`.

    ``example_share[l]`` is the part of what activation ``l + 1`` receives that differs from
    example to example: for its input :math:`u \in \mathbb R^{n \times m}`,

    .. math::
        \frac{\frac1m \sum_j \operatorname{Var}_i u_{ij}}{\frac1{nm} \sum_{i,j} u_{ij}^2},

    1 when every unit is centred over the batch, near 0 when all examples are mapped to almost
    the same vector (the network can no longer tell them apart). ``dead_fraction[l]`` is the
    fraction of units of block ``l + 1`` whose activation has slope exactly 0 on every example
    of the batch (as :func:`actlib.nn.diagnostics.dead_units` counts them).
    """

    activation: str
    norm: str
    residual: bool
    stream_grad: np.ndarray
    weight_grad: np.ndarray
    input_mean: np.ndarray
    input_std: np.ndarray
    stream_rms: np.ndarray
    example_share: np.ndarray
    dead_fraction: np.ndarray

    @property
    def depth(self) -> int:
        """Number of blocks."""
        return len(self.stream_grad)

    @property
    def first_to_last(self) -> float:
        """The gradient norm at the first block's output divided by that at the last's."""
        return float(self.stream_grad[0] / self.stream_grad[-1])

    @property
    def factor_per_layer(self) -> float:
        """Geometric-mean factor by which the gradient changes per block, towards the input."""
        if self.depth < 2:
            return 1.0
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return float(self.first_to_last ** (1.0 / (self.depth - 1)))


def gradient_per_layer(model: DeepMLP, x: torch.Tensor, y: torch.Tensor) -> DepthProfile:
    r"""One backward pass of the cross-entropy of ``model`` on ``(x, y)``, measured per block.

    By the chain rule the gradient at block :math:`\ell - 1` is the gradient at block
    :math:`\ell` times the block's Jacobian, :math:`\partial h_\ell / \partial h_{\ell-1}`. In a
    plain network that Jacobian is :math:`\operatorname{diag} f'(u_\ell)\, J_{N}\, W_\ell`, and
    the factors multiply; in a residual network it is :math:`I + W_\ell
    \operatorname{diag} f'(u_\ell)\, J_N`, the identity plus a correction. The pass runs in
    training mode (batch normalization uses the batch's statistics, as it does while training)
    with the global RNG forked and seeded with 0 (RReLU's random slopes); the model's mode is
    restored afterwards and its gradients are left filled.

    Args:
        model: a :class:`DeepMLP`.
        x: a floating batch, shape ``(n, in_features)`` with ``n >= 2``.
        y: class indices, shape ``(n,)``.

    Returns:
        A :class:`DepthProfile`.

    Raises:
        TypeError: ``model`` is not a :class:`DeepMLP`, ``x`` not a floating tensor, ``y`` not
            an integer tensor.
        ValueError: ``x`` not a 2-D batch of at least two rows; ``y`` of another length.

    >>> net = build_deep_mlp("relu", 4, 3, width=8, depth=3, dtype=torch.float64)
    >>> x = torch.randn(16, 4, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    >>> profile = gradient_per_layer(net, x, torch.arange(16) % 3)
    >>> profile.stream_grad.shape, profile.weight_grad.shape
    ((3,), (3,))
    """
    if not isinstance(model, DeepMLP):
        raise TypeError(f"model must be an actlib.nn.deep.DeepMLP, got {type(model).__name__}")
    if not isinstance(x, torch.Tensor) or not x.is_floating_point():
        raise TypeError("x must be a floating-point torch.Tensor")
    if x.ndim != 2 or x.shape[0] < 2:
        raise ValueError(f"x must be a 2-D batch of at least two rows, got shape {tuple(x.shape)}")
    if not isinstance(y, torch.Tensor) or y.is_floating_point() or y.is_complex():
        raise TypeError("y must be an integer torch.Tensor of class indices")
    if y.shape != (x.shape[0],):
        raise ValueError(f"y must have shape ({x.shape[0]},), got {tuple(y.shape)}")
    dtype = model.output_layer.weight.dtype
    was_training = model.training
    try:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(0)
            model.train()
            logits, hidden, inputs = model.forward_with_trace(x.to(dtype))
            for h in hidden:
                h.retain_grad()
            loss = nn.functional.cross_entropy(logits, y.long())
            model.zero_grad()
            loss.backward()
    finally:
        model.train(was_training)
    stream_grad = []
    for h in hidden:
        if h.grad is None:  # pragma: no cover - every h_l lies on the path to the loss
            raise RuntimeError("no gradient reached a block")
        stream_grad.append(float(h.grad.detach().norm()))
    weight_grad = []
    for linear in model.linears:
        grad = linear.weight.grad if isinstance(linear, nn.Linear) else None
        weight_grad.append(float(grad.detach().norm()) if grad is not None else 0.0)
    input_mean = [float(u.detach().mean()) for u in inputs]
    input_std = [float(u.detach().std(correction=0)) for u in inputs]
    stream_rms = [float(h.detach().pow(2).mean().sqrt()) for h in hidden]
    example_share = []
    dead_fraction = []
    for u, act in zip(inputs, model.activations, strict=True):
        u = u.detach()
        example_share.append(float(u.var(0, correction=0).mean() / u.pow(2).mean()))
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(0)
            u = u.clone().requires_grad_(True)
            (slope,) = torch.autograd.grad(act(u).sum(), u)
        dead_fraction.append(float((slope == 0).all(dim=0).double().mean()))
    return DepthProfile(
        activation=model.spec.name,
        norm=model.norm,
        residual=model.residual,
        stream_grad=np.array(stream_grad),
        weight_grad=np.array(weight_grad),
        input_mean=np.array(input_mean),
        input_std=np.array(input_std),
        stream_rms=np.array(stream_rms),
        example_share=np.array(example_share),
        dead_fraction=np.array(dead_fraction),
    )


def depth_profile(
    activation: str | Activation,
    *,
    norm: str = "none",
    residual: bool = False,
    depth: int = 32,
    width: int = 64,
    batch: int = 256,
    classes: int = 10,
    init: str = "kaiming",
    seed: int = 0,
    params: Mapping[str, Any] | None = None,
) -> DepthProfile:
    r"""The :class:`DepthProfile` of a freshly initialised network, on seeded random data.

    The network is ``build_deep_mlp(activation, width, classes, width=width, depth=depth,
    norm=norm, residual=residual, init=init, seed=seed)`` in float64; the input is a batch of
    standard normal vectors and the labels are uniform over ``classes``, both drawn from a
    generator seeded with ``seed + 1`` (as :func:`actlib.nn.diagnostics.gradient_profile`
    does). At initialisation the labels carry no information; they only set the direction of
    the gradient at the output.

    Args:
        activation: a registered name (or alias) or a spec; must be elementwise.
        norm: a key of :data:`NORMS`.
        residual: ``True`` for pre-norm residual blocks.
        depth, width, batch: sizes (integers >= 1; ``batch`` >= 2).
        classes: number of classes (>= 2).
        init: one of :data:`~actlib.nn.networks.INIT_SCHEMES`.
        seed: seeds the weights, inputs and labels.
        params: activation parameters.

    Returns:
        A :class:`DepthProfile`.

    >>> plain = depth_profile("tanh", depth=16, width=16, init="xavier")
    >>> residual = depth_profile("tanh", norm="layer", residual=True, depth=16, width=16)
    >>> bool(abs(residual.factor_per_layer - 1) < abs(plain.factor_per_layer - 1))
    True
    """
    width = check_int(width, "width", 1)
    batch = check_int(batch, "batch", 2)
    classes = check_int(classes, "classes", 2)
    seed = check_int(seed, "seed", 0)
    model = build_deep_mlp(
        activation,
        width,
        classes,
        width=width,
        depth=depth,
        norm=norm,
        residual=residual,
        init=init,
        seed=seed,
        params=params,
        dtype=torch.float64,
    )
    gen = torch.Generator().manual_seed(seed + 1)
    x = torch.randn(batch, width, generator=gen, dtype=torch.float64)
    y = torch.randint(0, classes, (batch,), generator=gen)
    return gradient_per_layer(model, x, y)


def batch_norm_factor(activation: str | Activation, **params: Any) -> float:
    r"""The factor per layer by which batch normalization makes the gradient grow, predicted.

    In a wide plain network with batch normalization in front of every activation, each
    activation receives :math:`u \approx Z \sim \mathcal N(0, 1)` per unit. Going back one
    layer the gradient is multiplied by :math:`f'(u)` (mean square
    :math:`\mathbb E f'(Z)^2`), by :math:`W^\top` (a factor :math:`\sqrt{n \operatorname{Var}
    w}`) and by the normalization's :math:`1/\operatorname{std}(W h)`, with
    :math:`\operatorname{std}(W h) = \sqrt{n \operatorname{Var} w \operatorname{Var} f(Z)}`.
    The weight scale cancels and, neglecting the part of the gradient that the normalization
    projects out,

    .. math::
        \frac{\lVert \delta_{\ell-1} \rVert}{\lVert \delta_\ell \rVert} \approx
        \sqrt{\frac{\mathbb E\, f'(Z)^2}{\operatorname{Var} f(Z)}} \;\ge\; 1,

    the inequality being the Gaussian Poincaré inequality :math:`\operatorname{Var} f(Z) \le
    \mathbb E f'(Z)^2`, an equality only for affine :math:`f`. Both expectations are
    integrals against the normal density, computed by the trapezoidal rule on
    :math:`[-12, 12]` from the spec's NumPy forward and derivative (relative accuracy about
    :math:`10^{-5}`, enough for a prediction).

    Args:
        activation: a registered name (or alias) or a spec; must be elementwise.
        params: activation parameters.

    Returns:
        The predicted factor (1 for an affine activation).

    Raises:
        ValueError: unknown or vector-valued activation; a constant activation (its variance
            is 0).

    >>> round(batch_norm_factor("identity"), 6), round(batch_norm_factor("relu"), 3)
    (1.0, 1.211)
    """
    spec = _hidden_spec(activation)
    values = spec.resolve(params)
    z = np.linspace(-12.0, 12.0, 240_001)
    density = np.exp(-(z**2) / 2) / np.sqrt(2 * np.pi)
    f = np.asarray(spec.forward(z, **values), dtype=np.float64)
    slope = np.asarray(spec.derivative(z, **values), dtype=np.float64)
    mean = np.trapezoid(f * density, z)
    variance = float(np.trapezoid((f - mean) ** 2 * density, z))
    if not variance > 0:
        raise ValueError(f"{spec.name} is constant on a normal input: its variance is 0")
    return float(np.sqrt(np.trapezoid(slope**2 * density, z) / variance))


# ---------------------------------------------------------------------------- training
@dataclass(frozen=True)
class DeepRun:
    """One seeded training run of :func:`train_deep`.

    ``train_loss[e]`` is the mean cross-entropy over the mini-batches of epoch ``e``;
    ``diverged`` tells whether the loss became inf or NaN (training then stopped early).
    """

    activation: str
    norm: str
    residual: bool
    seed: int
    config: TrainConfig
    train_loss: tuple[float, ...]
    test_accuracy: float
    diverged: bool


def _check_config(config: Any) -> TrainConfig:
    config = TrainConfig() if config is None else config
    if not isinstance(config, TrainConfig):
        raise TypeError(f"config must be a TrainConfig or None, got {type(config).__name__}")
    return config.check()


def train_deep(
    activation: str | Activation,
    data: DigitsData,
    *,
    norm: str = "none",
    residual: bool = False,
    seed: int = 0,
    config: TrainConfig | None = None,
    params: Mapping[str, Any] | None = None,
    progress: bool | None = False,
) -> DeepRun:
    """Train a :class:`DeepMLP` on the digits with :func:`~actlib.nn.training.fit`.

    The network is ``build_deep_mlp(activation, 64, 10, width=config.width,
    depth=config.depth, norm=norm, residual=residual, init=config.init, seed=seed)`` in
    float32; :func:`~actlib.nn.training.fit` minimises the cross-entropy in shuffled
    mini-batches with ``config``'s optimiser, learning rate and momentum, seeded with
    ``seed + 1``. The test accuracy is measured in evaluation mode (batch normalization with
    its running averages).
    Two calls with the same arguments give equal results on the same machine and thread count.

    Args:
        activation: a registered name (or alias) or a spec; must be elementwise.
        data: from :func:`actlib.nn.training.load_digits_data`.
        norm: a key of :data:`NORMS`.
        residual: ``True`` for pre-norm residual blocks.
        seed: a non-negative integer.
        config: hyper-parameters (:class:`~actlib.nn.training.TrainConfig` defaults
            otherwise).
        params: activation parameters.
        progress: show a progress bar over epochs; ``None`` for
            :func:`~actlib.nn.training.progress_default`.

    Returns:
        A :class:`DeepRun`.

    Raises:
        TypeError: ``data`` is not a ``DigitsData``, ``config`` not a ``TrainConfig``, or
            another argument of the wrong type.
        ValueError: an argument out of range; batch normalization with a batch size that
            leaves a last batch of one example (its variance is undefined).

    >>> from actlib.nn.training import load_digits_data
    >>> data = load_digits_data(seed=0)
    >>> quick = TrainConfig(width=16, depth=3, epochs=1, batch_size=256, optimizer="adam",
    ...                     lr=0.01)
    >>> run = train_deep("relu", data, norm="rms", residual=True, config=quick)
    >>> len(run.train_loss), run.diverged, 0.0 <= run.test_accuracy <= 1.0
    (1, False, True)
    """
    spec = _hidden_spec(activation)
    if not isinstance(data, DigitsData):
        raise TypeError(f"data must be a DigitsData, got {type(data).__name__}")
    config = _check_config(config)
    norm = _check_norm(norm)
    residual = _check_bool(residual, "residual")
    seed = check_int(seed, "seed", 0)
    show = _check_progress(progress)
    n = int(data.x_train.shape[0])
    if norm == "batch" and n % config.batch_size == 1:
        raise ValueError(
            f"batch_size {config.batch_size} leaves a last batch of one example out of {n}, "
            "which batch normalization cannot standardise; choose another batch_size"
        )
    model = build_deep_mlp(
        spec,
        data.n_features,
        data.n_classes,
        width=config.width,
        depth=config.depth,
        norm=norm,
        residual=residual,
        init=config.init,
        seed=seed,
        params=params,
    )
    history = fit(
        model,
        data.x_train,
        data.y_train,
        **config.fit_options(),
        seed=seed + 1,
        progress=show,
        desc=(
            tr("{name}, {norm}, residual, seed {seed}")
            if residual
            else tr("{name}, {norm}, plain, seed {seed}")
        ).format(name=spec.name, norm=norm, seed=seed),
    )
    return DeepRun(
        activation=spec.name,
        norm=norm,
        residual=residual,
        seed=seed,
        config=config,
        train_loss=history.loss,
        test_accuracy=accuracy(model, data.x_test, data.y_test),
        diverged=history.diverged,
    )


@dataclass(frozen=True)
class SeedAccuracy:
    """Test accuracies of one setting over several seeds (see :func:`accuracy_over_seeds`)."""

    activation: str
    norm: str
    residual: bool
    runs: tuple[DeepRun, ...]

    @property
    def seeds(self) -> tuple[int, ...]:
        """The seeds, in the order of :attr:`accuracies`."""
        return tuple(r.seed for r in self.runs)

    @property
    def accuracies(self) -> np.ndarray:
        """The test accuracy of every seed."""
        return np.array([r.test_accuracy for r in self.runs])

    @property
    def mean(self) -> float:
        """Mean test accuracy over the seeds."""
        return float(self.accuracies.mean())

    @property
    def std(self) -> float:
        """Sample standard deviation over the seeds (``ddof=1``; 0 for one seed)."""
        acc = self.accuracies
        return float(acc.std(ddof=1)) if len(acc) > 1 else 0.0

    @property
    def low(self) -> float:
        """The lowest test accuracy of the seeds."""
        return float(self.accuracies.min())

    @property
    def high(self) -> float:
        """The highest test accuracy of the seeds."""
        return float(self.accuracies.max())

    @property
    def diverged(self) -> int:
        """How many of the runs diverged."""
        return sum(r.diverged for r in self.runs)


def accuracy_over_seeds(
    activation: str | Activation,
    data: DigitsData,
    *,
    norm: str = "none",
    residual: bool = False,
    seeds: Sequence[int] = (0, 1, 2),
    config: TrainConfig | None = None,
    params: Mapping[str, Any] | None = None,
) -> SeedAccuracy:
    """:func:`train_deep` once per seed, with everything else equal.

    Args:
        activation: a registered name (or alias) or a spec; must be elementwise.
        data: from :func:`actlib.nn.training.load_digits_data`.
        norm: a key of :data:`NORMS`.
        residual: ``True`` for pre-norm residual blocks.
        seeds: non-negative integers, at least one, no repeats.
        config: hyper-parameters shared by all runs.
        params: activation parameters.

    Returns:
        A :class:`SeedAccuracy`.

    Raises:
        TypeError: a seed is not an integer; other arguments as in :func:`train_deep`.
        ValueError: no seeds, a repeated or negative seed.

    >>> from actlib.nn.training import load_digits_data
    >>> quick = TrainConfig(width=8, depth=2, epochs=1, batch_size=512, optimizer="adam",
    ...                     lr=0.01)
    >>> result = accuracy_over_seeds("tanh", load_digits_data(), seeds=(0, 1), config=quick)
    >>> result.seeds, result.low <= result.mean <= result.high
    ((0, 1), True)
    """
    seeds = tuple(check_int(s, "every seed in seeds", 0) for s in seeds)
    if not seeds:
        raise ValueError("seeds must list at least one seed")
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds must not repeat, got {seeds}")
    config = _check_config(config)
    runs = tuple(
        train_deep(
            activation,
            data,
            norm=norm,
            residual=residual,
            seed=seed,
            config=config,
            params=params,
        )
        for seed in seeds
    )
    first = runs[0]
    return SeedAccuracy(first.activation, first.norm, first.residual, runs)
