r"""Fully connected networks whose hidden layers use one registry activation.

* :class:`MLP`: ``Linear → f → Linear → f → … → Linear``, built from an activation and the
  layer widths; every hidden layer gets its own module from
  :meth:`actlib.spec.Activation.torch_module`, so an activation added to actlib works here
  without further code;
* :func:`build_mlp`: an :class:`MLP`, seeded and initialised by name;
* :data:`INITIALISERS` and :func:`initialise`: LeCun, Xavier/Glorot, Kaiming/He and a
  deliberately bad large-variance initialisation (and PyTorch's default, ``"pytorch"``);
* :func:`sawtooth_mlp`: a hand-set ReLU network with exponentially many linear pieces.

PyTorch is imported here at module level: import this module only where it is installed.

>>> model = build_mlp("tanh", (4, 8, 8, 2), seed=0)
>>> model.depth, tuple(model(torch.zeros(5, 4)).shape)
(2, (5, 2))
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import torch
from torch import nn

from actlib.nn._common import check_int, linear_layers
from actlib.registry import get
from actlib.spec import Activation

__all__ = ["INITIALISERS", "INIT_SCHEMES", "MLP", "build_mlp", "initialise", "sawtooth_mlp"]


# ---------------------------------------------------------------------------- the model
def _hidden_spec(activation: str | Activation) -> Activation:
    """The spec of ``activation``; ValueError unless it acts on each unit on its own."""
    spec = get(activation)  # TypeError / ValueError with suggestions for bad names
    spec.shape.require_elementwise(spec, "a hidden layer (each unit is activated on its own)")
    return spec


class MLP(nn.Module):
    r"""A multilayer perceptron with one elementwise activation after every hidden layer.

    .. math::
        h_0 = x, \qquad z_\ell = W_\ell h_{\ell-1} + b_\ell, \qquad h_\ell = f(z_\ell)
        \quad (\ell = 1, \dots, L), \qquad y = W_{L+1} h_L + b_{L+1}.

    ``forward`` returns :math:`y`, the logits or regression outputs (no output activation: the
    loss applies it). :meth:`forward_with_hidden` also returns every :math:`z_\ell` and
    :math:`h_\ell`. Construction draws PyTorch's default initialisation from the global RNG, as
    ``nn.Linear`` does; :func:`build_mlp` builds a seeded one without touching that RNG.

    Args:
        activation: a registered name (or alias) or a spec; must be elementwise.
        sizes: the layer widths, input first, output last (at least two, each >= 1).
        params: activation parameters; the spec's defaults (PyTorch's) otherwise.

    Attributes:
        spec: the activation spec.
        params: the validated activation parameters.
        sizes: the layer widths.
        linears: the ``nn.Linear`` layers, as an ``nn.ModuleList``.
        activations: one activation module per hidden layer, as an ``nn.ModuleList``.

    Raises:
        TypeError: a width is not an integer; unknown activation parameter.
        ValueError: unknown or vector-valued activation (softmax); fewer than two widths or a
            width < 1.

    >>> net = MLP("relu", (3, 5, 2))
    >>> net.sizes, net.depth, [tuple(p.shape) for p in net.parameters()]
    ((3, 5, 2), 1, [(5, 3), (5,), (2, 5), (2,)])
    """

    def __init__(
        self,
        activation: str | Activation,
        sizes: Sequence[int],
        *,
        params: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__()
        spec = _hidden_spec(activation)
        values = spec.resolve(dict(params or {}))
        sizes = tuple(sizes)
        if len(sizes) < 2:
            raise ValueError(f"sizes must list at least two widths (input, output), got {sizes}")
        sizes = tuple(check_int(n, "every width in sizes", 1) for n in sizes)
        self.linears = nn.ModuleList(
            nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:], strict=True)
        )
        self.activations = nn.ModuleList(spec.torch_module(**values) for _ in sizes[1:-1])
        self.spec = spec
        self.params = values
        self.sizes = sizes

    @property
    def depth(self) -> int:
        """Number of hidden layers."""
        return len(self.activations)

    def forward_with_hidden(
        self, x: torch.Tensor
    ) -> tuple[torch.Tensor, list[torch.Tensor], list[torch.Tensor]]:
        r"""The output, the pre-activations :math:`z_\ell` and the activations :math:`f(z_\ell)`.

        Args:
            x: a batch of inputs, shape ``(n, sizes[0])``.

        Returns:
            ``(y, [z_1, …, z_L], [h_1, …, h_L])``.

        >>> y, pre, post = MLP("relu", (1, 2, 1)).forward_with_hidden(torch.zeros(4, 1))
        >>> len(pre), tuple(post[0].shape)
        (1, (4, 2))
        """
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
        """The output for a batch ``x`` of shape ``(n, sizes[0])``."""
        h = x
        for linear, act in zip(self.linears[:-1], self.activations, strict=True):
            h = act(linear(h))
        return self.linears[-1](h)


# ---------------------------------------------------------------------------- initialisers
def _lecun_std(fan_in: int, fan_out: int) -> float:
    """LeCun et al. (1998): Var(w) = 1 / fan_in, the variance SELU networks need."""
    return math.sqrt(1.0 / fan_in)


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
    "lecun": _lecun_std,
    "xavier": _xavier_std,
    "kaiming": _kaiming_std,
    "large": _large_std,
}

#: Every name :func:`initialise` accepts: :data:`INITIALISERS` and PyTorch's own default.
INIT_SCHEMES = (*INITIALISERS, "pytorch")


def _check_init(init: Any) -> str:
    if not isinstance(init, str):
        raise TypeError(f"init must be a string, got {type(init).__name__}")
    if init not in INIT_SCHEMES:
        raise ValueError(f"unknown initialiser {init!r}; choose one of {', '.join(INIT_SCHEMES)}")
    return init


def initialise(model: nn.Module, init: str, *, seed: int = 0) -> nn.Module:
    r"""Redraw every ``nn.Linear`` of ``model``, reproducibly from ``seed``.

    For a key of :data:`INITIALISERS`, weights are drawn from :math:`\mathcal N(0, \sigma^2)`
    with :math:`\sigma` = ``INITIALISERS[init](fan_in, fan_out)`` (LeCun normal:
    :math:`\sigma^2 = 1/\text{fan}_\text{in}`; Kaiming: :math:`\sigma^2 =
    2/\text{fan}_\text{in}`) from a private :class:`torch.Generator`, and biases are set to 0.
    For ``"pytorch"``, each layer's own ``reset_parameters`` draws PyTorch's default,
    :math:`W, b \sim U(-1/\sqrt{\text{fan}_\text{in}}, 1/\sqrt{\text{fan}_\text{in}})`, from a
    seeded fork of the global RNG. Layers are visited in the order of ``model.modules()``; the
    caller's global random state is left unchanged.

    Args:
        model: any module; its ``nn.Linear`` layers are modified in place.
        init: one of :data:`INIT_SCHEMES`.
        seed: a non-negative integer.

    Returns:
        ``model``.

    >>> layer = initialise(torch.nn.Linear(400, 300), "kaiming", seed=0)
    >>> round(float(layer.weight.detach().std()), 2), float(layer.bias.detach().abs().max())
    (0.07, 0.0)
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    init = _check_init(init)
    seed = check_int(seed, "seed", 0)
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    if init == "pytorch":
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            for module in linears:
                module.reset_parameters()
        return model
    std_of = INITIALISERS[init]
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for module in linears:
            fan_out, fan_in = module.weight.shape
            std = std_of(fan_in, fan_out)
            w = torch.randn(module.weight.shape, generator=gen, dtype=module.weight.dtype)
            module.weight.copy_(w * std)
            if module.bias is not None:
                module.bias.zero_()
    return model


def build_mlp(
    activation: str | Activation,
    sizes: Sequence[int],
    *,
    params: Mapping[str, Any] | None = None,
    init: str = "kaiming",
    seed: int = 0,
    dtype: torch.dtype = torch.float32,
) -> MLP:
    r"""A seeded, initialised :class:`MLP` with ``activation`` after every hidden layer.

    The weights are drawn in float32 by :func:`initialise` (so a float64 network has exactly
    the float32 draws) and then converted to ``dtype``. The global random state is left as it
    was. The network is returned in evaluation mode (RReLU at its mean slope);
    :func:`actlib.nn.training.fit` switches it to training mode while it trains.

    Args:
        activation: a registered name (or alias) or a spec; must be elementwise.
        sizes: the layer widths, input first, output last, e.g. ``(64, 32, 32, 10)``.
        params: activation parameters; the spec's defaults (PyTorch's) otherwise.
        init: one of :data:`INIT_SCHEMES`.
        seed: seeds the weights.
        dtype: a floating torch dtype.

    Returns:
        The :class:`MLP`.

    Raises:
        TypeError: a width or the seed is not an integer; unknown activation parameter;
            ``activation`` is not a string or spec.
        ValueError: unknown activation or initialiser, a width < 1, a negative seed, a
            vector-valued activation (softmax).

    >>> a = build_mlp("relu", (2, 3, 1), seed=1)
    >>> b = build_mlp("relu", (2, 3, 1), seed=1, dtype=torch.float64)
    >>> bool((a.linears[0].weight.double() == b.linears[0].weight).all()), a.training
    (True, False)
    """
    spec = _hidden_spec(activation)
    init = _check_init(init)
    seed = check_int(seed, "seed", 0)
    if not (isinstance(dtype, torch.dtype) and dtype.is_floating_point):
        raise TypeError(f"dtype must be a floating torch dtype, got {dtype!r}")
    # nn.Linear draws PyTorch's default initialisation from the global RNG: fork it, so that
    # building a model leaves the caller's random state as it was (initialise() redraws all).
    with torch.random.fork_rng(devices=[]):
        model = MLP(spec, sizes, params=params)
    initialise(model, init, seed=seed)
    return model.to(dtype).eval()


def sawtooth_mlp(depth: int, *, dtype: torch.dtype = torch.float64) -> MLP:
    r"""A ReLU network with ``depth`` hidden layers of two units and ``2**depth`` pieces on [0, 1].

    Each hidden layer computes the tent map

    .. math::
        t(y) = 2\,\mathrm{relu}(y) - 4\,\mathrm{relu}(y - \tfrac12),

    which folds [0, 1] onto itself; composing it ``depth`` times doubles the number of teeth
    each time. A single hidden layer with the same ``2 * depth`` units has at most
    ``2 * depth + 1`` pieces. Telgarsky (2016, https://arxiv.org/abs/1602.04485) builds on this
    construction to show that some functions of deep networks need exponentially many units in
    shallow ones.

    Args:
        depth: number of hidden layers (>= 1).
        dtype: a floating torch dtype.

    Returns:
        The :class:`MLP`, sizes ``(1, 2, …, 2, 1)``.

    >>> net = sawtooth_mlp(2)
    >>> net(torch.tensor([[0.0], [0.25], [0.5], [0.75]], dtype=torch.float64)).ravel().tolist()
    [0.0, 1.0, 0.0, 1.0]
    """
    depth = check_int(depth, "depth", 1)
    net = build_mlp("relu", (1, *([2] * depth), 1), init="pytorch", dtype=dtype)
    with torch.no_grad():
        for i, layer in enumerate(linear_layers(net)):
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
