"""What moderators and stewards do. Each is one transaction and leaves a record with who and when."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Profile
from comments import actions as comment_actions
from comments.models import Comment
from comments.notifications import comment_approved

from .models import Disposition, DispositionResponse, DraftLink, Flag, ModerationAction
from .notifications import disposition_recorded, flag_raised

Kind = ModerationAction.Kind


class ModerationError(Exception):
    def __init__(self, message: str, status: int = 400, field: str | None = None):
        self.message, self.status, self.field = message, status, field
        super().__init__(message)


def _log(*, actor, kind, comment=None, person=None, reason="") -> ModerationAction:
    return ModerationAction.objects.create(
        actor=actor, kind=kind, comment=comment, person=person, reason=reason
    )


def flag(*, comment: Comment, reporter, reason: str, note: str = "") -> Flag:
    allowed, why = comment_actions.can_comment(reporter)
    if not allowed:
        raise ModerationError(
            "Your account is suspended."
            if why == "suspended"
            else "Verify your email address to flag comments.",
            status=403,
        )
    if comment.author_id == reporter.pk:
        raise ModerationError("You cannot flag your own comment; withdraw it instead.", status=403)
    try:
        with transaction.atomic():
            new = Flag.objects.create(comment=comment, reporter=reporter, reason=reason, note=note)
            flag_raised(new)
    except IntegrityError:
        raise ModerationError("You have already flagged this comment; moderators will look at it.") from None
    return new


def _resolve_flags(comment, actor) -> None:
    Flag.objects.filter(comment=comment, resolved_at__isnull=True).update(
        resolved_at=timezone.now(), resolved_by=actor
    )


def _set_status(comment: Comment, status: str, reason: str = "") -> Comment:
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    comment.status, comment.status_reason = status, reason
    comment.save(update_fields=["status", "status_reason"])
    return comment


def hide(*, comment: Comment, actor, reason: str) -> Comment:
    if not reason.strip():
        raise ModerationError("Give the public reason for hiding it.", field="reason")
    with transaction.atomic():
        if comment.status == Comment.Status.WITHDRAWN:
            raise ModerationError("Its author has withdrawn it already.")
        comment = _set_status(comment, Comment.Status.HIDDEN, reason.strip())
        _resolve_flags(comment, actor)
        _log(actor=actor, kind=Kind.HIDE, comment=comment, reason=reason.strip())
    return comment


def restore(*, comment: Comment, actor, reason: str = "") -> Comment:
    with transaction.atomic():
        if comment.status != Comment.Status.HIDDEN:
            raise ModerationError("Only a hidden comment can be restored.")
        comment = _set_status(comment, Comment.Status.VISIBLE)
        _log(actor=actor, kind=Kind.RESTORE, comment=comment, reason=reason.strip())
    return comment


def approve(*, comment: Comment, actor) -> Comment:
    with transaction.atomic():
        if comment.status != Comment.Status.HELD:
            raise ModerationError("Only a comment held for approval can be approved.")
        comment = _set_status(comment, Comment.Status.VISIBLE)
        _log(actor=actor, kind=Kind.APPROVE, comment=comment)
        comment_approved(comment)
    return comment


def dismiss_flags(*, comment: Comment, actor, reason: str = "") -> None:
    with transaction.atomic():
        _resolve_flags(comment, actor)
        _log(actor=actor, kind=Kind.DISMISS, comment=comment, reason=reason.strip())


def set_lock(*, comment: Comment, actor, locked: bool, reason: str = "") -> Comment:
    root = comment.root or comment
    with transaction.atomic():
        root = Comment.objects.select_for_update().get(pk=root.pk)
        if locked == (root.locked_at is not None):
            raise ModerationError("The thread is locked already." if locked else "The thread is not locked.")
        root.locked_at = timezone.now() if locked else None
        root.save(update_fields=["locked_at"])
        _log(actor=actor, kind=Kind.LOCK if locked else Kind.UNLOCK, comment=root, reason=reason.strip())
    return root


def set_suspension(*, person, actor, suspended: bool, reason: str = "") -> Profile:
    if suspended and not reason.strip():
        raise ModerationError("Give the public reason for the suspension.", field="reason")
    if person.pk == actor.pk:
        raise ModerationError("You cannot suspend yourself.", status=403)
    with transaction.atomic():
        profile, _ = Profile.objects.select_for_update().get_or_create(user=person)
        if suspended == profile.is_suspended:
            raise ModerationError(
                "The account is suspended already." if suspended else "The account is not suspended."
            )
        profile.suspended_at = timezone.now() if suspended else None
        profile.suspension_reason = reason.strip() if suspended else ""
        profile.save(update_fields=["suspended_at", "suspension_reason"])
        _log(
            actor=actor,
            kind=Kind.SUSPEND if suspended else Kind.UNSUSPEND,
            person=person,
            reason=reason.strip(),
        )
    return profile


def record_disposition(
    *,
    comment: Comment,
    by,
    status: str,
    rationale: str = "",
    addressed_in=None,
    clauses=(),
    duplicate_of=None,
) -> Disposition:
    """A new disposition for a thread-starting comment; an earlier one stays as history."""
    if comment.parent_id is not None:
        raise ModerationError("Dispositions are recorded on a thread's first comment.")
    if status == Disposition.Status.DUPLICATE:
        if duplicate_of is None:
            raise ModerationError("Say which comment this one duplicates.", field="duplicate_of")
        if duplicate_of.pk == comment.pk:
            raise ModerationError("A comment cannot duplicate itself.", field="duplicate_of")
        if duplicate_of.parent_id is not None:
            raise ModerationError(
                "Name the first comment of the other thread, not a reply.", field="duplicate_of"
            )
    else:
        duplicate_of = None
    if status in Disposition.DROVE_REVISION:
        if addressed_in is not None and addressed_in.sequence < comment.version.sequence:
            raise ModerationError(
                f"Version {addressed_in.label} came before the comment (made on {comment.version.label}).",
                field="addressed_in",
            )
        if addressed_in is not None:
            # A revision may change or add a clause (it is in the version) or remove one (it was
            # in the version before).
            before = (
                addressed_in.definition.versions.published()
                .filter(sequence__lt=addressed_in.sequence)
                .order_by("-sequence")
                .first()
            )
            present = set(addressed_in.clause_texts.values_list("clause_id", flat=True))
            if before is not None:
                present |= set(before.clause_texts.values_list("clause_id", flat=True))
            missing = [c.key for c in clauses if c.pk not in present]
            if missing:
                raise ModerationError(
                    f"Not revised in version {addressed_in.label}: {', '.join(missing)}.", field="clauses"
                )
    elif addressed_in is not None or clauses:
        raise ModerationError(
            "Only an accepted or partially accepted comment is addressed in a version, revising clauses.",
            field="addressed_in",
        )
    with transaction.atomic():
        Comment.objects.select_for_update().get(pk=comment.pk)  # one change at a time per comment
        Disposition.objects.filter(comment=comment, is_current=True).update(is_current=False)
        disposition = Disposition.objects.create(
            comment=comment,
            status=status,
            rationale=rationale,
            decided_by=by,
            addressed_in=addressed_in,
            duplicate_of=duplicate_of,
        )
        if clauses:
            disposition.clauses.set(clauses)
        disposition_recorded(disposition)
    return disposition


def may_respond(*, disposition: Disposition, person) -> bool:
    """Only the comment's author answers its disposition (nobody, for a comment entered from
    another channel)."""
    return disposition.comment.author_id == person.pk and not disposition.comment.is_external


def respond(*, disposition: Disposition, author, verdict: str, note: str = "") -> DispositionResponse:
    if not may_respond(disposition=disposition, person=author):
        raise ModerationError("Only the comment's author can answer its disposition.", status=403)
    if not disposition.is_current:
        raise ModerationError("This disposition has been replaced; answer the current one.")
    if Profile.objects.filter(user=author, suspended_at__isnull=False).exists():
        raise ModerationError("Your account is suspended.", status=403)
    response, _ = DispositionResponse.objects.update_or_create(
        disposition=disposition,
        author=author,
        defaults={"verdict": verdict, "note": note, "created_at": timezone.now()},
    )
    return response


def enter_external_comment(
    *,
    clause_text,
    steward,
    body: str,
    external_author: str,
    source: str,
    source_url: str = "",
    quote: str = "",
) -> Comment:
    """A comment made elsewhere, entered by a steward so the record covers every channel."""
    import uuid

    from docket import quotes

    if quote and not quotes.contains(clause_text.body_html, quote):
        raise ModerationError("The quoted passage is not in this clause's text.", field="quote")
    prefix, suffix = quotes.context(clause_text.body_html, quote) if quote else ("", "")
    with transaction.atomic():
        comment = Comment.objects.create(
            clause_id=clause_text.clause_id,
            version=clause_text.version,
            author=steward,
            body=body,
            quote=quotes.normalise(quote),
            quote_prefix=prefix[-100:],
            quote_suffix=suffix[:100],
            external_author=external_author.strip(),
            source=source.strip(),
            source_url=source_url.strip(),
            token=uuid.uuid4(),
        )
        comment.root_id = comment.pk  # stored so by the database (comments/0007)
    return comment


def toggle_draft_link(*, draft, comment: Comment, clause, by, partial: bool, linked: bool) -> None:
    if linked:
        DraftLink.objects.update_or_create(
            version=draft, comment=comment, clause=clause, defaults={"partial": partial, "marked_by": by}
        )
    else:
        DraftLink.objects.filter(version=draft, comment=comment, clause=clause).delete()


def record_revisions(*, version, by, links: dict[int, tuple[str, list]]) -> list[Disposition]:
    """On publishing: each linked comment is recorded as accepted (or partially accepted),
    addressed in `version`, revising the given clauses. `links` maps comment id to
    (status, clauses)."""
    recorded = []
    for comment in Comment.objects.filter(pk__in=links):
        status, clauses = links[comment.pk]
        recorded.append(
            record_disposition(
                comment=comment,
                by=by,
                status=status,
                rationale="",
                addressed_in=version,
                clauses=clauses,
            )
        )
    DraftLink.objects.filter(version=version).delete()
    return recorded
