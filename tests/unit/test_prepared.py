"""Prepared queries give the rows the peewee query would, and build their SQL only once."""

from project.api import bearer_tokens
from project.models import User
from project.prepared import Prepared


def test_token_lookup_joins_the_user_and_checks_expiry(app, user):
    with app.app_context():
        secret, token = bearer_tokens.issue_token(user, ttl_seconds=60)
        found = bearer_tokens.find_live_token(secret)
        assert found.id == token.id and found.user.email == user.email
        bearer_tokens.revoke(token)
        assert bearer_tokens.find_live_token(secret) is None
        expired, _ = bearer_tokens.issue_token(user, ttl_seconds=-1)
        assert bearer_tokens.find_live_token(expired) is None


def test_sql_is_built_once(app, user):
    builds = []

    def build(email):
        builds.append(email)
        return User.select().where((User.email == email) & (User.active == True)).limit(1)  # noqa: E712

    query = Prepared(build, email=User.email)
    with app.app_context():
        assert query.first(email=user.email).id == user.id
        assert query.first(email=user.email).created_at == User.get_by_id(user.id).created_at
        assert query.first(email="nobody@example.com") is None
    assert len(builds) == 1
