"""PyTorch glue (imported only when PyTorch is needed)."""

from __future__ import annotations

from typing import Any

import torch


class FunctionModule(torch.nn.Module):
    """A parameter-free ``nn.Module`` applying ``spec.torch_forward`` with fixed parameters.

    Args:
        spec: the activation spec.
        values: validated parameter values.

    >>> from actlib import get
    >>> FunctionModule(get("swish"), {"beta": 2.0})
    FunctionModule(swish(beta=2.0))
    """

    def __init__(self, spec: Any, values: dict[str, Any]) -> None:
        super().__init__()
        self.spec = spec
        self.values = dict(values)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Apply the activation.

        Args:
            x: a floating-point tensor.

        Returns:
            ``spec.torch_forward(x, **values)``.
        """
        return self.spec.torch_forward(x, **self.values)

    def extra_repr(self) -> str:
        """The activation's name and parameter values, shown by ``repr``.

        Returns:
            A string such as ``"swish(beta=2.0)"``.
        """
        args = ", ".join(f"{k}={v!r}" for k, v in self.values.items())
        return f"{self.spec.name}({args})"


class SeededRReLU(torch.nn.RReLU):
    """``torch.nn.RReLU`` whose training-mode slopes come from a given NumPy generator.

    PyTorch's RReLU draws from the global random state; here a ``torch.Generator`` is seeded
    once from ``generator`` so that a model built twice from equal generators draws equal
    slopes. Without a generator it is PyTorch's RReLU unchanged. In evaluation mode it is the
    deterministic mean slope, as PyTorch's.

    Args:
        lower: the lower bound of the random slopes.
        upper: the upper bound of the random slopes.
        generator: a :class:`numpy.random.Generator` (or ``None`` for PyTorch's global one).

    >>> m = SeededRReLU(0.1, 0.3).eval()
    >>> m(torch.tensor([-1.0, 1.0]))
    tensor([-0.2000,  1.0000])
    """

    def __init__(self, lower: float, upper: float, generator: Any = None) -> None:
        super().__init__(lower=lower, upper=upper)
        self.torch_generator: torch.Generator | None = None
        if generator is not None:
            self.torch_generator = torch.Generator()
            self.torch_generator.manual_seed(int(generator.integers(2**63)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Apply RReLU: random slopes in training mode, their mean in evaluation mode.

        Args:
            x: a floating-point tensor.

        Returns:
            A tensor shaped like ``x``.
        """
        if not self.training or self.torch_generator is None:
            return super().forward(x)
        slopes = torch.empty_like(x).uniform_(
            self.lower, self.upper, generator=self.torch_generator
        )
        return torch.where(x >= 0, x, x * slopes)
