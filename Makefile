# messbar: the two commands are `make demo` and `make test`; both bootstrap .venv first.
SHELL := /bin/bash
PY ?= python3
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: bootstrap demo test lint format bench clean

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

test: bootstrap lint
	$(BIN)/pytest -n 2 --dist loadgroup

clean:
	rm -rf data .airflow dbt_project/target dbt_project/logs
