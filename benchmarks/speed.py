"""The price of accuracy: actlib against the naive formula and against PyTorch (one thread).

Usage: python benchmarks/speed.py [--n 1000000] [--repeat 9] [--no-write]

Times every registered activation on n float32 and float64 values (forward, and derivative):
actlib's checked, stable NumPy code; the naive textbook formula evaluated in NumPy in the same
dtype (each spec's ``naive_forward`` / ``naive_derivative``, or its own NumPy code where the
textbook form is already the stable one); and PyTorch's forward (forward + autograd backward
for the derivative). The three calls alternate within every round, because the machine may be
shared, and the clock is the CPU time of the process (one thread), which leaves out the waits
for a free core; each ratio is the median over the rounds of the ratio within one round. Prints the
table and whether the goal for activations that act on each entry alone is met (actlib at most
2× the naive formula everywhere, at most 1.5× in the median), and writes it into the "speed"
section of benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics

import numpy as np
import torch

from actlib.checks import speed

try:  # run as a script (benchmarks/ is not a package)
    from _readme import write_section
except ImportError:  # pragma: no cover
    from benchmarks._readme import write_section


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10**6)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    rows = speed.compare(n=args.n, repeat=args.repeat)
    summary = speed.summarize(rows)
    torch_ratios = [r.vs_torch for r in rows]
    verdict = "met" if summary.met else "not met"
    misses = ", ".join(
        f"{r.name} {r.quantity} {r.dtype} ({r.vs_naive:.2f}×)" for r in summary.misses
    )
    body = "\n".join(
        [
            f"Measured with `python benchmarks/speed.py` on {args.n:,} values (standard normal "
            f"× 5), CPU time, median of {args.repeat} rounds in which actlib, the naive "
            f"formula and PyTorch alternate; PyTorch {torch.__version__} with "
            f"`torch.set_num_threads(1)`, NumPy {np.__version__}, Python "
            f"{platform.python_version()}, {os.cpu_count()} logical CPUs "
            f"({platform.machine()}), load average {os.getloadavg()[0]:.1f} at the end. "
            "*naive*: the textbook formula in NumPy in "
            "the input's dtype (the spec's own NumPy code where that is already the textbook "
            "form), without checks. × naive and × PyTorch: actlib's time divided by theirs "
            "(median of the per-round ratios). The derivative row compares actlib's derivative "
            "with PyTorch's forward + autograd backward.",
            "",
            speed.to_markdown(rows),
            "",
            f"Activations that act on each entry alone ({summary.count} ratios): median "
            f"{summary.median:.2f}× the naive formula (goal ≤ {speed.GOAL_MEDIAN:g}×), "
            f"largest {summary.worst.vs_naive:.2f}× ({summary.worst.name} "
            f"{summary.worst.quantity}, {summary.worst.dtype}; goal ≤ {speed.GOAL_MAX:g}×): "
            f"goal **{verdict}**"
            + (f"; above {speed.GOAL_MAX:g}×: {misses}." if misses else ".")
            + f" Against PyTorch (all {len(rows)} ratios): median "
            f"{statistics.median(torch_ratios):.2f}×, {sum(t <= 2 for t in torch_ratios)} at "
            "most 2×.",
        ]
    )
    print(body)
    if not args.no_write:
        write_section("speed", body)


if __name__ == "__main__":
    main()
