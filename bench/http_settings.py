"""The site's settings with the benchmark's URLs (the site's and the baseline page), for the
gunicorn that `manage.py bench --http` starts."""

from docket.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
