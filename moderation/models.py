from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from comments.models import Comment
from definition.models import Clause, Version
from docket import markdown


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        if set(kwargs) != {"is_current"}:  # the one change a newer disposition makes
            raise PermissionError(f"{self.model.__name__} records are append-only.")
        return super().update(**kwargs)

    def delete(self):
        raise PermissionError(f"{self.model.__name__} records are append-only.")


class AppendOnly(models.Model):
    """A record that is written once: never changed, never deleted."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and type(self).objects.filter(pk=self.pk).exists():
            raise PermissionError(f"{type(self).__name__} records are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError(f"{type(self).__name__} records are append-only.")


class Flag(models.Model):
    class Reason(models.TextChoices):
        SPAM = "spam", "Spam"
        ABUSE = "abuse", "Abuse or harassment"
        OFF_TOPIC = "off-topic", "Off-topic"
        OTHER = "other", "Something else"

    comment = models.ForeignKey(Comment, on_delete=models.PROTECT, related_name="flags")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="flags")
    reason = models.CharField(max_length=10, choices=Reason)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Set when a moderator acts on it (hides the comment or dismisses the flag).
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["comment", "reporter"], name="one_flag_per_reporter")]

    def __str__(self):
        return f"{self.get_reason_display()} flag on {self.comment.tracking_number}"


class ModerationAction(AppendOnly):
    """The public moderation log. Moderator names are not shown publicly (only "a moderator"):
    the record is what was done and why; naming volunteers invites pressure on them, and the
    actor is kept here for accountability to the other moderators and stewards."""

    class Kind(models.TextChoices):
        HIDE = "hide", "hid a comment"
        RESTORE = "restore", "restored a comment"
        APPROVE = "approve", "approved a held comment"
        DISMISS = "dismiss", "dismissed the flags on a comment"
        LOCK = "lock", "locked a thread"
        UNLOCK = "unlock", "unlocked a thread"
        SUSPEND = "suspend", "suspended an account"
        UNSUSPEND = "unsuspend", "lifted a suspension"

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind)
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=500, blank=True, help_text="Public.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.created_at:%Y-%m-%d})"


class Disposition(AppendOnly):
    """What the stewards did with a thread-starting comment. A change is a new record; the
    newest one is current, the earlier ones stay as its history."""

    class Status(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        PARTIALLY_ACCEPTED = "partially-accepted", "Partially accepted"
        DECLINED = "declined", "Declined"
        DEFERRED = "deferred", "Deferred"
        DUPLICATE = "duplicate", "Duplicate"
        OUT_OF_SCOPE = "out-of-scope", "Out of scope"
        NOTED = "noted", "Noted"

    DROVE_REVISION = (Status.ACCEPTED, Status.PARTIALLY_ACCEPTED)

    comment = models.ForeignKey(Comment, on_delete=models.PROTECT, related_name="dispositions")
    status = models.CharField(max_length=20, choices=Status)
    rationale = models.TextField(blank=True, max_length=10_000)
    rationale_html = models.TextField(blank=True, editable=False)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)
    addressed_in = models.ForeignKey(
        Version, null=True, blank=True, on_delete=models.PROTECT, related_name="dispositions"
    )
    clauses = models.ManyToManyField(Clause, blank=True, related_name="dispositions")
    duplicate_of = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    is_current = models.BooleanField(default=True)

    class Meta:
        ordering = ["-decided_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["comment"], condition=Q(is_current=True), name="one_current_disposition"
            ),
            models.CheckConstraint(
                condition=~Q(status="duplicate") | Q(duplicate_of__isnull=False),
                name="duplicate_names_original",
            ),
        ]

    def __str__(self):
        return f"{self.get_status_display()}: {self.comment.tracking_number}"

    def save(self, *args, **kwargs):
        if self.pk is None:
            self.rationale_html = markdown.render(self.rationale)
            super().save(*args, **kwargs)
        elif set(kwargs.get("update_fields") or ()) == {"is_current"}:
            # The one change allowed: a newer record takes over as current.
            models.Model.save(self, *args, **kwargs)
        else:
            super().save(*args, **kwargs)

    @property
    def drove_revision(self) -> bool:
        return self.status in self.DROVE_REVISION and self.addressed_in_id is not None


class DispositionResponse(models.Model):
    """The comment author's answer to a disposition: the "verified" column of a W3C disposition
    of comments."""

    class Verdict(models.TextChoices):
        SATISFIED = "satisfied", "Satisfied"
        OBJECTS = "objects", "Objects"

    disposition = models.ForeignKey(Disposition, on_delete=models.PROTECT, related_name="responses")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    verdict = models.CharField(max_length=10, choices=Verdict)
    note = models.TextField(blank=True, max_length=2_000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["disposition", "author"], name="one_response_per_disposition")
        ]

    def __str__(self):
        return f"{self.get_verdict_display()} with {self.disposition}"


class DraftLink(models.Model):
    """A steward's mark, while drafting, that a comment drove the change of a clause in the
    draft; publishing turns marks into dispositions."""

    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="draft_links")
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="+")
    clause = models.ForeignKey(Clause, on_delete=models.CASCADE, related_name="+")
    partial = models.BooleanField(default=False)
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "comment", "clause"], name="draft_link_once")
        ]

    def __str__(self):
        return f"{self.comment.tracking_number} → {self.clause.key} in {self.version.label}"
