"""Load benchmarks of the bundle, reported as ratios to a bare WSGI app under the same gunicorn.

`scripts/ctl bench` (project/cli.py) calls `benchmarks.run.run_benchmarks`; README.md ("Benchmarks")
says what is measured and how to read the numbers.

This file imports nothing: gunicorn imports it before `benchmarks.bare_app`, and the
reference must not carry the project's modules in memory.
"""
