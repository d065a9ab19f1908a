"""The on-disk cache of computed properties."""

from __future__ import annotations

import pytest

import actlib
from actlib.symbolic import properties


@pytest.fixture
def cache(monkeypatch, tmp_path):
    monkeypatch.setenv("ACTLIB_CACHE_DIR", str(tmp_path))
    properties.compute_properties.cache_clear()
    yield tmp_path
    properties.compute_properties.cache_clear()


def test_results_are_stored_and_read_back(cache, monkeypatch):
    first = actlib.get("sigmoid").properties()
    assert len(list(cache.glob("*.pickle"))) == 1
    properties.compute_properties.cache_clear()

    def fail(_):
        raise AssertionError("recomputed although a cache entry exists")

    monkeypatch.setattr(properties, "_compute_properties", fail)
    assert actlib.get("sigmoid").properties() == first


def test_parameters_change_the_key(cache):
    actlib.get("elu").properties(alpha=0.5)
    actlib.get("elu").properties(alpha=2.0)
    assert len(list(cache.glob("*.pickle"))) == 2


def test_corrupt_entry_is_recomputed(cache):
    spec = actlib.get("tanh")
    expected = spec.properties()
    (entry,) = cache.glob("*.pickle")
    entry.write_bytes(b"not a pickle")
    properties.compute_properties.cache_clear()
    assert spec.properties() == expected


def test_cache_can_be_switched_off(monkeypatch, tmp_path):
    monkeypatch.setenv("ACTLIB_CACHE_DIR", "off")
    assert properties.cache_dir() is None
    properties.compute_properties.cache_clear()
    assert actlib.get("relu").properties()["monotonic"]
    assert not list(tmp_path.iterdir())
    properties.compute_properties.cache_clear()
