"""Issue 14's bugs on the real bundle: reload serves new code whatever the log format (the
master holds no app module), a killed supervisord leaves no program behind, and
X-Forwarded-For is believed from the configured proxy only."""

from __future__ import annotations

import json
import os
import signal
import socket

import pytest

from devkit.bundle import Bundle
from devkit.polling import wait_until
from project.deploy import processes

# What gunicorn's master may import of the package: the access-log class (it masks the tokens
# of mailed links; project/deploy/access_log.py), and with the JSON log the JSON one too.
TEXT_LOGGER = {"project", "project.deploy", "project.deploy.access_log"}
MASTER_MAY_HOLD = {
    "text": TEXT_LOGGER,
    "json": {*TEXT_LOGGER, "project.deploy.json_access_log"},
}


def raw_get(bundle: Bundle, path: str = "/", source: str = "127.0.0.1", headers=None) -> bytes:
    """One HTTP/1.0 request from `source` (any 127.x address reaches a 127.0.0.1 bind)."""
    lines = [f"GET {path} HTTP/1.0", "Host: 127.0.0.1", *(headers or [])]
    with socket.create_connection(
        ("127.0.0.1", bundle.port), timeout=10, source_address=(source, 0)
    ) as conn:
        conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def header(response: bytes, name: str) -> str:
    head = response.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    for line in head.split("\r\n")[1:]:
        key, _, value = line.partition(":")
        if key.strip().lower() == name.lower():
            return value.strip()
    return ""


def master_modules(bundle: Bundle) -> set[str]:
    return set(json.loads((bundle.run_dir / "master-modules.json").read_text())["modules"])


@pytest.mark.integration
@pytest.mark.parametrize("log_format", ["text", "json"])
def test_reload_serves_changed_code_for_both_log_formats(tmp_path, log_format):
    bundle = Bundle.create(tmp_path, env={"APP_LOG_FORMAT": log_format})
    try:
        bundle.start("--workers", "2")
        assert master_modules(bundle) <= MASTER_MAY_HOLD[log_format]
        assert header(raw_get(bundle), "X-Frame-Options") == "DENY"
        security = bundle.root / "project" / "security.py"
        security.write_text(security.read_text().replace('"DENY"', '"SAMEORIGIN"'))
        result = bundle.ctl("reload")
        assert "serving new code" in result.stdout
        answers = {header(raw_get(bundle), "X-Frame-Options") for _ in range(8)}
        assert answers == {"SAMEORIGIN"}
        assert master_modules(bundle) <= MASTER_MAY_HOLD[log_format]
    finally:
        bundle.cleanup()


@pytest.mark.integration
def test_reload_restarts_web_when_a_library_the_master_holds_changed(tmp_path):
    """The master imports the libraries (shared with its workers), so after an upgrade on
    disk HUP would fork workers with the old ones: reload starts a new master instead."""
    bundle = Bundle.create(tmp_path)
    try:
        bundle.start("--workers", "2")
        record_path = bundle.run_dir / "master-modules.json"
        record = json.loads(record_path.read_text())
        flask_file = next(path for path in record["libraries"] if path.endswith("flask/app.py"))
        assert bundle.ctl("reload").stdout.count("web restarted") == 0
        old_master = bundle.master_pid()
        record = json.loads(record_path.read_text())
        record["libraries"][flask_file] = [0, 0]  # as if pip had replaced flask meanwhile
        record_path.write_text(json.dumps(record))
        security = bundle.root / "project" / "security.py"
        security.write_text(security.read_text().replace('"DENY"', '"SAMEORIGIN"'))
        result = bundle.ctl("reload")
        assert "web restarted" in result.stdout and "serving new code" in result.stdout
        assert bundle.master_pid() != old_master
        assert {header(raw_get(bundle), "X-Frame-Options") for _ in range(4)} == {"SAMEORIGIN"}
    finally:
        bundle.cleanup()


def rotate_daemons(bundle: Bundle) -> set[int]:
    marker = f"BUNDLE_VAR_DIR={bundle.root / 'var'}"
    found = processes.with_environment(marker)
    return {pid for pid in found if "rotate-logs --daemon" in processes.command_line(pid)}


@pytest.mark.integration
def test_start_after_killed_supervisord_leaves_no_second_rotator(bundle):
    bundle.start("--workers", "1")
    first = rotate_daemons(bundle)
    assert len(first) == 1
    os.kill(bundle.supervisord_pid(), signal.SIGKILL)
    bundle.ctl("start")
    wait_until(lambda: len(rotate_daemons(bundle)) == 1 and rotate_daemons(bundle) != first)
    assert not any(processes.is_alive(pid) for pid in first)
    assert len(rotate_daemons(bundle)) == 1


@pytest.mark.integration
def test_forwarded_for_is_believed_from_the_proxy_peer_only(tmp_path):
    # Behind a proxy the bundle needs its public URL (links, trusted host); the test's
    # requests name 127.0.0.1, so that name is trusted too.
    env = {
        "APP_PROXY_HOPS": "1",
        "APP_PUBLIC_URL": "https://app.example",
        "APP_EXTRA_TRUSTED_HOSTS": "127.0.0.1",
    }
    bundle = Bundle.create(tmp_path, env=env)
    try:
        bundle.start("--workers", "1")
        forged = ["X-Forwarded-For: 198.51.100.9"]
        raw_get(bundle, "/?from=stranger", source="127.0.0.4", headers=forged)
        raw_get(
            bundle, "/?from=proxy", source="127.0.0.1", headers=["X-Forwarded-For: 203.0.113.7"]
        )
        access = bundle.root / "var" / "log" / "access.log"
        wait_until(lambda: "from=proxy" in access.read_text())
        lines = access.read_text().splitlines()
        stranger = next(line for line in lines if "from=stranger" in line)
        proxied = next(line for line in lines if "from=proxy" in line)
        assert stranger.startswith("127.0.0.4 "), stranger
        assert proxied.startswith("203.0.113.7 "), proxied
    finally:
        bundle.cleanup()


@pytest.mark.integration
def test_restart_with_a_bad_log_path_keeps_the_site_up(bundle):
    bundle.start("--workers", "1")
    master = bundle.master_pid()
    result = bundle.ctl("restart", "--accesslog", "/proc/nope/access.log", check=False)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: ")
    assert "/proc/nope/access.log" in result.stderr
    assert bundle.get("/healthz")[0] == 200
    assert bundle.master_pid() == master
    assert bundle.ctl("status", check=False).returncode == 0
