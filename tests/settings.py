"""Test settings: the real settings module, with a throwaway secret and faster hashing."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-not-secret")
os.environ["DOCKET_NO_DOTENV"] = "1"  # tests do not read a developer's .env
# Tests run with DEBUG off, like production, so give what production must be given.
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("DATABASE_URL", "sqlite:///docket-tests.sqlite3")  # tests use an in-memory copy
os.environ.setdefault("EMAIL_HOST", "console")
os.environ.setdefault("SITE_URL", "http://testserver")

from docket.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
SECURE_SSL_REDIRECT = False
# Serve static files from the app folders in tests (no collectstatic), including the live server.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
PAGE_CACHE_SECONDS = 0  # on in tests/test_page_cache.py, where transactions really commit
