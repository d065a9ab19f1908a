"""Shared fixtures: headless matplotlib, seeded generators, a ``spec`` per registered activation."""

from __future__ import annotations

import sys

import matplotlib

# nbformat (which several test modules import) validates notebooks with jsonschema, and jsonschema
# imports rfc3987_syntax when it is installed, only to check "iri" formats, which no notebook
# schema uses; that module builds dozens of grammars at import, seconds in every test process.
# The tests run without it (jsonschema treats it as optional and skips those formats).
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]

matplotlib.use("Agg")

# The unit tests run in English (doctests show English output); the tests of the Chinese
# output set ACTLIB_LANGUAGE themselves (tests/test_i18n.py).
import os  # noqa: E402

os.environ.pop("ACTLIB_LANGUAGE", None)

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import actlib  # noqa: E402
from actlib.shapes import Elementwise  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def _fresh_properties_cache(tmp_path_factory):
    """Tests compute properties afresh: the on-disk cache lives in a folder of this test run.

    With pytest-xdist, the workers of one run share that folder (entries are written
    atomically), so a limit or a property is computed once per run, not once per worker.
    """
    import os

    base = tmp_path_factory.getbasetemp()  # a worker's: <this run's folder>/popen-gwN
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    old = os.environ.get("ACTLIB_CACHE_DIR")
    os.environ["ACTLIB_CACHE_DIR"] = str(shared / "actlib-cache")
    yield
    if old is None:
        del os.environ["ACTLIB_CACHE_DIR"]
    else:
        os.environ["ACTLIB_CACHE_DIR"] = old


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(12345)


@pytest.fixture(scope="module")
def one_torch_thread():
    """Tiny networks run fastest on one thread, and the machine is shared: a module opts in with
    ``pytestmark = pytest.mark.usefixtures("one_torch_thread")``."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(autouse=True)
def _seed_torch():
    import torch

    torch.manual_seed(0)
    yield


def _kind(spec: actlib.Activation) -> tuple[str, bool, bool]:
    """What a sweep keeps one activation of in the unit layer: shape, parameters, randomness."""
    return (
        type(spec.shape).__name__,
        bool(spec.parameters),
        any(p.randomizes for p in spec.parameters),
    )


def _swept(names: list[str]) -> list:
    """Registry names as parameters: the first activation of each kind (:func:`_kind`) runs in
    the unit layer, every other one is marked ``battery`` (CONTRIBUTING.md, the test layers)."""
    seen: set[tuple[str, bool, bool]] = set()
    params = []
    for name in names:
        kind = _kind(actlib.get(name))
        params.append(pytest.param(name, marks=() if kind not in seen else pytest.mark.battery))
        seen.add(kind)
    return params


@pytest.fixture(params=actlib.names(), ids=str)
def spec(request) -> actlib.Activation:
    """Every registered activation, one test per name."""
    return actlib.get(request.param)


@pytest.fixture(
    params=[s.name for s in actlib.specs() if isinstance(s.shape, Elementwise)], ids=str
)
def elementwise(request) -> actlib.Activation:
    """Every registered elementwise activation."""
    return actlib.get(request.param)


@pytest.fixture(params=_swept(actlib.names()), ids=str)
def swept_spec(request) -> actlib.Activation:
    """Every registered activation, for a sweep too slow for the unit layer: one of each kind
    there, the others in the battery."""
    return actlib.get(request.param)


@pytest.fixture(
    params=_swept([s.name for s in actlib.specs() if isinstance(s.shape, Elementwise)]), ids=str
)
def swept_elementwise(request) -> actlib.Activation:
    """Every registered elementwise activation, swept like :func:`swept_spec`."""
    return actlib.get(request.param)
