"""Wall-clock comparison of actlib's NumPy code with PyTorch's CPU kernels.

:func:`compare` times every registered activation (forward, and derivative against PyTorch's
autograd) on one array per floating type, with PyTorch restricted to one thread, and reports
the ratio of the medians. It is used by ``benchmarks/speed.py`` (10⁶ elements) and, on a
smaller array, by the chapter on numerical stability. Timings on a shared machine are noisy:
each number is the median of several rounds, and the rounds of the two libraries alternate.
"""

from __future__ import annotations

import functools
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from actlib.checks.timing import round_times
from actlib.display.table import Table
from actlib.registry import get, names
from actlib.spec import Activation


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
