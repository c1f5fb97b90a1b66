from django.apps import AppConfig


class OpenRecordConfig(AppConfig):
    """Everything public, in forms other tools read: feeds, sitemap, exports, search, the API.
    It reads from every other app and nothing imports it."""

    name = "openrecord"
    verbose_name = "Open record"
