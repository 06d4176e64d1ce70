"""`scripts/ctl dev` runs `npm run watch` beside the reloader, and stops it on exit."""

import os

from devkit.devserver import DevServer
from devkit.polling import wait_until
from project.deploy.processes import children
from project.deploy.processes import command_line as cmdline


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_dev_server_runs_and_stops_the_asset_watcher(tmp_path):
    server = DevServer(tmp_path)
    try:
        server.wait_ready()
        watchers = wait_until(lambda: [p for p in children(server.pid) if "npm" in cmdline(p)])
        assert len(watchers) == 1  # one watcher, in the parent; the reloader child runs none
        watcher = watchers[0]
        wait_until(lambda: any("build.mjs --watch" in cmdline(p) for p in all_in(watcher)))
    finally:
        server.stop()
    wait_until(lambda: not group_alive(watcher), timeout=10)


def all_in(pid: int) -> list[int]:
    """`pid` and its descendants."""
    found = [pid]
    for child in children(pid):
        found += all_in(child)
    return found
