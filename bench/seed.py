"""The benchmark's data set: deterministic (one random.Random with the seed, fixed dates), built
with bulk inserts, every Markdown text rendered through the site's own renderer.

What it holds, at either scale:
- three definitions with ten published versions each, 30 to 100 clauses per version; the main
  one grows from 55 to 100 clauses, with edits, additions and removals between versions;
- on the main definition's latest version, four clauses with 10, 100, 1,000 and 3,000 comments
  in realistic threads (about a third start a thread; replies answer the latest or an earlier
  comment of their thread, some chains going deeper than the page indents);
- comments spread over the other clauses and versions, up to 10,000 in all (`small`) or
  1,000,000 (`large`, meant for PostgreSQL);
- endorsements on about one comment in ten, dispositions on the main definition's ninth
  version, and 400 verified commenters.
Bodies are around 600 bytes, one in ten around 3 KB, with emphasis, lists, links and quotes.
"""

import random
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db import connection, transaction

from accounts.models import Profile
from comments.models import Comment, Endorsement
from definition.models import Clause, ClauseText, Definition, Version
from docket import markdown
from moderation.models import Disposition

BASE_TIME = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
SLUG_PREFIX = "bench-"
MAIN_SLUG = "bench-main"
# Comment counts on the four measured clauses of the main definition's latest version.
MEASURED_COUNTS = (10, 100, 1_000, 3_000)
TOTALS = {"small": 10_000, "large": 1_000_000}
PEOPLE = 400
BATCH = 2_000

WORDS = [
    "model",
    "weights",
    "training",
    "data",
    "source",
    "code",
    "licence",
    "freedom",
    "study",
    "modify",
    "share",
    "use",
    "system",
    "component",
    "documentation",
    "parameters",
    "preferred",
    "form",
    "making",
    "modifications",
    "dataset",
    "community",
    "review",
    "steward",
    "clause",
    "version",
    "comment",
    "definition",
    "open",
    "access",
    "redistribute",
    "inspect",
    "reproduce",
    "provenance",
    "benchmark",
    "evaluation",
    "architecture",
    "inference",
    "checkpoint",
    "tokenizer",
    "research",
    "public",
    "interest",
    "transparency",
    "accountability",
    "legal",
    "terms",
    "patent",
    "copyright",
    "obligation",
    "permission",
    "restriction",
    "purpose",
    "field",
    "endeavour",
    "discrimination",
    "person",
    "group",
]


@dataclass(frozen=True)
class Plan:
    """Which definitions to build: (slug, title, clause counts per version)."""

    definitions: tuple

    @classmethod
    def standard(cls) -> "Plan":
        return cls(
            definitions=(
                (MAIN_SLUG, "Bench Main Definition", tuple(55 + 5 * i for i in range(10))),
                ("bench-beta", "Bench Beta Definition", tuple(30 + i for i in range(10))),
                ("bench-gamma", "Bench Gamma Definition", tuple(50 + i for i in range(10))),
            )
        )


def seeded(seed: int, scale: str) -> str:
    """The marker stored on the main definition, so a second run can tell what is there."""
    return f"seed_bench seed={seed} scale={scale}"


class Seeder:
    def __init__(self, seed: int, scale: str, out=None):
        self.rng = random.Random(seed)
        self.seed = seed
        self.scale = scale
        self.total = TOTALS[scale]
        self.out = out
        self.clock = BASE_TIME
        self.bodies = self._body_pool(600)
        self.rendered: dict[str, str] = {}

    # -- text --------------------------------------------------------------------------------

    def _sentence(self, words: int) -> str:
        picked = [self.rng.choice(WORDS) for _ in range(words)]
        marks = self.rng.random()
        if marks < 0.2:
            i = self.rng.randrange(words)
            picked[i] = f"*{picked[i]}*"
        elif marks < 0.3:
            i = self.rng.randrange(words)
            picked[i] = f"**{picked[i]}**"
        elif marks < 0.4:
            i = self.rng.randrange(words)
            picked[i] = (
                f"[{picked[i]}](https://example.org/{self.rng.choice(WORDS)}/{self.rng.randrange(999)})"
            )
        return " ".join(picked).capitalize() + "."

    def _paragraph(self, size: int) -> str:
        sentences = []
        while sum(len(s) + 1 for s in sentences) < size:
            sentences.append(self._sentence(self.rng.randint(6, 16)))
        return " ".join(sentences)

    def _body(self, size: int) -> str:
        parts = []
        if self.rng.random() < 0.25:
            parts.append("> " + self._sentence(self.rng.randint(8, 14)))
        while sum(len(p) + 2 for p in parts) < size:
            kind = self.rng.random()
            if kind < 0.15:
                parts.append("\n".join(f"- {self._sentence(self.rng.randint(4, 9))}" for _ in range(3)))
            elif kind < 0.2:
                parts.append("\n".join(f"{n}. {self._sentence(self.rng.randint(4, 9))}" for n in (1, 2, 3)))
            else:
                parts.append(self._paragraph(min(320, size)))
        return "\n\n".join(parts)

    def _body_pool(self, count: int) -> list[str]:
        return [self._body(3_000 if i % 10 == 9 else 600) for i in range(count)]

    def html(self, text: str) -> str:
        if text not in self.rendered:
            self.rendered[text] = markdown.render(text)
        return self.rendered[text]

    def tick(self, minutes: float = 1) -> datetime:
        self.clock += timedelta(minutes=minutes)
        return self.clock

    def say(self, message: str) -> None:
        if self.out is not None:
            self.out.write(message)

    # -- people ------------------------------------------------------------------------------

    def people(self) -> list[int]:
        password = make_password(None)  # unusable: the benchmark logs people in directly
        joined = BASE_TIME - timedelta(days=365)
        users = User.objects.bulk_create(
            [
                User(
                    username=f"bench{n:04d}",
                    email=f"bench{n:04d}@example.org",
                    password=password,
                    date_joined=joined,
                )
                for n in range(PEOPLE)
            ]
        )
        Profile.objects.bulk_create(
            [Profile(user=u, display_name=f"Bench Person {n}", affiliation="") for n, u in enumerate(users)]
        )
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users]
        )
        return [u.pk for u in users]

    # -- definitions -------------------------------------------------------------------------

    def definition(self, slug: str, title: str, counts: tuple) -> list[Version]:
        definition = Definition.objects.create(
            slug=slug, title=title, summary=seeded(self.seed, self.scale) if slug == MAIN_SLUG else ""
        )
        pool = Clause.objects.bulk_create(
            [
                Clause(definition=definition, key=f"clause-{n:03d}", created_at=BASE_TIME)
                for n in range(max(counts) + 20)
            ]
        )
        live = list(pool[: counts[0]])
        spare = list(pool[counts[0] :])
        texts = {
            c.pk: (self._sentence(4).rstrip("."), self._body(self.rng.choice((300, 600, 1200)))) for c in live
        }
        versions = []
        for sequence, count in enumerate(counts, start=1):
            if sequence > 1:
                self._revise(live, spare, texts, count)
            version = Version.objects.create(
                definition=definition,
                label=f"0.{sequence}",
                sequence=sequence,
                title=title,
                release_notes=f"Release {sequence}: {self._sentence(12)}",
                created_at=self.tick(60 * 24),
            )
            ClauseText.objects.bulk_create(
                [
                    self._clause_text(version, clause, position, texts[clause.pk])
                    for position, clause in enumerate(live)
                ]
            )
            Version.objects.filter(pk=version.pk).update(
                status=Version.Status.PUBLISHED, published_at=self.tick()
            )
            version.refresh_from_db()
            versions.append(version)
        return versions

    def _revise(self, live, spare, texts, count) -> None:
        """Between versions: edit about one clause in eight, drop one now and then, add to reach count."""
        for clause in live:
            if self.rng.random() < 0.12:
                heading, body = texts[clause.pk]
                words = body.split(" ")
                for _ in range(self.rng.randint(1, 6)):
                    words[self.rng.randrange(len(words))] = self.rng.choice(WORDS)
                texts[clause.pk] = (heading, " ".join(words))
        if len(live) > 10 and self.rng.random() < 0.5:
            live.pop(self.rng.randrange(4, len(live)))
        while len(live) < count and spare:
            clause = spare.pop(0)
            texts[clause.pk] = (self._sentence(4).rstrip("."), self._body(self.rng.choice((300, 600, 1200))))
            live.insert(self.rng.randrange(4, len(live) + 1), clause)

    def _clause_text(self, version, clause, position, text) -> ClauseText:
        heading, body = text
        section, sub = divmod(position, 5)
        text = ClauseText(
            version=version,
            clause=clause,
            position=position,
            number=f"{section + 1}" if sub == 0 else f"{section + 1}.{sub}",
            level=2 if sub == 0 else 3,
            heading=heading,
            body=body,
        )
        text.derive_from_body(self.html(body))  # as save() would (bulk inserts do not call it)
        return text

    # -- comments ----------------------------------------------------------------------------

    def threads(self, count: int) -> list[int | None]:
        """The parent (an index into the list) of each of `count` comments, in posting order."""
        parents: list[int | None] = []
        members: list[list[int]] = []  # thread -> its comments' indices
        thread_of: list[int] = []
        for index in range(count):
            if not members or self.rng.random() < 0.32:
                parents.append(None)
                thread_of.append(len(members))
                members.append([index])
                continue
            # Recent threads get more replies, as in a live discussion.
            thread = members[max(0, len(members) - 1 - int(self.rng.expovariate(0.3)))]
            parent = thread[-1] if self.rng.random() < 0.6 else self.rng.choice(thread)
            parents.append(parent)
            thread_of.append(thread_of[parent])
            thread.append(index)
        return parents

    def comments(self, clause_id: int, version: Version, count: int, authors: list[int]) -> list[int]:
        """`count` comments in threads on one clause of one version, inserted generation by
        generation so each reply's parent and root already have their keys."""
        parents = self.threads(count)
        depth = [0] * count
        for index, parent in enumerate(parents):
            if parent is not None:
                depth[index] = depth[parent] + 1
        rows: list[Comment | None] = [None] * count
        for index in range(count):
            body = self.rng.choice(self.bodies)
            rows[index] = Comment(
                clause_id=clause_id,
                version_id=version.pk,
                author_id=self.rng.choice(authors),
                body=body,
                body_html=self.html(body),
                created_at=self.tick(self.rng.random() * 3),
                token=uuid.UUID(int=self.rng.getrandbits(128)),
            )
        for level in range(max(depth) + 1 if depth else 0):
            batch = [i for i in range(count) if depth[i] == level]
            for i in batch:
                parent = parents[i]
                if parent is not None:
                    rows[i].parent_id = rows[parent].pk
                    rows[i].root_id = rows[parent].root_id
            Comment.objects.bulk_create([rows[i] for i in batch], batch_size=BATCH)
            if level == 0:  # first comments: their own roots, as the database stores them
                for i in batch:
                    rows[i].root_id = rows[i].pk
        self.endorse([row.pk for row in rows], authors)
        return [rows[i].pk for i in range(count) if parents[i] is None]

    def endorse(self, comment_ids: list[int], authors: list[int]) -> None:
        endorsements = []
        for pk in comment_ids:
            if self.rng.random() < 0.1:
                for person in self.rng.sample(authors, self.rng.randint(1, 3)):
                    endorsements.append(Endorsement(comment_id=pk, person_id=person, created_at=self.clock))
        Endorsement.objects.bulk_create(endorsements, batch_size=BATCH)

    def dispose(self, roots: list[int], steward: int, addressed_in: Version) -> None:
        statuses = [s for s in Disposition.Status.values if s != Disposition.Status.DUPLICATE]
        rationale = self._paragraph(200)
        Disposition.objects.bulk_create(
            [
                Disposition(
                    comment_id=pk,
                    status=self.rng.choice(statuses),
                    rationale=rationale,
                    rationale_html=self.html(rationale),
                    decided_by_id=steward,
                    decided_at=self.tick(),
                    addressed_in=addressed_in,
                )
                for pk in roots
                if self.rng.random() < 0.6
            ],
            batch_size=BATCH,
        )

    # -- the whole set -----------------------------------------------------------------------

    def run(self) -> dict:
        with transaction.atomic():
            authors = self.people()
            self.say(f"{len(authors)} people")
            built = {
                slug: self.definition(slug, title, counts)
                for slug, title, counts in Plan.standard().definitions
            }
            self.say(
                f"{len(built)} definitions, {ClauseText.objects.filter(version__definition__slug__startswith=SLUG_PREFIX).count()} clause texts"
            )
            main = built[MAIN_SLUG]
            latest = main[-1]
            measured = list(latest.clause_texts.order_by("position")[: len(MEASURED_COUNTS)])
            written = 0
            for clause_text, count in zip(measured, MEASURED_COUNTS, strict=True):
                self.comments(clause_text.clause_id, latest, count, authors)
                written += count
            self.say(f"{written} comments on the measured clauses")
            # The ninth version's discussion, with dispositions, for the report page.
            ninth = main[-2]
            roots = []
            for clause_text in ninth.clause_texts.order_by("position")[:20]:
                roots += self.comments(clause_text.clause_id, ninth, 40, authors)
                written += 40
            self.dispose(roots, authors[0], latest)
        # The rest, spread over every other clause of every version, in transactions of a
        # bounded size so a large run neither holds one huge transaction nor loses everything.
        places = [
            (ct.clause_id, version)
            for versions in built.values()
            for version in versions
            for ct in version.clause_texts.all()
            if ct.clause_id not in {m.clause_id for m in measured} or version != latest
        ]
        self.rng.shuffle(places)
        with _search_index_dropped():
            self._background(places, self.total - written, authors)
        return {"comments": Comment.objects.filter(version__definition__slug__startswith=SLUG_PREFIX).count()}

    def _background(self, places, remaining, authors) -> None:
        chunk = 0
        while remaining > 0:
            with transaction.atomic():
                done_here = 0
                while remaining > 0 and done_here < 50_000:
                    clause_id, version = places[chunk % len(places)]
                    chunk += 1
                    count = min(remaining, max(1, int(self.rng.paretovariate(1.2) * 3)), 400)
                    self.comments(clause_id, version, count, authors)
                    remaining -= count
                    done_here += count
            self.say(f"{remaining:,} comments to go")


@contextmanager
def _search_index_dropped():
    """On PostgreSQL, the comments' full-text indexes are dropped while the bulk of the comments
    goes in and rebuilt once at the end (the usual way to bulk-load; updating a GIN index row by
    row is most of the cost of a million inserts)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        # Inside a transaction (the tests seed in one) PostgreSQL cannot build an index on a
        # table with pending constraint checks; the rows are few there anyway.
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'comments_comment' "
            "AND indexdef LIKE '%USING gin%'"
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for _, definition in indexes:
                cursor.execute(definition)
