from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "comments"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from . import notifications  # noqa: F401  (connects to definition's signals)
        from .models import Comment
        from .threads import forget_counts

        post_save.connect(forget_counts, sender=Comment, dispatch_uid="comments:counts-added")
        post_delete.connect(forget_counts, sender=Comment, dispatch_uid="comments:counts-removed")
