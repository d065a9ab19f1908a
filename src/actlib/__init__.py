"""actlib: activation functions as declarative specs.

Each activation is one :class:`~actlib.spec.Activation` in :mod:`actlib.activations`. Its SymPy
expression is the source of truth; the stable NumPy forward and derivative are checked against
it and against PyTorch (:func:`~actlib.checks.verification.verify`); its properties are
computed from it
(:meth:`~actlib.spec.Activation.properties`).

>>> import actlib
>>> actlib.names()[:3]
['sigmoid', 'tanh', 'relu']
>>> float(actlib.get("sigmoid").forward(0.0))
0.5
"""

from actlib.checks.verification import VerifyReport, verify
from actlib.registry import get, names, specs
from actlib.spec import Activation, Param, Reference

#: The names the package exports (each documented in the module that defines it).
__all__ = [
    "Activation",
    "Param",
    "Reference",
    "VerifyReport",
    "get",
    "names",
    "specs",
    "verify",
]
#: The version of actlib.
__version__ = "0.1.0"
