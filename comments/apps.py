from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "comments"

    def ready(self):
        from . import notifications  # noqa: F401  (connects to definition's signals)
