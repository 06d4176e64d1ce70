"""At most ARGON2_CONCURRENCY password hashes run at once on the site; others wait, then 503."""

import time

from devkit.accounts import PASSWORD
from project import hashing_budget


def hold_every_slot(app) -> list[int]:
    paths = hashing_budget.slot_paths(app.config["VAR_DIR"], app.config["ARGON2_CONCURRENCY"])
    handles = [hashing_budget.try_lock(path) for path in paths]
    assert None not in handles
    return handles


def release(handles) -> None:
    for handle in handles:
        hashing_budget.os.close(handle)


def test_login_waits_then_answers_503_while_every_slot_is_busy(app, client, user):
    app.config.update(ARGON2_CONCURRENCY=2, ARGON2_WAIT_SECONDS=0.2)
    handles = hold_every_slot(app)
    try:
        start = time.monotonic()
        busy = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
        waited = time.monotonic() - start
    finally:
        release(handles)
    assert busy.status_code == 503 and busy.headers["Retry-After"] == "1"
    assert hashing_budget.BUSY_MESSAGE.encode() in busy.data
    assert waited >= 0.2
    ok = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert ok.status_code == 302


def test_api_token_busy_answer_is_json(app, client, user):
    app.config.update(ARGON2_CONCURRENCY=1, ARGON2_WAIT_SECONDS=0)
    handles = hold_every_slot(app)
    try:
        busy = client.post("/api/v1/tokens", json={"email": user.email, "password": PASSWORD})
    finally:
        release(handles)
    assert busy.status_code == 503 and busy.headers["Retry-After"] == "1"
    assert busy.get_json()["error"]["code"] == "busy"
    assert busy.get_json()["error"]["message"] == hashing_budget.BUSY_MESSAGE


def test_one_free_slot_is_enough(app, client, user):
    app.config.update(ARGON2_CONCURRENCY=2, ARGON2_WAIT_SECONDS=0)
    paths = hashing_budget.slot_paths(app.config["VAR_DIR"], 2)
    handle = hashing_budget.try_lock(paths[0])
    try:
        ok = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    finally:
        hashing_budget.os.close(handle)
    assert ok.status_code == 302


def test_commands_outside_a_request_never_wait(app):
    app.config.update(ARGON2_CONCURRENCY=1, ARGON2_WAIT_SECONDS=0)
    handles = hold_every_slot(app)
    try:
        with app.app_context():
            from project.auth.service import create_user

            assert create_user("cli@example.com", PASSWORD).id
    finally:
        release(handles)
