"""Argument checks and tensor conversions shared by the modules of :mod:`actlib.nn`."""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np
import torch


def check_int(value: Any, name: str, minimum: int) -> int:
    """``value`` as an int; TypeError if it is not an integer, ValueError if below ``minimum``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value}")
    return int(value)


def check_positive(value: Any, name: str, *, allow_zero: bool = False) -> float:
    """``value`` as a finite float > 0 (>= 0 with ``allow_zero``)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    value = float(value)
    ok = value >= 0 if allow_zero else value > 0
    if not (math.isfinite(value) and ok):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be a finite number {bound}, got {value}")
    return value


def dtype_of(model: torch.nn.Module) -> torch.dtype:
    """The dtype of the first parameter of ``model``."""
    for p in model.parameters():
        return p.dtype
    raise ValueError(f"{type(model).__name__} has no parameters")


def as_tensor(a: Any, dtype: torch.dtype) -> torch.Tensor:
    """A tensor of ``dtype`` from a tensor, an array or a nested list."""
    if isinstance(a, torch.Tensor):
        return a.to(dtype)
    return torch.as_tensor(np.asarray(a, dtype=np.float64)).to(dtype)


def linear_layers(model: torch.nn.Module) -> list[torch.nn.Linear]:
    """The affine layers of an actlib MLP (its ``linears``), input first.

    Args:
        model: a network built by :func:`actlib.nn.networks.build_mlp`.

    Returns:
        The ``nn.Linear`` layers, as a typed list.

    Raises:
        TypeError: ``model`` has no ``linears`` made of ``nn.Linear`` layers.
    """
    layers = getattr(model, "linears", None)
    if not isinstance(layers, torch.nn.ModuleList) or not all(
        isinstance(m, torch.nn.Linear) for m in layers
    ):
        raise TypeError(f"expected an actlib MLP with linear layers, got {type(model).__name__}")
    return [m for m in layers if isinstance(m, torch.nn.Linear)]
