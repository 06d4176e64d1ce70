"""The reference: the cheapest WSGI app there is, served by the bundle's own gunicorn config."""


def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"ok"]
