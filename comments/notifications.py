"""Emails about comments, sent through Django's tasks framework (immediate by default, so a
worker backend can take them in production). Every email carries a link that stops its kind."""

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db.models import F, Q
from django.dispatch import receiver
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.models import display_name
from definition.signals import version_published
from docket.tasks import enqueue_when_stored

from .models import Comment, Subscription

UNSUBSCRIBE_SALT = "docket.unsubscribe"
# What each kind of email is, for the unsubscribe page.
KINDS = {
    "reply": "emails when someone replies to your comments",
    "receipt": "receipts for the comments you post",
    "clause": "emails about new comments on this clause",
    "definition-comments": "emails about new comments on this definition",
    "definition-versions": "emails about new versions of this definition",
    "disposition": "emails when the stewards record what they did with your comments",
    "flags": "emails to moderators about flagged comments",
}


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def unsubscribe_token(user_id: int, kind: str, target: int = 0) -> str:
    return signing.dumps({"u": user_id, "k": kind, "t": target}, salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str) -> dict | None:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return data if data.get("k") in KINDS else None


def _send(user, subject: str, template: str, kind: str, target: int = 0, **context) -> None:
    if not user.email or not user.is_active:
        return
    stop_url = absolute(reverse("comments:unsubscribe", args=[unsubscribe_token(user.pk, kind, target)]))
    body = render_to_string(
        template if "/" in template else f"comments/email/{template}.txt",
        {"name": display_name(user), "stop_url": stop_url, "stop_what": KINDS[kind], **context},
    )
    send_mail(f"[Docket] {subject}", body, None, [user.email])


def _comment_context(comment: Comment, clause_title: str | None = None) -> dict:
    if clause_title is None:
        clause_text = comment.version.clause_texts.filter(clause=comment.clause).first()
        clause_title = clause_text.title if clause_text else comment.clause.key
    return {
        "comment": comment,
        "author": display_name(comment.author),
        "clause_title": clause_title,
        "definition": comment.version.definition,
        "url": absolute(comment.get_absolute_url()),
    }


def _load(comment_id: int) -> Comment:
    return Comment.objects.select_related(
        "author__profile", "version__definition", "clause", "parent__author__profile"
    ).get(pk=comment_id)


@task
def comment_emails(comment_id: int, clause_title: str | None = None) -> None:
    """Everything a newly stored comment sends: the author's receipt, and (when it is visible)
    the replies and follows emails, from one read of the comment."""
    comment = _load(comment_id)
    context = _comment_context(comment, clause_title)
    _receipt(comment, context)
    if comment.is_visible:
        _notify(comment, context)


@task
def notify_about_comment(comment_id: int) -> None:
    comment = _load(comment_id)
    _notify(comment, _comment_context(comment))


def _receipt(comment: Comment, context: dict) -> None:
    if not comment.author.profile.email_receipts:
        return
    _send(
        comment.author,
        f"Your comment {comment.tracking_number} was received",
        "receipt",
        "receipt",
        **context,
    )


def _notify(comment: Comment, context: dict) -> None:
    """A reply tells the parent's author; a new comment tells who follows its clause or definition.
    Nobody gets two emails for one comment, and nobody hears of their own."""
    told = {comment.author_id}
    parent = comment.parent
    if parent is not None and parent.author_id not in told and parent.is_visible:
        told.add(parent.author_id)
        if parent.author.profile.email_on_reply:
            _send(parent.author, f"{context['author']} replied to your comment", "reply", "reply", **context)
    follows = (
        Subscription.objects.filter(
            Q(clause=comment.clause)
            | Q(definition=comment.version.definition, clause__isnull=True, comments=True)
        )
        .select_related("person")
        .order_by(F("clause_id").asc(nulls_last=True), "pk")  # a clause follow first: its email names it
    )
    for subscription in follows:
        if subscription.person_id in told:
            continue
        told.add(subscription.person_id)
        on_clause = subscription.clause_id is not None
        _send(
            subscription.person,
            f"New comment on “{context['clause_title']}”",
            "followed_comment",
            "clause" if on_clause else "definition-comments",
            subscription.clause_id if on_clause else subscription.definition_id,
            on_clause=on_clause,
            **context,
        )


@task
def notify_new_version(version_id: int) -> None:
    from definition.models import Version

    version = Version.objects.select_related("definition").get(pk=version_id)
    url = absolute(reverse("definition:version", args=[version.definition.slug, version.label]))
    subscriptions = Subscription.objects.filter(
        definition=version.definition, clause__isnull=True, versions=True
    ).select_related("person")
    for subscription in subscriptions:
        _send(
            subscription.person,
            f"{version.definition.title}: version {version.label} is published",
            "new_version",
            "definition-versions",
            version.definition_id,
            version=version,
            url=url,
        )


def comment_posted(comment: Comment, clause_title: str | None = None) -> None:
    """Queue the emails a new comment brings, once it is safely stored. A comment held for
    approval tells others only when a moderator approves it (see comment_approved)."""
    enqueue_when_stored(comment_emails, comment.pk, clause_title)


def comment_approved(comment: Comment) -> None:
    enqueue_when_stored(notify_about_comment, comment.pk)


@receiver(version_published)
def _version_published(sender, version, **kwargs):
    enqueue_when_stored(notify_new_version, version.pk)
