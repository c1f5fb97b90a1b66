from django.apps import AppConfig


class OpenRecordConfig(AppConfig):
    """Everything public, in forms other tools read: feeds, sitemap, exports, search, the API.
    It reads from every other app and nothing imports it."""

    name = "openrecord"
    verbose_name = "Open record"

    def ready(self):
        # Every model a public page shows: a change to any of them forgets the cached pages.
        from django.apps import apps

        from docket import pagecache

        pagecache.connect(
            *(
                apps.get_model(label)
                for label in (
                    "definition.Definition",
                    "definition.Version",
                    "definition.Clause",
                    "definition.ClauseText",
                    "comments.Comment",
                    "comments.Endorsement",
                    "accounts.Profile",
                    "moderation.ModerationAction",
                    "moderation.Disposition",
                    "moderation.DispositionResponse",
                    "moderation.DraftLink",
                )
            )
        )
