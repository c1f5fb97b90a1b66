"""docket.settings: safe defaults, and loud failures for anything malformed or missing."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from docket.settings import envbool, envint, envlist

REPO_ROOT = Path(__file__).resolve().parents[1]
# Variables the settings module reads; a subprocess starts without any of them unless a test sets it.
SETTINGS_VARIABLES = {
    "SECRET_KEY", "DEBUG", "DATABASE_URL", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD", "EMAIL_USE_TLS", "REDIS_URL", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS",
    "CONN_MAX_AGE", "SITE_URL", "DEFAULT_FROM_EMAIL", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS", "LOG_LEVEL", "DJANGO_SETTINGS_MODULE",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "DJANGO_ALLOW_ASYNC_UNSAFE",
    "TRUSTED_PROXY_COUNT", "PAGE_CACHE_SECONDS", "HOLD_FIRST_COMMENTS", "API_RATE", "TASK_WORKER",
    "DATABASE_PREPARED_STATEMENTS",
}  # fmt: skip

REPORT = """
import json
import django
from django.conf import settings
django.setup()
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "mailer": settings.MAILERS["default"]["BACKEND"],
    "mailer_options": settings.MAILERS["default"].get("OPTIONS", {}),
    "engine": settings.DATABASES["default"]["ENGINE"],
    "cache": settings.CACHES["default"]["BACKEND"],
    "page_cache_seconds": settings.PAGE_CACHE_SECONDS,
    "session_engine": settings.SESSION_ENGINE,
    "tasks": settings.TASKS["default"]["BACKEND"],
    "database_options": settings.DATABASES["default"].get("OPTIONS", {}),
}))
"""


def start_settings(**env: str) -> subprocess.CompletedProcess:
    """Import docket.settings in a fresh interpreter with only the given settings variables."""
    clean = {name: value for name, value in os.environ.items() if name not in SETTINGS_VARIABLES}
    clean |= {"DJANGO_SETTINGS_MODULE": "docket.settings", "DOCKET_NO_DOTENV": "1", **env}
    return subprocess.run(
        [sys.executable, "-c", REPORT], cwd=REPO_ROOT, env=clean, capture_output=True, text=True, timeout=60
    )


def settings_with(**env: str) -> dict:
    result = start_settings(**env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


# envbool


@pytest.mark.parametrize("value", ["1", "true", "True", "YES", "on", " on "])
def test_envbool_reads_true_words(monkeypatch, value):
    monkeypatch.setenv("DOCKET_TEST_FLAG", value)
    assert envbool("DOCKET_TEST_FLAG", False) is True


@pytest.mark.parametrize("value", ["0", "false", "No", "OFF", ""])
def test_envbool_reads_false_words(monkeypatch, value):
    monkeypatch.setenv("DOCKET_TEST_FLAG", value)
    assert envbool("DOCKET_TEST_FLAG", True) is False


@pytest.mark.parametrize("value", ["maybe", "2", "y", "enabled", "tru"])
def test_envbool_refuses_a_malformed_value(monkeypatch, value):
    monkeypatch.setenv("DOCKET_TEST_FLAG", value)
    with pytest.raises(ImproperlyConfigured, match="DOCKET_TEST_FLAG"):
        envbool("DOCKET_TEST_FLAG", False)


def test_envbool_returns_the_default_when_unset(monkeypatch):
    monkeypatch.delenv("DOCKET_TEST_FLAG", raising=False)
    assert envbool("DOCKET_TEST_FLAG", True) is True
    assert envbool("DOCKET_TEST_FLAG", False) is False


# envint


def test_envint_reads_an_integer(monkeypatch):
    monkeypatch.setenv("DOCKET_TEST_NUMBER", "3600")
    assert envint("DOCKET_TEST_NUMBER", 0) == 3600


@pytest.mark.parametrize("value", ["ten", "1.5", "60s", "0x10"])
def test_envint_refuses_a_malformed_value(monkeypatch, value):
    monkeypatch.setenv("DOCKET_TEST_NUMBER", value)
    with pytest.raises(ImproperlyConfigured, match="DOCKET_TEST_NUMBER"):
        envint("DOCKET_TEST_NUMBER", 0)


@pytest.mark.parametrize("value", [None, "", "  "])
def test_envint_returns_the_default_when_unset_or_blank(monkeypatch, value):
    if value is None:
        monkeypatch.delenv("DOCKET_TEST_NUMBER", raising=False)
    else:
        monkeypatch.setenv("DOCKET_TEST_NUMBER", value)
    assert envint("DOCKET_TEST_NUMBER", 587) == 587


# envlist


def test_envlist_splits_on_commas_and_trims_items(monkeypatch):
    monkeypatch.setenv("DOCKET_TEST_LIST", " example.org, www.example.org ,,")
    assert envlist("DOCKET_TEST_LIST", []) == ["example.org", "www.example.org"]


def test_envlist_returns_the_default_when_unset(monkeypatch):
    monkeypatch.delenv("DOCKET_TEST_LIST", raising=False)
    assert envlist("DOCKET_TEST_LIST", ["localhost"]) == ["localhost"]


def test_envlist_refuses_items_separated_by_spaces_instead_of_commas(monkeypatch):
    monkeypatch.setenv("DOCKET_TEST_LIST", "example.org www.example.org")
    with pytest.raises(ImproperlyConfigured, match="DOCKET_TEST_LIST"):
        envlist("DOCKET_TEST_LIST", [])


# The settings module, imported fresh


PRODUCTION = {
    "SECRET_KEY": "a-real-secret",
    "ALLOWED_HOSTS": "docket.example.org",
    "DATABASE_URL": "postgres://docket@db.example:5432/docket",
    "EMAIL_HOST": "smtp.example.org",
    "SITE_URL": "https://docket.example.org",
}


def test_settings_refuse_to_start_without_secret_key_when_debug_is_off():
    result = start_settings()
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_settings_start_with_debug_on_and_no_secret_key():
    assert settings_with(DEBUG="1")["DEBUG"] is True


def test_debug_defaults_to_off():
    assert settings_with(**PRODUCTION)["DEBUG"] is False


@pytest.mark.parametrize("name", ["ALLOWED_HOSTS", "DATABASE_URL", "EMAIL_HOST", "SITE_URL"])
def test_production_refuses_to_start_without_what_it_cannot_guess(name):
    result = start_settings(**{k: v for k, v in PRODUCTION.items() if k != name})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{name} must be set when DEBUG is off" in result.stderr


def test_email_host_console_prints_email_in_production_too():
    report = settings_with(**{**PRODUCTION, "EMAIL_HOST": "console"})
    assert report["mailer"] == "docket.mail.ReadableConsoleBackend"


def test_a_malformed_security_switch_fails_even_with_debug_on():
    result = start_settings(DEBUG="1", SECURE_SSL_REDIRECT="maybe")
    assert result.returncode != 0
    assert "SECURE_SSL_REDIRECT" in result.stderr


def test_a_malformed_debug_value_fails_loudly():
    result = start_settings(DEBUG="maybe", SECRET_KEY="a-real-secret")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DEBUG" in result.stderr
    assert "maybe" in result.stderr


def test_a_database_url_with_an_unknown_scheme_fails_loudly():
    result = start_settings(**{**PRODUCTION, "DATABASE_URL": "nonsense://x"})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DATABASE_URL" in result.stderr


def test_sqlite_is_the_database_when_database_url_is_unset():
    assert settings_with(DEBUG="1")["engine"] == "django.db.backends.sqlite3"


def test_a_postgres_database_url_selects_postgresql():
    engine = settings_with(DEBUG="1", DATABASE_URL="postgres://docket@db.example:5432/docket")["engine"]
    assert engine == "django.db.backends.postgresql"


def test_email_is_printed_to_the_console_when_email_host_is_unset():
    assert settings_with(DEBUG="1")["mailer"] == "docket.mail.ReadableConsoleBackend"


def test_email_goes_by_smtp_when_email_host_is_set():
    report = settings_with(**PRODUCTION, EMAIL_PORT="2525")
    assert report["mailer"] == "django.core.mail.backends.smtp.EmailBackend"
    assert report["mailer_options"]["host"] == "smtp.example.org"
    assert report["mailer_options"]["port"] == 2525


def test_a_malformed_email_port_fails_loudly():
    result = start_settings(**PRODUCTION, EMAIL_PORT="smtp")
    assert result.returncode != 0
    assert "EMAIL_PORT" in result.stderr


def test_production_settings_pass_the_deployment_checks_at_warning_level():
    import secrets

    env = {**PRODUCTION, "SECRET_KEY": secrets.token_urlsafe(64), "DOCKET_NO_DOTENV": "1"}
    env = {**{k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}, **env}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


# The public page cache: on by default only where every process shares the cache


def test_the_page_cache_is_off_by_default_with_each_process_its_own_cache():
    found = settings_with(DEBUG="1")
    assert found["cache"].endswith("LocMemCache")
    assert found["page_cache_seconds"] == 0


def test_the_page_cache_is_on_by_default_with_redis():
    found = settings_with(DEBUG="1", REDIS_URL="redis://127.0.0.1:6379/0")
    assert found["cache"].endswith("RedisCache")
    assert found["page_cache_seconds"] == 60


def test_sessions_are_read_from_the_database_without_a_shared_cache():
    assert settings_with(DEBUG="1")["session_engine"] == "django.contrib.sessions.backends.db"


def test_sessions_are_read_from_redis_and_kept_in_the_database_with_redis():
    found = settings_with(DEBUG="1", REDIS_URL="redis://127.0.0.1:6379/0")
    assert found["session_engine"] == "django.contrib.sessions.backends.cached_db"


def test_tasks_run_in_the_web_process_unless_a_worker_is_said_to_run():
    assert settings_with(DEBUG="1")["tasks"] == "django.tasks.backends.immediate.ImmediateBackend"
    assert settings_with(DEBUG="1", TASK_WORKER="1")["tasks"] == "django_tasks_db.DatabaseBackend"


def test_the_page_cache_lifetime_can_be_set():
    assert settings_with(DEBUG="1", PAGE_CACHE_SECONDS="300")["page_cache_seconds"] == 300


def test_postgresql_prepares_statements_unless_turned_off_for_a_pooler():
    url = "postgres://docket@db.example:5432/docket"
    on = settings_with(DEBUG="1", DATABASE_URL=url)["database_options"]
    assert on == {"server_side_binding": True, "prepare_threshold": 5}
    off = settings_with(DEBUG="1", DATABASE_URL=url, DATABASE_PREPARED_STATEMENTS="0")["database_options"]
    assert "prepare_threshold" not in off and "server_side_binding" not in off
