"""Execute the chapters on every core and store them in the book's execution cache.

Usage: python scripts/execute_chapters.py [--jobs N] [--config FILE ...] [notebooks/x.ipynb ...]

``jupyter-book build`` executes notebooks one after the other. This script executes the
chapters that are not cached yet, ``--jobs`` at a time (default: the number of cores), exactly
as the build would (myst-nb's cache mode: the notebook's folder as working directory, the
timeout of ``_config.yml``, errors not allowed), and stores each executed notebook in the
jupyter-cache folder named in ``_config.yml``. The build then finds every chapter in the cache
and only renders. A chapter that fails is reported with its traceback and not cached, so the
build executes it again and fails on it as it always does; the exit status is then 1.

``--config`` names a book configuration (default: ``_config.yml``); given several times (the
English one and the Chinese edition's, written by ``scripts/editions.py config``), the chapters
of every edition share one pool of workers. Each edition's chapters are stored in the cache its
configuration names, and run with ``ACTLIB_LANGUAGE`` set to the configuration's Sphinx
``language`` (``zh_CN`` makes actlib label figures and tables in Chinese), every chapter in a
fresh kernel: every number is computed in every edition. The kernels are forks of one process
that has imported PyTorch, SymPy, NumPy and matplotlib once (``scripts/forked_kernels.py``),
which saves each chapter about five seconds of imports.

Scheduling: the next chapter to start is the one that took longest when it last ran (in any
edition's cache), so that no long chapter starts last while the other cores idle; chapters never
run before go first, in the order given. A kernel is stopped as soon as its chapter is done
(its outputs are complete; a graceful shutdown only waits).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from itertools import zip_longest
from pathlib import Path

import nbformat
import yaml
from forked_kernels import ForkingKernelManager, Template  # this folder's module
from jupyter_cache import get_cache
from jupyter_cache.base import CacheBundleIn
from jupyter_cache.executors.utils import single_nb_execution

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Edition:
    """What one book configuration says about executing its chapters."""

    config: Path
    cache: Path
    timeout: int
    language: str | None  # Sphinx's ``language``: the kernels' ACTLIB_LANGUAGE


def _edition(path: Path) -> Edition:
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    execute = config["execute"]
    if execute.get("execute_notebooks") != "cache":
        raise SystemExit(f"{path} must use execute_notebooks: cache for this script")
    language = ((config.get("sphinx") or {}).get("config") or {}).get("language")
    return Edition(
        path,
        ROOT / execute.get("cache", ".jupyter_cache"),
        int(execute.get("timeout", 30)),
        None if language in (None, "en") else str(language),
    )


def _execute(
    path: str, timeout: int, language: str | None
) -> tuple[str, nbformat.NotebookNode, float, str | None]:
    """Run one notebook in a fresh kernel; returns (path, executed notebook, seconds, error)."""
    # The kernel inherits this worker's environment; a worker runs one chapter at a time.
    if language is None:
        os.environ.pop("ACTLIB_LANGUAGE", None)
    else:
        os.environ["ACTLIB_LANGUAGE"] = language
    nb = nbformat.read(path, as_version=4)
    result = single_nb_execution(
        nb,
        cwd=str(Path(path).parent),
        allow_errors=False,
        timeout=timeout,
        meta_override=True,
        shutdown_kernel="immediate",
        kernel_manager_class=ForkingKernelManager,
    )
    return path, nb, result.time, result.exc_string if result.err is not None else None


def _recorded_seconds(caches: list) -> dict[str, float]:
    """How long each chapter took when it was last executed, by path, over all the caches."""
    seconds: dict[str, tuple] = {}
    for cache in caches:
        for record in cache.list_cache_records():
            value = record.data.get("execution_seconds") if isinstance(record.data, dict) else None
            if isinstance(value, (int, float)):
                stamp = (record.created, float(value))
                seconds[record.uri] = max(seconds.get(record.uri, stamp), stamp)
    return {uri: value for uri, (_, value) in seconds.items()}


def run(
    configs: list[Path],
    paths: list[Path],
    jobs: int,
    on_done: Callable[[Edition], None] | None = None,
) -> int:
    """Execute the uncached ``paths`` of every edition named by ``configs`` on ``jobs`` workers.

    ``on_done(edition)`` is called as soon as every chapter of that edition has been executed
    (or has failed): ``scripts/editions.py build`` starts that edition's site build then, while
    the other edition's chapters still run. Returns 1 if a chapter failed, else 0.
    """
    editions = [_edition(c) for c in configs]
    caches = {e.cache: get_cache(str(e.cache)) for e in editions}
    pending: dict[Edition, int] = {}
    queues: list[list[tuple[Edition, Path]]] = []
    for edition in editions:
        cache = caches[edition.cache]
        waiting = []
        for path in paths:
            try:
                cache.match_cache_notebook(nbformat.read(path, as_version=4))
            except KeyError:
                waiting.append(path)
        name = edition.language or "default language"
        print(f"{edition.config.name} ({name}): {len(paths) - len(waiting)} chapters cached, "
              f"{len(waiting)} to execute")  # fmt: skip
        pending[edition] = len(waiting)
        queues.append([(edition, p) for p in waiting])
    # The editions' chapters alternate, so that the editions finish together and their site
    # builds run side by side at the end; every other edition takes its chapters in reverse
    # order, so that the same chapter of two editions does not run at the same time (the second
    # would wait for the properties the first is computing).
    queues = [q if i % 2 == 0 else q[::-1] for i, q in enumerate(queues)]
    todo = [task for group in zip_longest(*queues) for task in group if task is not None]
    print(f"executing {len(todo)} chapters, {jobs} at a time", flush=True)
    for edition, count in pending.items():
        if count == 0 and on_done is not None:
            on_done(edition)
    recorded = _recorded_seconds(list(caches.values()))

    def next_task() -> tuple[Edition, Path]:
        # Longest first by the last recorded time; never-run chapters before all of them.
        def estimate(i: int) -> tuple[float, int]:
            return recorded.get(str(todo[i][1]), float("inf")), -i

        return todo.pop(max(range(len(todo)), key=estimate))

    start, failed, executed = time.perf_counter(), [], 0
    running: dict[Future, Edition] = {}
    with Template(), ProcessPoolExecutor(max_workers=jobs) as pool:
        while todo or running:
            while todo and len(running) < jobs:
                edition, path = next_task()
                future = pool.submit(_execute, str(path), edition.timeout, edition.language)
                running[future] = edition
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                edition = running.pop(future)
                pending[edition] -= 1
                path, nb, seconds, error = future.result()
                name = f"{Path(path).relative_to(ROOT)}" + (
                    f" ({edition.language})" if edition.language else ""
                )
                if error is not None:
                    failed.append(name)
                    print(f"FAILED {name} after {seconds:.1f} s:\n{error}", file=sys.stderr)
                else:
                    cache = caches[edition.cache]
                    record = cache.add_nb_to_project(path)
                    cache.cache_notebook_bundle(
                        CacheBundleIn(nb, record.uri, data={"execution_seconds": seconds}),
                        check_validity=False,
                        overwrite=True,
                    )
                    recorded[path] = seconds
                    executed += 1
                    print(f"{seconds:6.1f} s  {name}", flush=True)
                if pending[edition] == 0 and on_done is not None:
                    on_done(edition)
    print(f"executed {executed} chapters in {time.perf_counter() - start:.1f} s (wall)")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/*.ipynb")
    parser.add_argument("--jobs", type=int, default=default_jobs())
    parser.add_argument(
        "--config", type=Path, action="append", help="a book configuration (repeatable)"
    )
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error(f"--jobs must be at least 1, got {args.jobs}")
    paths = [p.resolve() for p in args.notebooks] or chapters()
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        parser.error(f"no such notebook: {', '.join(missing)}")
    configs = args.config or [ROOT / "_config.yml"]
    absent = [str(c) for c in configs if not c.is_file()]
    if absent:
        parser.error(f"no such configuration file: {', '.join(absent)}")
    return run(configs, paths, args.jobs)


def default_jobs() -> int:
    """One chapter per core (a worker more was measured no faster: the chapters are busy)."""
    return os.cpu_count() or 1


def chapters() -> list[Path]:
    """Every chapter of the book, in file order."""
    return sorted((ROOT / "notebooks").glob("*.ipynb"))


if __name__ == "__main__":
    sys.exit(main())
