"""Execute the chapters on every core and store them in the book's execution cache.

Usage: python scripts/execute_chapters.py [--jobs N] [--config FILE] [notebooks/x.ipynb ...]

``jupyter-book build`` executes notebooks one after the other. This script executes the
chapters that are not cached yet, ``--jobs`` at a time (default: the number of cores), exactly
as the build would (myst-nb's cache mode: the notebook's folder as working directory, the
timeout of ``_config.yml``, errors not allowed), and stores each executed notebook in the
jupyter-cache folder named in ``_config.yml``. The build then finds every chapter in the cache
and only renders. A chapter that fails is reported with its traceback and not cached, so the
build executes it again and fails on it as it always does; the exit status is then 1.

``--config`` names another book configuration (the Chinese edition's, written by
``scripts/editions.py config``): its cache is used, and the kernels inherit this process's
environment (``ACTLIB_LANGUAGE=zh_CN`` makes actlib label figures and tables in Chinese).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import nbformat
import yaml
from jupyter_cache import get_cache
from jupyter_cache.base import CacheBundleIn
from jupyter_cache.executors.utils import single_nb_execution

ROOT = Path(__file__).resolve().parents[1]


def _settings(path: Path) -> tuple[Path, int]:
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    execute = config["execute"]
    if execute.get("execute_notebooks") != "cache":
        raise SystemExit("_config.yml must use execute_notebooks: cache for this script")
    return ROOT / execute.get("cache", ".jupyter_cache"), int(execute.get("timeout", 30))


def _execute(path: str, timeout: int) -> tuple[str, nbformat.NotebookNode, float, str | None]:
    """Run one notebook in a fresh kernel; returns (path, executed notebook, seconds, error)."""
    nb = nbformat.read(path, as_version=4)
    result = single_nb_execution(
        nb, cwd=str(Path(path).parent), allow_errors=False, timeout=timeout, meta_override=True
    )
    return path, nb, result.time, result.exc_string if result.err is not None else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/*.ipynb")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--config", type=Path, default=ROOT / "_config.yml")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error(f"--jobs must be at least 1, got {args.jobs}")
    paths = [p.resolve() for p in args.notebooks] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        parser.error(f"no such notebook: {', '.join(missing)}")

    if not args.config.is_file():
        parser.error(f"no such configuration file: {args.config}")
    cache_path, timeout = _settings(args.config)
    cache = get_cache(str(cache_path))
    todo = []
    for path in paths:
        try:
            cache.match_cache_notebook(nbformat.read(path, as_version=4))
        except KeyError:
            todo.append(path)
    print(f"{len(paths) - len(todo)} chapters cached, executing {len(todo)} on {args.jobs} cores")

    start, failed = time.perf_counter(), []
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        futures = [pool.submit(_execute, str(p), timeout) for p in todo]
        for future in as_completed(futures):
            path, nb, seconds, error = future.result()
            name = Path(path).relative_to(ROOT)
            if error is not None:
                failed.append(str(name))
                print(f"FAILED {name} after {seconds:.1f} s:\n{error}", file=sys.stderr)
                continue
            record = cache.add_nb_to_project(path)
            cache.cache_notebook_bundle(
                CacheBundleIn(nb, record.uri, data={"execution_seconds": seconds}),
                check_validity=False,
                overwrite=True,
            )
            print(f"{seconds:6.1f} s  {name}")
    print(f"executed {len(todo)} chapters in {time.perf_counter() - start:.1f} s (wall)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
