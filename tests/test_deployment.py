"""What a deployment relies on: the health check and a docker-compose file that holds together."""

from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[1]


def test_the_health_check_answers_ok_when_the_database_does(client, db):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_the_health_check_answers_503_when_the_database_does_not(client, db, monkeypatch):
    from django.db import OperationalError, connection

    def broken_cursor(*args, **kwargs):
        raise OperationalError("the database is down")

    with monkeypatch.context() as patched:  # undone before the test database is cleaned up
        patched.setattr(connection, "cursor", broken_cursor)
        response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json()["status"] == "error"


def test_the_compose_file_runs_the_site_with_postgresql_and_redis_and_health_checks():
    yaml = pytest.importorskip("yaml", reason="PyYAML parses docker-compose.yml")
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) >= {"db", "web", "redis"}
    for name in ("db", "web", "redis"):
        assert "healthcheck" in services[name], name
    web = services["web"]
    assert web["depends_on"]["db"]["condition"] == "service_healthy"
    for variable in ("DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL", "EMAIL_HOST", "REDIS_URL"):
        assert variable in web["environment"], variable
    assert "/healthz/" in " ".join(web["healthcheck"]["test"])
    # Emails are queued in the database, and a worker with the site's settings sends them.
    assert web["environment"]["TASK_WORKER"] == "1"
    worker = services["worker"]
    assert worker["command"] == ["python", "manage.py", "db_worker"]
    assert worker["environment"] == web["environment"]
    assert worker["depends_on"]["web"]["condition"] == "service_healthy"
    # The container runs bin/start-web, the same command CI runs against PostgreSQL.
    assert 'CMD ["bin/start-web"]' in (ROOT / "Dockerfile").read_text()
