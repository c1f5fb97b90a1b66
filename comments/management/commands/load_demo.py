"""make run's demo: a definition with three published versions, people, and threads of comments
on several clauses (with quotes, replies and endorsements). Written for the demo; loads once."""

from datetime import timedelta
from pathlib import Path

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import Profile
from comments.models import Comment, Endorsement
from definition.importer import import_version
from definition.models import ClauseText, Definition
from docket import quotes

DEMO_DIR = Path(__file__).resolve().parents[3] / "definition" / "demo"
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

# People in the demo: (email, display name, affiliation, groups, password or None).
# Passwords exist only with DEBUG on, for the accounts make run prints.
PEOPLE = [
    ("steward@example.org", "Sam Steward", "Open Recipe Initiative", ["Stewards"], "demo-steward-pass"),
    ("moderator@example.org", "Mo Moderator", "", ["Moderators"], "demo-moderator-pass"),
    ("reader@example.org", "Rita Reader", "", [], "demo-reader-pass"),
    ("amara@example.org", "Amara Okafor", "Community Kitchen Network", [], None),
    ("lars@example.org", "Lars Nilsson", "", [], None),
    ("priya@example.org", "Priya Raman", "Open Food Lab", [], None),
]

# (key, version, author, quote, body, [(reply author, reply body)], [(endorser, note)])
THREADS = [
    (
        "commercial-kitchens", "0.1", "amara@example.org", "must print the recipe on their menu",
        "Printing a whole recipe on a menu is not practical for a small restaurant. A link or a "
        "QR code to the recipe would serve the same purpose.",
        [("lars@example.org", "Agreed. Why should restaurants be treated differently from home cooks at all?")],
        [("priya@example.org", "A link is enough."), ("reader@example.org", "")],
    ),
    (
        "purpose", "0.2", "lars@example.org", "can cook it, change it and pass it on",
        "Understanding a dish matters as much as cooking it. The purpose should say so.",
        [], [("amara@example.org", "")],
    ),
    (
        "ingredients", "1.0", "priya@example.org", "in units a home cook can measure",
        "Cups and spoons vary from country to country. Should weights in grams be **required**, "
        "with cups as an extra?",
        [
            ("lars@example.org", "Grams please. A kitchen scale costs less than a cookbook."),
            ("priya@example.org", "Then the clause could say: *weights, and volumes where they help*."),
        ],
        [("amara@example.org", "I agree, and also for liquids: millilitres.")],
    ),
    (
        "freedom-to-study", "1.0", "amara@example.org",
        "The recipe must explain any step that is not obvious to a home cook.",
        "Who decides what is obvious? A beginner and a chef will disagree.",
        [("reader@example.org", "Maybe an example in the definition would help: folding, tempering, proving.")],
        [],
    ),
    (
        "allergens", "1.0", "reader@example.org", "",
        "Please add sesame and mustard to the examples; they are common allergens in Europe.",
        [], [("priya@example.org", ""), ("lars@example.org", "Celery too.")],
    ),
]  # fmt: skip


class Command(BaseCommand):
    help = "Load the demo: a definition with three versions, people and comment threads (once)."

    def handle(self, *args, **options):
        with transaction.atomic():
            people = self._people()
            if Definition.objects.filter(slug=DEMO_SLUG).exists():
                self.stdout.write("The demo definition is already loaded.")
            else:
                definition = self._definition()
                self._comments(definition, people)
                self.stdout.write(self.style.SUCCESS(f"Loaded the demo definition “{definition.title}”."))
        if settings.DEBUG:
            lines = [
                f"  {email:24} {password:22} {', '.join(groups) or 'commenter'}"
                for email, _, _, groups, password in PEOPLE
                if password
            ]
            self.stdout.write("Demo accounts (DEBUG only; sign in at /accounts/login/):\n" + "\n".join(lines))

    def _people(self) -> dict[str, User]:
        people = {}
        for email, name, affiliation, groups, password in PEOPLE:
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(username=email.split("@")[0], email=email)
                if password and settings.DEBUG:
                    user.set_password(password)
                else:
                    user.set_unusable_password()
                user.save()
                EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
                Profile.objects.update_or_create(
                    user=user, defaults={"display_name": name, "affiliation": affiliation}
                )
                for group in groups:
                    user.groups.add(Group.objects.get_or_create(name=group)[0])
            people[email] = user
        return people

    def _definition(self) -> Definition:
        now = timezone.now()
        previous = None
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
        return definition

    def _comments(self, definition, people) -> None:
        for n, (key, label, author, quote, body, replies, endorsers) in enumerate(THREADS):
            text = ClauseText.objects.select_related("version").get(
                version__definition=definition, version__label=label, clause__key=key
            )
            at = text.version.published_at + timedelta(days=1, hours=n)
            prefix, suffix = quotes.context(text.body_html, quote) if quote else ("", "")
            root = Comment.objects.create(
                clause=text.clause, version=text.version, author=people[author], body=body, quote=quote,
                quote_prefix=prefix, quote_suffix=suffix, created_at=at,
            )  # fmt: skip
            Comment.objects.filter(pk=root.pk).update(root=root)
            parent = root
            for m, (reply_author, reply_body) in enumerate(replies, start=1):
                parent = Comment.objects.create(
                    clause=text.clause, version=text.version, author=people[reply_author], body=reply_body,
                    parent=parent, root=root, created_at=at + timedelta(hours=m),
                )  # fmt: skip
            for endorser, note in endorsers:
                Endorsement.objects.create(comment=root, person=people[endorser], note=note)
