"""An asyncio HTTP/1.1 load driver for loopback: virtual users with their own cookies, closed-loop load
bounded in time and in requests, and latency statistics.

Connections are kept alive when the server allows it and opened again when it closes them (gunicorn's
sync workers close after every response). Nothing here knows about Kinabog beyond cookies and headers.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlencode

import orjson

QUERY_COUNT_HEADER = "x-query-count"
MAX_HEADER_LINES = 200
U = TypeVar("U")


class HttpError(Exception):
    """The server answered something that is not HTTP/1.x, or closed the connection mid-answer."""


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]  # lower-cased names; the last value wins
    set_cookies: list[str]
    body: bytes

    def json(self) -> Any:
        return orjson.loads(self.body)  # a page of the inbox is 45 kB: a quarter of the standard library's time

    @property
    def query_count(self) -> int | None:
        value = self.headers.get(QUERY_COUNT_HEADER)
        return int(value) if value is not None and value.isdigit() else None


class Connection:
    """One HTTP/1.1 connection to host:port, opened when needed and reopened after the server closes it."""

    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, head: bytes, body: bytes) -> Response:
        reused = self.writer is not None
        try:
            return await asyncio.wait_for(self._exchange(head, body), self.timeout)
        except (ConnectionError, asyncio.IncompleteReadError, HttpError):
            await self.close()
            if not reused:
                raise
        # A kept-alive connection the server had already closed: one more try on a fresh one.
        return await asyncio.wait_for(self._exchange(head, body), self.timeout)

    async def _exchange(self, head: bytes, body: bytes) -> Response:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(head + body)
        await self.writer.drain()
        response, keep_alive = await read_response(self.reader)
        if not keep_alive:
            await self.close()
        return response

    async def close(self) -> None:
        writer, self.reader, self.writer = self.writer, None, None
        if writer is not None:
            writer.close()
            with suppress(ConnectionError, OSError):
                await writer.wait_closed()


async def read_response(reader: asyncio.StreamReader) -> tuple[Response, bool]:
    """One response from the stream, and whether the connection stays open after it."""
    status_line = await reader.readline()
    if not status_line:
        raise HttpError("connection closed before the answer")
    parts = status_line.decode("latin-1").split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
        raise HttpError(f"not an HTTP/1.x answer: {status_line[:80]!r}")
    version, status = parts[0], int(parts[1])
    headers: dict[str, str] = {}
    set_cookies: list[str] = []
    for _ in range(MAX_HEADER_LINES):
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _sep, value = line.decode("latin-1").partition(":")
        name, value = name.strip().lower(), value.strip()
        headers[name] = value
        if name == "set-cookie":
            set_cookies.append(value)
    else:
        raise HttpError("too many header lines")
    connection_header = headers.get("connection", "").lower()
    keep_alive = connection_header != "close" if version == "HTTP/1.1" else connection_header == "keep-alive"
    if status in (204, 304) or 100 <= status < 200:
        body = b""
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        body = await _read_chunked(reader)
    elif "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    else:
        body = await reader.read()
        keep_alive = False
    return Response(status, headers, set_cookies, body), keep_alive


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    chunks: list[bytes] = []
    while True:
        size_line = await reader.readline()
        size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
        if size == 0:
            while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                pass  # trailers
            return b"".join(chunks)
        chunks.append(await reader.readexactly(size))
        await reader.readexactly(2)


class Client:
    """A virtual user: one connection and a cookie jar (Secure and Path attributes are not enforced)."""

    def __init__(self, host: str, port: int, *, timeout: float = 30.0, name: str = "") -> None:
        self.host, self.port, self.name = host, port, name
        self.connection = Connection(host, port, timeout)
        self.cookies: dict[str, str] = {}
        self.data: dict[str, Any] = {}  # what a scenario keeps about this user

    async def request(
        self,
        method: str,
        path: str,
        *,
        form: dict[str, str] | None = None,
        json_body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        body = b""
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        if not any(name.lower() == "accept" for name in headers or {}):
            lines.append("Accept: */*")
        if form is not None:
            body = urlencode(form).encode()
            lines.append("Content-Type: application/x-www-form-urlencoded")
        elif json_body is not None:
            body = orjson.dumps(json_body)
            lines.append("Content-Type: application/json")
        if body or method not in ("GET", "HEAD"):
            lines.append(f"Content-Length: {len(body)}")
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        lines.extend(f"{k}: {v}" for k, v in (headers or {}).items())
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        response = await self.connection.request(head, body)
        self._remember(response.set_cookies)
        return response

    def _remember(self, set_cookies: list[str]) -> None:
        for raw in set_cookies:
            pair, *attributes = raw.split(";")
            name, _sep, value = pair.strip().partition("=")
            flags = [a.strip().lower() for a in attributes]
            expired = any(f in ("max-age=0", "max-age=-1") or f.startswith("expires=thu, 01 jan 1970") for f in flags)
            if expired or value in ('""', ""):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value

    async def get(self, path: str, **kwargs: Any) -> Response:
        return await self.request("GET", path, **kwargs)

    async def post(self, path: str, **kwargs: Any) -> Response:
        return await self.request("POST", path, **kwargs)

    async def close(self) -> None:
        await self.connection.close()


# --- Measuring ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    name: str
    started: float  # monotonic seconds
    seconds: float
    ok: bool
    queries: int | None = None
    problem: str = ""


def percentile(sorted_values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile of already sorted values (0 for none)."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


@dataclass
class Stats:
    """What a load run measured, over the samples that started after the warm-up."""

    samples: list[Sample]
    seconds: float  # length of the measured window
    # CPU milliseconds per request by process over the measured window (stack.cpu_split), where measured.
    cpu_ms_per_request: dict[str, float] | None = None

    @classmethod
    def joined(cls, parts: Sequence[Stats]) -> Stats:
        """A load measured in turns, as one: the turns' samples, their windows added, and their CPU per request
        weighted by each turn's requests (the machine's busy share by each turn's seconds)."""
        samples = [sample for part in parts for sample in part.samples]
        seconds = sum(part.seconds for part in parts)
        cpu: dict[str, float] | None = None
        requests = sum(part.requests for part in parts)
        if requests and parts and all(part.cpu_ms_per_request is not None for part in parts):
            splits = [(part, part.cpu_ms_per_request or {}) for part in parts]
            cpu = {
                name: round(
                    sum(split[name] * part.seconds for part, split in splits) / seconds
                    if name == "busy_share"
                    else sum(split[name] * part.requests for part, split in splits) / requests,
                    2,
                )
                for name in splits[0][1]
            }
        return cls(samples, seconds, cpu)

    @property
    def requests(self) -> int:
        return len(self.samples)

    @property
    def errors(self) -> int:
        return sum(1 for s in self.samples if not s.ok)

    @property
    def requests_per_s(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    def latencies_ms(self, name: str | None = None) -> list[float]:
        return sorted(s.seconds * 1000 for s in self.samples if name is None or s.name == name)

    def p(self, q: float, name: str | None = None) -> float:
        return percentile(self.latencies_ms(name), q)

    def queries_per_request(self, name: str | None = None) -> float | None:
        counts = [s.queries for s in self.samples if s.queries is not None and (name is None or s.name == name)]
        return sum(counts) / len(counts) if counts else None

    def fewest_queries(self, name: str | None = None) -> int | None:
        """The steady state of a page: its requests after the first ones that built a cached Viewer."""
        counts = [s.queries for s in self.samples if s.queries is not None and (name is None or s.name == name)]
        return min(counts) if counts else None

    def count(self, name: str) -> int:
        return sum(1 for s in self.samples if s.name == name and s.ok)

    def names(self) -> list[str]:
        return sorted({s.name for s in self.samples})

    def problems(self, limit: int = 5) -> list[str]:
        seen: list[str] = []
        for sample in self.samples:
            if not sample.ok and sample.problem and sample.problem not in seen:
                seen.append(sample.problem)
                if len(seen) >= limit:
                    break
        return seen

    def by_name(self) -> dict[str, dict[str, Any]]:
        return {
            name: {
                "requests": sum(1 for s in self.samples if s.name == name),
                "requests_per_s": round(sum(1 for s in self.samples if s.name == name) / self.seconds, 1)
                if self.seconds
                else 0.0,
                "p50_ms": round(self.p(50, name), 1),
                "p95_ms": round(self.p(95, name), 1),
                "p99_ms": round(self.p(99, name), 1),
                "errors": sum(1 for s in self.samples if s.name == name and not s.ok),
                "queries_per_request": _round(self.queries_per_request(name)),
            }
            for name in self.names()
        }


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


Check = Callable[[Response], str]  # "" when the answer is as expected, else what is wrong


def expect_status(*statuses: int) -> Check:
    def check(response: Response) -> str:
        return "" if response.status in statuses else f"HTTP {response.status}: {response.body[:200]!r}"

    return check


def expect_envelope(response: Response) -> str:
    """An Aula API answer: HTTP 200 and status code 0."""
    if response.status != 200:
        return f"HTTP {response.status}: {response.body[:200]!r}"
    try:
        code = response.json()["status"]["code"]
    except (ValueError, KeyError, TypeError):
        return f"not an envelope: {response.body[:200]!r}"
    return "" if code == 0 else f"envelope code {code}: {response.body[:200]!r}"


class Recorder:
    """Collects samples while a load runs; a virtual user reports each request through `call`."""

    def __init__(self) -> None:
        self.samples: list[Sample] = []

    async def call(self, name: str, request: Awaitable[Response], check: Check) -> Response | None:
        started = time.monotonic()
        try:
            response = await request
        except (TimeoutError, OSError, HttpError, asyncio.IncompleteReadError) as error:
            self.samples.append(Sample(name, started, time.monotonic() - started, False, None, repr(error)[:200]))
            return None
        problem = check(response)
        self.samples.append(
            Sample(name, started, time.monotonic() - started, not problem, response.query_count, problem)
        )
        return response if not problem else None


@dataclass
class Load:
    """Closed-loop load: every user repeats `step` until the time or the request budget is spent."""

    duration: float
    max_requests: int
    warmup: float = 0.0
    recorder: Recorder = field(default_factory=Recorder)

    async def run(self, users: Sequence[U], step: Callable[[U, Recorder], Awaitable[None]]) -> Stats:
        started = time.monotonic()
        deadline = started + self.warmup + self.duration

        async def loop(user: U) -> None:
            while time.monotonic() < deadline and len(self.recorder.samples) < self.max_requests:
                await step(user, self.recorder)

        await asyncio.gather(*(loop(user) for user in users))
        ended = time.monotonic()
        measured_from = started + self.warmup
        kept = [s for s in self.recorder.samples if s.started >= measured_from]
        if not kept:  # a budget spent inside the warm-up: count everything
            kept, measured_from = list(self.recorder.samples), started
        window = max(min(ended, deadline) - measured_from, 1e-6)
        # Samples still finishing after the deadline belong to the window they started in.
        return Stats(kept, window)
