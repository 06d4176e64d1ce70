"""The benchmark harness runs end to end (tiny runs): correctness, not timing."""

from __future__ import annotations

import json

import pytest

from benchmarks import report, run
from devkit.services import required_tool

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    required_tool("wrk", "wrk")
    path = tmp_path_factory.mktemp("bench") / "bench.json"
    run.run_benchmarks(run.quick_options(json_path=path), log=lambda line: None)
    return json.loads(path.read_text())


def test_routes_measured_without_errors(results):
    rows = {row["name"]: row for row in results["routes"]}
    assert set(rows) == {"home", "healthz"}
    for row in rows.values():
        assert row["requests"] > 0
        assert row["errors"] == 0, row
        assert row["statuses"].keys() == {"200"}
        assert 0 < row["p50_ms"] <= row["p99_ms"]
        assert 0 < row["ratio"] < 5


def test_reference_is_the_bare_app(results):
    runs = results["reference"]["runs"]
    assert len(runs) == 3  # before the first route and after each
    assert all(run["errors"] == 0 and run["requests"] > 0 for run in runs)
    bare = results["memory"]["after_load"]["bare"]
    bundle = results["memory"]["after_load"]["bundle"]
    # Same gunicorn config: same number of workers; the bare app imports no Flask.
    assert len(bare["workers_mib"]) == len(bundle["workers_mib"]) > 0
    assert bare["worker_max_mib"] < bundle["worker_max_mib"]


def test_extras_measured(results):
    assert 0 < results["start"]["first_start"]["first_200_s"] < 60
    reload = results["reload"]
    assert reload["reloads"] == 1 and reload["requests"] > 0
    assert reload["errors"] == 0
    assert "skipped" in results["postgresql"]


def test_metrics_cost_measured_against_the_app_without_them(results):
    cost = results["metrics_cost"]
    assert cost["rps_with"] > 0 and cost["rps_without"] > 0
    assert cost["cpu_us_with"] > 0 and cost["cpu_us_without"] > 0
    assert cost["cost_percent"] == pytest.approx((cost["cpu_ratio"] - 1) * 100, abs=0.1)
    # One fresh start measuring each pair both ways: the cost, and the control (the app
    # without metrics twice).
    assert len(cost["round_ratios"]) == len(cost["control_round_ratios"]) == 2
    assert [sorted(r) for r in cost["rounds"]] == [["with", "without"]] * 2
    assert cost["control_percent"] is not None


def test_translations_cost_measured_against_the_code_before_them(results):
    cost = results["translations_cost"]
    # the run refuses to measure unless "before" served no switcher and "now" served Chinese
    assert [page["page"] for page in cost["pages"]] == ["home", "home, zh_CN", "login page"]
    for page in cost["pages"]:
        assert page["cpu_us_before"] > 0 and page["cpu_us_now"] > 0
        assert page["cost_percent"] == pytest.approx((page["cpu_ratio"] - 1) * 100, abs=0.1)


def test_table_renders(results):
    text = report.render(results)
    assert "bare WSGI (ref)" in text
    assert "healthz" in text and "x bare" in text
    assert "without the metrics layer" in text
    assert "translations (each page now vs the commit before them" in text
