import hashlib
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts import roles
from docket import markdown

from .signals import version_published

# Path words of DESIGN.md section 3 that can never be a version label or a clause key.
RESERVED_WORDS = frozenset(
    {"latest", "compare", "history", "feed", "dispositions", "changes", "draft", "api", "search"}
)
# Top-level paths a definition slug must not take.
RESERVED_SLUGS = RESERVED_WORDS | {
    "accounts", "admin", "comments", "moderation", "static", "media", "stewards", "users",
    "feeds", "about", "help", "exports", "people", "robots.txt", "sitemap.xml", "healthz",
}  # fmt: skip

# Letters, digits and hyphens, in dot-separated parts: `0.0.9`, `1.0-RC1`. No empty part, so
# "..." can only ever be the separator of a compare address.
LABEL_RE = re.compile(r"^[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*$")
KEY_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


MAX_LABEL_LENGTH = 40
MAX_KEY_LENGTH = 80


def validate_label(label: str) -> None:
    if len(label or "") > MAX_LABEL_LENGTH:
        raise ValidationError(f"A version label has at most {MAX_LABEL_LENGTH} characters.", code="too_long")
    if not LABEL_RE.match(label or ""):
        raise ValidationError(
            "A version label uses letters, digits, hyphens and single dots between them "
            "(for example 0.0.9 or 1.0-RC1).",
            code="malformed",
        )
    if label.lower() in RESERVED_WORDS:
        raise ValidationError(f"“{label}” is a reserved word and cannot be a version label.", code="reserved")


def validate_clause_key(key: str) -> None:
    if len(key or "") > MAX_KEY_LENGTH:
        raise ValidationError(f"A clause key has at most {MAX_KEY_LENGTH} characters.", code="too_long")
    if not KEY_RE.match(key or ""):
        raise ValidationError(
            "A clause key uses lower-case letters, digits and single hyphens between them.",
            code="malformed",
        )
    if key in RESERVED_WORDS:
        raise ValidationError(f"“{key}” is a reserved word and cannot be a clause key.", code="reserved")


def validate_definition_slug(slug: str) -> None:
    if slug in RESERVED_SLUGS:
        raise ValidationError(f"“{slug}” is reserved for the site's own pages.", code="reserved")


class FrozenVersionError(Exception):
    """Raised on any attempt to change the text of a published version."""


class Definition(models.Model):
    slug = models.SlugField(unique=True, validators=[validate_definition_slug])
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if self.pk:
            old_slug = Definition.objects.filter(pk=self.pk).values_list("slug", flat=True).first()
            if old_slug != self.slug and self.versions.filter(status="published").exists():
                raise FrozenVersionError(
                    f"“{old_slug}” has published versions; its slug is in their addresses."
                )
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("definition:latest", args=[self.slug])


# Fields that make up a published version's permanent address or its place in the order.
FROZEN_VERSION_FIELDS = {"definition", "definition_id", "label", "sequence", "status"}


class VersionQuerySet(models.QuerySet):
    def update(self, **kwargs):
        if FROZEN_VERSION_FIELDS & kwargs.keys() and self.filter(status="published").exists():
            raise FrozenVersionError("A published version's label, order and status cannot change.")
        return super().update(**kwargs)

    def delete(self):
        if self.filter(status="published").exists():
            raise FrozenVersionError("A published version cannot be deleted.")
        return super().delete()

    def published(self):
        return self.filter(status=Version.Status.PUBLISHED)

    def drafts(self):
        return self.filter(status=Version.Status.DRAFT)

    def visible_to(self, user):
        """Published versions for everyone; drafts too for stewards."""
        if is_steward(user):
            return self
        return self.published()


def is_steward(user) -> bool:
    return roles.is_steward(user)


class Version(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    definition = models.ForeignKey(Definition, on_delete=models.PROTECT, related_name="versions")
    label = models.CharField(max_length=MAX_LABEL_LENGTH, validators=[validate_label])
    sequence = models.PositiveIntegerField(help_text="Orders the versions of a definition.")
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    title = models.CharField(max_length=200, blank=True, help_text="The document's title in this version.")
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    release_notes = models.TextField(blank=True)
    release_notes_html = models.TextField(blank=True, editable=False)
    comments_close_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = VersionQuerySet.as_manager()

    class Meta:
        ordering = ["definition", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["definition", "label"], name="version_label_unique"),
            models.UniqueConstraint(fields=["definition", "sequence"], name="version_sequence_unique"),
            models.UniqueConstraint(
                fields=["definition"], condition=Q(status="draft"), name="one_draft_per_definition"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="published_version_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.definition.title} {self.label}"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def comments_open(self) -> bool:
        return self.is_published and (
            self.comments_close_at is None or self.comments_close_at > timezone.now()
        )

    def clean(self):
        if (
            self.status == self.Status.DRAFT
            and self.definition_id
            and Version.objects.drafts().filter(definition_id=self.definition_id).exclude(pk=self.pk).exists()
        ):
            raise ValidationError("This definition already has a draft; publish or discard it first.")

    def save(self, *args, **kwargs):
        _refuse_unpublishing(self)
        self.release_notes_html = markdown.render(self.release_notes)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        _refuse_deleting_published(self)
        return super().delete(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("definition:version", args=[self.definition.slug, self.label])

    def publish(self, *, by=None, at=None) -> None:
        """Freeze this draft's text and make it public."""
        with transaction.atomic():
            locked = Version.objects.select_for_update().get(pk=self.pk)
            if locked.is_published:
                raise FrozenVersionError(f"Version {self.label} is already published.")
            self.status = self.Status.PUBLISHED
            self.published_at = at or timezone.now()
            self.published_by = by
            self.save(update_fields=["status", "published_at", "published_by", "release_notes_html"])
            # Inside the transaction: a receiver that queues work says when it may run (see
            # docket.tasks.enqueue_when_stored), so a queue in the database stores it with the
            # publication, or not at all.
            version_published.send(sender=Version, version=self)


class ClauseQuerySet(models.QuerySet):
    def update(self, **kwargs):
        if {"key", "definition", "definition_id"} & kwargs.keys() and self.filter(
            texts__version__status="published"
        ).exists():
            raise FrozenVersionError("A published clause's key cannot change.")
        return super().update(**kwargs)


class Clause(models.Model):
    """The identity of a clause across versions; its words live in ClauseText."""

    definition = models.ForeignKey(Definition, on_delete=models.PROTECT, related_name="clauses")
    key = models.SlugField(max_length=MAX_KEY_LENGTH, validators=[validate_clause_key])
    created_at = models.DateTimeField(default=timezone.now)

    objects = ClauseQuerySet.as_manager()

    class Meta:
        ordering = ["definition", "key"]
        constraints = [models.UniqueConstraint(fields=["definition", "key"], name="clause_key_unique")]

    def __str__(self):
        return self.key

    def save(self, *args, **kwargs):
        if self.pk:
            old_key = Clause.objects.filter(pk=self.pk).values_list("key", flat=True).first()
            if old_key != self.key and self.texts.filter(version__status=Version.Status.PUBLISHED).exists():
                raise FrozenVersionError(f"Clause “{old_key}” is published; its key cannot change.")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("definition:clause_history", args=[self.definition.slug, self.key])


class ClauseTextQuerySet(models.QuerySet):
    def _refuse_if_published(self):
        if self.filter(version__status=Version.Status.PUBLISHED).exists():
            raise FrozenVersionError("The text of a published version cannot change.")

    def update(self, **kwargs):
        self._refuse_if_published()
        return super().update(**kwargs)

    def delete(self):
        self._refuse_if_published()
        return super().delete()


# What a reader calls a clause without a heading (the text before the first heading, say).
UNTITLED = "Introduction"


class Named:
    """What a reader calls a clause, for anything with its `number` and `heading`."""

    __slots__ = ()

    @property
    def title(self) -> str:
        """Its heading, or a stand-in for untitled text."""
        return self.heading or UNTITLED

    @property
    def label(self) -> str:
        """Its number and title, as the contents list it: "2.1 Scope"."""
        return f"{self.number} {self.title}" if self.number else self.title


def body_digest_of(body: str) -> str:
    return hashlib.blake2b(body.encode(), digest_size=16).hexdigest()


class ClauseText(Named, models.Model):
    """One clause as it reads in one version."""

    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="clause_texts")
    clause = models.ForeignKey(Clause, on_delete=models.PROTECT, related_name="texts")
    position = models.PositiveIntegerField()
    number = models.CharField(max_length=20, blank=True, help_text="Display number, e.g. 2.1")
    heading = models.CharField(max_length=300, blank=True)
    level = models.PositiveSmallIntegerField(default=2, help_text="Markdown heading level, 2 to 6")
    body = models.TextField(blank=True)
    body_html = models.TextField(blank=True, editable=False)
    # The words a reader sees of the body, a paragraph a line (docket.markdown.plain_text): what
    # comparisons diff, kept with the HTML so that no compare page parses HTML.
    body_words = models.TextField(blank=True, editable=False)
    # A digest of the body's source (body_digest_of), made at save too: a comparison tells a body
    # the other version has word for word without reading both (on PostgreSQL, unpacking both).
    body_digest = models.CharField(max_length=32, blank=True, editable=False)
    # Counts a draft clause's edits, so a steward saving over someone else's edit is caught.
    revision = models.PositiveIntegerField(default=1, editable=False)

    objects = ClauseTextQuerySet.as_manager()

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "clause"], name="clause_once_per_version"),
        ]
        # A version's clauses in order, and a clause's neighbours (the clause page looks up the
        # one just before and after a position in its version).
        indexes = [models.Index(fields=["version", "position"], name="clausetext_version_position")]

    def __str__(self):
        return f"{self.number} {self.heading}".strip() or self.clause.key

    @property
    def key(self) -> str:
        """The clause's key, which stays the same from version to version."""
        return self.clause.key

    @property
    def depth(self) -> int:
        """Nesting depth in the document outline: 1 for "2", 2 for "2.1"."""
        return len(self.number.split(".")) if self.number else 1

    @property
    def heading_tag(self) -> str:
        """The HTML heading element for this clause on a version page, so headings stay in order."""
        return f"h{min(self.depth + 1, 6)}"

    def _refuse_if_published(self):
        version_published = Version.objects.filter(
            pk=self.version_id, status=Version.Status.PUBLISHED
        ).exists()
        if version_published:
            raise FrozenVersionError("The text of a published version cannot change.")
        if self.pk:
            # Moving an existing row out of a published version is a change to that version too.
            was_published = ClauseText.objects.filter(
                pk=self.pk, version__status=Version.Status.PUBLISHED
            ).exists()
            if was_published:
                raise FrozenVersionError("The text of a published version cannot change.")

    def clean(self):
        if self.version_id and Version.objects.filter(pk=self.version_id, status="published").exists():
            raise ValidationError({"version": "This version is published; its text cannot change."})

    def save(self, *args, **kwargs):
        self._refuse_if_published()
        self.derive_from_body()
        super().save(*args, **kwargs)

    def derive_from_body(self, body_html: str | None = None) -> None:
        """What is stored with the body and made from it: its sanitised HTML (rendered here
        unless given), the words a reader sees of it, and its digest."""
        self.body_html = markdown.render(self.body) if body_html is None else body_html
        self.body_words = markdown.plain_text(self.body_html)
        self.body_digest = body_digest_of(self.body)

    def delete(self, *args, **kwargs):
        self._refuse_if_published()
        return super().delete(*args, **kwargs)

    def get_absolute_url(self):
        return reverse(
            "definition:clause", args=[self.version.definition.slug, self.version.label, self.clause.key]
        )


def _refuse_unpublishing(version: Version) -> None:
    """A published version stays published, under the same label, in the same place."""
    if not version.pk:
        return
    stored = (
        Version.objects.filter(pk=version.pk, status=Version.Status.PUBLISHED)
        .values("definition_id", "label", "sequence")
        .first()
    )
    if stored is None:
        return
    if not version.is_published:
        raise FrozenVersionError(f"Version {stored['label']} is published and cannot become a draft again.")
    if (stored["definition_id"], stored["label"], stored["sequence"]) != (
        version.definition_id,
        version.label,
        version.sequence,
    ):
        raise FrozenVersionError(
            f"Version {stored['label']} is published; its label and place cannot change."
        )


def _refuse_deleting_published(version: Version) -> None:
    if Version.objects.filter(pk=version.pk, status=Version.Status.PUBLISHED).exists():
        raise FrozenVersionError(f"Version {version.label} is published and cannot be deleted.")


class StewardAction(models.Model):
    """Append-only record of what stewards did, with who and when."""

    class Kind(models.TextChoices):
        START_DRAFT = "start-draft", "started a draft"
        DISCARD_DRAFT = "discard-draft", "discarded a draft"
        EDIT_CLAUSE = "edit-clause", "edited a clause"
        ADD_CLAUSE = "add-clause", "added a clause"
        REMOVE_CLAUSE = "remove-clause", "removed a clause"
        MOVE_CLAUSE = "move-clause", "moved a clause"
        RENUMBER = "renumber", "renumbered the clauses"
        IMPORT = "import", "imported Markdown into a draft"
        PUBLISH = "publish", "published a version"
        OPEN_COMMENTS = "open-comments", "opened comments"
        CLOSE_COMMENTS = "close-comments", "closed comments"

    definition = models.ForeignKey(Definition, on_delete=models.PROTECT, related_name="steward_actions")
    version_label = models.CharField(max_length=40, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind)
    clause_key = models.CharField(max_length=80, blank=True)
    detail = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.actor} {self.get_kind_display()} ({self.definition.slug} {self.version_label})"


class DraftImport(models.Model):
    """An uploaded Markdown file waiting for a steward to confirm how its clauses map."""

    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="imports")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(max_length=255)
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.filename} into {self.version}"
