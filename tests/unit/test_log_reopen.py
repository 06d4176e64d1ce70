"""USR1 in a gunicorn worker (the log rotator's) while the app is writing its own log line.

gunicorn's worker reopens log files straight from its signal handler, in the thread that was
handling the request. Its own `reopen_files` reopened every `logging.FileHandler` in the
process, the app log's too: arriving while that thread was inside the app log's handler, it
closed the file under it and the request failed with a 500 (seen in the rotation-under-load
test, about one run in twenty). The signal is simulated at the worst moment: from inside the
app handler, as it closes the file the rotator renamed.
"""

from __future__ import annotations

import contextlib
import logging
import logging.handlers

import pytest
from gunicorn import glogging
from gunicorn.config import Config

from project.deploy.access_log import MaskingLogger
from project.deploy.json_access_log import JsonLogger


@pytest.fixture
def gunicorn_logger(tmp_path):
    made = []

    def make(cls):
        cfg = Config()
        cfg.set("errorlog", str(tmp_path / "error.log"))
        cfg.set("accesslog", str(tmp_path / "access.log"))
        made.append(cls(cfg))
        return made[-1]

    yield make
    for log in made:  # gunicorn's two loggers are the process's: leave them bare
        for logger in (log.error_log, log.access_log):
            for handler in list(logger.handlers):
                logger.removeHandler(handler)
                handler.close()


class SignalWhileClosing:
    """The app log's stream: USR1 arrives as the handler closes it (once)."""

    def __init__(self, stream, on_close):
        self.stream, self.on_close = stream, on_close

    def close(self):
        self.stream.close()
        on_close, self.on_close = self.on_close, None
        if on_close:
            on_close()

    def __getattr__(self, name):
        return getattr(self.stream, name)


def app_logger(tmp_path):
    logger = logging.getLogger(f"reopen-test-{tmp_path.name}")
    logger.propagate = False
    handler = logging.handlers.WatchedFileHandler(tmp_path / "app.log", encoding="utf-8")
    logger.addHandler(handler)
    return logger, handler


def log_during_reopen(gunicorn_log, tmp_path) -> None:
    logger, handler = app_logger(tmp_path)
    try:
        logger.warning("before the rotation")
        (tmp_path / "app.log").rename(tmp_path / "app.log.1")  # what the rotator does
        handler.stream = SignalWhileClosing(handler.stream, gunicorn_log.reopen_files)
        logger.warning("after the rotation")
    finally:
        logger.removeHandler(handler)
        with contextlib.suppress(ValueError):  # gunicorn's own class left it half closed
            handler.close()


@pytest.mark.parametrize("cls", [MaskingLogger, JsonLogger])
def test_usr1_inside_the_app_log_handler_does_not_fail_the_request(cls, gunicorn_logger, tmp_path):
    log_during_reopen(gunicorn_logger(cls), tmp_path)
    assert (tmp_path / "app.log.1").read_text() == "before the rotation\n"
    assert (tmp_path / "app.log").read_text() == "after the rotation\n"


def test_gunicorns_own_reopen_fails_there(gunicorn_logger, tmp_path):
    """The bug this guards against, shown on gunicorn's own logger class."""
    with pytest.raises(ValueError, match="closed file"):
        log_during_reopen(gunicorn_logger(glogging.Logger), tmp_path)


@pytest.mark.parametrize("cls", [MaskingLogger, JsonLogger])
def test_gunicorns_own_logs_follow_the_rotation(cls, gunicorn_logger, tmp_path):
    log = gunicorn_logger(cls)
    log.error("before")
    for name in ("error.log", "access.log"):
        (tmp_path / name).rename(tmp_path / f"{name}.1")
    log.reopen_files()  # USR1, as the rotator sends it
    log.error("after")
    log.access_log.info("an access line")
    assert "before" in (tmp_path / "error.log.1").read_text()
    assert "after" not in (tmp_path / "error.log.1").read_text()
    assert "after" in (tmp_path / "error.log").read_text()
    assert (tmp_path / "access.log").read_text() == "an access line\n"


@pytest.mark.parametrize("cls", [MaskingLogger, JsonLogger])
def test_usr1_inside_gunicorns_access_handler_loses_no_line(cls, gunicorn_logger, tmp_path):
    log = gunicorn_logger(cls)
    path = str(tmp_path / "access.log")
    [handler] = [h for h in log.access_log.handlers if getattr(h, "baseFilename", "") == path]
    log.access_log.info("first")
    (tmp_path / "access.log").rename(tmp_path / "access.log.1")
    handler.stream = SignalWhileClosing(handler.stream, log.reopen_files)
    log.access_log.info("second")
    assert (tmp_path / "access.log.1").read_text() == "first\n"
    assert (tmp_path / "access.log").read_text() == "second\n"
