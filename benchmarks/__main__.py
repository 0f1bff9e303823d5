"""`./run bench [SCENARIO ...] [--json] [--smoke]`: measure Kinabog on this machine.

Builds (or reuses) the benchmark database, starts gunicorn with the production settings (and a Celery
worker when a broker answers), drives load over loopback and prints one JSON object per scenario.
The ceiling is measured first in every run; the other scenarios are given as ratios to it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import signal
import subprocess
import sys
import time
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

from . import stack
from .report import RESULT_KEYS, SCENARIOS, Options, result, targets

T = TypeVar("T")


def event_loop_name() -> str:
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return "asyncio"
    return "uvloop"


def run_loop(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a scenario's load on uvloop's event loop where it is installed (requirements-dev.txt), else on
    asyncio's own. The load generator shares the machine with what it measures: uvloop's loop, written in C,
    leaves more of the two cores to the server (docs/performance-history.md, session 10)."""
    if event_loop_name() == "uvloop":
        import uvloop

        return uvloop.run(coroutine)
    return asyncio.run(coroutine)


# How long a scenario waits at most for the previous one's backlog to drain.
SETTLE_LIMIT_S = 120.0


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="./run bench", description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("scenarios", nargs="*", metavar="SCENARIO", help=f"any of {', '.join(SCENARIOS)} (all)")
    parser.add_argument("--json", action="store_true", help="only JSON on stdout, one object a line")
    parser.add_argument("--smoke", action="store_true", help="a tiny municipality and seconds of load: proves it works")
    parser.add_argument("--sqlite", action="store_true", help="use SQLite even when PostgreSQL answers")
    parser.add_argument("--database", default="", metavar="NAME", help="the database's name (kinabog_bench[_smoke])")
    parser.add_argument("--drop", action="store_true", help="drop the database when done (throwaway smoke runs)")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default 4; smoke 2)")
    parser.add_argument("--clients", type=int, help="concurrent virtual users (default 50; smoke 3)")
    parser.add_argument("--duration", type=float, help="measured seconds per load (default 20; smoke 1)")
    parser.add_argument("--warmup", type=float, help="seconds of load before measuring (default 3; smoke 0)")
    parser.add_argument("--max-requests", type=int, help="request budget per load (default 200000; smoke 60)")
    parser.add_argument("--no-celery", action="store_true", help="run tasks in the web workers, even with a broker")
    parser.add_argument("--profile", type=Path, metavar="DIR", help="record py-spy stacks of the web workers")
    parser.add_argument(
        "--wait-quiet",
        type=float,
        default=0.0,
        metavar="S",
        help="before each scenario wait up to S seconds for the machine to be idle (a shared machine)",
    )
    args = parser.parse_args(argv)
    unknown = [s for s in args.scenarios if s not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenario {', '.join(unknown)}; choose from {', '.join(SCENARIOS)}")
    return args


def options_from(args: argparse.Namespace) -> Options:
    smoke = args.smoke

    def pick(value: Any, full: Any, small: Any) -> Any:
        return value if value is not None else (small if smoke else full)

    return Options(
        smoke=smoke,
        clients=pick(args.clients, 50, 3),
        duration=pick(args.duration, 20.0, 1.0),
        warmup=pick(args.warmup, 3.0, 0.0),
        max_requests=pick(args.max_requests, 200_000, 60),
        workers=pick(args.workers, 4, 2),
        profile_dir=args.profile,
    )


def say(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=stack.REPO, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    # Stopped from outside: unwind, so the stack started here is stopped too.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))
    options = options_from(args)

    target = stack.choose_target(smoke=options.smoke, sqlite=args.sqlite, name=args.database)
    try:
        return measure(args, options, target)
    finally:
        if args.drop:
            from django.apps import apps
            from django.db import connections

            if apps.ready:
                connections.close_all()
            stack.drop_target(target)


def prepared_statements() -> bool:
    """Whether the database connections bind parameters on the server and prepare repeated statements."""
    from django.conf import settings

    return bool(settings.DATABASES["default"].get("OPTIONS", {}).get("server_side_binding"))


def measure(args: argparse.Namespace, options: Options, target: stack.Target) -> int:
    wanted = args.scenarios or list(SCENARIOS)
    order = ["ceiling"] + [s for s in SCENARIOS if s in wanted and s != "ceiling"]
    say(f"database {target.label} ({target.vendor})")
    stack.use_target(target)
    from . import fixtures, scenarios  # Django is set up from here on

    started = time.monotonic()
    say(fixtures.build(options.smoke))
    say(f"database ready in {time.monotonic() - started:.1f} s")
    broker = stack.DEFAULT_BROKER if not (options.smoke or args.no_celery) and stack.broker_reachable() else ""
    cache = stack.DEFAULT_CACHE if not options.smoke and stack.redis_reachable() else ""
    the_stack = stack.Stack(target, options.workers, broker, cache, viewer_cache=not options.smoke)
    machine = {
        "commit": commit(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "database": target.vendor,
        # The web workers' settings are the bench process's own (the same environment): decision 0013.
        "prepared_statements": prepared_statements(),
        "workers": options.workers,
        "celery": bool(broker),
        "cache": "redis" if cache else "local memory",
        "viewer_cache": not options.smoke,
        "smoke": options.smoke,
        "event_loop": event_loop_name(),
    }
    failed = 0
    with stack.running(the_stack):
        say(f"gunicorn on {the_stack.base_url} with {options.workers} workers" + (", Celery worker" if broker else ""))
        run = scenarios.Run(the_stack, options)
        for name in order:
            own = the_stack.own_pids()
            if not options.smoke:
                fixtures.analyze()  # the statistics as autovacuum would have them after the scenario before
            # The previous scenario's backlog (Celery tasks and the database work they cause) is not this one's
            # load: wait, within bounds, until the whole machine, this run's stack included, has settled.
            settled_s = 0.0 if options.smoke else stack.settle(SETTLE_LIMIT_S)
            if args.wait_quiet:
                busy = stack.wait_for_quiet(args.wait_quiet, own)
            else:
                busy = stack.cpu_busy(0.2 if options.smoke else 1.0, own)
            say(f"{name} … (other work kept the machine {busy:.0%} busy before it)")
            ticks, disk_ticks = stack.steal_ticks(), stack.disk_wait_ticks()
            try:
                row = run_loop(scenarios.RUNNERS[name](run))
            except Exception as error:  # noqa: BLE001 — one failed scenario must not hide the others
                row = result(name, errors=1, detail={"failed": f"{type(error).__name__}: {error}"[:500]})
            row.setdefault("detail", {})["run"] = {
                **machine,
                "others_busy_before": busy,
                "settled_s": settled_s,
                "stolen_during": stack.steal_share(ticks, stack.steal_ticks()),
                "waiting_for_disk_during": stack.steal_share(disk_ticks, stack.disk_wait_ticks()),
            }
            row["detail"]["targets"] = targets(row)
            failed += 1 if row.get("errors") else 0
            emit(row, as_json=args.json)
    for note in run.notes:
        say(note)
    return 1 if failed else 0


def emit(row: dict[str, Any], *, as_json: bool) -> None:
    if as_json:
        print(json.dumps(row, ensure_ascii=False), flush=True)
        return
    figures = ", ".join(f"{k}={row[k]}" for k in RESULT_KEYS[1:] if row.get(k) is not None)
    print(f"{row['scenario']}: {figures}", flush=True)
    print(json.dumps(row, ensure_ascii=False, indent=2), flush=True)


if __name__ == "__main__":
    sys.exit(main())
