"""Speed of actlib's NumPy code against PyTorch's CPU kernels (one thread).

Usage: python benchmarks/speed.py [--n 1000000] [--repeat 9] [--no-write]

Times every registered activation on n float32 and float64 values (forward, and derivative
against PyTorch's forward + autograd backward), prints the table and writes it into the
"speed" section of benchmarks/README.md. Each time is the median of ``repeat`` alternating
rounds, because the machine may be shared.
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
    table = speed.to_markdown(rows)
    ratios = [r.ratio for r in rows]
    within = sum(r <= 2.0 for r in ratios)
    worst = max(rows, key=lambda r: r.ratio)
    body = "\n".join(
        [
            f"Measured with `python benchmarks/speed.py` on {args.n:,} elements, median of "
            f"{args.repeat} alternating rounds; PyTorch {torch.__version__} with "
            f"`torch.set_num_threads(1)`, NumPy {np.__version__}, Python "
            f"{platform.python_version()}, {os.cpu_count()} logical CPUs "
            f"({platform.machine()}). Ratio = actlib time / PyTorch time. The derivative "
            "row compares actlib's derivative with PyTorch's forward + autograd backward.",
            "",
            table,
            "",
            f"{within} of {len(rows)} ratios are at most 2; median ratio "
            f"{statistics.median(ratios):.2f}; largest {worst.ratio:.1f} "
            f"({worst.name} {worst.quantity}, {worst.dtype}).",
        ]
    )
    print(body)
    if not args.no_write:
        write_section("speed", body)


if __name__ == "__main__":
    main()
