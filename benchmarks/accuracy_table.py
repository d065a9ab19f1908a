"""Accuracy of actlib, PyTorch and the naive formulas on the full grid, in units.

Usage: python benchmarks/accuracy_table.py [--fast] [--no-write]

Prints the table of :func:`actlib.checks.accuracy.accuracy_table` and writes it into the "accuracy"
section of benchmarks/README.md.
"""

from __future__ import annotations

import argparse

from actlib.checks import accuracy as acc
from actlib.checks.timing import Timer

try:
    from _readme import write_section
except ImportError:  # pragma: no cover
    from benchmarks._readme import write_section


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="the fast grid")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    mode = "fast" if args.fast else "full"
    with Timer() as timer:
        table = acc.accuracy_table(mode)
    elapsed = timer.wall
    worst = {impl: table.worst(implementation=impl) for impl in ("actlib", "PyTorch", "naive")}
    points = {r.dtype: r.points for r in table.rows}
    lines = [
        f"Grid: `{mode}` ({', '.join(f'{n} {d} inputs' for d, n in points.items())}); "
        f"measured in {elapsed:.0f} s. Each cell: the largest error in units over the finite "
        "inputs, `@` where it occurs, then any ±0/±inf/NaN input whose result is wrong "
        "(`input→result`), the number of NaN results at finite inputs and the number of "
        "floating-point warnings.",
        "",
        "Largest error per implementation: "
        + "; ".join(
            f"{impl} {acc._fmt_units(r.max_units)} ({r.function} {r.quantity}, {r.dtype}, "
            f"x = {acc._fmt_x(r.worst_x)})"
            for impl, r in worst.items()
        )
        + ". actlib rows within the goal of "
        f"{acc.GOAL_UNITS:g} units with no warning, NaN or wrong special value: "
        f"{sum(r.ok for r in table.select(implementation='actlib'))} of "
        f"{len(table.select(implementation='actlib'))}.",
        "",
        table.to_markdown(),
    ]
    body = "\n".join(lines)
    print(body)
    if not args.no_write:
        write_section("accuracy", body)


if __name__ == "__main__":
    main()
