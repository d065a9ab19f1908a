"""Wall-clock price of actlib's accuracy: against the naive formula and against PyTorch.

:func:`compare` times every registered activation (forward, and derivative) on one array per
floating type in three ways: actlib's checked, stable NumPy code; the naive textbook formula
evaluated directly in the input's dtype (:meth:`~actlib.spec.Activation.naive`, the yardstick
of what accuracy costs); and PyTorch's CPU kernel on one thread (forward, and forward +
autograd backward for the derivative). It is used by ``benchmarks/speed.py`` (10⁶ elements)
and, on a smaller array, by the chapter on numerical stability. Timings on a shared machine
are noisy: the times are CPU time of the process (everything runs on one thread, so this is
the work done, without the waits for a free core that wall-clock time would count), the three
calls alternate within every round, each ratio is the median over the rounds of the ratio
measured within one round, and each time is the median of the rounds.

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

__all__ = [
    "GOAL_MAX",
    "GOAL_MEDIAN",
    "SpeedRow",
    "SpeedSummary",
    "StepCost",
    "compare",
    "summarize",
    "to_markdown",
    "training_cost",
]

#: The goal for activations that act on each entry alone, actlib at most this many times the
#: time of the naive formula in the same dtype, for every function, quantity and dtype ...
GOAL_MAX = 2.0
#: ... and at most this many times in the median over all of them.
GOAL_MEDIAN = 1.5


@dataclass(frozen=True)
class SpeedRow:
    """Median times of one operation in actlib, in the naive formula and in PyTorch.

    >>> row = SpeedRow("relu", "float32", "forward", 10, 2e-3, 1e-3, 1e-3, 2.0, 2.0)
    >>> row.ratio
    2.0
    """

    name: str
    dtype: str
    #: Which computation was timed, ``"forward"`` or ``"derivative"`` (for PyTorch the
    #: derivative is the forward pass plus autograd's backward pass).
    quantity: str
    n: int
    actlib_s: float  #: Median seconds of actlib's ``forward`` or ``derivative``.
    naive_s: float  #: Median seconds of the naive formula in the input's dtype.
    torch_s: float  #: Median seconds of PyTorch on one thread.
    #: Median over the rounds of actlib's time divided by the naive formula's time in that round.
    vs_naive: float
    #: Median over the rounds of actlib's time divided by PyTorch's time in that round.
    vs_torch: float

    @property
    def ratio(self) -> float:
        """The ratio to PyTorch, :attr:`vs_torch`; below 1, actlib is faster."""
        return self.vs_torch


def _ratios(
    fns: Sequence[Callable[[], Any]], repeat: int
) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Median times of ``fns`` and the median per-round ratios of the first to each other."""
    times = round_times(*fns, repeat=repeat, cpu=True)
    medians = tuple(statistics.median(t) for t in times)
    ratios = tuple(
        statistics.median(a / b for a, b in zip(times[0], t, strict=True)) for t in times[1:]
    )
    return medians, ratios


def compare(
    n: int = 10**6,
    dtypes: Sequence[Any] = (np.float32, np.float64),
    repeat: int = 7,
    derivative: bool = True,
    seed: int = 0,
    selection: Iterable[str] | None = None,
) -> list[SpeedRow]:
    """Time every registered activation in actlib, as the naive formula and in PyTorch.

    Inputs are standard normal times 5, laid out by each spec's shape (softmax: rows of
    ``Normalizing.bench_width`` entries; gated: pairs of halves), at the default parameters.
    Each round calls actlib, the naive formula (:meth:`~actlib.spec.Activation.naive`) and
    PyTorch (one thread) once each. A derivative is timed only where it is autograd's gradient
    of Σ f (not for softmax, whose derivative is the full Jacobian where autograd gives a
    vector–Jacobian product).

    Args:
        n: the number of values per array.
        dtypes: the floating types.
        repeat: the number of rounds.
        derivative: time the derivatives too.
        seed: seeds the input.
        selection: names of activations; ``None`` for the whole registry.

    Returns:
        One :class:`SpeedRow` per activation, quantity and dtype.

    >>> rows = compare(n=1000, dtypes=(np.float32,), repeat=1, selection=["relu"])
    >>> [(r.name, r.quantity, r.dtype) for r in rows]
    [('relu', 'forward', 'float32'), ('relu', 'derivative', 'float32')]
    """
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        rows = []
        rng = np.random.default_rng(seed)
        base = 5.0 * rng.standard_normal(n)
        for name in names() if selection is None else selection:
            spec = get(name)
            values = spec.resolve({})
            for dtype in dtypes:
                x = spec.shape.bench_input(base.astype(dtype))
                t = torch.from_numpy(x.copy())
                quantities = ["forward"]
                if derivative and spec.shape.derivative_is_gradient:
                    quantities.append("derivative")
                for q in quantities:
                    mine = spec.forward if q == "forward" else spec.derivative
                    if q == "forward":
                        peer = functools.partial(_torch_forward, spec, t, values)
                    else:
                        tg = t.clone().requires_grad_(True)
                        # Upstream gradient of ones, shaped like the output (a gated output
                        # has half the input's length): autograd returns the gradient of Σ f.
                        ones = torch.ones_like(_torch_forward(spec, t, values))
                        peer = functools.partial(_torch_gradient, spec, tg, ones, values)
                    (a, v, p), (rn, rt) = _ratios(
                        [
                            functools.partial(mine, x),
                            functools.partial(_naive, spec, q, x, values),
                            peer,
                        ],
                        repeat,
                    )
                    rows.append(SpeedRow(name, np.dtype(dtype).name, q, x.size, a, v, p, rn, rt))
        return rows
    finally:
        torch.set_num_threads(threads)


def _naive(spec: Activation, which: str, x: np.ndarray, values: dict[str, Any]) -> Any:
    # The naive formulas overflow and divide by zero on purpose: those warnings are what the
    # accuracy table counts, not what the clock should measure.
    with np.errstate(all="ignore"):
        return spec.naive(which, x, values)


def _torch_gradient(spec: Activation, t: Any, ones: Any, params: dict[str, Any]) -> Any:
    import torch

    return torch.autograd.grad(spec.torch_forward(t, **params), t, grad_outputs=ones)


def _torch_forward(spec, t, params):
    import torch

    with torch.no_grad():
        return spec.torch_forward(t, **params)


@dataclass(frozen=True)
class SpeedSummary:
    """The ratios to the naive formula of the activations that act on each entry alone."""

    count: int  #: How many ratios (activation × quantity × dtype).
    median: float  #: Their median.
    worst: SpeedRow  #: The row with the largest ratio.
    misses: tuple[SpeedRow, ...]  #: The rows above :data:`GOAL_MAX`, largest first.

    @property
    def met(self) -> bool:
        """Whether every ratio is at most :data:`GOAL_MAX` and the median at most
        :data:`GOAL_MEDIAN`."""
        return not self.misses and self.median <= GOAL_MEDIAN


def summarize(rows: Sequence[SpeedRow]) -> SpeedSummary:
    """The goal of the speed budget, over the rows of entrywise activations.

    Args:
        rows: rows from :func:`compare`.

    Returns:
        A :class:`SpeedSummary` of the ratios to the naive formula.

    Raises:
        ValueError: no row of an activation that acts on each entry alone.

    >>> rows = [
    ...     SpeedRow("relu", "float32", "forward", 10, 3.0, 1.0, 1.0, 3.0, 3.0),
    ...     SpeedRow("tanh", "float32", "forward", 10, 1.0, 1.0, 1.0, 1.0, 1.0),
    ...     SpeedRow("softmax", "float32", "forward", 10, 9.0, 1.0, 1.0, 9.0, 9.0),
    ... ]
    >>> s = summarize(rows)
    >>> s.count, s.median, s.worst.name, s.met
    (2, 2.0, 'relu', False)
    """
    mine = [r for r in rows if get(r.name).shape.entrywise]
    if not mine:
        raise ValueError("no row of an activation that acts on each entry alone")
    misses = tuple(sorted((r for r in mine if r.vs_naive > GOAL_MAX), key=lambda r: -r.vs_naive))
    return SpeedSummary(
        count=len(mine),
        median=statistics.median(r.vs_naive for r in mine),
        worst=max(mine, key=lambda r: r.vs_naive),
        misses=misses,
    )


def to_markdown(rows: Sequence[SpeedRow]) -> str:
    """A Markdown table: one line per activation, quantity and dtype, with both ratios.

    >>> row = SpeedRow("relu", "float32", "forward", 10, 2e-3, 1e-3, 4e-3, 2, 0.5)
    >>> print(to_markdown([row]).splitlines()[-1])
    | relu | forward | float32 | 2.00 | 1.00 | 4.00 | 2.00 | 0.50 |
    """
    head = [
        "activation",
        "quantity",
        "dtype",
        "actlib (ms)",
        "naive (ms)",
        "PyTorch (ms)",
        "× naive",
        "× PyTorch",
    ]
    body = [
        [
            r.name,
            r.quantity,
            r.dtype,
            f"{1e3 * r.actlib_s:.2f}",
            f"{1e3 * r.naive_s:.2f}",
            f"{1e3 * r.torch_s:.2f}",
            f"{r.vs_naive:.2f}",
            f"{r.vs_torch:.2f}",
        ]
        for r in rows
    ]
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
