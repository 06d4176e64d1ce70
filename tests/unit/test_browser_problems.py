"""The browser tests' problem watcher: a cancelled load is not a failure, anything else is."""

from types import SimpleNamespace

from devkit.browser import note_failed_request


def failed(failure: str) -> list:
    problems = []
    request = SimpleNamespace(url="http://x/static/favicon.svg", failure=failure)
    note_failed_request(request, problems)
    return problems


def test_a_load_cancelled_by_navigating_away_is_not_a_problem():
    assert failed("net::ERR_ABORTED") == []


def test_a_refused_connection_is_a_problem_with_its_reason():
    assert failed("net::ERR_CONNECTION_REFUSED") == [
        "failed (net::ERR_CONNECTION_REFUSED): http://x/static/favicon.svg"
    ]
