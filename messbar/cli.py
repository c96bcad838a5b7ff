"""``messbar``: run the nightly steps by hand (data engineers, cron, debugging)."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from datetime import UTC, datetime


def _logical(value: str | None) -> datetime:
    if not value:
        return datetime.now(UTC)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--date {value!r}: use YYYY-MM-DD or an ISO timestamp"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(hour=3, tzinfo=UTC)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="messbar", description=__doc__)
    p.add_argument("--config", help="config file (default $MESSBAR_CONFIG or ./messbar.yml)")
    p.add_argument("-v", "--verbose", action="store_true")
    sub = p.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="one nightly run: extract, load, dbt build, gate, publish")
    run.add_argument("--date", help="logical date (YYYY-MM-DD); default today")
    sub.add_parser("load", help="load finished landing files into the warehouse")
    sub.add_parser("transform", help="dbt build on the warehouse")
    sub.add_parser("validate", help="run the Great Expectations gate")
    pub = sub.add_parser("publish", help="swap the audited marts into the published file")
    pub.add_argument("--run-id", default="manual")
    sub.add_parser("check", help="validate the config file")
    sb = sub.add_parser("sandbox", help="serve the demo network APIs on loopback")
    sb.add_argument("args", nargs=argparse.REMAINDER)
    sub.add_parser("demo", help="what `make demo` runs")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    from messbar import pipeline
    from messbar.config import ConfigError, load_config

    try:
        if args.command == "sandbox":
            from sandbox.__main__ import main as sandbox_main

            return sandbox_main(["serve", *args.args])
        if args.command == "demo":
            from messbar.demo import main as demo_main

            return demo_main()
        cfg = load_config(args.config)
        if args.command == "check":
            accounts = cfg.accounts()
            print(f"{cfg.path}: OK, {len(cfg.businesses)} businesses, {len(accounts)} accounts")
            return 0
        if args.command == "run":
            out = pipeline.run_nightly(cfg, _logical(args.date))
        elif args.command == "load":
            out = pipeline.load(cfg)
        elif args.command == "transform":
            out = pipeline.transform(cfg)
        elif args.command == "validate":
            out = pipeline.validate(cfg)
        else:
            out = pipeline.publish(cfg, args.run_id)
    except (ConfigError, pipeline.GateFailed, pipeline.TransformFailed) as exc:
        print(f"messbar: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # every other error: one line, no traceback, no secrets
        from extractors.core.errors import ExtractError

        if isinstance(exc, ExtractError) or type(exc).__name__ in {"LoadError", "PublishError"}:
            print(f"messbar: {exc}", file=sys.stderr)
            return 1
        raise
    print(json.dumps(out, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
