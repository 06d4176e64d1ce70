from project.extensions import db


def test_home_page_renders(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"<h1>" in response.data


def test_healthz_ok_when_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_healthz_503_when_database_fails(app, client, monkeypatch):
    import peewee

    def broken(*args, **kwargs):
        raise peewee.OperationalError("database is down")

    monkeypatch.setattr(db.obj, "execute_sql", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "unavailable"
