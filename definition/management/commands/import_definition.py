from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from definition.importer import ImportProblem, import_version


class Command(BaseCommand):
    help = "Import a Markdown draft as a new version of a definition, keeping clause identities."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the Markdown file")
        parser.add_argument("--definition", required=True, help="the definition's slug (created if new)")
        parser.add_argument("--label", required=True, help="the new version's label, e.g. 0.0.9")
        parser.add_argument("--title", help="the definition's title (default: the file's “# ” heading)")
        parser.add_argument("--publish", action="store_true", help="publish the version at once")
        parser.add_argument("--dry-run", action="store_true", help="show the mapping, write nothing")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise CommandError(f"{path}: no such file") from None
        except UnicodeDecodeError as exc:
            raise CommandError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}") from None
        try:
            result = import_version(
                definition_slug=options["definition"],
                label=options["label"],
                text=text,
                title=options["title"],
                publish=options["publish"],
                dry_run=options["dry_run"],
            )
        except ImportProblem as problem:
            raise CommandError(f"{path}: {problem}") from None

        counts: dict[str, int] = {}
        for row in result.rows:
            counts[row.status] = counts.get(row.status, 0) + 1
            self.stdout.write(f"  {row.describe()}")
        summary = ", ".join(f"{n} {status}" for status, n in counts.items())
        if result.dry_run:
            self.stdout.write(
                f"Dry run: version {options['label']} would have {summary}. Nothing was written."
            )
        else:
            state = "published" if result.version.is_published else "saved as a draft"
            self.stdout.write(
                self.style.SUCCESS(
                    f"Imported {result.definition.slug} {result.version.label} ({state}): {summary}."
                )
            )
