"""gunicorn logger class that keeps the secrets of mailed links out of the access log, and
whose log files reopen by themselves after the rotator renamed them (no work in a signal).

Reset and confirmation links carry their token in the path (`/auth/reset/<token>`), and so
does the Referer of every request the page makes: logged in full, a log reader could reset a
password within the hour. Every logged value (request line, path, referer, headers) passes
through `mask_tokens`. The gunicorn master imports this module: it must not import app code.
"""

from __future__ import annotations

import logging
import logging.handlers
import re

from gunicorn import glogging

# The routes in project/auth/email_views.py whose last segment is a token; `resend` is a
# fixed route, not a token. tests/unit/test_access_log.py checks every <token> route matches.
TOKEN_PATH = re.compile(r"(/auth/(?:reset|confirm)/)(?!resend(?:[/?#\s\"]|$))[^/?#\s\"]+")
MASK = r"\1[token]"


def mask_tokens(text: str) -> str:
    return TOKEN_PATH.sub(MASK, text)


class MaskingLogger(glogging.Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {k: mask_tokens(v) if isinstance(v, str) else v for k, v in atoms.items()}

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            log.handlers = [watched(handler) for handler in log.handlers]

    def reopen_files(self):
        """USR1 (the log rotator's): nothing to do, every log file reopens by itself.

        gunicorn's own version reopens every `logging.FileHandler` in the process, and a worker
        runs it from its signal handler, in the thread that is handling a request. Arriving
        while that thread was inside a handler, it closed the file under it: inside the app
        log's, the request failed with a 500; inside the access log's, its line was lost."""


def watched(handler: logging.Handler) -> logging.Handler:
    """gunicorn's plain FileHandler as a WatchedFileHandler: before each line it checks the
    path (one stat) and reopens once the rotator renamed the file, as the app log does."""
    if type(handler) is not logging.FileHandler:  # stderr, syslog: nothing to reopen
        return handler
    replacement = logging.handlers.WatchedFileHandler(
        handler.baseFilename, encoding=handler.encoding
    )
    replacement.setFormatter(handler.formatter)
    replacement.setLevel(handler.level)
    replacement._gunicorn = True  # gunicorn's mark: a config reload replaces its own handlers
    handler.close()
    return replacement
