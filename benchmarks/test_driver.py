"""A load measured in turns is reported as one (benchmarks.driver.Stats.joined)."""

from benchmarks.driver import Sample, Stats


def turn(requests: int, seconds: float, cpu: dict[str, float] | None, latency: float = 0.1) -> Stats:
    return Stats([Sample("ping", float(k), latency, True, 1) for k in range(requests)], seconds, cpu)


def test_turns_add_their_samples_and_windows() -> None:
    joined = Stats.joined([turn(100, 5.0, None, 0.1), turn(300, 5.0, None, 0.3)])
    assert joined.requests == 400
    assert joined.seconds == 10.0
    assert joined.requests_per_s == 40.0
    assert joined.p(50) == 300.0  # the percentiles are of every turn's samples together
    assert joined.cpu_ms_per_request is None


def test_cpu_per_request_is_weighted_by_requests_and_the_busy_share_by_seconds() -> None:
    first = turn(100, 5.0, {"web": 2.0, "total": 3.0, "busy_share": 1.0})
    second = turn(300, 15.0, {"web": 4.0, "total": 5.0, "busy_share": 0.6})
    joined = Stats.joined([first, second])
    assert joined.cpu_ms_per_request == {"web": 3.5, "total": 4.5, "busy_share": 0.7}


def test_a_turn_without_a_cpu_record_leaves_the_whole_without_one() -> None:
    joined = Stats.joined([turn(10, 1.0, {"web": 2.0}), turn(10, 1.0, None)])
    assert joined.cpu_ms_per_request is None
