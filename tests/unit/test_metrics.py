"""Prometheus metrics: what is counted, under which labels, and who may read /metrics."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
from flask import abort, request
from prometheus_client import REGISTRY

from devkit.testapp import app_log_text
from project import metrics
from project.app import create_app
from project.config import PROJECT_ROOT
from project.mail import MailError, make_message, send

OUTSIDER = {"REMOTE_ADDR": "203.0.113.7"}


def value(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture
def routed_app(app):
    """The test app with a parametrised route, a failing one and one that reads the gauges."""

    @app.route("/items/<int:item_id>")
    def item(item_id):
        return {"in_flight": metrics.HTTP_IN_FLIGHT._value.get()}

    @app.route("/explode")
    def explode():
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    return app


def test_requests_are_counted_by_url_rule_not_raw_path(routed_app):
    client = routed_app.test_client()
    labels = {"method": "GET", "route": "/items/<int:item_id>", "status": "200"}
    before = value("http_requests_total", **labels)
    client.get("/items/1")
    client.get("/items/2")
    assert value("http_requests_total", **labels) == before + 2
    assert b"/items/1" not in client.get("/metrics").data


def test_unmatched_paths_share_one_label(routed_app):
    client = routed_app.test_client()
    labels = {"method": "GET", "route": metrics.UNMATCHED, "status": "404"}
    before = value("http_requests_total", **labels)
    client.get("/wp-admin/probe-1")
    client.get("/.env")
    assert value("http_requests_total", **labels) == before + 2
    assert b"probe-1" not in client.get("/metrics").data


def test_made_up_methods_share_one_label(client):
    labels = {"method": "other", "route": metrics.UNMATCHED, "status": "405"}
    before = value("http_requests_total", **labels)
    client.open("/", method="FOOBAR")
    client.open("/", method="SCAN123")
    assert value("http_requests_total", **labels) == before + 2
    assert b"FOOBAR" not in client.get("/metrics").data


def test_failing_view_counts_as_500_and_healthz_has_its_own_label(routed_app):
    client = routed_app.test_client()
    failed = {"method": "GET", "route": "/explode", "status": "500"}
    health = {"method": "GET", "route": "/healthz", "status": "200"}
    before = value("http_requests_total", **failed), value("http_requests_total", **health)
    assert client.get("/explode").status_code == 500
    assert client.get("/healthz").status_code == 200
    after = value("http_requests_total", **failed), value("http_requests_total", **health)
    assert after == (before[0] + 1, before[1] + 1)


def test_latency_is_observed_per_route_and_in_flight_returns_to_zero(routed_app):
    client = routed_app.test_client()
    before = value("http_request_duration_seconds_count", route="/items/<int:item_id>")
    assert client.get("/items/3").json == {"in_flight": 1.0}
    assert value("http_request_duration_seconds_count", route="/items/<int:item_id>") == before + 1
    assert value("http_requests_in_flight") == 0


def test_each_status_of_a_route_is_its_own_series(routed_app):
    @routed_app.route("/maybe/<int:n>")
    def maybe(n):
        return ("odd", 404) if n % 2 else "even"

    client = routed_app.test_client()
    found = {"method": "GET", "route": "/maybe/<int:n>", "status": "200"}
    missing = {**found, "status": "404"}
    before = value("http_requests_total", **found), value("http_requests_total", **missing)
    for n in (2, 3, 4, 5, 7):
        client.get(f"/maybe/{n}")
    after = value("http_requests_total", **found), value("http_requests_total", **missing)
    assert after == (before[0] + 2, before[1] + 3)


def test_a_request_refused_by_a_hook_keeps_its_url_rule(routed_app):
    @routed_app.before_request
    def refuse():
        if request.path.startswith("/items/"):
            abort(403)

    client = routed_app.test_client()
    labels = {"method": "GET", "route": "/items/<int:item_id>", "status": "403"}
    before = value("http_requests_total", **labels)
    assert client.get("/items/9").status_code == 403
    assert value("http_requests_total", **labels) == before + 1
    assert value("http_request_duration_seconds_count", route="/items/<int:item_id>") > 0


def all_requests() -> float:
    return sum(s.value for m in REGISTRY.collect() if m.name == "http_requests" for s in m.samples)


def test_pool_connections_in_use_are_published_at_checkout_and_return(app):
    from project.extensions import db

    @app.route("/query")
    def query():
        db.execute_sql("SELECT 1").fetchone()
        return {"in_use": value("app_db_pool_connections_in_use")}

    assert app.test_client().get("/query").json == {"in_use": 1.0}
    assert value("app_db_pool_connections_in_use") == 0


def test_scrapes_are_not_counted(client):
    before = all_requests()
    client.get("/metrics")
    client.get("/metrics", environ_base=OUTSIDER)
    assert all_requests() == before


@pytest.mark.parametrize("peer", ["127.0.0.1", "127.0.0.2", "::1", "::ffff:127.0.0.1"])
def test_loopback_peers_may_scrape(client, peer):
    response = client.get("/metrics", environ_base={"REMOTE_ADDR": peer})
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain; version=")
    assert b"# TYPE http_requests_total counter" in response.data
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize("peer", ["203.0.113.7", "10.0.0.5", "::ffff:10.0.0.5", "", "garbage"])
def test_other_peers_get_404_without_a_token(client, peer):
    response = client.get("/metrics", environ_base={"REMOTE_ADDR": peer})
    assert response.status_code == 404
    assert b"http_requests_total" not in response.data


def test_a_request_through_the_proxy_is_not_loopback(client):
    """nginx connects from 127.0.0.1: its forwarding header must not open /metrics."""
    for header in ("X-Forwarded-For", "Forwarded", "X-Real-IP"):
        response = client.get("/metrics", headers={header: "203.0.113.7"})
        assert response.status_code == 404, header


def test_the_token_opens_metrics_to_any_peer(app):
    tokened = create_app("test", overrides={"METRICS_TOKEN": "s3cret-scrape-token"})
    client = tokened.test_client()
    right = {"Authorization": "Bearer s3cret-scrape-token"}
    assert client.get("/metrics", headers=right, environ_base=OUTSIDER).status_code == 200
    for wrong in ("Bearer s3cret-scrape-toke", "Bearer ", "Basic s3cret-scrape-token", ""):
        response = client.get("/metrics", headers={"Authorization": wrong}, environ_base=OUTSIDER)
        assert response.status_code == 404, wrong


def test_metrics_allows_get_and_head_only(client):
    assert client.head("/metrics").status_code == 200
    response = client.post("/metrics")
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, HEAD"


def test_build_info_names_version_commit_and_config(client):
    text = client.get("/metrics").data.decode()
    line = next(row for row in text.splitlines() if row.startswith("app_build_info{"))
    assert 'config="test"' in line and 'version="0.1.0"' in line and 'commit="' in line


def test_login_failures_and_throttled_logins_are_counted(app, auth):
    app.config.update(LOGIN_THROTTLE_PER_ACCOUNT=2, LOGIN_THROTTLE_PER_ADDRESS=50)
    auth.create_user()
    failures, throttled = value("app_login_failures_total"), value("app_login_throttled_total")
    assert auth.login(password="wrong-password-1").status_code == 200
    assert auth.login(password="wrong-password-2").status_code == 200
    assert auth.login(password="wrong-password-3").status_code == 429
    assert value("app_login_failures_total") == failures + 2
    assert value("app_login_throttled_total") == throttled + 1


def test_mails_sent_and_failed_are_counted(mail_app, smtp):
    sent, failed = value("app_mails_sent_total"), value("app_mails_failed_total")
    with mail_app.test_request_context():
        send(make_message("ann@example.com", "hi", "mail/confirm_email.txt", link="x"))
        mail_app.config["MAIL_PORT"] = 1  # nothing listens there
        with pytest.raises(MailError):
            send(make_message("ann@example.com", "hi", "mail/confirm_email.txt", link="x"))
    assert value("app_mails_sent_total") == sent + 1
    assert value("app_mails_failed_total") == failed + 1


def test_job_helpers_count_per_task():
    before = value("app_jobs_enqueued_total", task="send_mail")
    metrics.job_enqueued("send_mail")
    metrics.job_succeeded("send_mail")
    metrics.job_failed("send_mail")
    metrics.job_retried("send_mail")
    metrics.set_queue_depth(7)
    assert value("app_jobs_enqueued_total", task="send_mail") == before + 1
    for name in ("succeeded", "failed", "retried"):
        assert value(f"app_jobs_{name}_total", task="send_mail") >= 1
    assert value("app_jobs_queue_depth") == 7


def test_worker_abort_hook_logs_and_counts_the_request_being_killed(app):
    class Worker:
        class cfg:
            timeout = 30

    @app.route("/slow/<name>")
    def slow(name):
        for hook in app.extensions["gunicorn_hooks"]["worker_abort"]:
            hook(Worker)
        return "done"

    before = value("http_request_timeouts_total", route="/slow/<name>")
    response = app.test_client().get("/slow/report")
    request_id = response.headers["X-Request-ID"]
    line = next(row for row in app_log_text(app).splitlines() if "worker timeout" in row)
    assert request_id in line and "GET /slow/report" in line and "30 s" in line
    assert value("http_request_timeouts_total", route="/slow/<name>") == before + 1


MULTIPROCESS_SCRIPT = textwrap.dedent(
    """
    import sys
    from project import metrics
    from prometheus_client.multiprocess import mark_process_dead
    if sys.argv[1] == "count":
        metrics.HTTP_REQUESTS.labels("GET", "/", "200").inc(int(sys.argv[2]))
        metrics.worker_started()
    elif sys.argv[1] == "dead":
        mark_process_dead(int(sys.argv[2]))
    else:
        sys.stdout.write(metrics.exposition()[0].decode())
    """
)


def test_multiprocess_mode_adds_up_every_process_and_forgets_dead_ones(tmp_path):
    """What a scrape of one gunicorn worker sees: the sum over all of them."""
    env = {**os.environ, metrics.MULTIPROC_ENV: str(tmp_path)}

    def run(*args):
        command = [sys.executable, "-W", "error", "-c", MULTIPROCESS_SCRIPT, *args]
        return subprocess.run(
            command, env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
        )

    first = subprocess.Popen(
        [sys.executable, "-c", MULTIPROCESS_SCRIPT, "count", "3"], env=env, cwd=PROJECT_ROOT
    )
    first.wait()
    run("count", "4")
    text = run("show").stdout
    assert 'http_requests_total{method="GET",route="/",status="200"} 7.0' in text
    assert "app_workers_alive 2.0" in text
    run("dead", str(first.pid))
    text = run("show").stdout
    assert 'http_requests_total{method="GET",route="/",status="200"} 7.0' in text
    assert "app_workers_alive 1.0" in text
