import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import Profile
from accounts.roles import is_moderator
from definition.models import Clause, Definition, Version
from docket import markdown

MAX_BODY_LENGTH = 10_000
MAX_QUOTE_LENGTH = 1_000


class CommentQuerySet(models.QuerySet):
    def visible(self):
        return self.filter(status=Comment.Status.VISIBLE)

    def with_author_names(self):
        """Each comment with its author's display name and affiliation as two columns, instead
        of their user and profile rows: a page of threads reads a few hundred comments."""
        return self.annotate(
            author_display_name=F("author__profile__display_name"),
            author_affiliation_column=F("author__profile__affiliation"),
        )

    def threads(self):
        return self.filter(parent__isnull=True)


class Comment(models.Model):
    class Status(models.TextChoices):
        VISIBLE = "visible", "Visible"
        HIDDEN = "hidden", "Hidden by a moderator"
        WITHDRAWN = "withdrawn", "Withdrawn by its author"
        HELD = "held", "Held for approval"

    # No index of their own for clause, version, root and author: an index in Meta (or the
    # unique (author, token)) starts with each already, and every index is written on every post.
    clause = models.ForeignKey(Clause, on_delete=models.PROTECT, related_name="comments", db_index=False)
    version = models.ForeignKey(Version, on_delete=models.PROTECT, related_name="comments", db_index=False)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replies"
    )
    # The thread's first comment (itself for a first comment): a whole thread is one query.
    root = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="comments", db_index=False
    )
    body = models.TextField(max_length=MAX_BODY_LENGTH)
    body_html = models.TextField(editable=False)
    quote = models.TextField(blank=True, max_length=MAX_QUOTE_LENGTH)
    quote_prefix = models.CharField(max_length=100, blank=True)
    quote_suffix = models.CharField(max_length=100, blank=True)
    on_behalf_of = models.CharField("On behalf of (optional)", max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.VISIBLE)
    status_reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    # Set on a thread's first comment when a moderator locks the thread: no new replies.
    locked_at = models.DateTimeField(null=True, blank=True)
    # A comment that reached the stewards elsewhere (a forum, an email, a town-hall call), entered
    # by a steward (the `author`) on behalf of the person named here.
    source = models.CharField(max_length=100, blank=True, help_text="Where it was made, if not on this site.")
    source_url = models.URLField(blank=True, max_length=500)
    external_author = models.CharField(max_length=200, blank=True)
    # One per form shown: a second submit of the same form finds the first comment.
    token = models.UUIDField(default=uuid.uuid4, editable=False)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["author", "token"], name="comment_idempotency_token"),
            models.CheckConstraint(
                condition=Q(status__in=["visible", "hidden", "withdrawn", "held"]),
                name="comment_status_valid",
            ),
        ]
        indexes = [
            # A clause's threads in order, and how many come before one (the page a new comment is
            # on), from the index alone: created_at and id are in it.
            models.Index(fields=["clause", "version", "parent", "created_at", "id"], name="comment_threads"),
            models.Index(fields=["root"], name="comment_root"),
            # The newest comments first (feeds, the API, exports), read backwards without a sort.
            models.Index(fields=["created_at", "id"], name="comment_created"),
            # A version's comments counted per clause (the version page) from the index alone.
            models.Index(fields=["version", "clause"], name="comment_version_clause"),
        ]

    def __str__(self):
        return f"{self.tracking_number} on {self.clause.key}"

    def save(self, *args, **kwargs):
        self.body_html = markdown.render(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("comments:permalink", args=[self.pk])

    @property
    def tracking_number(self) -> str:
        return format_tracking_number(self.pk)

    @property
    def author_name(self) -> str:
        """The author's public name, from with_author_names() when the comment was read with it."""
        if hasattr(self, "author_display_name"):
            return Profile.public_name(self.author_display_name, self.author_id)
        return self.author.profile.name

    @property
    def author_affiliation(self) -> str:
        if hasattr(self, "author_affiliation_column"):
            return self.author_affiliation_column or ""
        return self.author.profile.affiliation

    @property
    def is_visible(self) -> bool:
        return self.status == self.Status.VISIBLE

    @property
    def placeholder(self) -> str:
        if self.status == self.Status.WITHDRAWN:
            return "This comment was withdrawn by its author."
        if self.status == self.Status.HIDDEN:
            reason = f" Reason: {self.status_reason}" if self.status_reason else ""
            return f"This comment was hidden by a moderator.{reason}"
        if self.status == self.Status.HELD:
            return "This comment is waiting for a moderator's approval."
        return ""

    @property
    def is_external(self) -> bool:
        return bool(self.source)

    def shown_to(self, user) -> bool:
        """Whether this person sees the text itself rather than the placeholder: everyone for a
        visible comment; its author and moderators for a hidden or held one."""
        if self.is_visible:
            return True
        if self.status == self.Status.WITHDRAWN or not user.is_authenticated:
            return False
        return user.pk == self.author_id or is_moderator(user)


def format_tracking_number(pk: int) -> str:
    return f"DKT-{pk:06d}"


def parse_tracking_number(text: str) -> int | None:
    """DKT-000123, dkt 123, #123 or 123: the comment's number, or None."""
    digits = "".join(ch for ch in (text or "") if ch.isdigit())
    return int(digits) if digits and len(digits) <= 12 else None


class CommentRevision(models.Model):
    """An earlier text of an edited comment: nothing a person wrote is lost."""

    comment = models.ForeignKey(Comment, on_delete=models.PROTECT, related_name="revisions")
    body = models.TextField()
    body_html = models.TextField()
    on_behalf_of = models.CharField(max_length=200, blank=True)
    written_at = models.DateTimeField(help_text="When this text was first saved.")
    replaced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["written_at", "pk"]

    def __str__(self):
        return f"earlier text of {format_tracking_number(self.comment_id)}"


class Endorsement(models.Model):
    """A co-signature, with an optional short note of one's own."""

    comment = models.ForeignKey(Comment, on_delete=models.PROTECT, related_name="endorsements")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="endorsements"
    )
    note = models.CharField(max_length=280, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["comment", "person"], name="one_endorsement_per_person")
        ]

    def __str__(self):
        return f"endorsement of {format_tracking_number(self.comment_id)}"


class Subscription(models.Model):
    """A person follows one clause, or a whole definition."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions"
    )
    definition = models.ForeignKey(Definition, on_delete=models.CASCADE, related_name="subscriptions")
    clause = models.ForeignKey(
        Clause, null=True, blank=True, on_delete=models.CASCADE, related_name="subscriptions"
    )
    # Which emails a follow brings; a clause follow sends new comments only.
    comments = models.BooleanField(default=True)
    versions = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "clause"], condition=Q(clause__isnull=False), name="follow_clause_once"
            ),
            models.UniqueConstraint(
                fields=["person", "definition"],
                condition=Q(clause__isnull=True),
                name="follow_definition_once",
            ),
        ]

    def __str__(self):
        return f"{self.person_id} follows {self.clause or self.definition}"
