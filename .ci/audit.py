"""Dependency audit for CI: the pinned Python requirements (pip-audit) and the npm lock file
(`npm audit`) against their vulnerability databases.

Exit 1 only for a known vulnerability. A database that cannot be reached is said plainly and
does not fail CI: pip-audit then "audits" nothing (every package skipped, exit 0, "No known
vulnerabilities found"), so the packages actually checked are counted, never assumed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
NPM_FAILING = ("high", "critical")  # lower severities are reported, not fatal


def say(line: str) -> None:
    print(f"audit: {line}", file=sys.stderr)


def pip_audit_command() -> list[str]:
    # requirements-dev.txt includes requirements.txt: every pinned package, no resolution.
    return [
        str(VENV_BIN / "pip-audit"),
        *("-r", str(ROOT / "requirements-dev.txt")),
        *("--no-deps", "--disable-pip", "--progress-spinner", "off", "--timeout", "15"),
        *("--format", "json"),
    ]


def judge_pip(returncode: int, stdout: str) -> tuple[bool, str]:
    """(failed, message) from pip-audit's JSON report."""
    try:
        deps = json.loads(stdout)["dependencies"]
    except (ValueError, KeyError, TypeError):
        return False, f"pip-audit gave no report (exit {returncode}): Python packages NOT audited"
    checked = [d for d in deps if "skip_reason" not in d]
    if not checked:
        return False, (
            f"no vulnerability database reachable (PyPI/OSV): none of {len(deps)} Python "
            "packages was audited"
        )
    vulnerable = [d for d in checked if d.get("vulns")]
    if vulnerable:
        found = ", ".join(
            f"{d['name']} {d['version']} ({', '.join(v['id'] for v in d['vulns'])})"
            for d in vulnerable
        )
        return True, f"known vulnerabilities in Python packages: {found}"
    skipped = len(deps) - len(checked)
    tail = f"; {skipped} could not be looked up" if skipped else ""
    return False, f"{len(checked)} Python packages audited, no known vulnerability{tail}"


def judge_npm(returncode: int, stdout: str) -> tuple[bool, str]:
    """(failed, message) from `npm audit --json`."""
    try:
        report = json.loads(stdout)
    except ValueError:
        return False, f"npm audit gave no report (exit {returncode}): npm packages NOT audited"
    if "error" in report or "statusCode" in report or "metadata" not in report:
        reason = report.get("message") or report.get("error", {}).get("summary") or "no answer"
        return False, f"no npm vulnerability database reachable ({reason}): npm NOT audited"
    counts = report["metadata"].get("vulnerabilities", {})
    fatal = {level: counts.get(level, 0) for level in NPM_FAILING if counts.get(level, 0)}
    if fatal:
        return True, f"known npm vulnerabilities: {fatal} (npm audit for details)"
    total = counts.get("total", 0)
    return False, f"npm packages audited: {total} known vulnerabilities below high"


def run(command: list[str]) -> tuple[int, str]:
    try:
        result = subprocess.run(
            command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return -1, f"{type(exc).__name__}: {exc}"
    return result.returncode, result.stdout


def main() -> int:
    verdicts = [judge_pip(*run(pip_audit_command()))]
    if (ROOT / "package-lock.json").exists():
        verdicts.append(judge_npm(*run(["npm", "audit", "--json"])))
    for _, message in verdicts:
        say(message)
    return 1 if any(failed for failed, _ in verdicts) else 0


if __name__ == "__main__":
    sys.exit(main())
