"""Validation of array inputs and parameter values.

Every public entry point of actlib goes through these helpers, so that bad input fails early
with a message that says what was received and what is allowed, instead of failing deep inside
NumPy or being silently coerced.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

#: Floating dtypes accepted as they are; results come back in the same dtype.
FLOAT_DTYPES = (np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64))


#: Floating dtypes that :func:`as_real_array` hands on unchanged with ``native=True``.
NATIVE_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def as_real_array(x: Any, *, name: str = "x", native: bool = False) -> tuple[np.ndarray, np.dtype]:
    """Check ``x`` and return it as a float64 array, together with the dtype to return.

    * float16, float32 and float64 arrays keep their dtype on output (the computation itself
      runs in float64 and is rounded once at the end; with ``native=True`` float32 and
      float64 arrays are returned as they are, neither copied nor converted, so that the
      computation runs in their own dtype);
    * integers, Python scalars and (nested) lists of numbers become float64;
    * anything else (strings, ``None``, booleans, complex numbers, objects, ``longdouble``,
      torch tensors) raises :class:`TypeError`; ragged nested lists raise :class:`ValueError`.

    Args:
        x: the candidate input.
        name: how the input is called in error messages.
        native: keep float32 and float64 arrays in their dtype (the others become float64).

    Returns:
        ``(array, out_dtype)``: ``x`` as float64 (or in its own dtype, see ``native``) and the
        dtype results are returned in.

    Raises:
        TypeError: ``x`` is not made of real numbers, or has an unsupported float dtype.
        ValueError: ``x`` is a ragged nested sequence.

    >>> arr, dtype = as_real_array(np.array([1, 2], dtype=np.float32))
    >>> arr.dtype, dtype
    (dtype('float64'), dtype('float32'))
    >>> as_real_array([1, 2])[1]
    dtype('float64')
    >>> as_real_array(np.zeros(2, dtype=np.float32), native=True)[0].dtype
    dtype('float32')
    """
    if x is None or isinstance(x, (str, bytes)):
        raise TypeError(
            f"{name} must be a real number or an array of real numbers, got {type(x).__name__}"
        )
    if isinstance(x, (bool, np.bool_)):
        raise TypeError(f"{name} must be a real number, got a boolean ({x!r})")
    module = type(x).__module__ or ""
    if module.startswith("torch"):
        raise TypeError(
            f"{name} is a {type(x).__name__}; the NumPy implementation takes NumPy arrays, "
            "Python numbers or lists. Use spec.torch(...) for tensors, or pass x.numpy()."
        )
    try:
        arr = np.asarray(x)
    except ValueError as exc:  # ragged nested sequences
        raise ValueError(
            f"{name} must be a rectangular array of real numbers; NumPy could not build one: {exc}"
        ) from None
    kind = arr.dtype.kind
    if kind == "f":
        if arr.dtype not in FLOAT_DTYPES:
            raise TypeError(
                f"{name} has dtype {arr.dtype}; supported floating dtypes are float16, float32 and "
                "float64"
            )
        out_dtype = arr.dtype
    elif kind in "iu":
        out_dtype = np.dtype(np.float64)
    elif kind == "b":
        raise TypeError(f"{name} must contain real numbers, got a boolean array")
    elif kind == "c":
        raise TypeError(f"{name} must contain real numbers, got complex dtype {arr.dtype}")
    else:
        raise TypeError(
            f"{name} must contain real numbers, got an array of dtype {arr.dtype} "
            f"(built from {type(x).__name__})"
        )
    if native and arr.dtype in NATIVE_DTYPES:
        return arr, out_dtype
    return arr.astype(np.float64, copy=False), out_dtype


def check_real(value: Any, *, name: str) -> float:
    """Return ``value`` as a Python float if it is a real, finite number; raise otherwise.

    Args:
        value: the candidate parameter value.
        name: the parameter's name, for error messages.

    Returns:
        ``float(value)``.

    Raises:
        TypeError: not a real number (booleans included).
        ValueError: NaN or infinite.

    >>> check_real(np.float32(0.5), name="alpha")
    0.5
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"parameter {name!r} must be a real number, got {type(value).__name__}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"parameter {name!r} must be finite, got {value}")
    return value


def check_int(value: Any, *, name: str) -> int:
    """Return ``value`` as an int if it is an integer (not a bool); raise otherwise.

    Args:
        value: the candidate parameter value.
        name: the parameter's name, for error messages.

    Returns:
        ``int(value)``.

    Raises:
        TypeError: not an integer, or a boolean.

    >>> check_int(np.int64(-1), name="axis")
    -1
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"parameter {name!r} must be an integer, got {type(value).__name__}")
    return int(value)


def check_bool(value: Any, *, name: str) -> bool:
    """Return ``value`` if it is a bool; raise otherwise (no truthiness coercion).

    Args:
        value: the candidate parameter value.
        name: the parameter's name, for error messages.

    Returns:
        ``bool(value)`` (NumPy booleans become Python ones).

    Raises:
        TypeError: not a boolean (``0`` and ``1`` included).

    >>> check_bool(np.bool_(True), name="training")
    True
    """
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"parameter {name!r} must be True or False, got {type(value).__name__}")
    return bool(value)


def check_generator(value: Any, *, name: str) -> np.random.Generator | None:
    """Accept ``None``, an integer seed or a :class:`numpy.random.Generator`.

    Args:
        value: the candidate parameter value.
        name: the parameter's name, for error messages.

    Returns:
        ``None``, the generator itself, or a new generator seeded with the integer.

    Raises:
        TypeError: anything else (a float, a legacy ``RandomState``, ...).
        ValueError: a negative seed.

    >>> type(check_generator(0, name="generator")).__name__
    'Generator'
    """
    if value is None or isinstance(value, np.random.Generator):
        return value
    if isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_)):
        if value < 0:
            raise ValueError(f"parameter {name!r}: a seed must be non-negative, got {value}")
        return np.random.default_rng(int(value))
    raise TypeError(
        f"parameter {name!r} must be None, a non-negative integer seed or a "
        f"numpy.random.Generator, got {type(value).__name__}"
    )


def check_channels(value: Any, *, name: str) -> np.ndarray:
    """A 1-d, non-empty array of finite real numbers (one per channel), read-only float64.

    Args:
        value: the candidate per-channel values (an array, list or tuple).
        name: the parameter's name, for error messages.

    Returns:
        A read-only float64 copy.

    Raises:
        TypeError: the values are not real numbers.
        ValueError: not 1-d, empty, or holding NaN or infinities.

    >>> check_channels([0.25, 0.5], name="weight")
    array([0.25, 0.5 ])
    """
    if isinstance(value, np.ndarray) and value.dtype.kind not in "iuf":
        raise TypeError(
            f"parameter {name!r} must hold real numbers, got an array of dtype {value.dtype}"
        )
    arr, _ = as_real_array(value, name=f"parameter {name!r}")
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(
            f"parameter {name!r} must be a number or a non-empty 1-d array with one value per "
            f"channel, got an array of shape {arr.shape}"
        )
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"parameter {name!r} must contain finite numbers only")
    arr = arr.copy()
    arr.setflags(write=False)
    return arr
