"""Summarise py-spy's collapsed stacks (`./run bench --profile DIR`): where the web workers spent their time.

`python -m benchmarks.profiles DIR [PREFIX] [--top N] [--match TEXT]` prints, over every file in DIR whose
name starts with PREFIX, the share of samples in which each function was on the stack (inclusive) and at
the top of it (self). Idle samples (a worker waiting in accept or select) are counted apart.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

# Paths in the repository are shown from its root.
REPOSITORY = f"{Path(__file__).resolve().parents[1]}/"
# Top frames of a worker waiting for work (py-spy records them only with --idle).
IDLE_FUNCTIONS = frozenset({"select", "poll", "sleep", "wait", "_wait", "epoll", "accept"})


def frame_name(frame: str) -> str:
    """`function (path/to/file.py:123)` → `function (file.py)`, shortened to the package path."""
    name, _sep, where = frame.partition(" (")
    where = where.rstrip(")").rsplit(":", 1)[0]
    for marker in ("site-packages/", REPOSITORY, "lib/python3.11/"):
        if marker in where:
            where = where.split(marker, 1)[1]
    return f"{name} ({where})"


def summarise(files: list[Path], top: int, match: str = "") -> str:
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = idle = 0
    for path in files:
        for line in path.read_text().splitlines():
            stack, _sep, count_text = line.rpartition(" ")
            if not count_text.isdigit():
                continue
            count = int(count_text)
            frames = [f for f in stack.split(";") if f and not f.startswith(("process ", "thread "))]
            if not frames or frames[-1].split(" (", 1)[0].rsplit(".", 1)[-1] in IDLE_FUNCTIONS:
                idle += count
                continue
            if match and match not in stack:
                continue
            total += count
            for name in {frame_name(f) for f in frames}:
                inclusive[name] += count
            own[frame_name(frames[-1])] += count
    lines = [f"{total} busy samples, {idle} idle, in {len(files)} files"]
    lines.append("inclusive:")
    lines += [f"  {100 * n / max(total, 1):5.1f}%  {name}" for name, n in inclusive.most_common(top)]
    lines.append("self:")
    lines += [f"  {100 * n / max(total, 1):5.1f}%  {name}" for name, n in own.most_common(top)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profiles")
    parser.add_argument("directory", type=Path)
    parser.add_argument("prefix", nargs="?", default="")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--match", default="", help="only stacks that contain this text")
    args = parser.parse_args(argv)
    files = sorted(p for p in args.directory.glob(f"{args.prefix}*.txt") if p.is_file())
    if not files:
        print(f"no profiles matching {args.prefix}*.txt in {args.directory}", file=sys.stderr)
        return 1
    print(summarise(files, args.top, args.match))
    return 0


if __name__ == "__main__":
    sys.exit(main())
