"""Small networks built from registry activations, and the linear pieces of ReLU-type networks.

Three questions of the chapter *Why nonlinearity* are answered here with code that the tests
check:

* **Stacked linear layers collapse.** :func:`symbolic_network` writes a network with symbolic
  weights in SymPy; :func:`collapse_symbolic` and :func:`collapse_linear` compute the single
  affine map that a network with an affine activation (``identity``) is equal to.
* **A linear model fails where a small MLP succeeds.** :func:`make_mlp` builds a multilayer
  perceptron with any elementwise activation of the registry; :func:`fit_classifier` trains it
  (full batch, deterministic) on 2-D data; :func:`plot_decision_boundary` draws the result.
* **A ReLU network is piecewise linear.** :func:`linear_regions_1d` finds, exactly, the points
  where a pre-activation of a network with one input crosses a kink of a piecewise-linear
  activation, and merges the pieces on which the network is the same affine function.

PyTorch is imported when this module is imported; actlib itself does not need it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import sympy as sp
import torch

from actlib.nn.experiments import MLP as _ExperimentMLP
from actlib.registry import get
from actlib.spec import Activation, X

__all__ = [
    "MLP",
    "AffinePiece",
    "Regions1D",
    "accuracy",
    "activation_patterns",
    "affine_pieces",
    "collapse_linear",
    "collapse_symbolic",
    "fit_classifier",
    "fit_regressor",
    "is_affine",
    "is_piecewise_linear",
    "linear_regions_1d",
    "make_mlp",
    "plot_decision_boundary",
    "plot_regions_1d",
    "sawtooth_mlp",
    "symbolic_network",
]


# ---------------------------------------------------------------------- activations as pieces
@dataclass(frozen=True)
class AffinePiece:
    """An interval ``(lo, hi)`` on which a function equals ``slope * x + intercept``."""

    lo: float
    hi: float
    slope: Any  # float for an activation, np.ndarray (one per output) for a network
    intercept: Any


def _elementwise_expr(spec: Activation, params: dict[str, Any]) -> sp.Expr:
    spec.shape.require_elementwise(spec, "a hidden layer (each unit is activated on its own)")
    return spec.expr(**params)


def is_piecewise_linear(activation: str | Activation, **params: Any) -> bool:
    """Whether the activation is piecewise linear: its second derivative is zero on every piece.

    Decided from the SymPy expression (``relu``, ``leaky_relu``, ``identity``: yes; ``elu``,
    ``gelu``, ``tanh``: no). Vector-valued activations (softmax) are not elementwise and give
    ``False``.

    >>> is_piecewise_linear("relu"), is_piecewise_linear("gelu")
    (True, False)
    """
    spec = get(activation)
    try:
        spec.shape.require_elementwise(spec, "piecewise linearity")
    except ValueError:
        return False
    values = spec.resolve(params)
    key = tuple(sorted((k, v) for k, v in spec.symbolic_params(values).items()))
    return _piecewise_linear(spec, key)


#: Points at which a second derivative is evaluated before SymPy is asked to simplify it.
_PROBES = tuple(sp.Rational(n, 7) for n in (-23, -9, -2, 3, 10, 25))


@lru_cache(maxsize=256)
def _piecewise_linear(spec: Activation, key: tuple) -> bool:
    expr = spec.sympy_expr(X, **dict(key))
    pieces = (
        [(e, s) for e, s in expr.as_expr_set_pairs(sp.S.Reals) if s is not sp.S.EmptySet]
        if isinstance(expr, sp.Piecewise)
        else [(expr, sp.S.Reals)]
    )
    for e, s in pieces:
        d2 = sp.diff(e, X, 2)
        if d2 == 0:
            continue
        # A nonzero value at a probe point inside the piece settles it quickly; otherwise
        # let SymPy decide whether the expression is identically zero.
        for t in _PROBES:
            if s.contains(t) is sp.true and abs(complex(sp.N(d2.subs(X, t), 20))) > 1e-12:
                return False
        if sp.simplify(d2) != 0:
            return False
    return True


def is_affine(activation: str | Activation, **params: Any) -> bool:
    """Whether the activation is one affine map ``a x + c`` on the whole real line.

    >>> is_affine("identity"), is_affine("relu")
    (True, False)
    """
    spec = get(activation)
    return is_piecewise_linear(spec, **params) and len(affine_pieces(spec, **params)) == 1


def affine_pieces(activation: str | Activation, **params: Any) -> list[AffinePiece]:
    """The affine pieces of a piecewise-linear activation, from its SymPy expression.

    Adjacent pieces with the same slope and intercept are merged, so the boundaries returned
    are the kinks.

    >>> [(p.lo, p.hi, p.slope, p.intercept) for p in affine_pieces("relu")]
    [(-inf, 0.0, 0.0, 0.0), (0.0, inf, 1.0, 0.0)]

    Raises:
        ValueError: the activation is not piecewise linear (e.g. ``gelu``).
    """
    spec = get(activation)
    values = spec.resolve(params)
    if not is_piecewise_linear(spec, **values):
        raise ValueError(
            f"{spec.name} is not piecewise linear (its second derivative is not zero), so it "
            "has no finite set of affine pieces"
        )
    expr = _elementwise_expr(spec, values)
    if isinstance(expr, sp.Piecewise):
        pairs = [(e, s) for e, s in expr.as_expr_set_pairs(sp.S.Reals) if s is not sp.S.EmptySet]
    else:
        pairs = [(expr, sp.S.Reals)]
    raw = []
    for e, s in pairs:
        if not isinstance(s, sp.Interval):
            raise ValueError(f"piece {e} of {spec.name} is defined on {s}, not an interval")
        slope = float(sp.diff(e, X))
        intercept = float(e.subs(X, 0))
        raw.append((float(s.start), float(s.end), slope, intercept))
    raw.sort()
    merged: list[list[float]] = []
    for lo, hi, a, c in raw:
        if merged and merged[-1][2] == a and merged[-1][3] == c:
            merged[-1][1] = hi
        else:
            merged.append([lo, hi, a, c])
    return [AffinePiece(lo, hi, a, c) for lo, hi, a, c in merged]


# ---------------------------------------------------------------------- building and training
class MLP(_ExperimentMLP):
    """``Linear → activation → … → Linear`` with one registry activation, built from widths.

    The same network class as :class:`actlib.nn.experiments.MLP` (``linears``, ``activations``,
    ``forward_with_hidden``), constructed from a list of layer widths instead of a width and a
    depth, with PyTorch's default initialisation.

    Attributes:
        spec: the activation spec used after every hidden layer.
        params: the activation parameters (validated; PyTorch's defaults unless given).
        sizes: the layer widths, input first, output last.
    """

    def __init__(self, activation: str | Activation, sizes: Sequence[int], **params: Any):
        spec = get(activation)
        values = spec.resolve(params)
        _elementwise_expr(spec, values)  # rejects vector-valued activations
        sizes = tuple(int(n) for n in sizes)
        if len(sizes) < 2 or min(sizes) < 1:
            raise ValueError(f"sizes must list at least two positive widths, got {sizes}")
        linears = [torch.nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
        activations = [spec.torch_module(**values) for _ in sizes[1:-1]]
        super().__init__(linears, activations)
        self.spec = spec
        self.params = values
        self.sizes = sizes


def make_mlp(
    activation: str | Activation,
    sizes: Sequence[int] = (2, 16, 16, 1),
    *,
    seed: int = 0,
    dtype: torch.dtype = torch.float64,
    **params: Any,
) -> MLP:
    """A freshly initialised :class:`MLP`, reproducible from ``seed``.

    The weights use PyTorch's default initialisation, drawn from a generator seeded with
    ``seed``; the global random state is left as it was.

    >>> net = make_mlp("relu", (1, 3, 1), seed=0)
    >>> [tuple(p.shape) for p in net.parameters()]
    [(3, 1), (3,), (1, 3), (1,)]
    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        net = MLP(activation, sizes, **params)
    return net.to(dtype).eval()


def _as_tensor(a: Any, dtype: torch.dtype) -> torch.Tensor:
    if isinstance(a, torch.Tensor):
        return a.to(dtype)
    return torch.as_tensor(np.asarray(a, dtype=np.float64)).to(dtype)


def _dtype_of(model: torch.nn.Module) -> torch.dtype:
    return next(model.parameters()).dtype


def _fit(model, x, y, loss_fn, steps: int, lr: float) -> list[float]:
    if steps < 1:
        raise ValueError(f"steps must be at least 1, got {steps}")
    dtype = _dtype_of(model)
    xt = _as_tensor(x, dtype)
    yt = _as_tensor(y, dtype).reshape(len(xt), -1)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    model.train()
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_fn(model(xt), yt)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    model.eval()
    return losses


def fit_classifier(
    model: torch.nn.Module,
    x: Any,
    y: Any,
    *,
    steps: int = 400,
    lr: float = 0.02,
) -> list[float]:
    """Train a binary classifier (one output logit) by full-batch Adam on the logistic loss.

    Full-batch training on the CPU is deterministic: the same model, data and settings give the
    same weights. The model is left in evaluation mode. Returns the loss after each step.
    """
    return _fit(model, x, y, torch.nn.BCEWithLogitsLoss(), steps, lr)


def fit_regressor(
    model: torch.nn.Module,
    x: Any,
    y: Any,
    *,
    steps: int = 400,
    lr: float = 0.02,
) -> list[float]:
    """Like :func:`fit_classifier`, for real targets and the mean squared error."""
    return _fit(model, x, y, torch.nn.MSELoss(), steps, lr)


def accuracy(model: torch.nn.Module, x: Any, y: Any) -> float:
    """Fraction of points whose predicted class (logit > 0) equals the label."""
    with torch.no_grad():
        logits = model(_as_tensor(x, _dtype_of(model))).reshape(-1).numpy()
    return float(np.mean((logits > 0) == (np.asarray(y).reshape(-1) > 0.5)))


# ---------------------------------------------------------------------- collapse of linear nets
def _spec_of(model: torch.nn.Module, activation: str | Activation | None):
    """The activation spec and parameters of a network with ``linears`` and ``activations``.

    :class:`MLP` records them; for another model with those two attributes (such as
    :class:`actlib.nn.experiments.MLP`) pass ``activation``.
    """
    if activation is not None:
        spec = get(activation)
        return spec, spec.resolve({})
    if isinstance(model, MLP):
        return model.spec, model.params
    raise TypeError(f"pass activation=... for a {type(model).__name__}; only an MLP records it")


def collapse_linear(
    model: torch.nn.Module, activation: str | Activation | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The single affine map ``x ↦ W x + b`` that a network with an affine activation equals.

    With ``identity`` between the layers, ``W = W_L ⋯ W_1`` and ``b`` collects the biases; an
    affine activation ``a z + c`` is folded in the same way.

    Raises:
        ValueError: the activation is not affine (e.g. ``relu``): there is nothing to collapse.
    """
    spec, params = _spec_of(model, activation)
    if not is_affine(spec, **params):
        raise ValueError(f"{spec.name} is not affine, so the network does not collapse")
    (piece,) = affine_pieces(spec, **params)
    linears = model.linears
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
    """A network with symbolic weights, written out in SymPy.

    Layer ``l`` has weights ``w^{(l)}_{ij}`` and biases ``b^{(l)}_i``; the activation's SymPy
    expression (from the registry) is applied to every hidden unit.

    Returns:
        ``(x, layers, output)``: the input vector, the list of ``(W_l, b_l)`` and the output as
        a column matrix of expressions in ``x`` and the weights.
    """
    spec = get(activation)
    f = _elementwise_expr(spec, spec.resolve(params))
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
    """``(W, b)`` with ``W = W_L ⋯ W_1`` and ``b = W_L(⋯(W_2 b_1 + b_2)⋯) + b_L``.

    This is the affine map a stack of linear layers *without* activation computes.
    """
    w, b = layers[0]
    for w_l, b_l in layers[1:]:
        w, b = w_l * w, w_l * b + b_l
    return w, b


# ---------------------------------------------------------------------- linear regions in 1-D
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


def _activation_pieces(module: torch.nn.Module, spec: Activation, params: dict[str, Any]):
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
    model: torch.nn.Module,
    lo: float,
    hi: float,
    *,
    activation: str | Activation | None = None,
    rtol: float = 1e-9,
) -> Regions1D:
    """The exact linear pieces of a network with one input on ``[lo, hi]``.

    The network must use a piecewise-linear activation (``relu``, ``leaky_relu``, ...). Layer
    by layer, each hidden pre-activation is an affine function of ``x`` on each current piece;
    the points where it reaches a kink of the activation are solved for in closed form and split
    the piece. Afterwards adjacent pieces whose slopes agree (to ``rtol``) are merged.

    A network with one hidden layer of ``k`` units therefore has at most ``k + 1`` pieces on
    any interval; deeper networks can have many more (Montúfar, Pascanu, Cho and Bengio, 2014,
    https://arxiv.org/abs/1402.1869).

    >>> regions = linear_regions_1d(sawtooth_mlp(3), 0.0, 1.0)
    >>> regions.count, regions.breakpoints[:3]
    (8, array([0.125, 0.25 , 0.375]))

    Args:
        model: an :class:`MLP`, or any module with ``linears`` and ``activations`` lists
            (then give ``activation``).
        lo, hi: the interval.
        activation: the registry activation of a model that does not record it.
        rtol: relative tolerance for deciding that two adjacent slopes are equal.

    Raises:
        ValueError: the network has more than one input, or its activation is not piecewise
            linear.
    """
    n_in = model.linears[0].in_features
    if n_in != 1:
        raise ValueError(f"the network must have one input, it has {n_in}")
    if not lo < hi:
        raise ValueError(f"need lo < hi, got lo={lo}, hi={hi}")
    spec, params = _spec_of(model, activation)
    if not is_piecewise_linear(spec, **params):
        raise ValueError(
            f"{spec.name} is not piecewise linear: the network has no finite set of pieces"
        )
    linears = model.linears
    acts = model.activations
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


def sawtooth_mlp(depth: int, *, dtype: torch.dtype = torch.float64) -> MLP:
    """A ReLU network with ``depth`` hidden layers of two units and ``2**depth`` pieces on [0, 1].

    Each hidden layer computes the tent map ``t(y) = 2 relu(y) - 4 relu(y - 1/2)``, which
    folds [0, 1] onto itself; composing it ``depth`` times doubles the number of teeth each
    time. A single hidden layer with the same ``2 * depth`` units has at most
    ``2 * depth + 1`` pieces.

    Telgarsky (2016, https://arxiv.org/abs/1602.04485) builds on this construction to show
    that some functions of deep networks need exponentially many units in shallow ones.
    """
    if depth < 1:
        raise ValueError(f"depth must be at least 1, got {depth}")
    net = MLP("relu", (1, *([2] * depth), 1)).to(dtype)
    with torch.no_grad():
        for i, layer in enumerate(net.linears):
            if i == 0:
                layer.weight.copy_(torch.tensor([[1.0], [1.0]]))
            else:
                tent = torch.tensor([[2.0, -4.0]])
                layer.weight.copy_(tent if i == depth else tent.repeat(2, 1))
            if i < depth:
                layer.bias.copy_(torch.tensor([0.0, -0.5]))
            else:
                layer.bias.zero_()
    return net


# ---------------------------------------------------------------------- regions in 2-D
def activation_patterns(model: torch.nn.Module, points: Any) -> np.ndarray:
    """An integer id for the on/off pattern of all hidden units at each point.

    Two points with the same pattern of a ReLU network lie in the same linear region (the
    converse need not hold). Ids are numbered in order of first appearance.
    """
    h = _as_tensor(points, _dtype_of(model))
    bits = []
    with torch.no_grad():
        for layer, act in zip(model.linears[:-1], model.activations, strict=True):
            z = layer(h)
            bits.append((z > 0).numpy())
            h = act(z)
    pattern = np.concatenate(bits, axis=1)
    _, first, ids = np.unique(pattern, axis=0, return_index=True, return_inverse=True)
    # renumber by first appearance so the ids do not depend on the bit order
    order = np.argsort(np.argsort(first))
    return order[ids.reshape(-1)]


# ---------------------------------------------------------------------- drawing
def plot_decision_boundary(
    ax,
    model: torch.nn.Module,
    x: Any,
    y: Any,
    *,
    resolution: int = 200,
    margin: float = 0.3,
    title: str | None = None,
):
    """Draw the predicted probability, the 0.5 contour and the labelled points on ``ax``."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y)
    lo, hi = x.min(axis=0) - margin, x.max(axis=0) + margin
    g0, g1 = np.meshgrid(
        np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution)
    )
    grid = np.column_stack([g0.ravel(), g1.ravel()])
    with torch.no_grad():
        logits = model(_as_tensor(grid, _dtype_of(model))).reshape(g0.shape).numpy()
    prob = 1.0 / (1.0 + np.exp(-np.clip(logits, -50, 50)))
    ax.contourf(g0, g1, prob, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.5)
    ax.contour(g0, g1, prob, levels=[0.5], colors="k", linewidths=1.5)
    ax.scatter(x[:, 0], x[:, 1], c=y, cmap="RdBu_r", s=10, edgecolors="k", linewidths=0.3)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title)
    return ax


def plot_regions_1d(ax, model: MLP, regions: Regions1D, *, output: int = 0, label: str = ""):
    """Draw a one-input network, its breakpoints and its pieces in alternating colours."""
    lo, hi = regions.pieces[0].lo, regions.pieces[-1].hi
    xs = np.linspace(lo, hi, 1001)
    with torch.no_grad():
        ys = model(torch.as_tensor(xs[:, None]).to(_dtype_of(model)))[:, output].numpy()
    ax.plot(xs, ys, color="0.6", lw=4, alpha=0.5, label=label or None)
    colours = ("tab:blue", "tab:orange")
    for i, p in enumerate(regions.pieces):
        u = np.array([p.lo, p.hi])
        ax.plot(u, p.slope[output] * u + p.intercept[output], color=colours[i % 2], lw=1.5)
    bp = regions.breakpoints
    if bp.size:
        ax.plot(bp, regions(bp)[:, output], "k.", ms=6)
    return ax
