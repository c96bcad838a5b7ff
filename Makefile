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

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python $(PY)
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

# Debian's docker-compose checks docker-compose.yml (no Docker engine is needed for `config`);
# best effort: without root or the Debian mirror the compose test skips itself.
test-tools:
	@command -v docker-compose >/dev/null 2>&1 || \
		{ [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
		  (apt-get update -qq && apt-get install -y -qq docker-compose) >/dev/null 2>&1; } || \
		echo "note: docker-compose not installed; tests/deploy will skip its config check"

test: bootstrap lint test-tools
	$(BIN)/pytest -n 2 --dist loadgroup

clean:
	rm -rf data .airflow dbt_project/target dbt_project/logs
