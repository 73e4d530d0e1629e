# cardkb: `make serve` to see the site, `make test` to run every check. Both set themselves up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# Material prints a notice about its end of life on every build; the README covers it.
export NO_MKDOCS_2_WARNING := 1

.PHONY: serve build check test lint bench fuzz system-packages clean

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

serve: $(INSTALLED)
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000

build: $(INSTALLED)
	$(BIN)/mkdocs build --strict

check: $(INSTALLED)
	$(BIN)/cardkb check

# Chromium and nginx for the browser and deployment tests, Node.js for the editor test, from
# the distribution's packages.
system-packages:
	bash tools/system-packages.sh

# The YAML language server that editors use, to prove scaffolded cards validate in an editor.
EDITOR_SERVER := tests/editor/node_modules/.package-lock.json
$(EDITOR_SERVER): tests/editor/package.json tests/editor/package-lock.json
	command -v npm >/dev/null && npm ci --prefix tests/editor --no-audit --no-fund --silent || true

lint: $(INSTALLED)
	$(BIN)/ruff check hooks tests tools
	$(BIN)/mypy

test: $(INSTALLED) system-packages $(EDITOR_SERVER) lint
	$(BIN)/pytest

bench: $(INSTALLED)
	$(BIN)/python tools/bench.py

# .site.cardkb-staging/ and .site.cardkb-previous/ are what a build killed midway leaves beside site/.
clean:
	rm -rf site .site.cardkb-* $(VENV)

# A long fuzz run (issue 11): CARDKB_FUZZ_CASES=200000 make fuzz for longer still.
fuzz: $(INSTALLED)
	CARDKB_FUZZ_CASES=$${CARDKB_FUZZ_CASES:-50000} $(BIN)/pytest tests/test_fuzz.py -q -p no:cacheprovider --hypothesis-show-statistics
