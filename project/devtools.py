"""Plain functions behind the local-work verbs: dev server, migrate, create-user, shell, test."""

from __future__ import annotations

import code
import os
import shutil
import signal
import subprocess
import sys

import click

from .config import PROJECT_ROOT, choose_config_name, is_loopback
from .user_errors import UserError


def build_app(config_name: str | None, default: str = "dev", use_deployed: bool = True):
    """The app for `config_name`, else APP_CONFIG, else the deployed one, else `default`.

    On a server, `migrate`, `create-user` and `shell` thus reach the database the running site
    uses (the APP_* environment saved by `start` fills the gaps in ours), not a fresh dev one.
    """
    from .app import create_app
    from .deploy.settings import load_saved

    saved = load_saved(os.environ) if use_deployed else None
    environ = {**(saved.app_environment() if saved else {}), **os.environ}
    name = choose_config_name(config_name, environ, saved.config_name if saved else None, default)
    return create_app(name, environ=environ)


def run_dev_server(config_name, host: str, port: int, allow_remote: bool) -> None:
    if not is_loopback(host):
        if not allow_remote:
            raise UserError(
                f"refusing to expose the debugger on {host}: it runs any code a visitor sends; "
                "pass --allow-remote-debugger if you really mean it"
            )
        click.echo(
            f"WARNING: the debugger is reachable from the network on {host}:{port}", err=True
        )
    refuse_busy_port(host, port)
    dev_public_url(host, port)
    app = build_app(config_name, use_deployed=False)  # dev means dev, even where prod runs
    migrate_app(app)
    watcher = start_asset_watcher()
    try:
        from . import assets

        # A rebuild rewrites the manifest: restart so the pages get the new hashes.
        extra_files = [assets.manifest_path(app)]
        app.run(host=host, port=port, debug=True, use_reloader=True, extra_files=extra_files)
    finally:
        stop_asset_watcher(watcher)


def dev_public_url(host: str, port: int) -> None:
    """Links in mails point at this server (unless APP_PUBLIC_URL says otherwise); a remote
    debugger needs the name visitors use, which only the user knows."""
    if os.environ.get("APP_PUBLIC_URL"):
        return
    if not is_loopback(host):
        raise UserError(f"set APP_PUBLIC_URL to the address visitors reach {host}:{port} at")
    name = f"[{host}]" if ":" in host else host
    os.environ["APP_PUBLIC_URL"] = f"http://{name}:{port}"


def refuse_busy_port(host: str, port: int) -> None:
    """The same one-line error as `start` (the reloader's child re-binds the parent's port)."""
    from .deploy import processes

    if os.environ.get("WERKZEUG_RUN_MAIN") != "true" and processes.port_in_use(host, port):
        raise UserError(
            f"port {port} on {host} is already in use by another process: stop it or pass --port"
        )


def start_asset_watcher() -> subprocess.Popen | None:
    """`npm run watch` beside the server, in the reloader's parent process only."""
    if os.environ.get("WERKZEUG_RUN_MAIN") == "true":
        return None  # a reloader child: the parent runs the one watcher
    if not (PROJECT_ROOT / "package.json").is_file():
        return None
    if shutil.which("npm") is None:
        click.echo("WARNING: npm not found: assets are not rebuilt on change", err=True)
        return None
    env = {**os.environ, "ASSETS_PYTHON": sys.executable, "ASSETS_EXIT_WITH_STDIN": "1"}
    # Own process group: npm starts sh and node, and stopping must reach all three. The
    # stdin pipe makes the watcher exit even if this process is killed without cleanup.
    return subprocess.Popen(
        ["npm", "run", "--silent", "watch"],
        cwd=PROJECT_ROOT,
        env=env,
        stdin=subprocess.PIPE,
        start_new_session=True,
    )


def stop_asset_watcher(watcher: subprocess.Popen | None) -> None:
    if watcher is None or watcher.poll() is not None:
        return
    os.killpg(watcher.pid, signal.SIGTERM)
    try:
        watcher.wait(timeout=5)
    except subprocess.TimeoutExpired:
        os.killpg(watcher.pid, signal.SIGKILL)
        watcher.wait()


def migrate_app(app) -> list[str]:
    from .migrate import apply_pending

    with app.app_context():
        return apply_pending()


def migrate(config_name) -> list[str]:
    return migrate_app(build_app(config_name))


def database_status(config_name) -> dict:
    """{"reachable": bool, "pending": [migration names]} for `scripts/ctl check`."""
    from .database import can_query
    from .extensions import db
    from .migrate import pending

    app = build_app(config_name)
    with app.app_context():
        try:
            if not can_query():
                return {"reachable": False, "pending": []}
            return {"reachable": True, "pending": pending()}
        finally:
            close_database(db)


def close_database(db) -> None:
    db.close()
    close_pool = getattr(db.obj, "close_all", None)
    if close_pool:
        close_pool()


def create_user(config_name, email: str, password: str, admin: bool):
    from .auth.service import create_user as create

    app = build_app(config_name)
    migrate_app(app)
    with app.app_context():
        # The operator typed the address: it needs no confirmation link.
        return create(email, password, role="admin" if admin else "user", confirmed=True)


def run_shell(config_name) -> None:
    from . import models

    app = build_app(config_name)
    with app.app_context():
        namespace = {"app": app, **{m.__name__: m for m in models.MODELS}}
        code.interact(
            banner=f"app ({app.config['CONFIG_NAME']}) and models loaded", local=namespace
        )


def run_tests(quick: bool, pytest_args: list[str]) -> int:
    """Ruff then pytest (unit tests only with `quick`); returns the exit status."""
    os.chdir(PROJECT_ROOT)
    python = sys.executable
    if not quick:
        for step in (["ruff", "check", "."], ["ruff", "format", "--check", "."]):
            status = subprocess.call([python, "-m", *step])
            if status:
                click.echo(f"lint failed: {' '.join(step)}", err=True)
                return status
    paths = ["tests/unit"] if quick else []
    return subprocess.call([python, "-m", "pytest", *paths, *pytest_args])
