from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


def _publisher_changed(sender, instance, created=False, **kwargs):
    """A new profile (a sign-up) published nothing; asked only of an existing one."""
    from definition.models import Version
    from docket import pagecache

    if not created and Version.objects.filter(published_by_id=instance.user_id).exists():
        pagecache.invalidate(record=True)


class OpenRecordConfig(AppConfig):
    """Everything public, in forms other tools read: feeds, sitemap, exports, search, the API.
    It reads from every other app and nothing imports it."""

    name = "openrecord"
    verbose_name = "Open record"

    def ready(self):
        # Every model a public page shows: a change to any of them forgets the cached pages.
        from django.apps import apps

        from docket import pagecache

        # The record's text is also what the parts kept under the record's generation show (a
        # version page's header and contents, the published versions every reading page reads).
        record = ("definition.Definition", "definition.Version", "definition.Clause", "definition.ClauseText")
        pagecache.connect(*map(apps.get_model, record), record=True)
        # So is the name of whoever published a version: their profile's change is the record's.
        post_save.connect(_publisher_changed, sender="accounts.Profile", dispatch_uid="pagecache:publisher")
        post_delete.connect(
            _publisher_changed, sender="accounts.Profile", dispatch_uid="pagecache:publisher-gone"
        )
        pagecache.connect(
            *map(
                apps.get_model,
                (
                    "accounts.Profile",
                    "comments.Comment",
                    "comments.Endorsement",
                    "moderation.ModerationAction",
                    "moderation.Disposition",
                    "moderation.DispositionResponse",
                    "moderation.DraftLink",
                ),
            )
        )
