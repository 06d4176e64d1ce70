"""STARTTLS and implicit TLS verify the mail server (F-07): a real aiosmtpd server on a
certificate this test makes, self-signed (refused) or signed by a test CA (trusted via
MAIL_CA_FILE: works; for another host name: refused)."""

from __future__ import annotations

import ssl

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from devkit.mail import Inbox
from devkit.net import free_port
from devkit.tls import certificate, new_key, write_pair
from project import mail
from project.app import create_app
from project.config import ConfigError

PASSWORD = "smtp-s3cret"


@pytest.fixture
def pki(tmp_path):
    """A test CA; server certificates CA-signed, self-signed, and CA-signed for another name."""
    ca_key = new_key()
    ca = certificate("Test CA", ca_key, "Test CA", ca_key, ca=True)
    files = {"ca": write_pair(tmp_path, "ca", ca, ca_key)[0]}
    local = ("localhost", "127.0.0.1")
    key = new_key()
    signed = certificate("localhost", key, "Test CA", ca_key, ca=False, hosts=local)
    files["signed"] = write_pair(tmp_path, "signed", signed, key)
    key = new_key()
    impostor = "attacker.invalid"
    selfsigned = certificate(impostor, key, impostor, key, ca=False, hosts=local)
    files["self-signed"] = write_pair(tmp_path, "self-signed", selfsigned, key)
    key = new_key()
    other = certificate("other", key, "Test CA", ca_key, ca=False, hosts=("other.example",))
    files["other-name"] = write_pair(tmp_path, "other-name", other, key)
    return files


class Recorder(Inbox):
    """Keeps messages and every credential a client sent (what an impostor would collect)."""

    def __init__(self):
        super().__init__()
        self.credentials = []

    def __call__(self, server, session, envelope, mechanism, auth_data):
        self.credentials.append((auth_data.login, auth_data.password))
        return AuthResult(success=True)


@pytest.fixture
def tls_smtp(pki):
    """start(which, implicit=False) -> (port, recorder): a server on one of the certificates."""
    controllers = []

    def start(which: str, implicit: bool = False):
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*pki[which])
        recorder = Recorder()
        if implicit:  # TLS from the first byte; aiosmtpd then counts the session as plain
            options = {"ssl_context": context, "auth_require_tls": False}
        else:
            options = {"tls_context": context, "require_starttls": True}
        controller = Controller(
            recorder, hostname="127.0.0.1", port=free_port(), authenticator=recorder, **options
        )
        controller.start()
        controllers.append(controller)
        return controller.port, recorder

    yield start
    for controller in controllers:
        controller.stop()


def send_through(app, port: int, **config) -> None:
    app.config.update(
        MAIL_SERVER="localhost",
        MAIL_PORT=port,
        MAIL_USERNAME="noreply@corp.example",
        MAIL_PASSWORD=PASSWORD,
        **config,
    )
    with app.test_request_context():
        mail.send(mail.EmailMessage(subject="Reset", body="link", to=["ann@example.com"]))


def test_starttls_to_a_self_signed_server_is_refused_before_the_password(app, tls_smtp, pki):
    port, impostor = tls_smtp("self-signed")
    with pytest.raises(mail.MailError):
        send_through(app, port, MAIL_USE_TLS=True)
    assert impostor.credentials == [] and impostor.messages == []
    # Trusting our own CA does not make an unknown self-signed certificate acceptable either.
    with pytest.raises(mail.MailError):
        send_through(app, port, MAIL_USE_TLS=True, MAIL_CA_FILE=pki["ca"])
    assert impostor.credentials == []


def test_starttls_to_a_server_signed_by_the_trusted_ca_delivers(app, tls_smtp, pki):
    port, relay = tls_smtp("signed")
    send_through(app, port, MAIL_USE_TLS=True, MAIL_CA_FILE=pki["ca"])
    assert relay.credentials == [(b"noreply@corp.example", PASSWORD.encode())]
    assert relay.wait_for(1)[0]["Subject"] == "Reset"


def test_starttls_without_the_ca_file_uses_the_system_cas_and_refuses_the_test_ca(app, tls_smtp):
    port, relay = tls_smtp("signed")
    with pytest.raises(mail.MailError):
        send_through(app, port, MAIL_USE_TLS=True)
    assert relay.credentials == []


def test_starttls_checks_the_host_name(app, tls_smtp, pki):
    port, relay = tls_smtp("other-name")  # valid chain, issued for other.example
    with pytest.raises(mail.MailError):
        send_through(app, port, MAIL_USE_TLS=True, MAIL_CA_FILE=pki["ca"])
    assert relay.credentials == []


def test_implicit_tls_uses_the_same_verification(app, tls_smtp, pki):
    port, impostor = tls_smtp("self-signed", implicit=True)
    with pytest.raises(mail.MailError):
        send_through(app, port, MAIL_USE_SSL=True, MAIL_CA_FILE=pki["ca"])
    assert impostor.credentials == []
    port, relay = tls_smtp("signed", implicit=True)
    send_through(app, port, MAIL_USE_SSL=True, MAIL_CA_FILE=pki["ca"])
    assert relay.wait_for(1)[0]["Subject"] == "Reset"


def test_a_missing_ca_file_is_a_config_error(tmp_path):
    environ = {"APP_VAR_DIR": str(tmp_path), "APP_MAIL_CA_FILE": str(tmp_path / "no.pem")}
    with pytest.raises(ConfigError, match="APP_MAIL_CA_FILE"):
        create_app("test", environ=environ, overrides={"DATABASE_URL": "sqlite://"})
