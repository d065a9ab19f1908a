"""PyTorch glue (imported only when PyTorch is needed)."""

from __future__ import annotations

from typing import Any

import torch


class FunctionModule(torch.nn.Module):
    """A parameter-free ``nn.Module`` applying ``spec.torch_forward`` with fixed parameters."""

    def __init__(self, spec: Any, values: dict[str, Any]) -> None:
        super().__init__()
        self.spec = spec
        self.values = dict(values)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.spec.torch_forward(x, **self.values)

    def extra_repr(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.values.items())
        return f"{self.spec.name}({args})"
