"""`scripts/ctl dev` runs `npm run watch` beside the reloader, and stops it on exit."""

import os
import signal
import subprocess
import sys
from pathlib import Path

from project.config import PROJECT_ROOT
from tests.helpers import answers, free_port, wait_until


def children(pid: int) -> list[int]:
    """Direct children of `pid`, from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended while we looked
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_dev_server_runs_and_stops_the_asset_watcher(tmp_path):
    port = free_port()
    env = {**os.environ, "APP_VAR_DIR": str(tmp_path)}
    env.pop("APP_CONFIG", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "project.cli", "dev", "--port", str(port)],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_until(lambda: answers(f"http://127.0.0.1:{port}/healthz"))
        watchers = wait_until(lambda: [p for p in children(server.pid) if "npm" in cmdline(p)])
        assert len(watchers) == 1  # one watcher, in the parent; the reloader child runs none
        watcher = watchers[0]
        wait_until(lambda: any("build.mjs --watch" in cmdline(p) for p in all_in(watcher)))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)
    wait_until(lambda: not group_alive(watcher), timeout=10)


def all_in(pid: int) -> list[int]:
    """`pid` and its descendants."""
    found = [pid]
    for child in children(pid):
        found += all_in(child)
    return found
