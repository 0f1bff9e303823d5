"""The stack a benchmark runs against: a scratch database, gunicorn, and a Celery worker where wanted.

The database is `kinabog_bench` on PostgreSQL (built once at Esbjerg's size and reused), or in smoke
mode `kinabog_bench_smoke` (made anew at a tiny size each run), or an SQLite file when PostgreSQL is not
reachable or SQLite is asked for. gunicorn runs the production settings (SECRET_KEY set) on a free
loopback port; everything started here is stopped here, by its own process id.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
DEFAULT_BROKER = "amqp://guest:guest@127.0.0.1:5672//"
# The production cache (sessions, cached Viewers) on the machine's Redis, a database number of its own.
DEFAULT_CACHE = "redis://127.0.0.1:6379/7"
FULL_DATABASE = "kinabog_bench"
SMOKE_DATABASE = "kinabog_bench_smoke"


@dataclass(frozen=True)
class Target:
    """Where a run keeps its data: the environment that points Django at it."""

    vendor: str  # "postgresql" or "sqlite"
    env: dict[str, str]
    label: str

    @property
    def is_postgresql(self) -> bool:
        return self.vendor == "postgresql"


def server_url() -> str:
    """The PostgreSQL server to use (BENCH_DATABASE_URL, else DATABASE_URL's server, else the local one)."""
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL") or ""
    return url if url.startswith(("postgres://", "postgresql://")) else DEFAULT_POSTGRES


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def postgres_reachable(url: str) -> bool:
    import psycopg

    try:
        with psycopg.connect(with_database(url, "postgres"), connect_timeout=3):
            return True
    except psycopg.Error:
        return False


def ensure_postgres_database(url: str, name: str, *, fresh: bool) -> None:
    """Create the database (dropping it first when `fresh`)."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None
        if exists and fresh:
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            exists = False
        if not exists:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def choose_target(*, smoke: bool, sqlite: bool, name: str = "") -> Target:
    """The database of this run, created when missing. Smoke databases start empty every time.

    `name` overrides the database's name (and its folder under var/), so runs side by side keep apart.
    """
    name = name or (SMOKE_DATABASE if smoke else FULL_DATABASE)
    folder = REPO / "var" / name
    url = server_url()
    if not sqlite and postgres_reachable(url):
        ensure_postgres_database(url, name, fresh=smoke)
        return Target("postgresql", {"DATABASE_URL": with_database(url, name), "KINABOG_VAR_DIR": str(folder)}, name)
    if smoke:
        shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    # No DATABASE_URL: the embedded default (SQLite with WAL) in the run's own folder.
    return Target("sqlite", {"DATABASE_URL": "", "KINABOG_VAR_DIR": str(folder)}, str(folder / "kinabog.sqlite3"))


def drop_target(target: Target) -> None:
    """Remove a run's database and folder (for throwaway smoke runs)."""
    if target.is_postgresql:
        import psycopg
        from psycopg import sql

        with psycopg.connect(with_database(server_url(), "postgres"), autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(target.label)))
    shutil.rmtree(target.env["KINABOG_VAR_DIR"], ignore_errors=True)


def use_target(target: Target) -> None:
    """Point this process's Django at the target and set Django up."""
    os.environ.update(target.env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinabog.settings")
    for name in ("SECRET_KEY", "CELERY_BROKER_URL", "REDIS_URL"):
        os.environ.pop(name, None)  # this process prepares data; it is not the production app
    # Its scenarios prepare data between loads from inside the event loop, blocking on purpose.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    import django

    django.setup()


def redis_reachable(url: str = DEFAULT_CACHE) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or HOST, parts.port or 6379), timeout=2):
            return True
    except OSError:
        return False


def broker_reachable(url: str = DEFAULT_BROKER) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or HOST, parts.port or 5672), timeout=2):
            return True
    except OSError:
        return False


def _process_ticks(pids: list[int]) -> int:
    """CPU time (clock ticks) used so far by these processes and their threads."""
    return sum(_ticks_by_process(pids).values())


def _ticks_by_process(pids: list[int]) -> dict[int, int]:
    """CPU time (clock ticks) used so far by each of these processes (and its threads) that still runs, with
    that of the children it has waited for: a PostgreSQL backend that ended is in the server's, a gunicorn
    worker that ended in the arbiter's."""
    ticks = {}
    for pid in pids:
        with suppress(OSError, ValueError, IndexError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks[pid] = sum(int(field) for field in fields[11:15])  # utime, stime, cutime, cstime
    return ticks


def _machine_ticks() -> tuple[int, int]:
    """(all, idle) clock ticks of the machine so far, from /proc/stat."""
    with suppress(OSError):
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return sum(fields), fields[3] + (fields[4] if len(fields) > 4 else 0)
    return 0, 0


# Where a load's CPU time went, by process: what `CpuReading`s are grouped into.
CPU_GROUPS = ("web", "database", "worker", "load_generator", "other")


@dataclass(frozen=True)
class CpuReading:
    """The clock ticks used so far by each process of each group, and by the machine (all and idle)."""

    groups: dict[str, dict[int, int]]
    machine: tuple[int, int]


def _database_pids() -> list[int]:
    """Every PostgreSQL process on this machine (the server and its backends): their name is `postgres`."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with suppress(OSError):
                if (entry / "comm").read_text().strip() == "postgres":
                    pids.append(int(entry.name))
    return pids


def cpu_split(before: CpuReading, after: CpuReading, requests: int) -> dict[str, float]:
    """Milliseconds of CPU per request of each group between two readings (`other`: the rest of the machine's
    busy time), and `busy_share`: how much of the machine's CPU was busy. A figure independent of how fast
    the machine ran, which the requests a second are not: a check-in costing 2 pings' CPU is the same code on a
    fast machine and on a slow one."""
    total = after.machine[0] - before.machine[0]
    busy = total - (after.machine[1] - before.machine[1])
    # A group's processes together: one that started meanwhile counts from its start, and one that ended
    # meanwhile (a database connection closed after CONN_MAX_AGE) is in the reading of its parent of the same
    # group, which waited for it, and no longer in its own: what it used before the window is in both sums.
    spent = {
        name: max(sum(after.groups.get(name, {}).values()) - sum(before.groups.get(name, {}).values()), 0)
        for name in CPU_GROUPS[:-1]
    }
    spent["other"] = max(busy - sum(spent.values()), 0)
    per_tick_ms = 1000 / os.sysconf("SC_CLK_TCK")
    split = {name: round(ticks * per_tick_ms / requests, 2) if requests else 0.0 for name, ticks in spent.items()}
    split["total"] = round(sum(split.values()), 2)
    split["busy_share"] = round(busy / total, 2) if total > 0 else 0.0
    return split


def steal_share(before: tuple[int, int], after: tuple[int, int]) -> float:
    """The share of the machine's CPU time the hypervisor gave to other machines between two readings of
    steal_ticks(): on a shared virtual machine, time this run waited for its cores without anything here
    being busy. The same of two readings of disk_wait_ticks(): time the cores sat idle while a process waited
    for the disk (PostgreSQL flushing its log at a commit)."""
    total = after[0] - before[0]
    return round(max(after[1] - before[1], 0) / total, 3) if total > 0 else 0.0


def steal_ticks() -> tuple[int, int]:
    """(all, steal) clock ticks of the machine so far, from /proc/stat (steal is its eighth column)."""
    return _ticks_of_column(7)


def disk_wait_ticks() -> tuple[int, int]:
    """(all, iowait) clock ticks of the machine so far, from /proc/stat (iowait is its fifth column)."""
    return _ticks_of_column(4)


def _ticks_of_column(column: int) -> tuple[int, int]:
    with suppress(OSError):
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return sum(fields), fields[column] if len(fields) > column else 0
    return 0, 0


def cpu_busy(seconds: float = 1.0, own: list[int] | None = None) -> float:
    """The share of the machine's CPU that other work kept busy over the next `seconds`: all busy time
    less that of the processes in `own` (this run's own stack). A shared machine makes figures worse."""
    own = own or []
    total_before, idle_before = _machine_ticks()
    own_before = _process_ticks(own)
    time.sleep(seconds)
    total_after, idle_after = _machine_ticks()
    own_after = _process_ticks(own)
    total = total_after - total_before
    if total <= 0:
        return 0.0
    busy = total - (idle_after - idle_before) - (own_after - own_before)
    return round(max(busy, 0) / total, 2)


def wait_for_quiet(limit: float, own: list[int] | None = None, threshold: float = 0.15) -> float:
    """Wait (at most `limit` seconds) until other work leaves the machine nearly idle; the busy share last seen."""
    deadline = time.monotonic() + limit
    busy = cpu_busy(own=own)
    while busy > threshold and time.monotonic() < deadline:
        busy = cpu_busy(own=own)
    return busy


def settle(limit: float, threshold: float = 0.15) -> float:
    """Wait (at most `limit` seconds) until the whole machine is nearly idle; the seconds waited."""
    started = time.monotonic()
    wait_for_quiet(limit, own=[], threshold=threshold)
    return round(time.monotonic() - started, 1)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@dataclass
class Stack:
    """gunicorn (and optionally a Celery worker) with the production settings, for one run."""

    target: Target
    workers: int
    broker: str = ""  # empty: tasks run in the web process (eager)
    cache: str = ""  # a Redis URL shared by the workers; empty: each worker's own memory
    viewer_cache: bool = True  # off in smoke runs: a second of load is mostly first requests
    log_dir: Path = field(default_factory=lambda: REPO / "var" / "bench-logs")  # set from the target in start()
    port: int = 0
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    names: list[str] = field(default_factory=list)  # each process's name ("gunicorn", "celery")
    logs: list[IO[bytes]] = field(default_factory=list)

    def env(self) -> dict[str, str]:
        env = {
            **os.environ,
            **self.target.env,
            "DJANGO_SETTINGS_MODULE": "kinabog.settings",
            "SECRET_KEY": secrets.token_urlsafe(40),
            "SECURE_SSL_REDIRECT": "false",
            "ALLOWED_HOSTS": HOST,
            "KINABOG_QUERY_COUNT_HEADER": "1",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
        env.pop("CELERY_BROKER_URL", None)
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        if self.broker:
            env["CELERY_BROKER_URL"] = self.broker
        env.pop("REDIS_URL", None)
        if self.cache:
            env["REDIS_URL"] = self.cache
        env["VIEWER_CACHE_SECONDS"] = "300" if self.viewer_cache else "0"
        return env

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self) -> None:
        env = self.env()
        self.log_dir = Path(self.target.env["KINABOG_VAR_DIR"]) / "logs"
        self.log_dir.mkdir(parents=True, exist_ok=True)
        # The production settings serve static files from a manifest: collect them first.
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=REPO, env=env, check=True
        )
        self.port = free_port()
        self._spawn(
            "gunicorn",
            [
                str(BIN / "gunicorn"),
                "kinabog.wsgi:application",
                "--bind",
                f"{HOST}:{self.port}",
                "--workers",
                str(self.workers),
                "--log-level",
                "warning",
                "--backlog",
                "2048",
            ],
            env,
        )
        if self.broker:
            self._spawn(
                "celery",
                [
                    # Background work yields the CPU to the requests people wait for: on a shared machine
                    # the worker runs at a lower priority (docs/decisions/0010-background-work-yields.md).
                    "nice",
                    "-n",
                    "10",
                    str(BIN / "celery"),
                    "-A",
                    "kinabog",
                    "worker",
                    "--concurrency",
                    "1",
                    "--loglevel",
                    "WARNING",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                ],
                env,
            )
        self.wait_healthy()

    def _spawn(self, name: str, command: list[str], env: dict[str, str]) -> None:
        log = (self.log_dir / f"{name}.log").open("ab")
        self.logs.append(log)
        # A session of its own, so stopping it ends its worker processes too and nothing else.
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=log, start_new_session=True)
        self.processes.append(process)
        self.names.append(name)

    def wait_healthy(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for process, name in zip(self.processes, self.names, strict=True):
                if process.poll() is not None:
                    raise RuntimeError(f"{name} stopped at start; see {self.log_dir}")
            with (
                suppress(OSError, urllib.error.URLError),
                urllib.request.urlopen(f"{self.base_url}/healthz", timeout=2) as answer,  # noqa: S310
            ):
                if answer.status == 200:
                    return
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer /healthz within {timeout:.0f} s; see {self.log_dir}")

    def own_pids(self) -> list[int]:
        """This process, gunicorn and Celery with their workers."""
        pids = [os.getpid()]
        for process in self.processes:
            pids.append(process.pid)
            with suppress(OSError):
                pids += [int(p) for p in Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()]
        return pids

    def cpu_reading(self) -> CpuReading:
        """How much CPU each group of this run's processes has used so far (see `cpu_split`)."""
        groups: dict[str, dict[int, int]] = {name: {} for name in CPU_GROUPS}
        for process, spawned in zip(self.processes, self.names, strict=True):
            name = "web" if spawned == "gunicorn" else "worker"
            pids = [process.pid]
            with suppress(OSError):
                pids += [int(p) for p in Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()]
            groups[name].update(_ticks_by_process(pids))
        groups["database"] = _ticks_by_process(_database_pids())
        groups["load_generator"] = _ticks_by_process([os.getpid()])
        return CpuReading(groups, _machine_ticks())

    def worker_pids(self) -> list[int]:
        """gunicorn's worker processes (children of the arbiter), for a profiler to attach to."""
        if not self.processes:
            return []
        arbiter = self.processes[0].pid
        children = Path(f"/proc/{arbiter}/task/{arbiter}/children")
        with suppress(OSError):
            return [int(pid) for pid in children.read_text().split()]
        return []

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                with suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for process in reversed(self.processes):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        self.processes.clear()
        self.names.clear()
        for log in self.logs:
            log.close()
        self.logs.clear()


@contextmanager
def running(stack: Stack) -> Iterator[Stack]:
    stack.start()
    try:
        yield stack
    finally:
        stack.stop()
