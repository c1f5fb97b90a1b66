from datetime import timedelta
from pathlib import Path

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


class Command(BaseCommand):
    help = "Load the demo definition (three published versions) unless it is already there."

    def handle(self, *args, **options):
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
