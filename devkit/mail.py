"""A real SMTP server in the test process (aiosmtpd), and helpers to read what it received."""

from __future__ import annotations

import contextlib
import email
import email.policy
import re
import threading
from urllib.parse import urlsplit

from aiosmtpd.controller import Controller

from .net import free_port
from .polling import wait_until

LINK = re.compile(r"https?://\S+")


class Inbox:
    """aiosmtpd handler keeping every message it accepts, parsed."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def wait_for(self, count: int = 1, timeout: float = 10.0) -> list:
        """The first `count` messages, waiting for mail sent from a thread to arrive."""
        wait_until(lambda: len(self.messages) >= count, timeout=timeout)
        return self.messages[:count]

    def last(self) -> email.message.EmailMessage:
        return self.wait_for(len(self.messages) or 1)[-1]


@contextlib.contextmanager
def smtp_server():
    """A running SMTP server on 127.0.0.1 and a free port: `.port`, `.inbox`."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    controller.inbox = inbox
    try:
        yield controller
    finally:
        controller.stop()


def body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def link_path(message) -> str:
    """Path of the one link in the message, for the test client."""
    links = LINK.findall(body(message))
    assert len(links) == 1, links
    return urlsplit(links[0]).path
