"""Time the kernel takes to apply one explorer update, for every registered activation.

Usage: python benchmarks/explorer_latency.py [--repeats N]

For each activation the script builds an explorer (Agg backend, no front end) and drives its
``update()`` the way a slider does: a sweep over the first continuous parameter's slider range
(the x-range for activations without one; logits and temperature for softmax). It reports
the median and maximum time of

* ``update``: recompute the curves, ``set_data`` on the existing artists, redraw the canvas;
* ``png``: encode the drawn canvas as the PNG of the explorer's output (what a PDF or a viewer
  without HTML shows).

A reader of a live notebook does not wait for either: the page draws the explorer itself and
sends the new values to the kernel, which applies them afterwards (``update``), so this is the
time the kernel's copy of the explorer lags behind the page. Wall-clock times are shown, and
the CPU time of the process, since on a busy machine the wall time also counts the time spent
waiting for a core.

The budget is 50 ms for the median ``update``; the verdict column compares it with the
budget. Exit status 1 if a median ``update`` exceeds the budget.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from collections.abc import Callable, Iterator
from typing import Any

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402

import actlib  # noqa: E402
from actlib.checks.timing import Timer  # noqa: E402
from actlib.display.explorer import Explorer, NormalizingExplorer, _png, explore  # noqa: E402

BUDGET_MS = 50.0


def moves(explorer: Explorer | NormalizingExplorer, n: int) -> Iterator[dict[str, Any]]:
    """``n`` successive control changes, like dragging one slider across its range."""
    if isinstance(explorer, NormalizingExplorer):
        for k, t in enumerate(np.linspace(-4.0, 4.0, n)):
            yield {"z1": float(t)} if k % 2 else {"T": float(1.0 + abs(t) / 2)}
        return
    sliders = [p for p in explorer.spec.parameters if p.slider is not None]
    if sliders:
        p = sliders[0]
        lo, hi, _ = p.slider
        # stay valid for specs with cross-parameter checks (e.g. rrelu's lower <= upper)
        values = np.linspace(lo, hi, n)
        for v in values:
            candidate = {p.name: float(v)}
            try:
                explorer.spec.resolve({**explorer.values, **candidate})
            except ValueError:
                candidate = {p.name: float(explorer.spec.params[p.name])}
            yield candidate
        return
    for half in np.linspace(1.0, 10.0, n):
        yield {"x": (-float(half), float(half))}


def timed(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[float, float]:
    """Wall-clock and process CPU time of ``fn(*args, **kwargs)``, in ms."""
    with Timer() as t:
        fn(*args, **kwargs)
    return t.wall * 1e3, t.cpu * 1e3


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30, help="updates per activation")
    args = parser.parse_args(argv)

    header = (
        f"{'activation':<12} {'update med':>10} {'update max':>10} {'cpu med':>8} "
        f"{'png med':>8} {'png max':>8}  {'update+png':>10}"
    )
    print(f"explorer update latency, ms ({args.repeats} updates each, Agg backend)")
    print(header)
    print("-" * len(header))
    worst = 0.0
    for name in actlib.names():
        ex = explore(name)
        ex.update()  # warm-up: the first draw fills caches (fonts, glyphs)
        ups, cpus, pngs = [], [], []
        for change in moves(ex, args.repeats):
            wall, cpu = timed(ex.update, **change)
            ups.append(wall)
            cpus.append(cpu)
            pngs.append(timed(_png, ex.canvas)[0])
        up_med, png_med = statistics.median(ups), statistics.median(pngs)
        worst = max(worst, up_med)
        total = up_med + png_med
        verdict = "ok" if up_med <= BUDGET_MS else "over budget"
        print(
            f"{name:<12} {up_med:>10.1f} {max(ups):>10.1f} {statistics.median(cpus):>8.1f} "
            f"{png_med:>8.1f} {max(pngs):>8.1f}  {total:>7.1f} {verdict}"
        )
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"(load average {load:.2f} on {os.cpu_count()} CPUs; wall times include waiting)")
    print(f"budget: {BUDGET_MS:.0f} ms per update; worst median update {worst:.1f} ms")
    return 0 if worst <= BUDGET_MS else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
