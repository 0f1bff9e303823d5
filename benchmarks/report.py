"""What a run reports and how it is shaped: the result keys, the scenarios and the run's options.

Free of Django, so the command line can read its arguments before the database is chosen.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .driver import Load, Stats

RESULT_KEYS = (
    "scenario",
    "requests_per_s",
    "p50_ms",
    "p95_ms",
    "p99_ms",
    "errors",
    "queries_per_request",
    "ratio_to_ceiling",
    "messages_per_s",
    "broadcast_visible_s",
    "notifications_queued_s",
    "raw_insert_s",
    "ratio_to_raw_insert",
    "growth_ratio",
)
SCENARIOS = ("ceiling", "checkin", "messages", "broadcast", "overview", "inbox")


@dataclass
class Options:
    smoke: bool = False
    clients: int = 50
    duration: float = 20.0
    warmup: float = 3.0
    max_requests: int = 200_000
    workers: int = 4
    profile_dir: Path | None = None

    def load(self, duration: float | None = None) -> Load:
        return Load(
            duration=self.duration if duration is None else duration,
            max_requests=self.max_requests,
            warmup=self.warmup,
        )


def result(scenario: str, stats: Stats | None = None, **figures: Any) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(RESULT_KEYS)
    row["scenario"] = scenario
    if stats is not None:
        row.update(
            requests_per_s=round(stats.requests_per_s, 1),
            p50_ms=round(stats.p(50), 1),
            p95_ms=round(stats.p(95), 1),
            p99_ms=round(stats.p(99), 1),
            errors=stats.errors,
            queries_per_request=rounded(stats.queries_per_request()),
        )
    row.update(figures)
    return row


def rounded(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def ratio(a: float | None, b: float | None, digits: int = 2) -> float | None:
    return None if a is None or not b else round(a / b, digits)


def targets(row: dict[str, Any]) -> dict[str, bool | None]:
    """Whether a result meets the targets of docs/performance.md (2 cores); None where it cannot tell."""
    detail = row.get("detail", {})
    by_request = detail.get("by_request", {})
    figures = {**row, **{f"{name}_p95_ms": kind["p95_ms"] for name, kind in by_request.items()}}

    def check(key: str, compare: str, limit: float) -> bool | None:
        value = figures.get(key)
        if value is None:
            return None
        return bool(value >= limit if compare == ">=" else value <= limit if compare == "<=" else value < limit)

    by_scenario: dict[str, list[tuple[str, str, float]]] = {
        "checkin": [("ratio_to_ceiling", ">=", 0.5), ("p95_ms", "<", 100)],
        "messages": [("messages_per_s", ">=", 167), ("p95_ms", "<", 300)],
        "broadcast": [("broadcast_visible_s", "<=", 3), ("ratio_to_raw_insert", "<=", 5)],
        "overview": [("growth_ratio", "<=", 1.5)],
        "inbox": [("inbox_page_p95_ms", "<", 150), ("search_p95_ms", "<", 150)],
    }
    wanted = by_scenario.get(row.get("scenario", ""), [])
    met = {f"{key}{compare}{limit}": check(key, compare, limit) for key, compare, limit in wanted}
    if row.get("scenario") == "overview":
        met["queries_equal_at_both_scales"] = detail.get("queries_equal_at_both_scales")
    web = detail.get("guardians_on_the_web")
    if row.get("scenario") == "checkin" and web:  # the same targets with the guardians in the browser
        met["on_the_web_ratio_to_ceiling>=0.5"] = web["ratio_to_ceiling"] is not None and web["ratio_to_ceiling"] >= 0.5
        met["on_the_web_p95_ms<100"] = web["p95_ms"] is not None and web["p95_ms"] < 100
    return met
