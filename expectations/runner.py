"""Validate the warehouse DuckDB file against the suites in ``expectations/suites/``.

``validate()`` builds an ephemeral Great Expectations context (nothing is written under an
``uncommitted/`` folder), opens the DuckDB file read-only through one SQL data source, and
runs every suite as SQL inside DuckDB. The DAG branches on ``GateResult.success``.

Great Expectations is imported inside functions: importing this module stays cheap.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import shutil
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

SUITES_DIR = Path(__file__).resolve().parent / "suites"
SAMPLE_SIZE = 5
DATASOURCE = "warehouse"
DATA_DOCS_SITE = "quality"
PARAMETER_KEY = "$PARAMETER"
# run values inside custom SQL: "{$logical_date}" becomes the SQL literal '2026-11-27'
QUERY_PARAMETER = re.compile(r"\{\$([A-Za-z_][A-Za-z0-9_]*)\}")
BLOCKING = "critical"
CUSTOM_SQL = "unexpected_rows_expectation"
QUICK_FORMAT = {"result_format": "BOOLEAN_ONLY"}
WORKERS_ENV = "MESSBAR_GATE_WORKERS"

_QUIET_LOGGERS = ("great_expectations", "sqlalchemy", "duckdb_engine")


@dataclass(frozen=True)
class Failure:
    """One failed expectation, or a suite that could not run (``expectation`` says which)."""

    table: str
    expectation: str
    column: str | None = None
    kwargs: dict[str, Any] = field(default_factory=dict)
    unexpected_count: int | None = None
    sample_values: list[Any] = field(default_factory=list)
    sample_keys: list[dict[str, Any]] = field(default_factory=list)
    observed_value: Any = None
    description: str | None = None
    message: str | None = None
    severity: str = BLOCKING  # "critical" blocks the publish; "warning" and "info" do not

    def describe(self) -> str:
        """One line for humans: which table, which expectation, what is wrong."""
        column = f" column {self.column}" if self.column else ""
        head = f"{self.table}: {self.expectation}{column}"
        if self.message:
            return f"{head}: {self.message}"
        details = []
        if self.unexpected_count is not None:
            details.append(f"{self.unexpected_count} unexpected")
        if self.sample_keys and self.expectation == CUSTOM_SQL:
            # the query chose what to show (network, counts, the offending value)
            details.append(f"sample rows {_short(self.sample_keys, 700)}")
        elif self.sample_keys:
            details.append(f"sample keys {_short(self.sample_keys)}")
        if self.sample_values:
            details.append(f"sample values {_short(self.sample_values)}")
        if self.observed_value is not None and self.unexpected_count is None:
            details.append(f"observed {_short(self.observed_value)}")
        limits = {k: v for k, v in self.kwargs.items() if k not in _NOT_LIMITS}
        if self.description:
            details.append(f"expected: {self.description}")
        elif limits:
            details.append(f"expected {_short(limits)}")
        return f"{head}: " + "; ".join(details) if details else head


@dataclass(frozen=True)
class SuiteOutcome:
    suite: str
    table: str
    status: str  # "passed", "failed", "missing" or "skipped" (optional suite, no table)
    evaluated: int = 0
    failed: int = 0
    rows: str = "all"  # or which rows: "_loaded_at > ... and _loaded_at <= ..." (see Scope)


@dataclass(frozen=True)
class GateResult:
    success: bool
    database: str
    failures: list[Failure]
    suites: list[SuiteOutcome]
    params: dict[str, Any]
    result_path: Path | None = None
    data_docs_index: Path | None = None
    warnings: list[Failure] = field(default_factory=list)
    # per suite name: the newest value of its incremental column that this run checked (the
    # caller keeps it after a pass and hands it back as ``checked_through`` next time)
    checked_through: dict[str, str] = field(default_factory=dict)
    processes: int = 1  # how many processes ran the suites (MESSBAR_GATE_WORKERS)

    def summary(self) -> str:
        """One text block for task logs and the CLI."""
        verdict = "PASSED" if self.success else "FAILED"
        counts = {s: sum(o.status == s for o in self.suites) for s in _STATUSES}
        parts = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
        plural = "" if len(self.suites) == 1 else "s"
        lines = [
            f"Quality gate {verdict} for {self.database}: "
            f"{len(self.suites)} suite{plural} ({parts})"
            + (f" in {self.processes} processes" if self.processes > 1 else "")
        ]
        scoped = [o for o in self.suites if o.rows != "all"]
        if scoped:
            lines.append(
                f"  {len(scoped)} append-only table(s) checked on the rows loaded since their "
                "last passing gate (result.json: suites[].rows)"
            )
        lines += [f"  - {failure.describe()}" for failure in self.failures]
        lines += [f"  ! {w.severity.upper()} {w.describe()}" for w in self.warnings]
        if self.data_docs_index:
            lines.append(f"  Data Docs: {self.data_docs_index}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "success": self.success,
            "database": self.database,
            "params": self.params,
            "suites": [asdict(outcome) for outcome in self.suites],
            "failures": [asdict(failure) for failure in self.failures],
            "warnings": [asdict(warning) for warning in self.warnings],
            "data_docs_index": str(self.data_docs_index) if self.data_docs_index else None,
            "checked_through": self.checked_through,
            "processes": self.processes,
        }


_STATUSES = ("passed", "failed", "missing", "skipped")
_NOT_LIMITS = {"column", "column_A", "column_B", "column_list", "batch_id"}


@dataclass(frozen=True)
class Suite:
    """A suite file: ``<schema>.<table>.json`` holding a GX 1.x ExpectationSuite."""

    path: Path
    config: dict[str, Any]

    @property
    def name(self) -> str:
        return self.path.name.removesuffix(".json")

    @property
    def schema(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def table(self) -> str:
        return self.name.split(".", 1)[1]

    @property
    def optional(self) -> bool:
        return bool(self.config.get("meta", {}).get("optional", False))

    @property
    def key_columns(self) -> list[str]:
        return list(self.config.get("meta", {}).get("key_columns", []))

    @property
    def incremental_column(self) -> str | None:
        """``meta.incremental_column``: the table is append-only and this column grows with
        each load, so a gate may check only the rows above the last checked value."""
        column = self.config.get("meta", {}).get("incremental_column")
        return str(column) if column else None


@dataclass(frozen=True)
class Scope:
    """The rows of an append-only table one gate run checks: ``column`` above ``since`` (the
    newest value a passing gate checked before; None: every row) up to ``through`` (the
    newest value when this run started; None: the table is empty)."""

    column: str
    since: str | None
    through: str | None

    def where(self) -> str | None:
        """The SQL condition for the rows to check; None: the whole table."""
        if self.since is None:
            return None
        where = f'"{self.column}" > {_sql_literal(self.since)}::TIMESTAMPTZ'
        if self.through is not None:
            where += f' and "{self.column}" <= {_sql_literal(self.through)}::TIMESTAMPTZ'
        return where

    def describe(self) -> str:
        if self.since is None:
            return "all"
        return f"{self.column} > {self.since}" + (
            f" and <= {self.through}" if self.through is not None else ""
        )


def default_params(now: dt.datetime | None = None) -> dict[str, Any]:
    """Values for suite parameters the caller did not pass.

    ``max_fetched_at`` bounds every fetch timestamp: nothing can have been fetched after the
    gate runs. The DAG passes a tighter bound (the end of its extraction) explicitly.
    ``min_account_days`` is the fewest rows ``marts.fct_account_daily`` may have.
    ``logical_date`` is the day the run is for (freshness and future state are judged against
    it); ``run_id`` names the run whose loaded volume is judged (empty: the newest run of each
    network). See expectations/README.md for the freshness and volume thresholds.
    """
    now = now or dt.datetime.now(dt.UTC)
    return {
        "min_fetched_at": "2015-01-01T00:00:00+00:00",
        "max_fetched_at": now.isoformat(timespec="seconds"),
        "min_account_days": 1,
        "logical_date": now.date().isoformat(),
        "run_id": "",
        "max_age_days_api": 4,
        "max_age_days_manual": 62,
        "volume_history_runs": 7,
        "volume_min_history": 3,
        "volume_min_median_rows": 20,
        "volume_min_ratio": 0.1,
    }


def load_suites(suites_dir: Path) -> list[Suite]:
    """Every ``<schema>.<table>.json`` in ``suites_dir``, checked for a matching ``name``."""
    suites = []
    for path in sorted(suites_dir.glob("*.*.json")):
        try:
            config = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise ValueError(f"Suite file {path} is not valid JSON: {error}") from error
        suite = Suite(path, config)
        if config.get("name") != suite.name:
            raise ValueError(
                f"Suite file {path} has name {config.get('name')!r}: "
                f"set it to {suite.name!r} (the file name without .json)"
            )
        suites.append(suite)
    if not suites:
        raise ValueError(f"No suites (<schema>.<table>.json) found in {suites_dir}")
    return suites


def validate(
    database_path: Path,
    suites_dir: Path = SUITES_DIR,
    *,
    out_dir: Path | None,
    tables: list[str] | None = None,
    params: dict[str, Any] | None = None,
    checked_through: Mapping[str, str] | None = None,
) -> GateResult:
    """Run the suites for ``tables`` (all suites when None) against ``database_path``.

    ``params`` fill ``{"$PARAMETER": name}`` values in suites; see ``default_params``. With
    ``out_dir``, writes ``result.json`` and Great Expectations Data Docs (``data_docs/``).
    ``checked_through``: per suite with ``meta.incremental_column``, the newest value of that
    column a passing gate has checked (``GateResult.checked_through`` of that run); such a
    suite then checks only the newer rows. None (or a suite missing from it): every row.
    """
    database_path = Path(database_path).resolve()
    if not database_path.is_file():
        raise FileNotFoundError(f"DuckDB file {database_path} does not exist: run the load first")
    run_params = {**default_params(), **(params or {})}
    suites = _select(load_suites(Path(suites_dir)), tables)
    _check_params(suites, run_params)
    suites = [_bind(suite, run_params) for suite in suites]
    existing, newest = _inspect(database_path, suites)
    scopes = {
        suite.name: Scope(
            suite.incremental_column,
            (checked_through or {}).get(suite.name),
            newest.get(suite.name),
        )
        for suite in suites
        if suite.incremental_column and (suite.schema, suite.table) in existing
    }

    failures: list[Failure] = []
    outcomes: list[SuiteOutcome] = []
    runnable = []
    for suite in suites:
        if (suite.schema, suite.table) in existing:
            runnable.append(suite)
        elif suite.optional:
            outcomes.append(SuiteOutcome(suite.name, suite.name, "skipped"))
        else:
            outcomes.append(SuiteOutcome(suite.name, suite.name, "missing"))
            failures.append(
                Failure(
                    table=suite.name,
                    expectation="table_exists",
                    message=f"table {suite.name} does not exist in {database_path.name}; "
                    "build it (dbt build / load) or mark the suite optional in its meta",
                )
            )

    docs_dir = out_dir / "data_docs" if out_dir else None
    build_dir = out_dir / f".data_docs.{os.getpid()}.tmp" if out_dir else None
    try:
        with _quiet_logging():
            suite_results, processes = _run_suites(
                database_path, runnable, run_params, build_dir, scopes, workers=gate_workers()
            )
    except BaseException:
        if build_dir:
            shutil.rmtree(build_dir, ignore_errors=True)
        raise
    if docs_dir and build_dir:
        _replace_dir(build_dir, docs_dir)
    warnings: list[Failure] = []
    for suite, result in suite_results:
        suite_failures = _failures(suite, result)
        failures.extend(f for f in suite_failures if f.severity == BLOCKING)
        warnings.extend(f for f in suite_failures if f.severity != BLOCKING)
        outcomes.append(
            SuiteOutcome(
                suite=suite.name,
                table=suite.name,
                status="failed"
                if any(f.severity == BLOCKING for f in suite_failures)
                else "passed",
                evaluated=len(result["results"]),
                failed=len(suite_failures),
                rows=scopes[suite.name].describe() if suite.name in scopes else "all",
            )
        )

    outcomes.sort(key=lambda outcome: outcome.suite)
    gate = GateResult(
        success=not failures,
        database=str(database_path),
        failures=failures,
        suites=outcomes,
        params=run_params,
        data_docs_index=docs_dir / "index.html" if docs_dir else None,
        warnings=warnings,
        processes=processes,
        checked_through={
            name: scope.through if scope.through is not None else scope.since
            for name, scope in scopes.items()
            if scope.through is not None or scope.since is not None
        },
    )
    if out_dir:
        gate = _write_result(gate, out_dir, [result for _, result in suite_results])
    return gate


def _select(suites: list[Suite], tables: Sequence[str] | None) -> list[Suite]:
    if tables is None:
        return suites
    by_name = {suite.name: suite for suite in suites}
    unknown = sorted(set(tables) - set(by_name))
    if unknown:
        raise ValueError(
            f"No suite for {', '.join(unknown)}: add expectations/suites/<schema>.<table>.json"
        )
    return [by_name[name] for name in tables]


def _parameters_in(value: Any) -> Iterator[str]:
    if isinstance(value, Mapping):
        if PARAMETER_KEY in value:
            yield str(value[PARAMETER_KEY])
        for item in value.values():
            yield from _parameters_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from _parameters_in(item)


def _query_parameters_in(value: Any) -> Iterator[str]:
    if isinstance(value, Mapping):
        for item in value.values():
            yield from _query_parameters_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from _query_parameters_in(item)
    elif isinstance(value, str):
        yield from QUERY_PARAMETER.findall(value)


def _sql_literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def _bind(suite: Suite, params: Mapping[str, Any]) -> Suite:
    """The suite with ``{$name}`` in its custom SQL replaced by the run's values (GX fills only
    ``{batch}`` there). Data Docs and result.json then show the SQL that really ran."""

    def bind(value: Any) -> Any:
        if isinstance(value, Mapping):
            return {key: bind(item) for key, item in value.items()}
        if isinstance(value, list):
            return [bind(item) for item in value]
        if isinstance(value, str):
            return QUERY_PARAMETER.sub(lambda m: _sql_literal(params[m.group(1)]), value)
        return value

    return Suite(suite.path, {**suite.config, "expectations": bind(suite.config["expectations"])})


def _check_params(suites: list[Suite], params: Mapping[str, Any]) -> None:
    for suite in suites:
        expectations = suite.config.get("expectations", [])
        wanted = {*_parameters_in(expectations), *_query_parameters_in(expectations)}
        missing = sorted(wanted - set(params))
        if missing:
            raise ValueError(
                f"Suite {suite.name} needs parameter(s) {', '.join(missing)}: "
                "pass them as params (CLI: --param name=value)"
            )


def _inspect(
    database_path: Path, suites: list[Suite]
) -> tuple[set[tuple[str, str]], dict[str, str]]:
    """The tables that exist, and per suite with an incremental column that column's newest
    value (UTC text; DuckDB answers ``max`` from its row-group statistics)."""
    import duckdb

    with duckdb.connect(str(database_path), read_only=True) as connection:
        connection.execute("SET TimeZone = 'UTC'")
        rows = connection.execute(
            "select table_schema, table_name from information_schema.tables"
            " where table_catalog = current_database()"
        ).fetchall()
        existing = {(schema, table) for schema, table in rows}
        newest = {}
        for suite in suites:
            column = suite.incremental_column
            if column and (suite.schema, suite.table) in existing:
                value = connection.execute(
                    f'select max("{column}")::VARCHAR from "{suite.schema}"."{suite.table}"'  # noqa: S608
                ).fetchone()[0]
                if value is not None:
                    newest[suite.name] = value
    return existing, newest


@contextmanager
def _quiet_logging() -> Iterator[None]:
    loggers = [logging.getLogger(name) for name in _QUIET_LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def _context(docs_dir: Path | None) -> Any:
    """An in-memory GX context: no stores on disk, no progress bars, no analytics."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    sites = {}
    if docs_dir is not None:
        sites[DATA_DOCS_SITE] = {
            "class_name": "SiteBuilder",
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(docs_dir),
            },
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        }
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        data_docs_sites=sites,
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def add_duckdb_datasource(context: Any, database_path: Path, name: str = DATASOURCE) -> Any:
    """A GX SQL data source on ``database_path``, opened read-only (see duckdb_dialect)."""
    from expectations import duckdb_dialect

    duckdb_dialect.register()
    return context.data_sources.add_sql(
        name=name, connection_string=duckdb_dialect.url_for(str(database_path))
    )


def gate_workers() -> int:
    """Processes the suites run in: ``MESSBAR_GATE_WORKERS``, else one per CPU this process may
    use, at most 4 (GX spends most of a suite in Python, so one process keeps one core busy)."""
    value = os.environ.get(WORKERS_ENV, "").strip()
    if not value:
        return max(1, min(len(os.sched_getaffinity(0)), 4))
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"{WORKERS_ENV}={value!r}: set a whole number of processes, 1 or more")
    return int(value)


@dataclass
class _SuiteRun:
    """What a worker hands back for one suite: the result for the gate (plain JSON) and, for
    Data Docs, the result as GX stores it with its store key."""

    result: dict[str, Any]
    stored: list[tuple[tuple[str, ...], str]]
    pid: int = field(default_factory=os.getpid)


class _Worker:
    """One GX context and read-only data source, kept for all suites a process runs."""

    def __init__(self, database_path: Path, params: dict[str, Any], run_id: Any) -> None:
        self.context = _context(None)
        self.datasource = add_duckdb_datasource(self.context, database_path)
        self.params = params
        self.run_id = run_id

    def close(self) -> None:
        self.datasource.get_execution_engine().close()
        self.datasource.get_engine().dispose()

    def run(self, job: tuple[Suite, str | None]) -> _SuiteRun:
        suite, where = job
        from great_expectations.data_context.types.resource_identifiers import (
            ExpectationSuiteIdentifier,
            ValidationResultIdentifier,
        )

        if where:  # the rows loaded since the last passing gate (Scope)
            asset = self.datasource.add_query_asset(
                name=suite.name,
                query=f'select * from "{suite.schema}"."{suite.table}" where {where}',  # noqa: S608
            )
        else:
            asset = self.datasource.add_table_asset(
                name=suite.name, table_name=suite.table, schema_name=suite.schema
            )
        batch = asset.add_batch_definition_whole_table(name=suite.name).get_batch()
        # The batch validates the suite itself: a ValidationDefinition would add the suite and
        # itself to the context's stores and store the result there, serializing each of them
        # once more for stores nothing reads (suites in one process: 7.3 s -> 5.9 s, median of
        # three on the benchmark night).
        # First pass: pass or fail only (GX then computes one metric per expectation, not the
        # samples and index lists); the expectations that failed run again with the details
        # that the task log, result.json and Data Docs show, and their results replace the
        # first pass's.
        outcome = batch.validate(
            _gx_suite(suite), result_format=QUICK_FORMAT, expectation_parameters=self.params
        )
        outcome.meta["run_id"] = self.run_id
        outcome.meta["validation_time"] = self.run_id.run_time
        failed = [i for i, expectation in enumerate(outcome.results) if not expectation.success]
        if failed:
            _detail(outcome, failed, batch, suite, self.params)
        result = outcome.to_json_dict()
        # Data Docs: the result as GX's validation results store would hold it (sorted JSON of
        # the same dict), under the key GX would give it
        key = ValidationResultIdentifier(
            expectation_suite_identifier=ExpectationSuiteIdentifier(name=suite.name),
            run_id=self.run_id,
            batch_identifier=batch.id,
        )
        stored = [(key.to_tuple(), json.dumps(result, indent=2, sort_keys=True))]
        if failed:
            _add_unexpected_rows(batch, result, self.params)
        return _SuiteRun(result, stored)


def _gx_suite(suite: Suite) -> Any:
    import great_expectations as gx

    return gx.ExpectationSuite(
        name=suite.name,
        expectations=suite.config.get("expectations", []),
        meta=suite.config.get("meta", {}),
    )


def _run_suites(
    database_path: Path,
    suites: list[Suite],
    params: dict[str, Any],
    docs_dir: Path | None,
    scopes: Mapping[str, Scope] | None = None,
    workers: int = 1,
) -> tuple[list[tuple[Suite, dict[str, Any]]], int]:
    """Every suite, in ``workers`` processes, then Data Docs over all of them. Returns each
    suite's result and how many processes ran them.

    The suites are independent read-only queries: with more than one worker they are handed
    out one at a time to forked processes (``expectations.forked``; each with its own GX
    context and read-only DuckDB connection), whole-table suites first so a long one does not
    start last. GX is imported before forking, so a worker does not pay the import again.
    """
    from great_expectations.core.run_identifier import RunIdentifier

    # one run for all suites, whichever process runs them
    run_id = RunIdentifier(
        run_name=str(params.get("run_id") or "messbar-gate"),
        run_time=dt.datetime.now(dt.UTC),
    )
    jobs = [
        (suite, scopes[suite.name].where() if scopes and suite.name in scopes else None)
        for suite in suites
    ]
    order = sorted(range(len(jobs)), key=lambda i: (jobs[i][1] is not None, i))
    workers = max(1, min(workers, len(jobs)))
    if workers == 1:
        worker = _Worker(database_path, params, run_id)
        try:
            runs = [worker.run(jobs[i]) for i in order]
        finally:
            worker.close()
    else:  # a forked worker's connection closes when it exits
        from expectations.forked import run_forked

        runs = run_forked(
            [jobs[i] for i in order],
            _Worker.run,
            workers=workers,
            start=lambda: _Worker(database_path, params, run_id),
        )
    by_job = dict(zip(order, runs, strict=True))
    if docs_dir is not None:
        _build_data_docs(docs_dir, suites, [by_job[i] for i in range(len(jobs))])
    return [(suite, by_job[i].result) for i, suite in enumerate(suites)], len(
        {run.pid for run in runs}
    )


def _build_data_docs(docs_dir: Path, suites: list[Suite], runs: list[_SuiteRun]) -> None:
    """Data Docs of one gate: the suites and every worker's results in one site."""
    from great_expectations.data_context.types.resource_identifiers import (
        ValidationResultIdentifier,
    )

    context = _context(docs_dir)
    for suite in suites:
        context.suites.add(_gx_suite(suite))
    store = context.validation_results_store
    for run in runs:
        for key, value in run.stored:
            # the worker's store serialized it already: into the backend as it is (set() would
            # parse it and serialize it again, a third of this function's time)
            identifier = ValidationResultIdentifier.from_tuple(key)
            store.store_backend.set(store.key_to_tuple(identifier), value)
    context.build_data_docs(site_names=[DATA_DOCS_SITE])


def _detail(
    outcome: Any, failed: list[int], batch: Any, suite: Suite, params: dict[str, Any]
) -> None:
    """Re-run the failed expectations of ``outcome`` (indexes ``failed``) with the result format
    that gives counts, samples and keys, and put their results in place of the pass-or-fail
    ones. Only those expectations are computed again: on a large table a suite whose one
    check fails (an info-level volume note, say) does not scan for every other check twice."""
    import copy

    import great_expectations as gx

    again = gx.ExpectationSuite(
        name=suite.name,
        expectations=[
            copy.copy(outcome.results[i].expectation_config.to_domain_obj()) for i in failed
        ],
    )
    detailed = batch.validate(
        again, result_format=_result_format(suite), expectation_parameters=params
    )
    by_check = {_check_key(result): result for result in detailed.results}
    for i in failed:
        key = _check_key(outcome.results[i])
        if key not in by_check:
            raise RuntimeError(f"suite {suite.name}: no detailed result for {key}")
        outcome.results[i] = by_check[key]


def _check_key(result: Any) -> str:
    """What identifies an expectation across two runs: its type and arguments (the copy that
    runs again gets a new id)."""
    config = result.expectation_config
    kwargs = {k: v for k, v in config.kwargs.items() if k != "batch_id"}
    return json.dumps([config.type, kwargs], sort_keys=True, default=str)


def _add_unexpected_rows(batch: Any, validation: dict[str, Any], params: dict[str, Any]) -> None:
    """Sample rows for failed custom-SQL checks (SUMMARY results carry only their count).

    Re-runs only the failed ``unexpected_rows_expectation`` with COMPLETE results; its query
    is capped by GX at 200 rows, so nothing big leaves DuckDB.
    """
    import great_expectations as gx

    failed = [
        outcome
        for outcome in validation["results"]
        if not outcome["success"]
        and outcome["expectation_config"]["type"] == "unexpected_rows_expectation"
        and not (outcome.get("exception_info") or {}).get("raised_exception")
    ]
    if not failed:
        return
    for outcome in failed:
        query = outcome["expectation_config"]["kwargs"]["unexpected_rows_query"]
        rerun = batch.validate(
            gx.expectations.UnexpectedRowsExpectation(unexpected_rows_query=query),
            result_format={"result_format": "COMPLETE"},
            expectation_parameters=params,
        )
        rows = (rerun.result.get("details") or {}).get("unexpected_rows") or []
        outcome["result"]["sample_rows"] = [dict(row) for row in rows[:SAMPLE_SIZE]]


def _result_format(suite: Suite) -> dict[str, Any]:
    result_format: dict[str, Any] = {
        "result_format": "SUMMARY",
        "partial_unexpected_count": SAMPLE_SIZE,
    }
    if suite.key_columns:
        result_format["unexpected_index_column_names"] = suite.key_columns
    return result_format


def _failures(suite: Suite, validation: Mapping[str, Any]) -> list[Failure]:
    failures = []
    for outcome in validation["results"]:
        if outcome["success"]:
            continue
        config = outcome["expectation_config"]
        kwargs = {k: v for k, v in config["kwargs"].items() if k != "batch_id"}
        result = outcome.get("result") or {}
        exception = outcome.get("exception_info") or {}
        failures.append(
            Failure(
                table=suite.name,
                expectation=config["type"],
                column=_column_of(kwargs),
                kwargs=kwargs,
                unexpected_count=result.get("unexpected_count", _rows_found(config, result)),
                sample_values=list(result.get("partial_unexpected_list") or [])[:SAMPLE_SIZE],
                sample_keys=_sample_keys(suite, result),
                observed_value=result.get("observed_value"),
                description=config.get("description"),
                message=_exception_message(exception),
                severity=str(config.get("severity") or BLOCKING),
            )
        )
    return failures


def _rows_found(config: Mapping[str, Any], result: Mapping[str, Any]) -> int | None:
    if config["type"] == "unexpected_rows_expectation":
        return result.get("observed_value")
    return None


def _column_of(kwargs: Mapping[str, Any]) -> str | None:
    if "column" in kwargs:
        return str(kwargs["column"])
    if "column_A" in kwargs:
        return f"{kwargs['column_A']}, {kwargs['column_B']}"
    if "column_list" in kwargs:
        return ", ".join(kwargs["column_list"])
    return None


def _sample_keys(suite: Suite, result: Mapping[str, Any]) -> list[dict[str, Any]]:
    if result.get("sample_rows"):  # custom SQL: the query chose its columns, keep them all
        return [row for row in result["sample_rows"] if row][:SAMPLE_SIZE]
    rows = result.get("partial_unexpected_index_list") or []
    keys = suite.key_columns
    sample = [{k: row[k] for k in keys if k in row} if keys else row for row in rows]
    return [row for row in sample if row][:SAMPLE_SIZE]


def _exception_message(exception: Mapping[str, Any]) -> str | None:
    """The first line of the first error GX caught while computing a metric."""
    if not exception:
        return None
    if "raised_exception" in exception:
        exceptions = [exception]
    else:
        exceptions = [value for value in exception.values() if isinstance(value, Mapping)]
    for info in exceptions:
        if info.get("raised_exception"):
            message = str(info.get("exception_message") or "metric computation failed")
            return "could not be computed: " + message.strip().splitlines()[0]
    return None


def _replace_dir(new: Path, target: Path) -> None:
    """Swap a freshly built Data Docs site in, so pages of earlier runs do not linger."""
    if target.exists():
        old = target.with_name(f"{target.name}.old.{os.getpid()}")
        target.rename(old)
        new.rename(target)
        shutil.rmtree(old)
    else:
        new.rename(target)


def _write_result(gate: GateResult, out_dir: Path, validations: list[dict[str, Any]]) -> GateResult:
    out_dir.mkdir(parents=True, exist_ok=True)
    result_path = out_dir / "result.json"
    document = {**gate.to_dict(), "validation_results": validations}
    tmp = result_path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(document, indent=2, default=str) + "\n", encoding="utf-8")
    tmp.replace(result_path)
    return GateResult(**{**gate.__dict__, "result_path": result_path})


def _short(value: Any, limit: int = 200) -> str:
    text = json.dumps(value, default=str, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 3] + "..."
