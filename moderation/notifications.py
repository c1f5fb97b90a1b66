"""Emails of moderation: moderators hear of new flags, authors of their comments' dispositions."""

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.tasks import task
from django.urls import reverse

from accounts.models import display_name
from comments.notifications import _comment_context, _send, absolute
from docket.tasks import enqueue_when_stored

from .models import Disposition, Flag


@task
def notify_moderators_of_flag(flag_id: int) -> None:
    flag = Flag.objects.select_related(
        "comment__version__definition", "comment__clause", "comment__author"
    ).get(pk=flag_id)
    moderators = (
        get_user_model()
        .objects.filter(Q(groups__name="Moderators") | Q(is_superuser=True), is_active=True)
        .filter(profile__email_on_flags=True)
        .distinct()
    )
    context = _comment_context(flag.comment)
    for moderator in moderators:
        if moderator.pk == flag.reporter_id:
            continue
        _send(
            moderator,
            f"Comment {flag.comment.tracking_number} was flagged ({flag.get_reason_display()})",
            "moderation/email/flag.txt",
            "flags",
            flag=flag,
            queue_url=absolute(reverse("moderation:comment", args=[flag.comment_id])),
            **context,
        )


@task
def notify_author_of_disposition(disposition_id: int) -> None:
    disposition = Disposition.objects.select_related(
        "comment__author__profile", "comment__version__definition", "comment__clause", "addressed_in"
    ).get(pk=disposition_id)
    comment = disposition.comment
    if comment.is_external or not comment.author.profile.email_on_disposition:
        return
    _send(
        comment.author,
        f"Your comment {comment.tracking_number}: {disposition.get_status_display().lower()}",
        "moderation/email/disposition.txt",
        "disposition",
        disposition=disposition,
        steward=display_name(disposition.decided_by),
        **_comment_context(comment),
    )


def flag_raised(flag: Flag) -> None:
    enqueue_when_stored(notify_moderators_of_flag, flag.pk)


def disposition_recorded(disposition: Disposition) -> None:
    enqueue_when_stored(notify_author_of_disposition, disposition.pk)
