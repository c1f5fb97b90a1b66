"""make run's demo: a definition with three published versions, people, threads of comments on
several clauses (quotes, replies, endorsements), moderation (a flag, a hidden comment) and
dispositions of every kind, so a newcomer sees the whole cycle. Written for the demo; loads once."""

from datetime import timedelta
from pathlib import Path

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from accounts.models import Profile
from comments.models import Comment, Endorsement
from definition.importer import import_version
from definition.models import ClauseText, Definition
from docket import quotes
from moderation import actions as moderation
from moderation.models import Disposition, DispositionResponse

DEMO_DIR = Path(__file__).resolve().parents[3] / "definition" / "demo"
Status = Disposition.Status
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
    ("knives@example.org", "Cheap Knives Ltd", "", [], None),
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
    (
        "allergens", "1.0", "lars@example.org", "",
        "Sesame should be listed as an allergen example.",
        [], [],
    ),
    (
        "freedom-to-cook", "1.0", "priya@example.org", "",
        "Could the definition also say what a fair price for ingredients is?",
        [], [],
    ),
    (
        "freedom-to-share", "1.0", "knives@example.org", "",
        "BUY CHEAP KNIVES NOW at the best prices!!!",
        [], [],
    ),
]  # fmt: skip


class Command(BaseCommand):
    help = "Load the demo: a definition with three versions, people and comment threads (once)."

    def handle(self, *args, **options):
        # The demo's people are made up: what the demo does sends them no email.
        with override_settings(
            MAILERS={"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}
        ):
            self._load()

    def _load(self):
        with transaction.atomic():
            people = self._people()
            if Definition.objects.filter(slug=DEMO_SLUG).exists():
                self.stdout.write("The demo definition is already loaded.")
            else:
                definition = self._definition()
                comments = self._comments(definition, people)
                self._moderation(definition, people, comments)
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
                user = User.objects.create_user(
                    username=email.split("@")[0],
                    email=email,
                    date_joined=timezone.now() - timedelta(days=90),  # not "new": the usual rate limit
                )
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

    def _comments(self, definition, people) -> list[Comment]:
        roots = []
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
            root.root_id = root.pk  # stored so by the database (comments/0007)
            parent = root
            for m, (reply_author, reply_body) in enumerate(replies, start=1):
                parent = Comment.objects.create(
                    clause=text.clause, version=text.version, author=people[reply_author], body=reply_body,
                    parent=parent, root=root, created_at=at + timedelta(hours=m),
                )  # fmt: skip
            for endorser, note in endorsers:
                Endorsement.objects.create(comment=root, person=people[endorser], note=note)
            roots.append(root)
        return roots

    def _moderation(self, definition, people, roots) -> None:
        """A flagged and hidden spam comment, a comment from a forum, and a disposition of every
        kind: the 0.1 comment drove the removal in 0.2, the 0.2 comment the new purpose in 1.0."""
        steward, moderator = people["steward@example.org"], people["moderator@example.org"]
        kitchens, purpose, grams, obvious, allergens, sesame, prices, spam = roots
        versions = {v.label: v for v in definition.versions.all()}
        clause = {c.key: c for c in definition.clauses.all()}

        moderation.flag(comment=spam, reporter=people["amara@example.org"], reason="spam", note="An advert.")
        moderation.hide(comment=spam, actor=moderator, reason="Advertising, not a comment on the text.")

        forum = ClauseText.objects.get(version=versions["1.0"], clause__key="attribution")
        moderation.enter_external_comment(
            clause_text=forum, steward=steward, external_author="A forum member",
            source="Open Recipe forum", source_url="https://forum.example.org/t/credit/42",
            body="“Credit where it is due” sounds informal for a definition. Keep “Attribution”?",
        )  # fmt: skip

        def decide(comment, status, rationale, version=None, clauses=(), duplicate_of=None):
            return moderation.record_disposition(
                comment=comment, by=steward, status=status, rationale=rationale, addressed_in=version,
                clauses=[clause[key] for key in clauses], duplicate_of=duplicate_of,
            )  # fmt: skip

        first = decide(
            kitchens,
            Status.PARTIALLY_ACCEPTED,
            "Printing was too much to ask.",
            versions["0.2"],
            ["commercial-kitchens"],
        )
        DispositionResponse.objects.create(disposition=first, author=kitchens.author, verdict="satisfied")
        decide(purpose, Status.DEFERRED, "We will come back to this in the next draft.")
        accepted = decide(
            purpose, Status.ACCEPTED, "The purpose now names understanding.", versions["1.0"], ["purpose"]
        )
        DispositionResponse.objects.create(
            disposition=accepted, author=purpose.author, verdict="satisfied", note="Thank you."
        )
        declined = decide(grams, Status.DECLINED, "Home cooks in many countries measure by volume.")
        DispositionResponse.objects.create(
            disposition=declined,
            author=grams.author,
            verdict="objects",
            note="Volumes are not precise enough.",
        )
        decide(obvious, Status.DEFERRED, "We need examples; proposals welcome.")
        decide(allergens, Status.NOTED, "The list of examples is open-ended on purpose.")
        decide(sesame, Status.DUPLICATE, "", duplicate_of=allergens)
        decide(prices, Status.OUT_OF_SCOPE, "Prices are not part of what makes a recipe open.")
