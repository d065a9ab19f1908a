"""The registry: every activation spec defined in :mod:`actlib.activations`.

Specs are discovered, not listed: each module in ``actlib/activations/`` exposes ``SPECS``, a
tuple of :class:`~actlib.spec.Activation`. Adding an activation means adding one module there;
the book order comes from each spec's ``order`` field.
"""

from __future__ import annotations

import difflib
import importlib
import pkgutil
from functools import lru_cache

from actlib import activations as _activations_pkg
from actlib.spec import Activation


@lru_cache(maxsize=1)
def _registry() -> dict[str, Activation]:
    found: list[Activation] = []
    for info in pkgutil.iter_modules(_activations_pkg.__path__):
        module = importlib.import_module(f"{_activations_pkg.__name__}.{info.name}")
        specs = getattr(module, "SPECS", None)
        if specs is None:
            raise RuntimeError(f"activation module {module.__name__} defines no SPECS tuple")
        found.extend(specs)
    found.sort(key=lambda s: (s.order, s.name))
    registry: dict[str, Activation] = {}
    for spec in found:
        for key in (spec.name, *spec.aliases):
            if key in registry:
                raise RuntimeError(f"activation name {key!r} is registered twice")
            registry[key] = spec
    return registry


def names(role: str | None = None, *, entrywise: bool | None = None) -> list[str]:
    """Every registered activation name, in book order.

    Args:
        role: if given (``"hidden"`` or ``"output"``), only activations used in that role.
        entrywise: if given, only activations whose shape acts (``True``) or does not act
            (``False``) on each entry alone (:attr:`~actlib.shapes.Shape.entrywise`): those
            that can follow a layer of any width, as in the MLP experiments.

    Returns:
        The names (not the aliases), sorted by each spec's
        :attr:`~actlib.spec.Activation.order`.

    Raises:
        ValueError: ``role`` is not ``"hidden"``, ``"output"`` or ``None``.

    >>> {"sigmoid", "softmax", "identity"} <= set(names("output"))
    True
    >>> 0 < len(names(entrywise=False)) < len(names())
    True
    """
    if role is not None and role not in ("hidden", "output"):
        raise ValueError(f"role must be 'hidden', 'output' or None, got {role!r}")
    if entrywise is not None and not isinstance(entrywise, bool):
        raise TypeError(f"entrywise must be True, False or None, got {entrywise!r}")
    seen: list[str] = []
    for spec in _registry().values():
        if spec.name in seen or (role is not None and role not in spec.roles):
            continue
        if entrywise is None or spec.shape.entrywise == entrywise:
            seen.append(spec.name)
    return seen


def specs(role: str | None = None, *, entrywise: bool | None = None) -> list[Activation]:
    """The specs themselves, in book order (see :func:`names`).

    Args:
        role: if given (``"hidden"`` or ``"output"``), only activations used in that role.
        entrywise: if given, only activations that do (or do not) act on each entry alone.

    Returns:
        One :class:`~actlib.spec.Activation` per registered name.

    Raises:
        ValueError: ``role`` is not ``"hidden"``, ``"output"`` or ``None``.

    >>> [s.title for s in specs("output")][:2]
    ['Sigmoid (logistic)', 'Softmax']
    """
    return [get(n) for n in names(role, entrywise=entrywise)]


def get(name: str | Activation) -> Activation:
    """The spec registered under ``name`` (or one of its aliases, e.g. ``"silu"``).

    Case, surrounding spaces and hyphens do not matter (``"Leaky-ReLU"`` finds
    ``"leaky_relu"``).

    Args:
        name: a registered name or alias, or a spec (returned as it is).

    Returns:
        The :class:`~actlib.spec.Activation`.

    Raises:
        TypeError: ``name`` is not a string.
        ValueError: no such activation; the message lists the closest registered names.

    >>> get("silu").name
    'swish'
    >>> get("rleu")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    ValueError: unknown activation 'rleu'. Did you mean 'relu'...
    """
    if isinstance(name, Activation):
        return name
    if not isinstance(name, str):
        raise TypeError(f"activation name must be a string, got {type(name).__name__}")
    registry = _registry()
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    if key in registry:
        return registry[key]
    close = difflib.get_close_matches(key, list(registry), n=3, cutoff=0.5)
    hint = f" Did you mean {' or '.join(map(repr, close))}?" if close else ""
    raise ValueError(f"unknown activation {name!r}.{hint} Registered: {', '.join(names())}.")
