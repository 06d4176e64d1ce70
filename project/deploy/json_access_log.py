"""gunicorn logger class writing the access log as one JSON object per line (APP_LOG_FORMAT=json).

gunicorn's own format strings cannot escape quotes inside the request line; json.dumps can.
Tokens of mailed links are masked as in the text format (access_log.MaskingLogger).
"""

from __future__ import annotations

import json

from .access_log import MaskingLogger


class JsonLogger(MaskingLogger):
    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        atoms = self.atoms(resp, req, environ, request_time)
        entry = {
            "time": atoms["t"].strip("[]"),
            "client": atoms["h"],
            "request_id": request_id(resp.headers),
            "method": atoms["m"],
            "path": atoms["U"],
            "query": atoms["q"],
            "status": int(atoms["s"]),
            "bytes": atoms["B"] or 0,
            "duration_us": atoms["D"],
            "referer": atoms["f"],
            "user_agent": atoms["a"],
        }
        self.access_log.info(json.dumps(entry))


def request_id(headers: list[tuple[str, str]]) -> str:
    return next((value for name, value in headers if name.lower() == "x-request-id"), "-")
