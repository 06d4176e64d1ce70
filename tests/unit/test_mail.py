"""project/mail.py: the mail folder without a server, SMTP with one, failures, settings."""

import email
import email.policy

import pytest
from flask import g

from devkit.mail import body
from devkit.net import free_port
from devkit.polling import wait_until
from devkit.testapp import app_log_text
from project.app import create_app, mail
from project.config import ConfigError, load_config


def message(to="ann@example.com", subject="Hello"):
    return mail.EmailMessage(subject=subject, body="Hi there", to=[to])


def test_without_a_server_each_message_is_one_eml_file(app):
    with app.test_request_context():
        mail.send(mail.make_message("ann@example.com", "One", "mail/confirm_email.txt", link="x"))
        mail.send(mail.make_message("bob@example.com", "Two", "mail/confirm_email.txt", link="y"))
        folder = mail.mail_dir()
    files = sorted(folder.iterdir())
    assert [f.suffix for f in files] == [".eml", ".eml"]  # nothing half written is left
    parsed = [email.message_from_bytes(f.read_bytes(), policy=email.policy.default) for f in files]
    assert {(m["To"], m["Subject"]) for m in parsed} == {
        ("ann@example.com", "One"),
        ("bob@example.com", "Two"),
    }
    assert parsed[0]["From"] == "Project <noreply@localhost>"


def test_dev_and_embedded_default_write_to_var_mail(tmp_path, monkeypatch):
    monkeypatch.setenv("APP_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("APP_MAIL_SERVER", raising=False)
    for name in ("dev", "prod"):
        settings = load_config(
            name, environ={"APP_SECRET_KEY": "k" * 40, "APP_PUBLIC_URL": "https://example.com"}
        )
        assert settings["MAIL_SERVER"] == ""
    app = create_app("test", overrides={"DATABASE_URL": "sqlite://"})
    with app.app_context():
        assert mail.mail_dir() == tmp_path / "mail"
        assert isinstance(mail.connection(), mail.FolderBackend)


def test_smtp_server_receives_the_message(mail_app, smtp):
    with mail_app.app_context():
        mail.send(message(subject="Über"))
    received = smtp.inbox.wait_for(1)[0]
    assert received["To"] == "ann@example.com" and received["Subject"] == "Über"
    assert received["From"] == "Project <noreply@localhost>"
    assert body(received).strip() == "Hi there"


def test_mail_settings_come_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("APP_VAR_DIR", str(tmp_path))
    environ = {
        "APP_MAIL_SERVER": "smtp.example.com",
        "APP_MAIL_PORT": "587",
        "APP_MAIL_USE_TLS": "true",
        "APP_MAIL_USERNAME": "apikey",
        "APP_MAIL_PASSWORD": "s3cret",
        "APP_MAIL_DEFAULT_SENDER": "Shop <shop@example.com>",
        "APP_MAIL_TIMEOUT": "3",
    }
    settings = load_config("test", environ=environ)
    assert settings["MAIL_PORT"] == 587 and settings["MAIL_USE_TLS"] is True
    assert settings["MAIL_TIMEOUT"] == 3 and settings["MAIL_DEFAULT_SENDER"].startswith("Shop")
    app = create_app("test", overrides={**settings, "DATABASE_URL": "sqlite://"})
    with app.app_context():
        backend = mail.connection()
    assert (backend.host, backend.port, backend.use_tls, backend.timeout) == (
        "smtp.example.com",
        587,
        True,
        3,
    )
    assert (backend.username, backend.password) == ("apikey", "s3cret")


def test_tls_and_ssl_together_is_a_config_error(tmp_path, monkeypatch):
    monkeypatch.setenv("APP_VAR_DIR", str(tmp_path))
    with pytest.raises(ConfigError, match="only one of APP_MAIL_USE_TLS"):
        create_app("test", overrides={"MAIL_USE_TLS": True, "MAIL_USE_SSL": True})


def test_server_down_raises_mail_error_logged_with_the_request_id(app):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())  # nothing listens
    with app.test_request_context():
        g.request_id = "req-down-1"
        with pytest.raises(mail.MailError, match="could not be reached"):
            mail.send(message(subject="Lost"))
    log = app_log_text(app)
    assert "[req-down-1]" in log and "mail 'Lost' to ann@example.com not sent" in log
    assert "ConnectionRefusedError" in log


def test_queued_send_failure_is_logged_with_the_request_id(app):
    """In the tests' immediate mode the job runs in the request: its failure is logged there."""
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    with app.test_request_context():
        g.request_id = "req-bg-2"
        mail.send_later(message(subject="Later"))  # no exception: the job retries later
    lines = app_log_text(app).splitlines()
    line = next(x for x in lines if "'Later'" in x)
    assert "ERROR [req-bg-2]" in line
    retry = next(x for x in lines if "job deliver" in x)
    assert "WARNING [req-bg-2]" in retry and "4 tries left" in retry


def test_queued_send_delivers(mail_app, smtp):
    with mail_app.test_request_context():
        mail.send_later(message(subject="Async"))
    assert smtp.inbox.wait_for(1)[0]["Subject"] == "Async"


def test_mail_folder_survives_a_concurrent_reader(app):
    """Files appear whole: a poller never sees a partial .eml (written, then renamed)."""
    with app.test_request_context():
        folder = mail.mail_dir()
        folder.mkdir(parents=True)
        path = mail.write_eml(folder, b"Subject: x\r\n\r\nbody\r\n")
    wait_until(path.exists)
    assert [p.name for p in folder.iterdir()] == [path.name]
