# actlib course: `make book` builds the site, `make test` runs every check, `make lab` opens
# the notebooks live. All three create the virtual environment in .venv when it is missing.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
JB := $(VENV)/bin/jupyter-book
STAMP := $(VENV)/.installed
# MathJax for Node.js typesets the book's math when the site is built (package.json).
NODE_STAMP := node_modules/.installed
# Executed notebooks are cached by jupyter-cache, keyed on their code cells only. A change to
# actlib itself must re-execute them, so the cache (and the built pages) are dropped when any
# actlib file is newer than the last build.
ACTLIB_FILES := $(shell find src/actlib -type f \( -name '*.py' -o -name '*.js' -o -name '*.css' -o -name '*.html' -o -name '*.json' \))
NB_CACHE_STAMP := .jupyter_cache/.actlib-stamp

.PHONY: book test lab env lint unit battery build-strict browser accuracy-full bench clean pdf catalogs

# The Chinese edition's figures need a CJK font (scripts/editions.py builds the edition).
CJK_FONT := /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc

env: $(STAMP)

$(STAMP): requirements.txt constraints.txt pyproject.toml lab/overrides.json lab/jupyter_server_config.py \
		scripts/install-lab-settings.sh
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt -c constraints.txt
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (actlib)" >/dev/null
	./scripts/install-lab-settings.sh $(PY)
	@touch $@

$(NODE_STAMP): package.json package-lock.json
	./scripts/ensure-system-package.sh node nodejs npm
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(NB_CACHE_STAMP): $(ACTLIB_FILES)
	rm -rf .jupyter_cache .jupyter_cache_zh _build
	find book/api -name '*.rst' -delete
	mkdir -p .jupyter_cache
	@touch $@

# Both editions (scripts/editions.py build): the Chinese configuration is written from the
# English one; the chapters of both editions execute in one pool of workers (the Chinese ones
# with ACTLIB_LANGUAGE=zh_CN, into their own cache); each edition's site is built as soon as its
# chapters are done, side by side with the other's; the Chinese site is placed at
# _build/html/zh. $(1): more jupyter-book options (build-strict: -W -n).
define build-editions
	./scripts/ensure-system-package.sh $(CJK_FONT) fonts-noto-cjk
	$(PY) scripts/editions.py build $(1) --keep-going
	@touch $(BOOK_STAMP)
endef

# `make book` with nothing changed does nothing: the sites are newer than every file they are
# built from (the stamp is written after a build of both editions succeeds, and dropped when
# either site is missing). Generated files (the API pages' .rst, compiled catalogs) do not count.
BOOK_STAMP := _build/.editions-built
BOOK_INPUTS := $(shell find _config.yml _toc.yml book notebooks locale scripts src/actlib package.json requirements.txt -type f ! -path 'book/api/*' ! -name '*.mo' ! -name '*.pyc' ! -path '*/.ipynb_checkpoints/*')
$(if $(wildcard _build/html/index.html),$(if $(wildcard _build/html/zh/index.html),,$(shell rm -f $(BOOK_STAMP))),$(shell rm -f $(BOOK_STAMP)))

book: $(BOOK_STAMP)
	@echo "Open $(CURDIR)/_build/html/index.html (English) or $(CURDIR)/_build/html/zh/index.html (中文)"

$(BOOK_STAMP): $(STAMP) $(NODE_STAMP) $(NB_CACHE_STAMP) $(BOOK_INPUTS)
	$(call build-editions,)

# The whole book as one PDF in _build/pdf/: the chapters are executed into the cache, the book
# is rendered as one page (strict, like build-strict) and printed by headless Chromium.
pdf: $(STAMP) $(NODE_STAMP) $(NB_CACHE_STAMP)
	./scripts/ensure-system-package.sh "$${ACTLIB_CHROMIUM:-/usr/bin/chromium}" chromium
	$(PY) scripts/execute_chapters.py
	$(PY) scripts/make_pdf.py

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

unit: $(STAMP) $(NODE_STAMP)
	$(PY) -m pytest -m "not browser and not build and not battery" -q -n auto

# The registry battery: every activation verified against its SymPy expression and PyTorch,
# its accuracy on the fast grid, its properties and limits (the slow, exhaustive layer).
battery: $(STAMP)
	$(PY) -m pytest -m battery -q -n auto

# The chapters are executed on every core into the book's cache first; the build then renders
# them; the build tests (throwaway books, and every chapter executed once more and compared with
# the cached run) come last, so that they can reuse that cache.
build-strict: $(STAMP) $(NODE_STAMP) $(NB_CACHE_STAMP)
	$(call build-editions,-W -n)
	$(PY) -m pytest -m build -q -n auto

browser: $(STAMP)
	./scripts/ensure-system-package.sh "$${ACTLIB_CHROMIUM:-/usr/bin/chromium}" chromium
	$(PY) -m pytest -m browser -q

test: lint unit battery build-strict browser

# After a change of the English prose: extract its messages and merge them into the Chinese
# catalogs (locale/zh_CN/LC_MESSAGES), where changed messages become fuzzy and new ones empty;
# translate them (CONTRIBUTING.md) until scripts/check_catalogs.py passes.
catalogs: $(STAMP) $(NODE_STAMP) $(NB_CACHE_STAMP)
	$(PY) scripts/execute_chapters.py
	$(PY) scripts/editions.py catalogs
	$(PY) scripts/check_catalogs.py || true

lab: $(STAMP)
	$(VENV)/bin/jupyter lab notebooks/ $(if $(filter 0,$(shell id -u)),--allow-root)

accuracy-full: $(STAMP)
	ACTLIB_ACCURACY=full $(PY) -m pytest tests/test_accuracy.py -q

bench: $(STAMP)
	$(PY) benchmarks/speed.py

clean:
	rm -rf _build .jupyter_cache .jupyter_cache_zh .pytest_cache .ruff_cache .mypy_cache node_modules
	find locale -name '*.mo' -delete
	find book/api -name '*.rst' -delete
