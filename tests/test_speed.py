"""The speed comparison runs for every registered activation and reports sane numbers."""

from __future__ import annotations

import numpy as np

import actlib
from actlib.checks import speed


def test_compare_covers_the_registry():
    rows = speed.compare(n=2_000, dtypes=(np.float32,), repeat=1)
    assert {r.name for r in rows} == set(actlib.names())
    for r in rows:
        assert r.actlib_s > 0 and r.torch_s > 0
        assert r.ratio == r.actlib_s / r.torch_s
    vector = [r for r in rows if not actlib.get(r.name).shape.derivative_is_gradient]
    assert vector and all(r.quantity == "forward" for r in vector)
    md = speed.to_markdown(rows)
    keys = {(r.name, r.quantity) for r in rows}
    assert md.count("\n") == 1 + len(keys)


def test_interleaved_takes_medians_of_alternating_rounds():
    log: list[str] = []
    a, b = speed._interleaved(lambda: log.append("a"), lambda: log.append("b"), repeat=3)
    assert a >= 0 and b >= 0
    assert "".join(log) == "ab" + "ab" * 3
