"""Benchmarks of Kinabog on one machine: `./run bench [SCENARIO ...] [--json] [--smoke]`.

See docs/performance.md for the method, the scenarios, their targets and the latest figures.
"""
