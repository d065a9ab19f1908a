r"""Measurements of networks: what an activation does to gradients, units and the function.

* :func:`gradient_profile`: per-layer gradient norms at initialisation (vanishing and
  exploding gradients);
* :func:`activation_moments` and :func:`layer_statistics`: the mean and variance of the
  activations layer by layer in the forward pass (self-normalization), optionally with dropout;
* :func:`dead_units`: the fraction of hidden units that pass no gradient on a data set;
* :func:`symbolic_network`, :func:`collapse_symbolic` and :func:`collapse_linear`: stacked
  linear layers collapse into one affine map;
* :func:`linear_regions_1d`: the exact linear pieces of a one-input network with a
  piecewise-linear activation;
* :func:`activation_patterns`: the on/off pattern of the hidden units, which labels the linear
  regions of a ReLU network with several inputs.

PyTorch is imported here at module level: import this module only where it is installed.

>>> from actlib.nn.networks import sawtooth_mlp
>>> linear_regions_1d(sawtooth_mlp(2), 0.0, 1.0).count
4
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import sympy as sp
import torch
from torch import nn

from actlib.nn._common import as_tensor, check_int, check_positive, dtype_of, linear_layers
from actlib.nn.networks import MLP, _hidden_spec, build_mlp
from actlib.registry import get
from actlib.shapes import X
from actlib.spec import Activation
from actlib.symbolic.pieces import (
    AffinePiece,
    affine_pieces,
    is_affine,
    is_piecewise_linear,
)

__all__ = [
    "DROPOUTS",
    "DeadUnits",
    "GradientProfile",
    "LayerStatistics",
    "Regions1D",
    "activation_moments",
    "activation_patterns",
    "collapse_linear",
    "collapse_symbolic",
    "dead_units",
    "gradient_profile",
    "layer_statistics",
    "linear_regions_1d",
    "symbolic_network",
]


# ---------------------------------------------------------------------------- gradients


def _grad_norm(t: torch.Tensor) -> torch.Tensor:
    """The norm of ``t.grad`` (a backward pass must have filled it)."""
    if t.grad is None:
        raise RuntimeError("no gradient: run a backward pass first")
    return t.grad.norm()


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
        """The norm of dL/dz at the first hidden layer divided by that at the last.

        Below 1 the gradient shrinks on its way to the input.
        """
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
    r"""Per-layer gradient norms at initialisation of a ``depth``-layer MLP.

    By the chain rule the gradient reaching hidden layer :math:`\ell` is

    .. math::
        \frac{\partial L}{\partial z_\ell}
        = \operatorname{diag} f'(z_\ell)\, W_{\ell+1}^\top \frac{\partial L}{\partial z_{\ell+1}},

    so every layer multiplies it by a factor set by :math:`f'` and the weight scale. The input
    is a seeded batch of standard normal vectors of size ``width``, the loss the cross-entropy
    against seeded random labels: at initialisation nothing has been learned, so the labels
    only set the direction of the gradient at the output. Runs in float64, in evaluation mode.

    Args:
        activation: registered name or spec (elementwise).
        depth, width, batch, classes: network and batch sizes (integers >= 1; classes >= 2).
        init: a key of :data:`~actlib.nn.networks.INITIALISERS`.
        seed: seeds the weights, the inputs and the labels.
        params: activation parameters.

    Returns:
        A :class:`GradientProfile`.

    >>> profile = gradient_profile("relu", depth=3, width=8, batch=16, init="kaiming")
    >>> profile.weight_grad.shape, profile.preact_grad.shape
    ((4,), (3,))
    """
    spec = _hidden_spec(activation)
    depth = check_int(depth, "depth", 1)
    width = check_int(width, "width", 1)
    batch = check_int(batch, "batch", 1)
    classes = check_int(classes, "classes", 2)
    seed = check_int(seed, "seed", 0)
    model = build_mlp(
        spec,
        (width, *[width] * depth, classes),
        params=params,
        init=init,
        seed=seed,
        dtype=torch.float64,
    )
    gen = torch.Generator().manual_seed(seed + 1)
    x = torch.randn(batch, width, generator=gen, dtype=torch.float64)
    y = torch.randint(0, classes, (batch,), generator=gen)
    logits, pre, post = model.forward_with_hidden(x)
    for z in pre:
        z.retain_grad()
    loss = nn.functional.cross_entropy(logits, y)
    model.zero_grad()
    loss.backward()
    weight_grad = np.array([float(_grad_norm(lin.weight)) for lin in linear_layers(model)])
    preact_grad = np.array([float(_grad_norm(z)) for z in pre])
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


# ---------------------------------------------------------------------------- forward statistics
#: The dropout layers :func:`activation_moments` can insert after every hidden activation:
#: PyTorch's ordinary (inverted) dropout and its alpha dropout for SELU networks.
DROPOUTS: dict[str, type[nn.Module]] = {"dropout": nn.Dropout, "alpha": nn.AlphaDropout}


def _check_dropout(dropout: Any, rate: Any) -> tuple[str | None, float]:
    if dropout is not None and not isinstance(dropout, str):
        raise TypeError(f"dropout must be None or a string, got {type(dropout).__name__}")
    if dropout is not None and dropout not in DROPOUTS:
        raise ValueError(
            f"unknown dropout {dropout!r}; choose None or one of {', '.join(DROPOUTS)}"
        )
    rate = check_positive(rate, "rate", allow_zero=True)
    if rate >= 1.0:
        raise ValueError(f"rate must be a finite number in [0, 1), got {rate}")
    return dropout, rate


def activation_moments(
    model: MLP,
    x: torch.Tensor,
    *,
    dropout: str | None = None,
    rate: float = 0.1,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    r"""Mean and variance of every hidden layer's activations for one batch.

    With :math:`h_\ell = f(z_\ell)` the activations of hidden layer :math:`\ell` (after
    dropout, when ``dropout`` is given: what layer :math:`\ell + 1` receives), the statistics
    are taken over all :math:`n` rows and :math:`m` units together,

    .. math::
        \mu_\ell = \frac{1}{nm} \sum_{i,j} h_{\ell,ij}, \qquad
        \nu_\ell = \frac{1}{nm} \sum_{i,j} \left(h_{\ell,ij} - \mu_\ell\right)^2.

    ``dropout="dropout"`` inserts :class:`torch.nn.Dropout` (units set to 0, the others scaled
    by :math:`1/(1-p)`), ``dropout="alpha"`` :class:`torch.nn.AlphaDropout` (units set to
    SELU's saturation value, then an affine map restoring mean 0 and variance 1), both in
    training mode with rate :math:`p` = ``rate``, their masks drawn from a fork of the global
    RNG seeded with ``seed`` (the caller's random state is left unchanged). The activations
    themselves run in evaluation mode; the model's mode is restored afterwards.

    Args:
        model: an :class:`~actlib.nn.networks.MLP`.
        x: a non-empty floating batch, shape ``(n, sizes[0])``.
        dropout: ``None``, or a key of :data:`DROPOUTS`.
        rate: the dropout probability, in [0, 1).
        seed: seeds the dropout masks (a non-negative integer).

    Returns:
        ``(means, variances)``, two float arrays with one entry per hidden layer, input side
        first.

    Raises:
        TypeError: ``model`` is not an MLP, ``x`` not a floating tensor, ``dropout`` not a
            string.
        ValueError: ``x`` has no rows; unknown ``dropout``; ``rate`` outside [0, 1).

    >>> from actlib.nn.networks import build_mlp
    >>> net = build_mlp("selu", (64, 64, 64, 1), init="lecun", seed=0, dtype=torch.float64)
    >>> x = torch.randn(256, 64, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    >>> means, variances = activation_moments(net, x)
    >>> means.shape, bool(abs(means).max() < 0.2 and abs(variances - 1).max() < 0.2)
    ((2,), True)
    """
    if not isinstance(model, MLP):
        raise TypeError(f"model must be an actlib.nn.networks.MLP, got {type(model).__name__}")
    if not isinstance(x, torch.Tensor) or not x.is_floating_point():
        raise TypeError("x must be a floating-point torch.Tensor")
    if x.ndim != 2 or x.shape[0] == 0:
        raise ValueError(f"x must be a non-empty 2-D batch, got shape {tuple(x.shape)}")
    dropout, rate = _check_dropout(dropout, rate)
    seed = check_int(seed, "seed", 0)
    drop = DROPOUTS[dropout](rate).train() if dropout is not None else None
    was_training = model.training
    model.eval()
    means, variances = [], []
    try:
        with torch.no_grad(), torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            h = x.to(dtype_of(model))
            for linear, act in zip(linear_layers(model)[:-1], model.activations, strict=True):
                h = act(linear(h))
                if drop is not None:
                    h = drop(h)
                means.append(float(h.mean()))
                variances.append(float(h.var(correction=0)))
    finally:
        model.train(was_training)
    return np.array(means), np.array(variances)


@dataclass(frozen=True)
class LayerStatistics:
    """Mean and variance of the activations of deep MLPs, layer by layer, over several seeds.

    ``mean[s, l]`` and ``variance[s, l]`` belong to hidden layer ``l + 1`` of the network drawn
    with ``seeds[s]`` (see :func:`activation_moments`). The ``*_centre`` and ``*_spread``
    properties summarise the seeds: the average and the sample standard deviation across them
    (0 for a single seed), one value per layer.
    """

    activation: str
    init: str
    depth: int
    width: int
    batch: int
    seeds: tuple[int, ...]
    dropout: str | None
    rate: float
    mean: np.ndarray
    variance: np.ndarray

    @staticmethod
    def _spread(values: np.ndarray) -> np.ndarray:
        if values.shape[0] < 2:
            return np.zeros(values.shape[1])
        return values.std(axis=0, ddof=1)

    @property
    def mean_centre(self) -> np.ndarray:
        """The mean activation of each layer, averaged over the seeds."""
        return self.mean.mean(axis=0)

    @property
    def mean_spread(self) -> np.ndarray:
        """The standard deviation across seeds of each layer's mean activation."""
        return self._spread(self.mean)

    @property
    def variance_centre(self) -> np.ndarray:
        """The variance of each layer's activations, averaged over the seeds."""
        return self.variance.mean(axis=0)

    @property
    def variance_spread(self) -> np.ndarray:
        """The standard deviation across seeds of each layer's activation variance."""
        return self._spread(self.variance)


def layer_statistics(
    activation: str | Activation,
    *,
    depth: int = 32,
    width: int = 128,
    batch: int = 512,
    init: str = "lecun",
    seeds: Sequence[int] = (0, 1, 2, 3, 4),
    dropout: str | None = None,
    rate: float = 0.1,
    params: Mapping[str, Any] | None = None,
    dtype: torch.dtype = torch.float64,
) -> LayerStatistics:
    r"""Mean and variance of the activations through a deep plain MLP, for several seeds.

    For each seed :math:`s` a network of ``depth`` hidden layers of ``width`` units (no
    normalization layers) is built by :func:`~actlib.nn.networks.build_mlp` with ``init`` and
    seed :math:`s`, and fed a batch of standard normal inputs drawn from a generator seeded
    with :math:`s + 1`; :func:`activation_moments` records the mean :math:`\mu_\ell` and the
    variance :math:`\nu_\ell` of every layer's activations (dropout masks seeded with
    :math:`s + 2`). A self-normalizing network keeps :math:`(\mu_\ell, \nu_\ell)` near
    :math:`(0, 1)` whatever the depth (Klambauer et al., 2017,
    https://arxiv.org/abs/1706.02515); other activations drift layer after layer.

    Args:
        activation: a registered name (or alias) or a spec; must be elementwise.
        depth, width, batch: network and batch sizes (integers >= 1).
        init: one of :data:`~actlib.nn.networks.INIT_SCHEMES` (LeCun normal by default).
        seeds: one network per seed (non-negative integers; at least one).
        dropout: ``None``, or a key of :data:`DROPOUTS`.
        rate: the dropout probability, in [0, 1).
        params: activation parameters.
        dtype: the floating dtype of the computation.

    Returns:
        A :class:`LayerStatistics`; its arrays have shape ``(len(seeds), depth)``.

    Raises:
        TypeError: a size or seed is not an integer; bad ``dropout`` or ``dtype`` type.
        ValueError: unknown or vector-valued activation, unknown initialiser or dropout, a
            size < 1, no seeds, a negative seed, ``rate`` outside [0, 1).

    >>> stats = layer_statistics("selu", depth=4, width=32, batch=64, seeds=(0, 1))
    >>> stats.mean.shape, stats.variance_centre.shape
    ((2, 4), (4,))
    """
    spec = _hidden_spec(activation)
    depth = check_int(depth, "depth", 1)
    width = check_int(width, "width", 1)
    batch = check_int(batch, "batch", 1)
    seeds = tuple(check_int(s, "every seed in seeds", 0) for s in seeds)
    if not seeds:
        raise ValueError("seeds must list at least one seed")
    dropout, rate = _check_dropout(dropout, rate)
    if not (isinstance(dtype, torch.dtype) and dtype.is_floating_point):
        raise TypeError(f"dtype must be a floating torch dtype, got {dtype!r}")
    means, variances = [], []
    for seed in seeds:
        model = build_mlp(
            spec, (width, *[width] * depth, 1), params=params, init=init, seed=seed, dtype=dtype
        )
        gen = torch.Generator().manual_seed(seed + 1)
        x = torch.randn(batch, width, generator=gen, dtype=dtype)
        m, v = activation_moments(model, x, dropout=dropout, rate=rate, seed=seed + 2)
        means.append(m)
        variances.append(v)
    return LayerStatistics(
        activation=spec.name,
        init=init,
        depth=depth,
        width=width,
        batch=batch,
        seeds=seeds,
        dropout=dropout,
        rate=rate,
        mean=np.array(means),
        variance=np.array(variances),
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
    r"""Fraction of hidden units of ``model`` that are dead on the inputs ``x``.

    Unit :math:`j` of layer :math:`\ell` is *dead* when

    .. math::
        |f'(z_{\ell j}(x_i))| \le \text{tol} \quad \text{for every row } x_i,

    so no example sends any gradient through it and its incoming weights never change again.
    For ReLU with ``tol=0`` this is the usual definition (the unit outputs 0 on every input).
    The derivative is obtained by autograd through the layer's own module, so learned
    parameters (PReLU's slope) count as they are now. Evaluated in eval mode (RReLU at its mean
    slope); the model's mode is restored afterwards.

    Args:
        model: an :class:`~actlib.nn.networks.MLP`.
        x: a non-empty floating batch, shape ``(n, sizes[0])``.
        tol: the largest slope that counts as zero (>= 0).

    Returns:
        A :class:`DeadUnits`.

    Raises:
        TypeError: ``model`` is not an MLP or ``x`` not a floating tensor.
        ValueError: ``x`` has no rows, or ``tol`` is negative.

    >>> from actlib.nn.networks import build_mlp
    >>> net = build_mlp("relu", (2, 4, 1), seed=0)
    >>> with torch.no_grad():
    ...     net.linears[0].bias[:2] = -100.0
    >>> dead_units(net, torch.randn(16, 2, generator=torch.Generator().manual_seed(0)))
    DeadUnits(per_layer=(0.5,), overall=0.5, tol=0.0)
    """
    if not isinstance(model, MLP):
        raise TypeError(f"model must be an actlib.nn.networks.MLP, got {type(model).__name__}")
    if not isinstance(x, torch.Tensor) or not x.is_floating_point():
        raise TypeError("x must be a floating-point torch.Tensor")
    if x.ndim != 2 or x.shape[0] == 0:
        raise ValueError(f"x must be a non-empty 2-D batch, got shape {tuple(x.shape)}")
    tol = check_positive(tol, "tol", allow_zero=True)
    was_training = model.training
    model.eval()
    per_layer: list[float] = []
    dead_total = 0
    units_total = 0
    try:
        with torch.no_grad():
            _, pre, _ = model.forward_with_hidden(x.to(linear_layers(model)[0].weight.dtype))
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


# ---------------------------------------------------------------------------- collapse
def _spec_of(model: nn.Module, activation: str | Activation | None):
    """The activation spec and parameters of a network with ``linears`` and ``activations``.

    :class:`~actlib.nn.networks.MLP` records them; for another model with those two attributes
    pass ``activation``.
    """
    if activation is not None:
        spec = get(activation)
        return spec, spec.resolve({})
    if isinstance(model, MLP):
        return model.spec, model.params
    raise TypeError(f"pass activation=... for a {type(model).__name__}; only an MLP records it")


def collapse_linear(
    model: nn.Module, activation: str | Activation | None = None
) -> tuple[np.ndarray, np.ndarray]:
    r"""The single affine map ``x ↦ W x + b`` that a network with an affine activation equals.

    With :math:`f(z) = a z + c` between the layers (``identity``: :math:`a = 1, c = 0`),

    .. math::
        W \leftarrow W_\ell\, (a W), \qquad b \leftarrow W_\ell\, (a b + c) + b_\ell
        \qquad (\ell = 2, \dots, L + 1),

    starting from :math:`W = W_1, b = b_1`; so :math:`W = W_{L+1} \cdots W_1` for the identity.

    Args:
        model: an :class:`~actlib.nn.networks.MLP`, or any module with ``linears`` and
            ``activations`` lists (then give ``activation``).
        activation: the registry activation of a model that does not record it.

    Returns:
        ``(W, b)`` as float64 arrays of shapes ``(n_out, n_in)`` and ``(n_out,)``.

    Raises:
        ValueError: the activation is not affine (e.g. ``relu``): there is nothing to collapse.

    >>> from actlib.nn.networks import build_mlp
    >>> w, b = collapse_linear(build_mlp("identity", (3, 8, 8, 2), seed=0))
    >>> w.shape, b.shape
    ((2, 3), (2,))
    """
    spec, params = _spec_of(model, activation)
    if not is_affine(spec, **params):
        raise ValueError(f"{spec.name} is not affine, so the network does not collapse")
    (piece,) = affine_pieces(spec, **params)
    linears = linear_layers(model)
    with torch.no_grad():
        w = linears[0].weight.double().numpy().copy()
        b = linears[0].bias.double().numpy().copy()
        for layer in linears[1:]:
            w_l = layer.weight.double().numpy()
            b_l = layer.bias.double().numpy()
            # next = W_l (a (W x + b) + c) + b_l
            w = w_l @ (piece.slope * w)
            b = w_l @ (piece.slope * b + piece.intercept) + b_l
    return w, b


def _sym(name: str) -> sp.Symbol:
    return sp.Symbol(name, real=True)


def symbolic_network(
    sizes: Sequence[int], activation: str | Activation = "identity", **params: Any
) -> tuple[sp.Matrix, list[tuple[sp.Matrix, sp.Matrix]], sp.Matrix]:
    r"""A network with symbolic weights, written out in SymPy.

    .. math::
        h_0 = x, \qquad h_\ell = f(W_\ell h_{\ell-1} + b_\ell), \qquad
        y = W_{L+1} h_L + b_{L+1},

    where layer :math:`\ell` has weights :math:`w^{(\ell)}_{ij}` and biases
    :math:`b^{(\ell)}_i` and :math:`f` is the activation's SymPy expression (from the registry).

    Args:
        sizes: the layer widths, input first.
        activation: a registered name or spec (elementwise).
        params: activation parameters.

    Returns:
        ``(x, layers, output)``: the input vector, the list of ``(W_l, b_l)`` and the output as
        a column matrix of expressions in ``x`` and the weights.

    >>> x, layers, out = symbolic_network((1, 1, 1))
    >>> out[0]
    b^{(2)}_{1} + w^{(2)}_{11}*(b^{(1)}_{1} + w^{(1)}_{11}*x_1)
    """
    spec = _hidden_spec(activation)
    f = spec.expr(**spec.resolve(params))
    sizes = tuple(int(n) for n in sizes)
    x = sp.Matrix(sp.symbols(f"x_1:{sizes[0] + 1}", real=True))
    layers = []
    h = x
    for layer, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True), start=1):
        w = sp.Matrix(n_out, n_in, lambda i, j, k=layer: _sym(f"w^{{({k})}}_{{{i + 1}{j + 1}}}"))
        b = sp.Matrix(n_out, 1, lambda i, _, k=layer: _sym(f"b^{{({k})}}_{{{i + 1}}}"))
        layers.append((w, b))
        z = w * h + b
        h = z.applyfunc(lambda e: f.subs(X, e)) if layer < len(sizes) - 1 else z
    return x, layers, h


def collapse_symbolic(layers: Sequence[tuple[sp.Matrix, sp.Matrix]]) -> tuple[sp.Matrix, sp.Matrix]:
    r"""The affine map a stack of linear layers *without* activation computes.

    .. math::
        W = W_L \cdots W_1, \qquad b = W_L(\cdots(W_2 b_1 + b_2)\cdots) + b_L.

    Args:
        layers: the ``(W_l, b_l)`` pairs, input side first (e.g. from :func:`symbolic_network`).

    Returns:
        ``(W, b)`` as SymPy matrices.

    >>> first = (sp.Matrix([[2]]), sp.Matrix([1]))
    >>> second = (sp.Matrix([[3]]), sp.Matrix([4]))
    >>> collapse_symbolic([first, second])
    (Matrix([[6]]), Matrix([[7]]))
    """
    w, b = layers[0]
    for w_l, b_l in layers[1:]:
        w, b = w_l * w, w_l * b + b_l
    return w, b


# ---------------------------------------------------------------------------- regions in 1-D
@dataclass(frozen=True)
class Regions1D:
    """The linear pieces of a network with one input on an interval.

    Attributes:
        pieces: maximal intervals on which the network is one affine function (slopes and
            intercepts are arrays with one entry per output).
        sign_changes: every point inside the interval where some hidden pre-activation crosses
            a kink of the activation (sorted, duplicates removed). A crossing need not bend the
            output, e.g. when the unit's outgoing weights are zero.
    """

    pieces: tuple[AffinePiece, ...]
    sign_changes: np.ndarray

    @property
    def count(self) -> int:
        """Number of linear pieces."""
        return len(self.pieces)

    @property
    def breakpoints(self) -> np.ndarray:
        """The points where the slope of the network actually changes."""
        return np.array([p.hi for p in self.pieces[:-1]])

    def __call__(self, x: Any) -> np.ndarray:
        """Evaluate the network from its pieces (shape ``x.shape + (n_outputs,)``)."""
        x = np.asarray(x, dtype=np.float64)
        edges = np.array([p.hi for p in self.pieces[:-1]])
        idx = np.searchsorted(edges, x, side="left")
        slopes = np.array([p.slope for p in self.pieces])
        intercepts = np.array([p.intercept for p in self.pieces])
        return slopes[idx] * x[..., None] + intercepts[idx]


def _activation_pieces(module: nn.Module, spec: Activation, params: dict[str, Any]):
    """Kinks from the SymPy pieces; slopes and intercepts read off the module itself.

    Reading them off the module keeps learned parameters (PReLU's slope) exact after training.
    """
    pieces = affine_pieces(spec, **params)
    out = []
    for p in pieces:
        if math.isinf(p.lo) and math.isinf(p.hi):
            u, v, w = -1.0, 0.0, 1.0
        elif math.isinf(p.lo):
            u, v, w = p.hi - 3.0, p.hi - 2.0, p.hi - 1.0
        elif math.isinf(p.hi):
            u, v, w = p.lo + 1.0, p.lo + 2.0, p.lo + 3.0
        else:
            u, v, w = (p.lo + k * (p.hi - p.lo) / 4 for k in (1, 2, 3))
        with torch.no_grad():
            fu, fv, fw = module(torch.tensor([u, v, w], dtype=torch.float64)).tolist()
        slope = (fv - fu) / (v - u)
        if not math.isclose((fw - fv) / (w - v), slope, rel_tol=1e-12, abs_tol=1e-15):
            raise ValueError(
                f"the {spec.name} module is not affine on ({p.lo}, {p.hi}); is it in training "
                "mode with a random slope (rrelu)? Call model.eval() first"
            )
        out.append(AffinePiece(p.lo, p.hi, slope, fu - slope * u))
    return out


def linear_regions_1d(
    model: nn.Module,
    lo: float,
    hi: float,
    *,
    activation: str | Activation | None = None,
    rtol: float = 1e-9,
) -> Regions1D:
    r"""The exact linear pieces of a network with one input on ``[lo, hi]``.

    The network must use a piecewise-linear activation (``relu``, ``leaky_relu``, ...). Layer
    by layer, each hidden pre-activation is an affine function :math:`z(x) = s x + c` of the
    input on each current piece; it reaches a kink :math:`k` of the activation at

    .. math::
        x = \frac{k - c}{s},

    and these points split the piece. Afterwards adjacent pieces whose slopes agree (to
    ``rtol``) are merged. A network with one hidden layer of ``k`` units therefore has at most
    ``k + 1`` pieces on any interval; deeper networks can have many more (Montúfar, Pascanu,
    Cho and Bengio, 2014, https://arxiv.org/abs/1402.1869).

    Args:
        model: an :class:`~actlib.nn.networks.MLP`, or any module with ``linears`` and
            ``activations`` lists (then give ``activation``).
        lo, hi: the interval.
        activation: the registry activation of a model that does not record it.
        rtol: relative tolerance for deciding that two adjacent slopes are equal.

    Returns:
        A :class:`Regions1D`.

    Raises:
        ValueError: the network has more than one input, ``lo >= hi``, or its activation is not
            piecewise linear.

    >>> from actlib.nn.networks import sawtooth_mlp
    >>> regions = linear_regions_1d(sawtooth_mlp(3), 0.0, 1.0)
    >>> regions.count, regions.breakpoints[:3]
    (8, array([0.125, 0.25 , 0.375]))
    """
    n_in = linear_layers(model)[0].in_features
    if n_in != 1:
        raise ValueError(f"the network must have one input, it has {n_in}")
    if not lo < hi:
        raise ValueError(f"need lo < hi, got lo={lo}, hi={hi}")
    spec, params = _spec_of(model, activation)
    if not is_piecewise_linear(spec, **params):
        raise ValueError(
            f"{spec.name} is not piecewise linear: the network has no finite set of pieces"
        )
    linears = linear_layers(model)
    acts = cast(nn.ModuleList, model.activations)
    # Each current piece: (a, b, slope vector, intercept vector) of the hidden representation.
    pieces = [(float(lo), float(hi), np.ones(1), np.zeros(1))]
    crossings: list[float] = []
    with torch.no_grad():
        for layer, act in zip(linears[:-1], acts, strict=True):
            w = layer.weight.double().numpy()
            bias = layer.bias.double().numpy()
            act_pieces = _activation_pieces(act, spec, params)
            kinks = [p.hi for p in act_pieces[:-1]]
            new = []
            for a, b, s, c in pieces:
                zs, zc = w @ s, w @ c + bias  # pre-activation z(x) = zs * x + zc on (a, b)
                cuts = []
                for k in kinks:
                    nz = zs != 0
                    t = (k - zc[nz]) / zs[nz]
                    cuts.extend(t[(t > a) & (t < b)].tolist())
                cuts = sorted(set(cuts))
                crossings.extend(cuts)
                edges = [a, *cuts, b]
                for u, v in zip(edges[:-1], edges[1:], strict=True):
                    z_mid = zs * (0.5 * (u + v)) + zc
                    idx = np.searchsorted(np.array(kinks), z_mid, side="left")
                    slope = np.array([act_pieces[i].slope for i in idx])
                    icpt = np.array([act_pieces[i].intercept for i in idx])
                    new.append((u, v, slope * zs, slope * zc + icpt))
            pieces = new
        w = linears[-1].weight.double().numpy()
        bias = linears[-1].bias.double().numpy()
        out = [(a, b, w @ s, w @ c + bias) for a, b, s, c in pieces]
    merged: list[list[Any]] = []
    for a, b, s, c in out:
        if merged:
            s0 = merged[-1][2]
            scale = max(float(np.max(np.abs(s0))), float(np.max(np.abs(s))), 1.0)
            if np.all(np.abs(s - s0) <= rtol * scale):
                merged[-1][1] = b
                continue
        merged.append([a, b, s, c])
    return Regions1D(
        pieces=tuple(AffinePiece(a, b, s, c) for a, b, s, c in merged),
        sign_changes=np.array(sorted(set(crossings))),
    )


# ---------------------------------------------------------------------------- regions in 2-D
def activation_patterns(model: nn.Module, points: Any) -> np.ndarray:
    r"""An integer id for the on/off pattern of all hidden units at each point.

    The pattern of point :math:`x` is the vector of bits :math:`[z_{\ell j}(x) > 0]` over all
    hidden units. Two points with the same pattern of a ReLU network lie in the same linear
    region (the converse need not hold). Ids are numbered in order of first appearance.

    Args:
        model: a module with ``linears`` and ``activations`` lists (an
            :class:`~actlib.nn.networks.MLP`).
        points: inputs, shape ``(n, sizes[0])``.

    Returns:
        An integer array of shape ``(n,)``.

    >>> from actlib.nn.networks import sawtooth_mlp
    >>> activation_patterns(sawtooth_mlp(1), [[-1.0], [0.25], [0.3], [1.0]]).tolist()
    [0, 1, 1, 2]
    """
    h = as_tensor(points, dtype_of(model))
    bits = []
    with torch.no_grad():
        for layer, act in zip(
            linear_layers(model)[:-1], cast(nn.ModuleList, model.activations), strict=True
        ):
            z = layer(h)
            bits.append((z > 0).numpy())
            h = act(z)
    pattern = np.concatenate(bits, axis=1)
    _, first, ids = np.unique(pattern, axis=0, return_index=True, return_inverse=True)
    # renumber by first appearance so the ids do not depend on the bit order
    order = np.argsort(np.argsort(first))
    return order[ids.reshape(-1)]
