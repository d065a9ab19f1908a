"""Wall-clock comparison of actlib's NumPy code with PyTorch's CPU kernels.

:func:`compare` times every registered activation (forward, and derivative against PyTorch's
autograd) on one array per floating type, with PyTorch restricted to one thread, and reports
the ratio of the medians. It is used by ``benchmarks/speed.py`` (10⁶ elements) and, on a
smaller array, by the chapter on numerical stability. Timings on a shared machine are noisy:
each number is the median of several rounds, and the rounds of the two libraries alternate.

:func:`training_cost` measures what an activation costs when a network is trained: PyTorch's
forward and backward pass through the activation's module, per element, relative to a
baseline (ReLU), as the cost column of the comparison table reports it.
"""

from __future__ import annotations

import functools
import numbers
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from actlib.checks.timing import Timer, round_times
from actlib.display.table import Table
from actlib.registry import get, names
from actlib.spec import Activation

__all__ = ["SpeedRow", "StepCost", "compare", "to_markdown", "training_cost"]


@dataclass(frozen=True)
class SpeedRow:
    """Median time of one operation in actlib and in PyTorch."""

    name: str
    dtype: str
    #: Which computation was timed, ``"forward"`` or ``"derivative"`` (for PyTorch the
    #: derivative is autograd's backward pass).
    quantity: str
    n: int
    actlib_s: float
    torch_s: float

    @property
    def ratio(self) -> float:
        """The time of actlib divided by the time of PyTorch; below 1, actlib is faster."""
        return self.actlib_s / self.torch_s


def _interleaved(a: Callable[[], Any], b: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """Median times of ``a`` and ``b``, measured alternately so that load affects both."""
    ta, tb = round_times(a, b, repeat=repeat)
    return statistics.median(ta), statistics.median(tb)


def compare(
    n: int = 10**6,
    dtypes: Sequence[Any] = (np.float32, np.float64),
    repeat: int = 7,
    derivative: bool = True,
    seed: int = 0,
) -> list[SpeedRow]:
    """Time every registered activation in actlib and in PyTorch (one thread) on ``n`` values.

    Inputs are standard normal times 5, laid out by each spec's shape (softmax: rows of
    ``Normalizing.bench_width`` entries; gated: pairs of halves). A derivative is compared only
    where it is autograd's gradient of Σ f (not for softmax, whose derivative is the full
    Jacobian where autograd gives a vector–Jacobian product).
    """
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        rows = []
        rng = np.random.default_rng(seed)
        base = 5.0 * rng.standard_normal(n)
        for name in names():
            spec = get(name)
            for dtype in dtypes:
                x = base.astype(dtype)
                x = spec.shape.bench_input(x)
                t = torch.from_numpy(x.copy())
                params = spec.params
                a, b = _interleaved(
                    functools.partial(spec.forward, x),
                    functools.partial(_torch_forward, spec, t, params),
                    repeat,
                )
                rows.append(SpeedRow(name, np.dtype(dtype).name, "forward", x.size, a, b))
                if derivative and spec.shape.derivative_is_gradient:
                    tg = t.clone().requires_grad_(True)
                    # Upstream gradient of ones, shaped like the output (a gated output has
                    # half the input's length): autograd then returns the gradient of Σ f.
                    ones = torch.ones_like(_torch_forward(spec, t, params))
                    a, b = _interleaved(
                        functools.partial(spec.derivative, x),
                        functools.partial(_torch_gradient, spec, tg, ones, params),
                        repeat,
                    )
                    rows.append(SpeedRow(name, np.dtype(dtype).name, "derivative", x.size, a, b))
        return rows
    finally:
        torch.set_num_threads(threads)


def _torch_gradient(spec: Activation, t: Any, ones: Any, params: dict[str, Any]) -> Any:
    import torch

    return torch.autograd.grad(spec.torch_forward(t, **params), t, grad_outputs=ones)


def _torch_forward(spec, t, params):
    import torch

    with torch.no_grad():
        return spec.torch_forward(t, **params)


def to_markdown(rows: Sequence[SpeedRow]) -> str:
    """A Markdown table: one line per activation and quantity, the ratio per dtype."""
    dtypes = list(dict.fromkeys(r.dtype for r in rows))
    keys = list(dict.fromkeys((r.name, r.quantity) for r in rows))
    index = {(r.name, r.quantity, r.dtype): r for r in rows}
    head = ["activation", "quantity"]
    for d in dtypes:
        head += [f"actlib {d} (ms)", f"PyTorch {d} (ms)", f"ratio {d}"]
    body = []
    for name, q in keys:
        cells = [name, q]
        for d in dtypes:
            r = index.get((name, q, d))
            if r is None:
                cells += ["—", "—", "—"]
            else:
                cells += [f"{1e3 * r.actlib_s:.2f}", f"{1e3 * r.torch_s:.2f}", f"{r.ratio:.2f}"]
        body.append(cells)
    return Table(head, body).to_markdown()


@dataclass(frozen=True)
class StepCost:
    """Time of one forward and backward pass through an activation in PyTorch."""

    name: str
    n: int  #: Number of elements of the input tensor.
    seconds: float  #: Median over the rounds of one forward + backward pass on ``n`` elements.
    #: Median over the rounds of this activation's time divided by the baseline's time in the
    #: same round (1.0 for the baseline itself).
    relative: float

    @property
    def ns_per_element(self) -> float:
        """Nanoseconds per element of one forward + backward pass."""
        return 1e9 * self.seconds / self.n


def _check_count(value: Any, label: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{label} must be an integer, got {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{label} must be an integer >= 1, got {value}")
    return int(value)


def _cpu_rounds(
    a: Callable[[], Any], b: Callable[[], Any], repeat: int, number: int
) -> tuple[list[float], list[float]]:
    """CPU seconds per call of ``a`` and ``b`` in ``repeat`` rounds, after a warm-up.

    The order alternates from round to round (a, b, then b, a), so that whatever favours the
    first or the second call of a round (caches, memory already mapped) favours both alike.
    """
    a()
    b()
    ta: list[float] = []
    tb: list[float] = []
    for r in range(repeat):
        pairs = ((a, ta), (b, tb)) if r % 2 == 0 else ((b, tb), (a, ta))
        for fn, out in pairs:
            with Timer() as t:
                for _ in range(number):
                    fn()
            out.append(t.cpu / number)
    return ta, tb


def _step(module: Any, x: Any, ones: Any) -> Any:
    import torch

    out = module(x)
    return torch.autograd.grad(out, [x, *module.parameters()], grad_outputs=ones)


def training_cost(
    selection: Iterable[str] | None = None,
    *,
    baseline: str = "relu",
    n: int = 2**20,
    repeat: int = 5,
    number: int = 1,
    seed: int = 0,
) -> dict[str, StepCost]:
    r"""Forward + backward time of each activation in PyTorch, relative to ``baseline``.

    The activation's module (:meth:`~actlib.spec.Activation.torch_module`, in training mode,
    as a network uses it; learnable parameters get their gradient too) is applied to a seeded
    standard-normal float32 tensor of ``n`` elements and differentiated with autograd, on one
    CPU thread (the previous number of threads is restored). Each round times ``number``
    passes of the baseline, then of the activation; its relative cost in round :math:`r` is

    .. math::
        c_r = \frac{t_r(\text{activation})}{t_r(\text{baseline})},

    and the result is the median of the :math:`c_r`. The times are CPU time of the process
    (:attr:`~actlib.checks.timing.Timer.cpu`), not wall-clock time: with one thread the work is
    the same, but on a shared machine the wall time also counts the waits for a free core,
    which would make the ratios depend on the load. The two times of a round are taken moments
    apart, so that a change of clock speed affects both. PyTorch's random state (RReLU draws
    its slopes in training mode) is restored afterwards.

    Args:
        selection: names of activations that act on each entry alone; ``None`` for all of
            them (``names(entrywise=True)``).
        baseline: the activation everything is divided by.
        n: elements of the input tensor (>= 1).
        repeat: rounds (>= 1).
        number: passes per activation and round (>= 1); use more for small ``n``.
        seed: seeds the input.

    Returns:
        ``{name: StepCost}`` in the order of ``selection``.

    Raises:
        TypeError: ``n``, ``repeat``, ``number`` or ``seed`` is not an integer, or
            ``selection`` is a single string.
        ValueError: one of them is out of range, an unknown name, or an activation that does
            not act on each entry alone.

    >>> costs = training_cost(["relu", "gelu"], n=1000, repeat=1)
    >>> list(costs), costs["gelu"].n, costs["gelu"].relative > 0
    (['relu', 'gelu'], 1000, True)
    """
    import torch

    n = _check_count(n, "n")
    repeat = _check_count(repeat, "repeat")
    number = _check_count(number, "number")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be an integer, got {type(seed).__name__}")
    if seed < 0:
        raise ValueError(f"seed must be an integer >= 0, got {seed}")
    if isinstance(selection, str):
        raise TypeError("give a list of activation names, not a single string")
    specs = [get(s) for s in (names(entrywise=True) if selection is None else selection)]
    base = get(baseline)
    for spec in (base, *specs):
        if not spec.shape.entrywise:
            raise ValueError(
                f"{spec.name} does not act on each entry alone; training_cost times "
                "activations that do (names(entrywise=True))"
            )
    x0 = torch.from_numpy(np.random.default_rng(seed).standard_normal(n).astype(np.float32))
    x = x0.requires_grad_(True)
    ones = torch.ones_like(x0)

    def call(spec: Activation) -> Callable[[], Any]:
        module = spec.torch_module().train()
        return functools.partial(_step, module, x, ones)

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with torch.random.fork_rng(devices=[]):
            base_call = call(base)
            result = {}
            for spec in specs:
                tb, ta = _cpu_rounds(base_call, call(spec), repeat=repeat, number=number)
                result[spec.name] = StepCost(
                    name=spec.name,
                    n=n,
                    seconds=statistics.median(ta),
                    relative=statistics.median(a / b for a, b in zip(ta, tb, strict=True)),
                )
        return result
    finally:
        torch.set_num_threads(threads)
