"""Print the course's repository URL, or the URL of its published site.

The URL is kept in one place, ``repository.url`` in ``_config.yml``; everything else (README
links, the Colab install cell of each chapter, package metadata) is checked against it by
``tests/test_project.py``.

Usage::

    python scripts/repository_url.py          # https://github.com/OWNER/REPO
    python scripts/repository_url.py --pages  # https://OWNER.github.io/REPO/
"""

from __future__ import annotations

import argparse
from pathlib import Path
from urllib.parse import urlparse

import yaml

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "_config.yml"


def repository_url(config: Path = CONFIG) -> str:
    """Return ``repository.url`` from the book configuration, without a trailing slash.

    Raises:
        ValueError: if the setting is missing or is not an https URL.
    """
    data = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
    url = (data.get("repository") or {}).get("url")
    if not isinstance(url, str) or not url.startswith("https://"):
        raise ValueError(f"repository.url in {config.name} must be an https URL, got {url!r}")
    return url.rstrip("/")


def pages_url(url: str) -> str:
    """Return the GitHub Pages address of a ``https://github.com/OWNER/REPO`` repository.

    >>> pages_url("https://github.com/someone/some-course")
    'https://someone.github.io/some-course/'
    """
    parsed = urlparse(url)
    parts = [p for p in parsed.path.split("/") if p]
    if parsed.netloc != "github.com" or len(parts) != 2:
        raise ValueError(f"expected https://github.com/OWNER/REPO, got {url!r}")
    owner, repo = parts
    return f"https://{owner.lower()}.github.io/{repo}/"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--pages", action="store_true", help="print the GitHub Pages URL of the published site"
    )
    args = parser.parse_args()
    url = repository_url()
    print(pages_url(url) if args.pages else url)


if __name__ == "__main__":
    main()
