"""``messbar``: set up, check and run messbar by hand (owners' helpers, data engineers, cron).

Exit codes: 0 done; 1 a step failed (extraction, load, publish, a failed backfill date, a
check that found problems); 2 the config or the command line is wrong, or dbt or the quality
gate refused the data (nothing was published). Errors are one line (or one list) that says what
to do next; no tracebacks for things a user can fix, and never a token.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from messbar.config import DEFAULT_LANGUAGE, DEFAULT_TIMEZONE, Config

app = typer.Typer(
    name="messbar",
    help=__doc__,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


@dataclass
class _Options:
    config: Path | None = None
    verbose: bool = False

    def load(self) -> Config:
        from messbar.config import load_config

        return load_config(self.config)


class _Failed(Exception):
    """A failure already worded for the user: message and exit code."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


@contextmanager
def _errors() -> Iterator[None]:
    """Turn the errors a user can meet into one message on stderr and an exit code."""
    from extractors.core.errors import ExtractError
    from extractors.core.secrets import SecretNotFound
    from messbar import pipeline
    from messbar.backfill import BackfillError
    from messbar.config import ConfigError

    try:
        yield
    except _Failed as exc:
        _stderr(str(exc))
        raise typer.Exit(exc.code) from None
    except (ConfigError, BackfillError, pipeline.GateFailed, pipeline.TransformFailed) as exc:
        _stderr(str(exc))
        raise typer.Exit(2) from None
    except (ExtractError, SecretNotFound) as exc:
        _stderr(str(exc))
        raise typer.Exit(1) from None
    except Exception as exc:
        # loader and publish errors carry their own advice; anything else is a bug: re-raise
        if type(exc).__name__ in _USER_ERRORS:
            _stderr(str(exc))
            raise typer.Exit(1) from None
        raise


class _CurrentStderr:
    """Whatever ``sys.stderr`` is at the moment of writing (a test runner swaps it)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


_HANDLER = logging.StreamHandler(_CurrentStderr())  # type: ignore[arg-type]
_HANDLER.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))


def _log_to_stderr(level: int) -> None:
    root = logging.getLogger()
    if _HANDLER not in root.handlers:
        root.addHandler(_HANDLER)
    root.setLevel(level)
    _HANDLER.setLevel(level)


# errors of other parts that already say what to do (matched by name: importing those parts
# here would make every command pay for their imports)
_USER_ERRORS = {
    "LoadError",
    "PublishError",
    "InputsError",
    "PrivacyError",
    "RunLocked",
    "MissingPseudonymKey",
}


def _stderr(message: str) -> None:
    typer.echo(f"messbar: {message}", err=True)


def _print_json(out: Any) -> None:
    typer.echo(json.dumps(out, indent=2, default=str))


def _parse_day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r}: use YYYY-MM-DD, e.g. 2026-11-27.") from None


def _logical(value: str | None) -> datetime:
    """The logical time of a run: a date means 03:00 UTC of that date, like the schedule."""
    if not value:
        return datetime.now(UTC)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r}: use YYYY-MM-DD or an ISO timestamp (2026-11-27T03:00:00+00:00)."
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(hour=3, tzinfo=UTC)


_CONFIG_HELP = "config file (default: $MESSBAR_CONFIG, else ./messbar.yml)"
# --config is accepted before the command (messbar --config x.yml run) and after it
ConfigOption = Annotated[
    Path | None, typer.Option("--config", "-c", help=_CONFIG_HELP, dir_okay=False)
]


def _opts(ctx: typer.Context, config: Path | None = None) -> _Options:
    opts = ctx.ensure_object(_Options)
    if config is not None:
        opts.config = config
    return opts


@app.callback()
def _main(
    ctx: typer.Context,
    config: ConfigOption = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="log each step")] = False,
) -> None:
    """messbar: measure whether social media pays off for a small business."""
    ctx.obj = _Options(config=config, verbose=verbose)
    _log_to_stderr(logging.INFO if verbose else logging.WARNING)


# -- set up -----------------------------------------------------------------------------------
@app.command()
def init(
    ctx: typer.Context,
    config: ConfigOption = None,
    name: Annotated[str | None, typer.Option(help="the business's name")] = None,
    slug: Annotated[
        str | None, typer.Option(help="short id: lower-case letters, digits, '-'")
    ] = None,
    network: Annotated[
        list[str] | None,
        typer.Option(
            "--network", "-n", help="a network to connect (repeat): facebook, instagram, ..."
        ),
    ] = None,
    account: Annotated[
        list[str] | None,
        typer.Option(help="NETWORK=ID, an account id you already know (repeat)"),
    ] = None,
    timezone: Annotated[str | None, typer.Option(help="IANA time zone")] = None,
    language: Annotated[str | None, typer.Option(help="owner report language: de or en")] = None,
    force: Annotated[bool, typer.Option(help="overwrite an existing config file")] = False,
    no_input: Annotated[
        bool, typer.Option("--no-input", help="never prompt; missing answers are an error")
    ] = False,
) -> None:
    """Write a validated config for one business and say how to connect each network.

    Asks for what is not given as an option. Example (no questions asked):
    messbar --config messbar.yml init --name "Bäckerei Sonne" --slug baeckerei-sonne
    --network facebook --network instagram --timezone Europe/Berlin --no-input
    """
    from extractors.registry import NETWORKS
    from messbar import scaffold

    path = (_opts(ctx, config).config or Path("messbar.yml")).resolve()
    with _errors():
        if path.exists() and not force:
            raise _Failed(
                f"{path} exists already: choose another file with --config, or add --force "
                "to overwrite it.",
                2,
            )

        def ask(value: str | None, option: str, question: str, default: str | None) -> str:
            if value is not None:
                return value
            if no_input:
                if default is not None:
                    return default
                raise _Failed(f"--{option} is missing: give it, or run without --no-input.", 2)
            return typer.prompt(question, default=default)

        name = ask(name, "name", "Name of the business", None).strip()
        slug = ask(slug, "slug", "Short id (slug)", scaffold.slug_for(name)).strip()
        known = ", ".join(NETWORKS)
        if not network:
            answer = ask(None, "network", f"Networks ({known}), comma-separated", None)
            network = [n for n in answer.replace(" ", ",").split(",") if n]
        networks = [n.strip().lower() for n in network if n.strip()]
        timezone = ask(timezone, "timezone", "Time zone", DEFAULT_TIMEZONE).strip()
        language = ask(language, "language", "Report language (de/en)", DEFAULT_LANGUAGE)
        language = language.strip().lower()
        try:
            scaffold.validate_answers(slug, networks, timezone, language)
        except scaffold.ScaffoldError as exc:
            raise _Failed(str(exc), 2) from None
        ids: dict[str, str] = {}
        for item in account or []:
            net, sep, value = item.partition("=")
            if not sep or net not in networks or not value.strip():
                raise _Failed(
                    f"--account {item!r}: write NETWORK=ID for one of {', '.join(networks)}.", 2
                )
            ids[net] = value.strip()
        if not no_input:
            from messbar.checks import how_to_find_id

            for net in networks:
                if net not in ids:
                    answer = typer.prompt(
                        f"{net} account id ({how_to_find_id(net)}; Enter to fill in later)",
                        default="",
                        show_default=False,
                    )
                    if answer.strip():
                        ids[net] = answer.strip()
        text = scaffold.render(
            slug=slug,
            name=name,
            networks=networks,
            timezone=timezone,
            language=language,
            account_ids=ids,
        )
        try:
            scaffold.write(path, text, force=force)
        except scaffold.ScaffoldError as exc:
            raise _Failed(str(exc), 2) from None
    typer.echo(f"Wrote {path}.\n\nNext, for each network:")
    for line in scaffold.instructions(networks):
        typer.echo(f"  {line}")
    typer.echo(
        "\nAlso export MESSBAR_PSEUDONYM_KEY (a long random secret that keys the commenter "
        f"pseudonyms), then run: messbar --config {path} check"
    )


@app.command()
def check(
    ctx: typer.Context,
    config: ConfigOption = None,
    online: Annotated[
        bool,
        typer.Option(help="also call each API account once with its token (X bills one read)"),
    ] = False,
    config_only: Annotated[
        bool,
        typer.Option(help="only the config file (no tokens, no CSVs): for deployment init"),
    ] = False,
) -> None:
    """Validate the config, resolve every token reference and validate every input CSV."""
    from messbar import checks

    with _errors():
        cfg = _opts(ctx, config).load()
        accounts = cfg.accounts()
        summary = (
            f"{cfg.path}: config OK, {len(cfg.businesses)} businesses, {len(accounts)} accounts"
        )
        if config_only:
            typer.echo(summary)
            return
        findings = [
            *checks.check_accounts(cfg),
            *checks.check_tokens(cfg),
            *checks.check_csvs(cfg),
        ]
        if online:
            findings += checks.probe_accounts(cfg)
    typer.echo(summary)
    for network in sorted({a.network for a in accounts}):
        windows = ", ".join(f"{k} {v}" for k, v in cfg.windows(network).items())
        if windows:
            typer.echo(f"      {network} windows (days): {windows}")
    for f in findings:
        typer.echo(f.render(), err=not f.ok)
    problems = [f for f in findings if not f.ok]
    if problems:
        _stderr(
            f"{len(problems)} problem(s) above; fix them and run `messbar check` again "
            "(nothing was run or changed)."
        )
        raise typer.Exit(1)
    typer.echo("OK: ready to run.")


# -- run --------------------------------------------------------------------------------------
@app.command()
def run(
    ctx: typer.Context,
    config: ConfigOption = None,
    date_: Annotated[
        str | None,
        typer.Option("--date", help="logical date YYYY-MM-DD (the run reads the days before it)"),
    ] = None,
) -> None:
    """One nightly run: extract, load, dbt build, quality gate, publish."""
    from messbar import pipeline

    logical = _logical(date_)
    with _errors():
        out = pipeline.run_nightly(_opts(ctx, config).load(), logical)
    _print_json(out)


@app.command()
def backfill(
    ctx: typer.Context,
    from_: Annotated[str, typer.Option("--from", help="first date, YYYY-MM-DD")],
    to: Annotated[str, typer.Option("--to", help="last date, YYYY-MM-DD (included)")],
    config: ConfigOption = None,
    fail_fast: Annotated[
        bool, typer.Option(help="stop at the first failed date instead of going on")
    ] = False,
    publish: Annotated[
        bool, typer.Option(help="build, gate and publish after the last date")
    ] = True,
) -> None:
    """Run every date from --from to --to as its own nightly extraction, then one build,
    gate and publish. A failed date is reported (with the command to rerun it) and the other
    dates go on; nothing is published until every date succeeded. Safe to rerun."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from messbar import backfill as bf

    start, end = _parse_day(from_, "--from"), _parse_day(to, "--to")
    with _errors():
        cfg = _opts(ctx, config).load()
        days = bf.check_range(start, end)
        progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[note]}"),
            transient=False,
        )
        with progress:
            task = progress.add_task("backfill", total=len(days), note="")

            def on_date(run: bf.DateRun) -> None:
                note = "ok" if run.ok else f"FAILED ({len(run.failures)} account(s))"
                progress.update(task, advance=1, note=f"{run.day.isoformat()} {note}")

            result = bf.backfill(cfg, start, end, fail_fast=fail_fast, publish=publish,
                                 on_date=on_date)  # fmt: skip
    _backfill_summary(result)
    if result.failed or result.skipped:
        failed_dates = [d for d in result.failed if d in result.dates]
        _stderr(
            f"{len(failed_dates)} date(s) failed"
            + ("" if result.files is None or result.files.ok else ", the owner CSV import failed")
            + (f", {len(result.skipped)} not attempted" if result.skipped else "")
            + "; nothing was published. Fix the cause above, then rerun: "
            + (result.rerun_command() or "")
            + (f" --config {cfg.path}" if _opts(ctx, config).config else "")
        )
        raise typer.Exit(1)


def _backfill_summary(result: Any) -> None:
    typer.echo(f"\nBackfill {result.start.isoformat()} .. {result.end.isoformat()}")
    typer.echo(f"  {'network':<10} {'calls':>8} {'rows':>10} {'failed':>7}")
    for network, n in result.per_network().items():
        typer.echo(f"  {network:<10} {n['calls']:>8} {n['rows']:>10} {n['failed']:>7}")
    for run in result.failed:
        label = run.day.isoformat() if run in result.dates else "owner CSV import"
        for f in run.failures:
            typer.echo(f"  {label} FAILED: {f['message']}", err=True)
    if result.publish:
        typer.echo(f"  published: {result.publish.get('path', result.publish)}")


@app.command()
def load(ctx: typer.Context, config: ConfigOption = None) -> None:
    """Load finished landing files and the owner's input files into the warehouse."""
    from messbar import pipeline

    with _errors():
        out = pipeline.load(_opts(ctx, config).load())
    _print_json(out)


@app.command()
def transform(
    ctx: typer.Context,
    config: ConfigOption = None,
    full_refresh: Annotated[
        bool,
        typer.Option(
            "--full-refresh",
            help="rebuild every incremental model from all raw data (after a change to a "
            "staging model's columns, the pseudonym key or the classifier); also runs the "
            "dbt unit tests",
        ),
    ] = False,
) -> None:
    """dbt build on the warehouse (models and data tests; incremental unless --full-refresh)."""
    from messbar import pipeline

    with _errors():
        out = pipeline.transform(_opts(ctx, config).load(), full_refresh=full_refresh)
    _print_json(out)


@app.command()
def validate(
    ctx: typer.Context,
    config: ConfigOption = None,
    all_rows: Annotated[
        bool,
        typer.Option(
            "--all-rows",
            help="check every row of the append-only raw tables, not only those loaded since "
            "the last passing gate",
        ),
    ] = False,
) -> None:
    """Run the Great Expectations quality gate on the warehouse."""
    from messbar import pipeline

    with _errors():
        out = pipeline.validate(_opts(ctx, config).load(), all_rows=all_rows)
    _print_json(out)


@app.command()
def publish(
    ctx: typer.Context,
    config: ConfigOption = None,
    run_id: Annotated[str, typer.Option(help="run id recorded in the published file")] = "manual",
) -> None:
    """Swap the audited marts into the published file (atomic)."""
    from messbar import pipeline

    with _errors():
        out = pipeline.publish(_opts(ctx, config).load(), run_id)
    _print_json(out)


@app.command()
def report(ctx: typer.Context, config: ConfigOption = None) -> None:
    """Write each business's owner report (HTML) from the published file."""
    with _errors():
        cfg = _opts(ctx, config).load()
        write_reports = _optional("report", "write_reports", "the owner report")
        paths = write_reports(cfg)
    for path in paths:
        typer.echo(str(path))


# -- privacy ----------------------------------------------------------------------------------
@app.command()
def erase(
    ctx: typer.Context,
    platform: Annotated[str, typer.Option(help="network of the person, e.g. facebook")],
    user_id: Annotated[str, typer.Option(help="the person's user id on that network")],
    config: ConfigOption = None,
) -> None:
    """Erase one commenter's data (raw, marts and the next published file)."""
    from extractors.registry import NETWORKS

    if platform not in NETWORKS:
        _stderr(f"--platform {platform!r}: use one of {', '.join(NETWORKS)}.")
        raise typer.Exit(2)
    with _errors():
        cfg = _opts(ctx, config).load()
        do_erase = _optional("messbar.privacy", "erase", "erasure")
        out = do_erase(cfg, platform, user_id)
    _print_json(out)


@app.command()
def retention(
    ctx: typer.Context,
    config: ConfigOption = None,
    today: Annotated[
        str | None, typer.Option(help="the day retention is measured from (default today)")
    ] = None,
) -> None:
    """Delete raw comment data older than the configured retention period."""
    day = _parse_day(today, "--today") if today else datetime.now(UTC).date()
    with _errors():
        cfg = _opts(ctx, config).load()
        enforce = _optional("messbar.privacy", "enforce_retention", "retention")
        out = enforce(cfg, day)
    _print_json(out)


def _optional(module: str, function: str, what: str) -> Any:
    """A function of a part that may not be installed in this checkout yet."""
    import importlib

    try:
        return getattr(importlib.import_module(module), function)
    except ModuleNotFoundError as exc:
        if exc.name not in {module, module.split(".")[0]}:
            raise  # the part is there but broken: a bug to see, not to hide
        missing = True
    except AttributeError:
        missing = True
    if missing:
        raise _Failed(
            f"{what} is not available in this installation ({module}.{function} is missing); "
            "update messbar.",
            1,
        )


# -- demo and sandbox -------------------------------------------------------------------------
@app.command(
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    add_help_option=False,
)
def sandbox(ctx: typer.Context) -> None:
    """Serve the demo network APIs on loopback (options: messbar sandbox --help)."""
    from sandbox.__main__ import main as sandbox_main

    raise typer.Exit(sandbox_main(["serve", *ctx.args]) or 0)


@app.command()
def demo() -> None:
    """What `make demo` runs: the nightly DAG on the bundled sandbox, then the results."""
    from messbar.demo import main as demo_main

    raise typer.Exit(demo_main() or 0)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``messbar`` command; returns the exit code."""
    try:
        app(args=argv, prog_name="messbar")  # standalone: usage errors print usage, exit 2
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            return exc.code or 0
        _stderr(str(exc.code))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
