"""The metrics layer's own work per request, timed in-process: `MetricsMiddleware` around an
app that does nothing, against that app alone, in multiprocess mode as under gunicorn.

Run as `python -m benchmarks.metrics_layer` with PROMETHEUS_MULTIPROC_DIR set (the metrics
module picks its mode at import); prints microseconds per request as JSON.
"""

from __future__ import annotations

import json
import time

from project.metrics_wsgi import ROUTE_KEY, MetricsMiddleware

CALLS = 20000


def null_app(environ, start_response):
    environ[ROUTE_KEY] = "/"  # what RoutedRequest leaves for a matched rule
    start_response("200 OK", [])
    return [b""]


def per_call(app, calls: int = CALLS) -> float:
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/"}
    start = time.process_time()
    for _ in range(calls):
        app(dict(environ), lambda status, headers, exc_info=None: None)
    return (time.process_time() - start) / calls * 1e6


def main() -> None:
    wrapped = MetricsMiddleware(null_app)
    per_call(wrapped, 1000)  # first calls create the label children and the files
    bare = min(per_call(null_app) for _ in range(3))
    layered = min(per_call(wrapped) for _ in range(3))
    print(json.dumps({"layer_us": round(layered - bare, 2)}))


if __name__ == "__main__":
    main()
