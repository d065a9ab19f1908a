"""Figures of trained networks: decision boundaries in 2-D and linear pieces in 1-D.

Each function draws on the matplotlib axes it is given and returns it.

>>> import matplotlib.pyplot as plt
>>> from actlib.nn.diagnostics import linear_regions_1d
>>> from actlib.nn.networks import sawtooth_mlp
>>> fig, ax = plt.subplots()
>>> net = sawtooth_mlp(2)
>>> plot_regions_1d(ax, net, linear_regions_1d(net, 0.0, 1.0)) is ax
True
>>> plt.close(fig)
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from actlib.display.style import PALETTE
from actlib.nn._common import as_tensor, dtype_of
from actlib.nn.diagnostics import Regions1D

__all__ = ["plot_decision_boundary", "plot_regions_1d"]


def plot_decision_boundary(
    ax: Any,
    model: torch.nn.Module,
    x: Any,
    y: Any,
    *,
    resolution: int = 200,
    margin: float = 0.3,
    title: str | None = None,
) -> Any:
    r"""Draw a binary classifier's probability, its 0.5 contour and the labelled points.

    The probability is :math:`\sigma(\text{logit}) = 1 / (1 + e^{-\text{logit}})` of the
    model's single output on a ``resolution`` × ``resolution`` grid covering the points plus
    ``margin``.

    Args:
        ax: matplotlib axes to draw on.
        model: a module mapping 2-D points to one logit.
        x: the points, shape ``(n, 2)``.
        y: their 0/1 labels.
        resolution: grid points per axis.
        margin: space around the points.
        title: the axes title, if any.

    Returns:
        ``ax``.

    >>> import matplotlib.pyplot as plt
    >>> from actlib.nn.networks import build_mlp
    >>> fig, ax = plt.subplots()
    >>> net = build_mlp("relu", (2, 4, 1), seed=0)
    >>> plot_decision_boundary(ax, net, [[0, 0], [1, 1]], [0, 1], resolution=20) is ax
    True
    >>> plt.close(fig)
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y)
    lo, hi = x.min(axis=0) - margin, x.max(axis=0) + margin
    g0, g1 = np.meshgrid(
        np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution)
    )
    grid = np.column_stack([g0.ravel(), g1.ravel()])
    with torch.no_grad():
        logits = model(as_tensor(grid, dtype_of(model))).reshape(g0.shape).numpy()
    prob = 1.0 / (1.0 + np.exp(-np.clip(logits, -50, 50)))
    # The filled regions and the points are many small shapes: they are embedded as an image
    # (sharp at twice the screen resolution in the course's SVG figures); the boundary stays a
    # vector line.
    filled = ax.contourf(g0, g1, prob, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.5)
    filled.set_rasterized(True)
    ax.contour(g0, g1, prob, levels=[0.5], colors="k", linewidths=1.5)
    ax.scatter(
        x[:, 0], x[:, 1], c=y, cmap="RdBu_r", s=10, edgecolors="k", linewidths=0.3, rasterized=True
    )
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title)
    return ax


def plot_regions_1d(
    ax: Any, model: torch.nn.Module, regions: Regions1D, *, output: int = 0, label: str = ""
) -> Any:
    """Draw a one-input network, its breakpoints and its pieces in alternating colours.

    Args:
        ax: matplotlib axes to draw on.
        model: the network (one input).
        regions: its pieces, from :func:`actlib.nn.diagnostics.linear_regions_1d`.
        output: which output to draw.
        label: legend label of the network's curve.

    Returns:
        ``ax``.
    """
    lo, hi = regions.pieces[0].lo, regions.pieces[-1].hi
    xs = np.linspace(lo, hi, 1001)
    with torch.no_grad():
        ys = model(torch.as_tensor(xs[:, None]).to(dtype_of(model)))[:, output].numpy()
    ax.plot(xs, ys, color="0.6", lw=4, alpha=0.5, label=label or None)
    colours = (PALETTE["blue"], PALETTE["orange"])
    for i, p in enumerate(regions.pieces):
        u = np.array([p.lo, p.hi])
        ax.plot(u, p.slope[output] * u + p.intercept[output], color=colours[i % 2], lw=1.5)
    bp = regions.breakpoints
    if bp.size:
        ax.plot(bp, regions(bp)[:, output], "k.", ms=6)
    return ax
