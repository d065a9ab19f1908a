"""The Properties object and its on-disk cache (plain JSON, never pickles, never evaluated)."""

from __future__ import annotations

import dataclasses
import json
import math
import os
import pickle
from pathlib import Path

import pytest
import sympy as sp

import actlib
from actlib.symbolic import properties
from actlib.symbolic.properties import Bounds, Limits, Point, Properties


@pytest.fixture
def cache(monkeypatch, tmp_path):
    """An empty cache folder and an empty in-memory cache, for one test."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("ACTLIB_CACHE_DIR", str(folder))
    properties.compute_properties.cache_clear()
    yield folder
    properties.compute_properties.cache_clear()


def _no_recompute(monkeypatch):
    def fail(_):
        raise AssertionError("recomputed although a valid cache entry exists")

    monkeypatch.setattr(properties, "_compute_properties", fail)


def _entry(folder, spec, **params):
    return folder / f"{properties.cache_key(spec.scalar_expr(**params))}.json"


def _strict_json(text: str):
    def reject(token):
        raise AssertionError(f"non-standard JSON token {token}")

    return json.loads(text, parse_constant=reject)


# ------------------------------------------------------------------------------ the object
def test_properties_are_frozen_and_typed():
    props = actlib.get("relu").properties()
    assert isinstance(props, Properties)
    with pytest.raises(dataclasses.FrozenInstanceError):
        props.monotonic = False  # type: ignore[misc]
    assert isinstance(props.range, Bounds) and props.range.sup == math.inf
    assert isinstance(props.limits, Limits) and props.limits.negative == 0.0
    assert isinstance(props.minimum, Point) and props.minimum.value == 0.0
    assert props.minimum_exact == Point(sp.Integer(0), sp.Integer(0))
    assert props.value_at_zero == 0.0 and props.slope_at_zero == 0.0
    lo, hi = props.derivative_range  # still unpacks as a pair
    assert (lo, hi) == (0.0, 1.0)


def test_every_field_is_documented():
    import inspect

    source = inspect.getsource(Properties)
    for f in dataclasses.fields(Properties):
        head = f"    {f.name}: "
        after = source.split(head, 1)[1].split("\n", 2)[1]
        assert after.strip().startswith('"""'), f"field {f.name} has no docstring"


# ------------------------------------------------------------------------------- round trip
def test_every_activation_round_trips_through_the_cache(swept_spec, monkeypatch, tmp_path):
    expected = swept_spec.properties()  # from this session's cache, or computed once
    monkeypatch.setenv("ACTLIB_CACHE_DIR", str(tmp_path))
    path = _entry(tmp_path, swept_spec)
    properties._write_entry(path, expected)  # what compute_properties writes
    assert path.exists() and not list(tmp_path.glob("*.pickle"))
    _strict_json(path.read_text(encoding="utf-8"))
    properties.compute_properties.cache_clear()
    _no_recompute(monkeypatch)
    try:
        again = swept_spec.properties()  # read back through compute_properties
    finally:
        properties.compute_properties.cache_clear()
    assert again == expected
    assert again.range_exact == expected.range_exact  # exact SymPy values, not just floats
    assert [sp.srepr(v) for v in again.derivative_range_exact] == [
        sp.srepr(v) for v in expected.derivative_range_exact
    ]


def test_computed_properties_are_written_as_json(cache):
    spec = actlib.get("leaky_relu")
    spec.properties()
    (path,) = cache.glob("*.json")  # the limits, if computed now, are in a subfolder
    assert path == _entry(cache, spec)
    _strict_json(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("name", "params"),
    [("elu", {"alpha": 2.0}), ("leaky_relu", {"negative_slope": 0.2}), ("swish", {"beta": 2.0})],
)
def test_parametrised_properties_round_trip(cache, monkeypatch, name, params):
    spec = actlib.get(name)
    expected = spec.properties(**params)
    properties.compute_properties.cache_clear()
    _no_recompute(monkeypatch)
    assert spec.properties(**params) == expected


@pytest.mark.parametrize(
    "value",
    [
        sp.Integer(0),
        sp.Integer(-(10**40)),
        sp.Rational(-11, 48),
        sp.Float(0.1, 30),
        sp.Float("1e-300", 15),
        sp.Float(0),
        sp.oo,
        -sp.oo,
        sp.zoo,
        sp.nan,
        sp.pi,
        sp.E,
        -sp.erf(1) / 2 - sp.exp(-1) / sp.sqrt(sp.pi) + sp.S.Half,
        -1 - sp.LambertW(sp.exp(-1)),
        sp.LambertW(-sp.exp(-2), -1),
        sp.tanh(sp.Rational(1, 3)) * sp.erfc(2) + sp.log(3),
        sp.Symbol("x", real=True) ** 2,
    ],
    ids=str,
)
def test_exact_values_round_trip(value):
    tree = properties._expr_to_json(value)
    back = properties._expr_from_json(_strict_json(json.dumps(tree, allow_nan=False)))
    assert back == value and sp.srepr(back) == sp.srepr(value)


def test_entries_are_standard_json_with_explicit_non_finite_numbers(cache):
    actlib.get("relu").properties()
    data = _strict_json(_entry(cache, actlib.get("relu")).read_text(encoding="utf-8"))
    assert data["schema"] == properties.SCHEMA_VERSION
    assert data["properties"]["range"] == [0.0, "inf"]
    assert data["properties"]["limits"] == [0.0, "inf"]
    assert data["properties"]["range_exact"] == [{"f": "Integer", "v": 0}, {"f": "oo"}]


def test_parameters_change_the_key(cache):
    actlib.get("elu").properties(alpha=0.5)
    actlib.get("elu").properties(alpha=2.0)
    assert len(list(cache.glob("*.json"))) == 2


# ------------------------------------------------------------------ entries that are ignored
def _recomputed_and_overwritten(cache, monkeypatch, write) -> None:
    """Write a bad entry for leaky_relu; properties() must ignore it, recompute, overwrite."""
    spec = actlib.get("leaky_relu")
    expected = spec.properties()
    path = _entry(cache, spec)
    write(path)
    properties.compute_properties.cache_clear()
    calls = []
    real = properties._compute_properties
    monkeypatch.setattr(properties, "_compute_properties", lambda f: calls.append(f) or real(f))
    assert spec.properties() == expected
    assert len(calls) == 1, "the bad entry was used instead of being recomputed"
    assert properties._read_entry(path) == expected  # overwritten with a valid entry


def _rewrite(path, change):
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data), encoding="utf-8")


def test_corrupt_entry_is_recomputed(cache, monkeypatch):
    _recomputed_and_overwritten(cache, monkeypatch, lambda p: p.write_bytes(b"{not json"))


def test_entry_with_another_schema_version_is_recomputed(cache, monkeypatch):
    def older(path):
        _rewrite(path, lambda d: d.update(schema=0))

    _recomputed_and_overwritten(cache, monkeypatch, older)


def test_entry_with_a_wrong_type_is_recomputed(cache, monkeypatch):
    def wrong(path):
        _rewrite(path, lambda d: d["properties"].update(monotonic="yes"))

    _recomputed_and_overwritten(cache, monkeypatch, wrong)


def test_entry_with_non_standard_infinity_token_is_recomputed(cache, monkeypatch):
    def python_infinity(path):  # leaky ReLU's range is (-inf, inf)
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace('"inf"', "Infinity"), encoding="utf-8")

    _recomputed_and_overwritten(cache, monkeypatch, python_infinity)


@pytest.mark.parametrize(
    "node",
    [
        {"f": "__import__", "args": [{"f": "Symbol", "name": "os", "assumptions": {}}]},
        {"f": "eval", "args": []},
        {"f": "Function", "args": []},
        {"f": "Symbol", "name": "x", "assumptions": {"__class__": True}},
        {"f": "Integer", "v": "1"},
        {"f": "Rational", "p": 2, "q": 4},
        {"f": "Pow", "args": [{"f": "Integer", "v": 2}]},
        {"f": "exp", "args": [{"f": "pi"}], "code": "print()"},
    ],
    ids=lambda n: n["f"],
)
def test_names_outside_the_allowlist_are_rejected(cache, monkeypatch, node):
    with pytest.raises(ValueError):
        properties._expr_from_json(node)

    def plant(path):
        _rewrite(path, lambda d: d["properties"].update(range_exact=[node, None]))

    _recomputed_and_overwritten(cache, monkeypatch, plant)


def test_nothing_in_an_entry_is_evaluated(cache, tmp_path):
    marker = tmp_path / "marker"
    code = f"__import__('pathlib').Path({str(marker)!r}).touch()"
    # A symbol's name is data: it is never parsed, so even this name stays a plain string.
    value = properties._expr_from_json({"f": "Symbol", "name": code, "assumptions": {}})
    assert value.name == code and not marker.exists()


class _Touch:
    """Unpickling this object would create ``path`` (as a malicious cache entry could)."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (os.mkdir, (str(self.path),))


def test_leftover_pickle_entries_are_never_loaded(cache, monkeypatch, tmp_path):
    spec = actlib.get("leaky_relu")
    expected = spec.properties()
    properties.compute_properties.cache_clear()
    marker = tmp_path / "marker"
    payload = pickle.dumps(_Touch(marker))
    key = properties.cache_key(spec.scalar_expr())
    (cache / f"{key}.pickle").write_bytes(payload)  # what an older actlib would have read
    _entry(cache, spec).write_bytes(payload)  # and the same bytes where JSON is expected
    assert spec.properties() == expected
    assert not marker.exists(), "a pickle in the cache folder was loaded"
    assert properties._read_entry(_entry(cache, spec)) == expected


def test_oversized_entry_is_ignored(cache):
    path = cache / "big.json"
    cache.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b" " * (properties._MAX_ENTRY_BYTES + 1))
    assert properties._read_entry(path) is None


# ------------------------------------------------------------------------------- the key
def test_key_changes_when_the_algorithm_or_sympy_changes(monkeypatch, tmp_path):
    expr = actlib.get("sigmoid").scalar_expr()
    properties._algorithm_fingerprint.cache_clear()  # from the module as it is on disk now
    before = properties.cache_key(expr)
    edited = tmp_path / "properties.py"
    source = Path(properties.__file__).read_bytes()
    edited.write_bytes(source + b"\n# a change to the algorithm\n")
    monkeypatch.setattr(properties, "__file__", str(edited))
    properties._algorithm_fingerprint.cache_clear()
    try:
        after_edit = properties.cache_key(expr)
        monkeypatch.setattr(sp, "__version__", "0.0.0")
        properties._algorithm_fingerprint.cache_clear()
        after_sympy = properties.cache_key(expr)
    finally:
        monkeypatch.undo()
        properties._algorithm_fingerprint.cache_clear()
    assert len({before, after_edit, after_sympy}) == 3
    assert properties.cache_key(expr) == before


def test_cache_can_be_switched_off(monkeypatch, tmp_path):
    monkeypatch.setenv("ACTLIB_CACHE_DIR", "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert properties.cache_dir() is None
    properties.compute_properties.cache_clear()
    try:
        assert actlib.get("relu").properties().monotonic
    finally:
        properties.compute_properties.cache_clear()
    assert not list(tmp_path.iterdir())


def test_unwritable_cache_folder_only_costs_the_cache(monkeypatch, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("ACTLIB_CACHE_DIR", str(blocker / "cache"))
    properties.compute_properties.cache_clear()
    try:
        assert actlib.get("relu").properties().range == (0.0, math.inf)
    finally:
        properties.compute_properties.cache_clear()


def test_limits_at_infinity_are_cached_on_disk_and_recomputed_when_corrupt(cache, monkeypatch):
    expr = sp.tanh(actlib.shapes.X) + sp.exp(actlib.shapes.X)
    properties.limits_at_infinity.cache_clear()
    assert properties.limits_at_infinity(expr) == (-1.0, math.inf)
    (entry,) = cache.glob("limits/*.json")
    assert json.loads(entry.read_text()) == {
        "schema": properties.SCHEMA_VERSION,
        "limits": [-1.0, "inf"],
        "exact": [{"f": "Integer", "v": -1}, {"f": "oo"}],
    }

    calls = []
    real = properties.limit_at_infinity
    monkeypatch.setattr(properties, "limit_at_infinity", lambda e, p: calls.append(p) or real(e, p))
    properties.limits_at_infinity.cache_clear()
    assert properties.limits_at_infinity(expr) == (-1.0, math.inf) and calls == []  # from disk
    entry.write_text('{"schema": 2, "limits": [-1.0, "not a number"]}')
    properties.limits_at_infinity.cache_clear()
    assert properties.limits_at_infinity(expr) == (-1.0, math.inf) and len(calls) == 2
    # Exact values that disagree with the floats make the entry unreadable too.
    data = json.loads(entry.read_text())
    data["exact"][0] = {"f": "Integer", "v": -2}
    entry.write_text(json.dumps(data))
    properties.limits_at_infinity.cache_clear()
    assert properties.limits_at_infinity(expr) == (-1.0, math.inf) and len(calls) == 4
    properties.limits_at_infinity.cache_clear()


def test_the_range_reuses_the_limits_at_infinity(cache, monkeypatch):
    """The ends at ±∞ of the range come from the limits' disk entry, exact, computed once."""
    expr = sp.tanh(actlib.shapes.X) + 2
    properties.limits_at_infinity.cache_clear()
    properties._exact_limits.cache_clear()
    assert properties.limits_at_infinity(expr) == (1.0, 3.0)
    calls = []
    real = properties.limit_at_infinity
    monkeypatch.setattr(properties, "limit_at_infinity", lambda e, p: calls.append(p) or real(e, p))
    properties._exact_limits.cache_clear()
    extent = properties._extent(expr)
    assert (extent.inf_exact, extent.sup_exact) == (1, 3) and calls == []  # read, not computed
    # An entry that could not store the exact values gives floats; the range computes them.
    properties._write_limits(
        next(cache.glob("limits/*.json")),
        properties._LimitsEntry(properties.Limits(1.0, 3.0), None),
    )
    properties._exact_limits.cache_clear()
    assert properties._extent(expr).sup_exact == 3 and len(calls) == 2
    properties._exact_limits.cache_clear()
    properties.limits_at_infinity.cache_clear()


@pytest.mark.skipif(properties.fcntl is None, reason="entries are locked only where fcntl exists")
def test_an_entry_being_computed_is_waited_for_not_computed_twice(cache, monkeypatch):
    """While one process computes an entry, another that needs it waits and reads it."""
    import threading

    relu, tanh = actlib.get("relu"), actlib.get("tanh")
    path = _entry(cache, relu)
    stored = tanh.properties()
    got: list[Properties] = []
    with properties._exclusive(path):  # "another process" is computing relu's entry
        worker = threading.Thread(target=lambda: got.append(relu.properties()))
        worker.start()
        worker.join(timeout=1.0)
        assert worker.is_alive() and not got  # it waits for the lock
        # What the other process writes is what the waiting one returns (tanh's properties
        # stored under relu's key prove that it read the entry instead of computing it).
        _no_recompute(monkeypatch)
        properties._write_entry(path, stored)
    worker.join(timeout=30.0)
    assert got == [stored]
