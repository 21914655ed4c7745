# Two commands on a fresh clone: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
PORT ?= 8501

.PHONY: install install-dev run test demo benchmark clean

install: $(VENV)/.installed  ## Create .venv and install coe (idempotent)

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	test -x $(UV) || $(BIN)/python -m pip install --quiet --disable-pip-version-check "uv>=0.5,<1"
	VIRTUAL_ENV=$(VENV) $(UV) pip install --quiet -e .
	touch $@

install-dev: $(VENV)/.installed-dev  ## install plus the test tools

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	VIRTUAL_ENV=$(VENV) $(UV) pip install --quiet -e . --group dev
	touch $@

run: install  ## Initialise the database, load demo data if it is empty, start the app
	$(BIN)/coe init
	$(BIN)/coe demo --if-empty
	$(BIN)/coe app --port $(PORT)

test: install-dev  ## Run the whole test suite
	$(BIN)/python -m pytest $(PYTEST_ARGS)

benchmark: install-dev  ## Run the benchmarks (prints JSON with ratios)
	for b in benchmarks/*_bench.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts
