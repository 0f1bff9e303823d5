"""Where a load's CPU went (`stack.cpu_split`): every group's processes, including those that ended meanwhile."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from benchmarks.stack import CpuReading, _ticks_by_process, cpu_split, disk_wait_ticks, steal_share, steal_ticks

MS_PER_TICK = 1000 / os.sysconf("SC_CLK_TCK")


def reading(database: dict[int, int], machine: tuple[int, int]) -> CpuReading:
    return CpuReading({"web": {}, "worker": {}, "database": database, "load_generator": {}}, machine)


def test_a_backend_that_ended_counts_only_its_time_within_the_window() -> None:
    # The server (1) and a backend (2) that had used 50 ticks; the backend uses 10 more and ends, and the
    # server, having waited for it, now holds its 60.
    before = reading({1: 100, 2: 50}, (1_000, 900))
    after = reading({1: 160, 3: 5}, (1_100, 980))
    split = cpu_split(before, after, requests=1)
    assert split["database"] == round(15 * MS_PER_TICK, 2)  # 10 of the ended backend, 5 of a new one
    assert split["other"] == round(5 * MS_PER_TICK, 2)  # 20 busy ticks in all
    assert split["busy_share"] == 0.2


def test_no_group_goes_below_nothing() -> None:
    # A process that ended without being waited for by one of the group: its earlier time is not taken
    # from the others'.
    split = cpu_split(reading({1: 100, 2: 50}, (0, 0)), reading({1: 101}, (10, 5)), requests=1)
    assert split["database"] == 0.0


def test_a_process_reading_holds_the_children_it_waited_for() -> None:
    mine = os.getpid()
    before, children_before = _ticks_by_process([mine])[mine], os.times()
    subprocess.run([sys.executable, "-c", "sum(i * i for i in range(3_000_000))"], check=True)
    after, children_after = _ticks_by_process([mine])[mine], os.times()
    waited = (children_after.children_user + children_after.children_system) - (
        children_before.children_user + children_before.children_system
    )
    assert after - before >= round(waited * os.sysconf("SC_CLK_TCK")) - 1
    assert waited > 0


def test_the_machine_s_idle_time_waiting_for_the_disk_is_a_share_of_its_time() -> None:
    before, stolen_before = disk_wait_ticks(), steal_ticks()
    time.sleep(0.05)
    after, stolen_after = disk_wait_ticks(), steal_ticks()
    assert after[0] >= before[0] and after[1] >= before[1]
    assert 0 <= steal_share(before, after) <= 1 and 0 <= steal_share(stolen_before, stolen_after) <= 1
    # The share of the ticks the column gained of all the machine gained.
    assert steal_share((1_000, 10), (1_200, 60)) == 0.25
