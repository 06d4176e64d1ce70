"""Prepared queries give the rows the peewee query would, and build their SQL only once."""

from datetime import timedelta

from project.api import bearer_tokens
from project.auth import loader, throttle
from project.models import User, utcnow
from project.prepared import Prepared


def test_user_lookup_matches_the_plain_query(app, user):
    with app.app_context():
        found = loader.load_user(user.session_token)
        assert found.id == user.id and found.email == user.email
        assert found.created_at == User.get_by_id(user.id).created_at
        assert loader.load_user("not-a-token") is None
        User.update(active=False).where(User.id == user.id).execute()
        assert loader.load_user(user.session_token) is None


def test_token_lookup_joins_the_user_and_checks_expiry(app, user):
    with app.app_context():
        secret, token = bearer_tokens.issue_token(user, ttl_seconds=60)
        found = bearer_tokens.find_live_token(secret)
        assert found.id == token.id and found.user.email == user.email
        bearer_tokens.revoke(token)
        assert bearer_tokens.find_live_token(secret) is None
        expired, _ = bearer_tokens.issue_token(user, ttl_seconds=-1)
        assert bearer_tokens.find_live_token(expired) is None


def test_throttle_row_is_the_limit_th_latest_failure(app):
    with app.app_context():
        for _ in range(3):
            throttle.record_failure("x@example.com", "10.0.0.1")
        since = utcnow() - timedelta(minutes=1)
        rows = throttle.LIMITING.rows(scope="address", key="10.0.0.1", since=since, skip=2)
        assert len(rows) == 1
        assert throttle.LIMITING.first(scope="address", key="10.0.0.1", since=since, skip=3) is None


def test_sql_is_built_once(app, user):
    builds = []

    def build(token):
        builds.append(token)
        return loader.user_by_session_token(token)

    query = Prepared(build, token=User.session_token)
    with app.app_context():
        assert query.first(token=user.session_token).id == user.id
        assert query.first(token=user.session_token).id == user.id
    assert len(builds) == 1
