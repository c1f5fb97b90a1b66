from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from definition.importer import import_version
from definition.models import Definition

DEMO_DIR = Path(__file__).resolve().parent.parent.parent / "demo"
DEMO_SLUG = "open-recipe"
RELEASES = [
    ("0.1", 60, "First public draft. Comments welcome on every clause."),
    (
        "0.2",
        30,
        "Adds the **freedom to study**, renames *Ingredient list* to *Ingredients and "
        "quantities*, and drops the clause on commercial kitchens after comments from cooks.",
    ),
    ("1.0", 3, "Release candidate: adds *Allergens* and renames *Attribution*."),
]


# Local demo accounts, made only with DEBUG on: (email, password, groups).
DEMO_ACCOUNTS = [
    ("steward@example.org", "demo-steward-pass", ["Stewards"]),
    ("moderator@example.org", "demo-moderator-pass", ["Moderators"]),
    ("reader@example.org", "demo-reader-pass", []),
]


class Command(BaseCommand):
    help = "Load the demo definition (three published versions) unless it is already there."

    def handle(self, *args, **options):
        if settings.DEBUG:
            self._demo_accounts()
        if Definition.objects.filter(slug=DEMO_SLUG).exists():
            self.stdout.write("The demo definition is already loaded.")
            return
        now = timezone.now()
        previous = None
        with transaction.atomic():
            for label, days_ago, notes in RELEASES:
                result = import_version(
                    definition_slug=DEMO_SLUG, label=label, text=(DEMO_DIR / f"{label}.md").read_text()
                )
                version = result.version
                version.release_notes = notes
                version.save()
                version.publish(at=now - timedelta(days=days_ago))
                if previous is not None:  # as stewards usually do: comments move to the new version
                    previous.comments_close_at = version.published_at
                    previous.save(update_fields=["comments_close_at"])
                previous = version
            definition = result.definition
            definition.summary = "When may a recipe be called open? A demo definition with three versions."
            definition.save(update_fields=["summary"])
        self.stdout.write(self.style.SUCCESS(f"Loaded the demo definition “{definition.title}”."))

    def _demo_accounts(self):
        from allauth.account.models import EmailAddress

        lines = []
        for email, password, groups in DEMO_ACCOUNTS:
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(username=email.split("@")[0], email=email, password=password)
                EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
                for name in groups:
                    user.groups.add(Group.objects.get_or_create(name=name)[0])
            lines.append(f"  {email:24} {password:22} {', '.join(groups) or 'commenter'}")
        self.stdout.write("Demo accounts (DEBUG only; sign in at /accounts/login/):\n" + "\n".join(lines))
