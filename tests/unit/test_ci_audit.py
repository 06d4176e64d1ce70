""".ci/audit.py: a vulnerability fails CI; an unreachable database is said, and does not."""

from __future__ import annotations

import importlib.util
import json

import pytest

from project.config import PROJECT_ROOT


@pytest.fixture(scope="module")
def audit():
    spec = importlib.util.spec_from_file_location("ci_audit", PROJECT_ROOT / ".ci" / "audit.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def skipped(name):
    return {"name": name, "skip_reason": f"Dependency not found on PyPI: {name}"}


def test_pip_audit_that_checked_nothing_is_not_reported_as_clean(audit):
    """pip-audit says "No known vulnerabilities found" and exits 0 when PyPI is unreachable."""
    report = json.dumps({"dependencies": [skipped("flask"), skipped("peewee")], "fixes": []})
    failed, message = audit.judge_pip(0, report)
    assert not failed
    assert "no vulnerability database reachable" in message and "none of 2" in message


def test_a_known_python_vulnerability_fails(audit):
    deps = [
        {"name": "flask", "version": "3.1.3", "vulns": []},
        {"name": "jinja2", "version": "2.0", "vulns": [{"id": "PYSEC-1"}, {"id": "GHSA-x"}]},
        skipped("peewee"),
    ]
    failed, message = audit.judge_pip(1, json.dumps({"dependencies": deps}))
    assert failed and "jinja2 2.0 (PYSEC-1, GHSA-x)" in message


def test_clean_python_audit_counts_what_it_checked(audit):
    deps = [{"name": "flask", "version": "3.1.3", "vulns": []}, skipped("peewee")]
    failed, message = audit.judge_pip(0, json.dumps({"dependencies": deps}))
    assert not failed and message.startswith("1 Python packages audited")
    assert "1 could not be looked up" in message


def test_npm_endpoint_error_is_unreachable_not_a_failure(audit):
    report = {"message": "405 Method Not Allowed - POST .../advisories/bulk", "statusCode": 405}
    failed, message = audit.judge_npm(1, json.dumps(report))
    assert not failed and "no npm vulnerability database reachable (405" in message


@pytest.mark.parametrize(("level", "fails"), [("high", True), ("critical", True), ("low", False)])
def test_npm_fails_on_high_and_critical(audit, level, fails):
    report = {"auditReportVersion": 2, "metadata": {"vulnerabilities": {level: 1, "total": 1}}}
    assert audit.judge_npm(1, json.dumps(report))[0] is fails


def test_no_report_at_all_is_not_audited(audit):
    assert audit.judge_pip(-1, "FileNotFoundError: pip-audit") == (
        False,
        "pip-audit gave no report (exit -1): Python packages NOT audited",
    )
