"""What people do with comments. Each write is one transaction; nothing is ever hard-deleted."""

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.models import Profile
from definition.models import ClauseText
from docket import quotes

from .models import Comment, CommentRevision, Endorsement, Subscription
from .notifications import comment_posted

# Posting limits per person: (comments, seconds). New accounts get the stricter one.
RATE_LIMIT = (10, 600)
NEW_ACCOUNT_RATE_LIMIT = (3, 600)
NEW_ACCOUNT_AGE_SECONDS = 24 * 3600


class CommentError(Exception):
    def __init__(self, message: str, field: str | None = None, status: int = 400):
        self.message, self.field, self.status = message, field, status
        super().__init__(message)


def can_comment(user) -> tuple[bool, str]:
    """Whether this person may post at all, and if not, what to tell them."""
    if not user.is_authenticated:
        return False, "sign-in"
    # Both come with a signed-in person's user row (accounts.backends); asked here otherwise.
    profile = getattr(user, "profile", None)
    if hasattr(user, "has_verified_address"):
        verified = user.has_verified_address
    else:
        verified = user.emailaddress_set.filter(verified=True).exists()
    if profile is not None and profile.is_suspended:
        return False, "suspended"
    if not verified:
        return False, "verify"
    return True, ""


def check_rate_limit(user) -> None:
    new = (timezone.now() - user.date_joined).total_seconds() < NEW_ACCOUNT_AGE_SECONDS
    limit, window = NEW_ACCOUNT_RATE_LIMIT if new else RATE_LIMIT
    # A sliding window of `limit` slots: each post takes a free slot, a cache key that expires
    # `window` seconds after that post, so the limit holds at any moment (a fixed window would
    # let twice the limit through around its edge). Taking a slot is atomic (SET NX in Redis,
    # the first free slot in one script call; cache.add elsewhere): two workers racing for the
    # last slot cannot both get it.
    keys = [f"comment-rate:{user.pk}:{slot}" for slot in range(limit)]
    now = timezone.now().timestamp()
    add_first = getattr(cache, "add_first", None)  # docket.redis_cache: one round trip
    if add_first is not None:
        if add_first(keys, now, timeout=window) is not None:
            return
    else:
        taken = cache.get_many(keys)
        for key in keys:
            if key not in taken and cache.add(key, now, timeout=window):
                return
    minutes = max(1, window // 60)
    raise CommentError(
        f"You have posted {limit} comments in the last {minutes} minutes, which is as many as we take"
        f"{' from a new account' if new else ''}. Please wait a few minutes and post again; your text is kept below.",
        status=429,
    )


@dataclass
class Posted:
    comment: Comment
    created: bool  # False when this was a repeated submit of a form already stored


def post_comment(
    *, author, clause_text: ClauseText, body: str, token, quote: str = "", on_behalf_of: str = "", parent=None
) -> Posted:
    version = clause_text.version
    if not version.is_published:
        raise CommentError("Comments are taken on published versions only.", status=404)
    # A second submit of the same form (a reload, a double click) finds the comment it stored,
    # before anything else: an insert caught by the unique (author, token) instead would use up
    # a tracking number, and a gap in them reads like a deleted comment.
    existing = _stored_with_token(author, token)
    if existing is not None:
        return Posted(existing, created=False)
    _refuse_suspended(author)
    if not version.comments_open:
        closed = version.comments_close_at
        when = f" on {closed:%d %B %Y at %H:%M} UTC" if closed else ""
        raise CommentError(f"Comments on version {version.label} closed{when}.", status=403)
    if parent is not None and (parent.clause_id != clause_text.clause_id or parent.version_id != version.pk):
        raise CommentError("A reply belongs to the same clause and version as the comment it answers.")
    if parent is not None and Comment.objects.filter(pk=parent.root_id, locked_at__isnull=False).exists():
        raise CommentError("A moderator has locked this thread: it takes no new replies.", status=403)
    quote = quotes.normalise(quote)
    prefix = suffix = ""
    if quote:
        if not quotes.contains(clause_text.body_html, quote):
            raise CommentError(
                "The quoted passage is not in the text of this clause in this version. "
                "Copy it exactly from the clause (or leave the quote empty).",
                field="quote",
            )
        prefix, suffix = quotes.context(clause_text.body_html, quote)
    check_rate_limit(author)
    try:
        with transaction.atomic():
            comment = Comment.objects.create(
                clause_id=clause_text.clause_id,
                version=version,
                parent=parent,
                root_id=parent.root_id if parent is not None else None,
                author=author,
                body=body,
                quote=quote,
                quote_prefix=prefix[-100:],
                quote_suffix=suffix[:100],
                on_behalf_of=on_behalf_of.strip(),
                token=token,
                status=Comment.Status.HELD if _held_for_approval(author) else Comment.Status.VISIBLE,
            )
            if parent is None:
                comment.root_id = comment.pk  # stored so by the database (comments/0007)
            comment_posted(comment, clause_text.title)
    except IntegrityError:
        # The same form submitted twice at once: the other request stored it.
        return Posted(_stored_with_token(author, token), created=False)
    return Posted(comment, created=True)


# Written out, as on every post: building it through the ORM took longer than running it.
_WITH_TOKEN_SQL = "SELECT {id} FROM {table} WHERE {author_id} = %s AND {token} = %s"


def _stored_with_token(author, token) -> Comment | None:
    """The comment this person stored from the form with this token, if any: its id looked up
    first (every post asks; almost none finds one)."""
    prepared = Comment._meta.get_field("token").get_db_prep_value(token, connection)
    q = connection.ops.quote_name
    sql = _WITH_TOKEN_SQL.format(
        id=q("id"), table=q(Comment._meta.db_table), author_id=q("author_id"), token=q("token")
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [author.pk, prepared])
        found = cursor.fetchone()
    return Comment.objects.get(pk=found[0]) if found else None


def _refuse_suspended(person) -> None:
    try:
        profile = person.profile  # read once per request (can_comment may have read it already)
    except Profile.DoesNotExist:
        profile = None
    if profile is not None and profile.is_suspended:
        raise CommentError("Your account is suspended: you cannot post, reply, endorse or flag.", status=403)


def _held_for_approval(author) -> bool:
    """With HOLD_FIRST_COMMENTS=n, a person's first n comments wait for a moderator."""
    hold = settings.HOLD_FIRST_COMMENTS
    return hold > 0 and Comment.objects.filter(author=author, status=Comment.Status.VISIBLE).count() < hold


def _own_visible(comment: Comment, person) -> None:
    if comment.author_id != person.pk:
        raise CommentError("Only its author can change a comment.", status=403)
    if not comment.is_visible:
        raise CommentError("This comment can no longer be changed.", status=403)


def edit_comment(*, comment: Comment, person, body: str, on_behalf_of: str) -> Comment:
    _refuse_suspended(person)  # an edit republishes text
    with transaction.atomic():
        comment = Comment.objects.select_for_update().get(pk=comment.pk)
        _own_visible(comment, person)
        if body == comment.body and on_behalf_of.strip() == comment.on_behalf_of:
            return comment
        CommentRevision.objects.create(
            comment=comment,
            body=comment.body,
            body_html=comment.body_html,
            on_behalf_of=comment.on_behalf_of,
            written_at=comment.edited_at or comment.created_at,
        )
        comment.body = body
        comment.on_behalf_of = on_behalf_of.strip()
        comment.edited_at = timezone.now()
        comment.save()
        return comment


def withdraw_comment(*, comment: Comment, person) -> Comment:
    """The text stays stored (and its history); readers see a placeholder; replies stay."""
    with transaction.atomic():
        comment = Comment.objects.select_for_update().get(pk=comment.pk)
        _own_visible(comment, person)
        comment.status = Comment.Status.WITHDRAWN
        comment.save(update_fields=["status"])
        return comment


def endorse(*, comment: Comment, person, note: str = "") -> Endorsement:
    _refuse_suspended(person)
    if not comment.is_visible:
        raise CommentError("Only a visible comment can be endorsed.", status=403)
    if comment.author_id == person.pk:
        raise CommentError("You cannot endorse your own comment.", status=403)
    endorsement, created = Endorsement.objects.get_or_create(
        comment=comment, person=person, defaults={"note": note}
    )
    if not created and note != endorsement.note:
        endorsement.note = note
        endorsement.save(update_fields=["note"])
    return endorsement


def withdraw_endorsement(*, comment: Comment, person) -> None:
    # An endorsement is the person's own mark, not something they wrote for the record: undoing
    # it removes it, as the issue asks ("can undo").
    Endorsement.objects.filter(comment=comment, person=person).delete()


def follow(*, person, definition, clause=None) -> Subscription:
    subscription, _ = Subscription.objects.get_or_create(person=person, definition=definition, clause=clause)
    if clause is None and not (subscription.comments and subscription.versions):
        subscription.comments = subscription.versions = True
        subscription.save(update_fields=["comments", "versions"])
    return subscription


def unfollow(*, person, definition, clause=None) -> None:
    Subscription.objects.filter(person=person, definition=definition, clause=clause).delete()


def stop_emails(*, user_id: int, kind: str, target: int) -> None:
    """What an email's "stop" link does, for its kind of email."""
    if kind == "reply":
        Profile.objects.filter(user_id=user_id).update(email_on_reply=False)
    elif kind == "receipt":
        Profile.objects.filter(user_id=user_id).update(email_receipts=False)
    elif kind == "disposition":
        Profile.objects.filter(user_id=user_id).update(email_on_disposition=False)
    elif kind == "flags":
        Profile.objects.filter(user_id=user_id).update(email_on_flags=False)
    elif kind == "clause":
        Subscription.objects.filter(person_id=user_id, clause_id=target).delete()
    elif kind in ("definition-comments", "definition-versions"):
        field = "comments" if kind == "definition-comments" else "versions"
        follows = Subscription.objects.filter(person_id=user_id, definition_id=target, clause__isnull=True)
        follows.update(**{field: False})
        follows.filter(comments=False, versions=False).delete()
