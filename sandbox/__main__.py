"""``python -m sandbox serve [--host] [--port] [--now ISO|today] [--seed] [--url-file PATH]``."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from sandbox.server import Sandbox, parse_now
from sandbox.world import DEFAULT_NOW, DEFAULT_SEED


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the sandbox APIs until SIGTERM/SIGINT")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=0, help="0 = a free port")
    serve.add_argument(
        "--now", default=DEFAULT_NOW.isoformat(), help="clock: ISO-8601 or 'today' (wall time)"
    )
    serve.add_argument("--seed", type=int, default=DEFAULT_SEED)
    serve.add_argument("--url-file", type=Path, help="also write the base URL to this file")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        now = parse_now(args.now)
    except ValueError:
        print(f"--now {args.now!r} is neither ISO-8601 nor 'today'", file=sys.stderr)
        return 2
    sandbox = Sandbox(now=now, seed=args.seed, host=args.host, port=args.port)
    stop = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    sandbox.start()
    if args.url_file:
        tmp = args.url_file.with_name(args.url_file.name + ".tmp")
        tmp.write_text(sandbox.url + "\n")
        tmp.replace(args.url_file)
    print(f"SANDBOX_URL={sandbox.url}", flush=True)
    while not stop.wait(0.5):
        pass
    sandbox.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
