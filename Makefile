# messbar: the two commands are `make demo` and `make test`; both bootstrap .venv first.
SHELL := /bin/bash
PY ?= python3
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: bootstrap demo test test-tools lint format bench clean

$(UV):
	$(PY) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet 'uv>=0.5,<1'

# --compile-bytecode: the .pyc files are written once here. A machine with
# PYTHONDONTWRITEBYTECODE set (this one) otherwise compiles every imported module from source
# in every process: about a second of each dbt run and each Airflow task (bench/RESULTS.md).
$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --compile-bytecode --python $(PY)
	touch $@

bootstrap: $(VENV)/.synced

demo: bootstrap
	$(BIN)/python -m messbar.demo

lint: bootstrap
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	mkdir -p data/lint
	cd dbt_project && MESSBAR_WAREHOUSE=$(CURDIR)/data/lint/warehouse.duckdb \
		../$(BIN)/sqlfluff lint models macros tests

format: bootstrap
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	mkdir -p data/lint
	cd dbt_project && MESSBAR_WAREHOUSE=$(CURDIR)/data/lint/warehouse.duckdb \
		../$(BIN)/sqlfluff fix models macros tests

# Debian packages the tests drive for real: docker-compose checks docker-compose.yml (no Docker
# engine is needed for `config`), chromium + chromium-driver open the owner report, postgresql
# and redis-server carry the CeleryExecutor test. Best effort: without root or the Debian mirror
# the tests that need a missing tool skip themselves and say which package is missing.
test-tools:
	@missing=""; \
	for tool in docker-compose:docker-compose chromium:chromium chromedriver:chromium-driver \
	            redis-server:redis-server; do \
		command -v $${tool%%:*} >/dev/null 2>&1 || missing="$$missing $${tool#*:}"; done; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	[ -z "$$missing" ] || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing) \
	  >/dev/null 2>&1; } || echo "note: could not install$$missing; the tests that need them skip"

test: bootstrap lint test-tools
	$(BIN)/pytest -n 2 --dist loadgroup

# Benchmarks of issue 7 (bench/README.md): every BENCH line with its ratio and target; fails
# if any target is missed. BENCH_SCALE=small for a quick check.
bench: bootstrap
	$(BIN)/python bench/run_all.py

clean:
	rm -rf data .airflow dbt_project/target dbt_project/logs
